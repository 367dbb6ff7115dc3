"""The patient's /progress/ page and the physiotherapist's patient page draw the same chart of each course."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from tests.factories import CourseFactory, DailyLogFactory, SessionFactory
from tracker.selectors.progress import course_charts
from tracker.services.cohort import cohort_rebuild_all

pytestmark = pytest.mark.django_db


def _charts(html: str) -> list[dict]:
    """Every chart's data, in page order, from its json_script element."""
    charts = []
    for part in html.split('<script id="chart-')[1:]:
        charts.append(json.loads(part.split('type="application/json">', 1)[1].split("</script>", 1)[0]))
    return charts


def _both_pages(patient_client, physio_client, patient) -> tuple[list[dict], list[dict]]:
    mine = _charts(patient_client.get(reverse("patient:progress")).content.decode())
    clinic = _charts(physio_client.get(reverse("clinic:patient", args=[patient.public_id])).content.decode())
    return mine, clinic


def test_a_surgery_session_recorded_without_a_course_is_drawn_on_both_pages(
    patient, physio, patient_client, physio_client
):
    today = patient.local_today()
    day_zero = today - timedelta(days=20)
    course = CourseFactory.create(patient=patient, endoscopic=True, day_zero=day_zero)
    SessionFactory.create(patient=patient, surgery=True, course=None, date=day_zero)  # belongs to no course
    SessionFactory.create(patient=patient, other=True, course=course, date=day_zero + timedelta(days=7))
    DailyLogFactory.create(patient=patient, date=today, first_step_pain=4)

    mine, clinic = _both_pages(patient_client, physio_client, patient)

    expected = [
        {"date": day_zero.isoformat(), "label": "Surgery"},
        {"date": (day_zero + timedelta(days=7)).isoformat(), "label": "Other"},
    ]
    for charts in (mine, clinic):
        assert [{"date": s["date"], "label": s["label"]} for s in charts[0]["sessions"]] == expected
    assert mine == clinic


def test_both_pages_share_the_sessions_out_over_the_courses_the_same_way(
    patient, physio, patient_client, physio_client
):
    """An unlinked session counts towards the latest matching course that had started: drawn there only."""
    today = patient.local_today()
    old = CourseFactory.create(
        patient=patient,
        kind="needling",
        day_zero=today - timedelta(days=60),
        status="completed",
        ended_on=today - timedelta(days=40),
    )
    new = CourseFactory.create(patient=patient, kind="needling", day_zero=today - timedelta(days=20))
    SessionFactory.create(patient=patient, needling=True, course=None, date=today - timedelta(days=50))
    SessionFactory.create(patient=patient, needling=True, course=None, date=today - timedelta(days=10))
    SessionFactory.create(patient=patient, needling=True, course=old, date=today - timedelta(days=55))

    mine, clinic = _both_pages(patient_client, physio_client, patient)

    assert mine == clinic
    by_course = {chart["course"]: [s["date"] for s in chart["sessions"]] for chart in mine}
    assert by_course == {
        str(new.public_id): [(today - timedelta(days=10)).isoformat()],
        str(old.public_id): [(today - timedelta(days=55)).isoformat(), (today - timedelta(days=50)).isoformat()],
    }


def test_the_builder_reads_every_kind_of_band_in_one_query(patient, django_assert_num_queries):
    today = patient.local_today()
    CourseFactory.create(patient=patient, kind="massage", day_zero=today - timedelta(days=30))
    CourseFactory.create(patient=patient, kind="massage", foot="right", day_zero=today - timedelta(days=20))
    CourseFactory.create(patient=patient, kind="needling", day_zero=today - timedelta(days=10))
    cohort_rebuild_all()
    # 1. courses, 2. logs, 3. sessions, 4. the cached bands of massage and needling together.
    with django_assert_num_queries(4):
        charts = course_charts(patient=patient, today=today)

    assert [c.chart_id for c in charts] == ["chart-1", "chart-2", "chart-3"]
    assert [c.report.course_id for c in charts] == [c.course.pk for c in charts]


@pytest.mark.parametrize("kind", ["endoscopic", "needling", "massage"])
def test_the_logs_read_as_plain_rows_give_the_same_reports_as_model_objects(patient, kind):
    import random

    from tracker.selectors.progress import patient_progress_data, progress_data_for_patients, reports_from_data

    today = patient.local_today()
    rng = random.Random(kind)
    CourseFactory.create(patient=patient, kind=kind, foot="both", day_zero=today - timedelta(days=90))
    CourseFactory.create(
        patient=patient,
        kind=kind,
        foot="left",
        day_zero=today - timedelta(days=200),
        status="stopped",
        ended_on=today - timedelta(days=120),
    )
    for d in range(200):
        if rng.random() < 0.3:
            continue
        for foot in ("left", "right"):
            DailyLogFactory.create(
                patient=patient,
                date=today - timedelta(days=d),
                foot=foot,
                first_step_pain=rng.randint(0, 10),
                average_pain=rng.randint(0, 10),
                weight_bearing=rng.choice(["", "none", "partial", "full"]),
                footwear=rng.choice(["", "boot", "normal"]),
                usual_activities=rng.choice(["", "no", "partly", "yes"]),
                sym_swelling_redness=rng.random() < 0.2,
                rf_calf=rng.random() < 0.03,
                rf_wound=rng.random() < 0.03,
                needling_soreness=rng.choice([None, 3, 7]),
            )
    SessionFactory.create(patient=patient, date=today - timedelta(days=80))
    objects = reports_from_data(
        progress_data_for_patients(patient_ids=[patient.pk], until=today)[patient.pk], today=today
    )
    rows = reports_from_data(patient_progress_data(patient=patient, until=today), today=today)
    assert rows == objects
    assert any(r.findings for r in rows)
