"""The cohort band: median and interquartile range of first-step pain by week, over 5+ other patients."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta
from statistics import median, quantiles

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from tests.factories import AdminFactory, CourseFactory, DailyLogFactory, PatientFactory
from tracker.models import CohortWeek, Course, CourseKind, DailyLog
from tracker.progress.cohort import cohort_band, quartiles
from tracker.selectors.cohort import cohort_bands
from tracker.services.accounts import user_change_role, user_deactivate, user_reactivate
from tracker.services.audit import AuditContext
from tracker.services.cohort import cohort_forget_patient, cohort_rebuild_all
from tracker.services.patient_account import account_close

pytestmark = pytest.mark.django_db

D0 = date(2026, 1, 5)


def _patient_on(kind: str, pains_by_day: dict[int, int], *, foot: str = "left", day_zero: date = D0, **course):
    patient = PatientFactory.create()
    CourseFactory.create(patient=patient, kind=kind, foot=foot, day_zero=day_zero, **course)
    feet = ["left", "right"] if foot == "both" else [foot]
    DailyLog.objects.bulk_create(
        [
            DailyLog(
                patient=patient,
                date=day_zero + timedelta(days=n),
                recorded_on=day_zero + timedelta(days=n),
                foot=f,
                first_step_pain=pain,
                average_pain=pain,
            )
            for n, pain in pains_by_day.items()
            for f in feet
        ]
    )
    return patient


def test_it_gives_median_and_quartiles_by_week_over_other_patients_in_one_query(django_assert_num_queries):
    me = _patient_on("massage", {0: 10, 7: 10})
    for pain in (2, 4, 6, 8, 10):
        _patient_on("massage", {0: pain, 1: pain, 8: pain - 1})  # week 1: days 0-6; week 2: days 7-13
    with django_assert_num_queries(1):
        band = cohort_band(kind="massage", exclude_patient_id=me.pk)
    assert [p.week for p in band] == [1, 2]
    week1 = band[0]
    q1, _, q3 = quantiles([2, 4, 6, 8, 10], n=4, method="inclusive")
    assert (week1.median, week1.q1, week1.q3, week1.patients) == (6, q1, q3, 5)
    assert band[1].median == median([1, 3, 5, 7, 9])


def test_it_shows_no_week_with_fewer_than_5_patients():
    for pain in (2, 4, 6, 8):
        _patient_on("needling", {0: pain, 10: pain})
    assert cohort_band(kind="needling", exclude_patient_id=None) == ()
    _patient_on("needling", {3: 5})  # a fifth patient only in week 1
    assert [p.week for p in cohort_band(kind="needling", exclude_patient_id=None)] == [1]


def test_it_excludes_the_patient_so_they_cannot_be_the_fifth():
    patients = [_patient_on("open", {2: 5}) for _ in range(5)]
    assert len(cohort_band(kind="open", exclude_patient_id=None)) == 1
    assert cohort_band(kind="open", exclude_patient_id=patients[0].pk) == ()


def test_it_counts_only_that_kind_the_treated_foot_from_day_0_and_up_to_the_end():
    for _ in range(5):
        _patient_on("endoscopic", {1: 4})
    _patient_on("massage", {1: 10})  # another kind
    odd = PatientFactory.create()
    CourseFactory.create(
        patient=odd, kind="endoscopic", foot="left", day_zero=D0, status="completed", ended_on=D0 + timedelta(days=3)
    )
    DailyLog.objects.bulk_create(
        [
            DailyLog(
                patient=odd,
                date=D0 - timedelta(days=2),
                recorded_on=D0,
                foot="left",
                first_step_pain=10,
                average_pain=1,
            ),
            DailyLog(
                patient=odd,
                date=D0 + timedelta(days=1),
                recorded_on=D0 + timedelta(days=1),
                foot="right",
                first_step_pain=10,
                average_pain=1,
            ),
            DailyLog(
                patient=odd,
                date=D0 + timedelta(days=5),
                recorded_on=D0 + timedelta(days=5),
                foot="left",
                first_step_pain=10,
                average_pain=1,
            ),
        ]
    )
    [week1] = cohort_band(kind="endoscopic", exclude_patient_id=None)
    assert (week1.median, week1.patients) == (4, 5)


def test_it_counts_a_patient_once_a_week_with_both_feet_averaged():
    for pain in (2, 4, 6, 8):
        _patient_on("massage", {0: pain})
    both = _patient_on("massage", {0: 0}, foot="both")
    DailyLog.objects.filter(patient=both, foot="right").update(first_step_pain=10)
    [week1] = cohort_band(kind="massage", exclude_patient_id=None)
    assert week1.patients == 5
    assert week1.median == 5  # 2, 4, (0 + 10) / 2, 6, 8


def test_it_stops_at_max_week_and_leaves_out_inactive_patients():
    for _ in range(5):
        _patient_on("massage", {0: 5, 20: 5})
    assert [p.week for p in cohort_band(kind="massage", exclude_patient_id=None)] == [1, 3]
    assert [p.week for p in cohort_band(kind="massage", exclude_patient_id=None, max_week=2)] == [1]
    closed = _patient_on("massage", {0: 5})
    closed.is_active = False
    closed.save()
    assert cohort_band(kind="massage", exclude_patient_id=None)[0].patients == 5


def test_a_log_under_two_courses_of_the_kind_counts_once_for_the_earlier_course():
    for pain in (2, 4, 6, 8, 10):
        _patient_on("massage", {3: pain})  # week 1
    # A first course of massage, ended on day 6 of the second: a log on D0 + 3 lies in both.
    twice = _patient_on(
        "massage", {10: 0}, day_zero=D0 - timedelta(days=7), status="completed", ended_on=D0 + timedelta(days=6)
    )
    CourseFactory.create(patient=twice, kind="massage", foot="left", day_zero=D0)

    [week1] = cohort_band(kind="massage", exclude_patient_id=None)

    # Counted in week 2 of the first course (alone there, so no band), not again in week 1 of the second.
    assert (week1.week, week1.patients, week1.median) == (1, 5, 6)


# ---------------------------------------------------------------------------------------------------------
# The cache (tracker.models.CohortWeek) read by the pages: the same band as the reference computation
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", range(2, 12))
def test_quartiles_with_one_value_skipped_are_the_statistics_modules(size):
    rng = random.Random(size)
    values = sorted(rng.choice([0, 1, 2.5, 3, 10 / 3, 7, 9.5, 10]) for _ in range(size + 1))
    for skip in [None, *range(len(values))]:
        rest = values if skip is None else values[:skip] + values[skip + 1 :]
        q1, _, q3 = quantiles(rest, n=4, method="inclusive")
        assert quartiles(values, skip=skip) == (q1, median(rest), q3)


def _random_cohort(rng: random.Random, *, patients: int, kinds=("massage", "needling")):
    """Patients with gaps, both feet, ended courses, logs before day 0, a second course of the kind."""
    made = []
    for n in range(patients):
        kind = kinds[n % len(kinds)]
        day_zero = D0 + timedelta(days=rng.randint(-20, 20))
        foot = rng.choice(["left", "right", "both"])
        pains = {d: rng.randint(0, 10) for d in range(-3, 60) if rng.random() < 0.6}
        ended = {} if n % 3 else {"status": "completed", "ended_on": day_zero + timedelta(days=30)}
        patient = _patient_on(kind, pains, foot=foot, day_zero=day_zero, **ended)
        if n % 6 == 0:  # a second course of the kind from day 20 of the first: days 20 to 30 lie in both
            CourseFactory.create(patient=patient, kind=kind, foot=foot, day_zero=day_zero + timedelta(days=20))
        made.append(patient)
    return made


def test_the_cached_band_equals_the_reference_computation_for_every_week_and_viewer():
    rng = random.Random(11)
    patients = _random_cohort(rng, patients=14)
    closed = patients[3]
    closed.is_active = False
    closed.save()
    # The cohort has the hard cases: a log in two courses of the kind, both feet, an ended course, a closed account.
    assert Course.objects.values("patient").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert Course.objects.filter(foot="both").exists() and Course.objects.filter(ended_on__isnull=False).exists()
    for viewer in [None, *patients[:6]]:
        viewer_id = viewer.pk if viewer else None
        cached = cohort_bands({"massage": None, "needling": None}, exclude_patient_id=viewer_id)
        for kind in ("massage", "needling"):
            reference = cohort_band(kind=kind, exclude_patient_id=viewer_id)
            assert reference, "the cohort is big enough for a band"
            assert cached[kind] == reference  # exactly: same weeks, same floats, same counts


def test_the_cache_stops_at_the_last_week_asked_for(django_assert_num_queries):
    for _ in range(5):
        _patient_on("massage", {0: 5, 20: 5, 40: 6})
    cohort_rebuild_all()
    with django_assert_num_queries(1):
        bands = cohort_bands({"massage": 3, "needling": None}, exclude_patient_id=None)
    assert [p.week for p in bands["massage"]] == [1, 3] and bands["needling"] == ()
    assert [p.week for p in cohort_bands({"massage": None}, exclude_patient_id=None)["massage"]] == [1, 3, 6]


def test_the_cache_keeps_the_rule_of_5_other_patients_with_the_viewer_left_out():
    patients = [_patient_on("open", {2: pain}) for pain in (1, 2, 3, 4, 5)]
    _patient_on("open", {9: 5})  # alone in week 2
    [week1] = cohort_bands({"open": None}, exclude_patient_id=None)["open"]
    assert (week1.week, week1.patients, week1.median) == (1, 5, 3)
    # The viewer is one of the 5: only 4 others, so no band at all.
    assert cohort_bands({"open": None}, exclude_patient_id=patients[0].pk)["open"] == ()
    # A sixth patient: 5 others again, and the viewer's own value is not among them.
    _patient_on("open", {3: 10})
    cohort_rebuild_all()
    [week1] = cohort_bands({"open": None}, exclude_patient_id=patients[0].pk)["open"]
    assert (week1.patients, week1.median) == (5, 4)  # 2, 3, 4, 5, 10


def test_a_missing_cache_is_built_on_read_and_a_fresh_one_is_not_rebuilt(django_assert_num_queries):
    for pain in (2, 4, 6, 8, 10):
        _patient_on("massage", {1: pain})
    assert not CohortWeek.objects.exists()
    [week1] = cohort_bands({"massage": None}, exclude_patient_id=None)["massage"]
    assert week1.median == 6
    assert CohortWeek.objects.filter(kind="massage").count() == 2  # the header and week 1
    # A new log does not show until the cache is rebuilt (it is fresh): one query, the old band.
    _patient_on("massage", {2: 0})
    with django_assert_num_queries(1):
        assert cohort_bands({"massage": None}, exclude_patient_id=None)["massage"][0].patients == 5


def test_a_cache_older_than_the_max_age_is_rebuilt_on_read(settings):
    for pain in (2, 4, 6, 8, 10):
        _patient_on("massage", {1: pain})
    cohort_rebuild_all()
    _patient_on("massage", {2: 0})
    assert cohort_bands({"massage": None}, exclude_patient_id=None)["massage"][0].patients == 5
    CohortWeek.objects.filter(kind="massage").update(
        computed_at=timezone.now() - settings.COHORT_MAX_AGE - timedelta(seconds=1)
    )
    [week1] = cohort_bands({"massage": None}, exclude_patient_id=None)["massage"]
    assert (week1.patients, week1.median) == (6, 5)  # 0, 2, 4, 6, 8, 10
    assert CohortWeek.objects.get(kind="massage", week=0).computed_at > timezone.now() - timedelta(minutes=1)


def _admin_audit():
    return AuditContext.for_command("test", actor=AdminFactory.create())


@pytest.mark.parametrize("how", ["closed by the patient", "deactivated", "no longer a patient"])
def test_a_closed_or_deactivated_patient_leaves_the_cached_band_at_once(how):
    patients = [_patient_on("needling", {1: pain, 8: pain}) for pain in (1, 2, 3, 4, 5, 6)]
    cohort_rebuild_all()
    assert [p.patients for p in cohort_bands({"needling": None}, exclude_patient_id=None)["needling"]] == [6, 6]
    leaving = patients[5]
    if how == "closed by the patient":
        account_close(patient=leaving, audit=AuditContext.for_command("test", actor=leaving))
    elif how == "deactivated":
        user_deactivate(user=leaving, audit=_admin_audit())
    else:
        user_change_role(user=leaving, role="physio", audit=_admin_audit())
    band = cohort_bands({"needling": None}, exclude_patient_id=None)["needling"]
    assert [(p.patients, p.median) for p in band] == [(5, 3), (5, 3)]
    assert band == cohort_band(kind="needling", exclude_patient_id=None)
    # With the viewer left out there are only 4 others now: no band.
    assert cohort_bands({"needling": None}, exclude_patient_id=patients[0].pk)["needling"] == ()


def test_a_reactivated_patient_is_back_in_the_band_at_the_next_read():
    patients = [_patient_on("needling", {1: pain}) for pain in (1, 2, 3, 4, 5, 6)]
    audit = _admin_audit()
    user_deactivate(user=patients[0], audit=audit)
    assert cohort_bands({"needling": None}, exclude_patient_id=None)["needling"][0].patients == 5
    user_reactivate(user=patients[0], audit=audit)
    assert cohort_bands({"needling": None}, exclude_patient_id=None)["needling"][0].patients == 6


def test_forgetting_a_patient_not_in_the_cache_changes_nothing():
    for pain in (1, 2, 3, 4, 5):
        _patient_on("needling", {1: pain})
    cohort_rebuild_all()
    before = list(CohortWeek.objects.values_list("week", "values", "patient_ids"))
    other = _patient_on("massage", {1: 3})
    cohort_forget_patient(other)
    cohort_forget_patient(PatientFactory.create())
    assert list(CohortWeek.objects.values_list("week", "values", "patient_ids")) == before


def test_the_command_and_the_hourly_job_rebuild_every_kind():
    for pain in (1, 2, 3, 4, 5):
        _patient_on("needling", {1: pain})
    old = timezone.now() - timedelta(days=1)
    out = io.StringIO()
    call_command("rebuild_cohort", stdout=out)
    assert "Rebuilt the cohort band: 1 week(s)" in out.getvalue()
    assert set(CohortWeek.objects.filter(week=0).values_list("kind", flat=True)) == set(CourseKind.values)
    CohortWeek.objects.update(computed_at=old)
    _patient_on("needling", {2: 6})
    call_command("raise_alerts", stdout=out)
    assert not CohortWeek.objects.filter(computed_at=old).exists()
    assert CohortWeek.objects.get(kind="needling", week=1).values  # rebuilt from the logs
    [week1] = cohort_band(kind="needling", exclude_patient_id=None)
    assert cohort_bands({"needling": None}, exclude_patient_id=None)["needling"] == (week1,)
    assert week1.patients == 6


# ---------------------------------------------------------------------------------------------------------
# /progress/: a fixed number of queries, whatever the cohort's size or the days of history
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cohort", "days"), [(3, 10), (12, 10), (3, 60), (12, 60)])
def test_progress_reads_the_band_in_a_fixed_number_of_queries(
    patient_client, patient, cohort, days, django_assert_num_queries
):
    today = patient.local_today()
    start = today - timedelta(days=days)
    CourseFactory.create(patient=patient, kind="massage", day_zero=start)
    for d in range(days):
        DailyLogFactory.create(patient=patient, date=start + timedelta(days=d), first_step_pain=5)
    for _ in range(cohort):
        other = PatientFactory.create()
        CourseFactory.create(patient=other, kind="massage", day_zero=start)
        DailyLog.objects.bulk_create(
            [
                DailyLog(
                    patient=other,
                    date=start + timedelta(days=d),
                    recorded_on=today,
                    foot="left",
                    first_step_pain=4,
                    average_pain=4,
                )
                for d in range(days)
            ]
        )
    cohort_rebuild_all()
    # 1 session, 2 user, 3 courses, 4 logs, 5 sessions, 6 the cohort band (every kind, cached), 7 the
    # questionnaire responses (none here, so no answers are read), 8 audit insert, 9-11 idle-timeout session save
    with django_assert_num_queries(11):
        response = patient_client.get("/progress/")
    band = response.context["items"][0]["chart"]["band"]
    assert (band is not None) == (cohort >= 5)


def test_the_pdf_report_draws_the_cached_band_for_the_weeks_on_its_chart(patient, physio):
    from tracker.reports.pdf import report_context
    from tracker.reports.svg_chart import chart_last_week

    today = patient.local_today()
    start = today - timedelta(days=20)
    CourseFactory.create(patient=patient, kind="massage", day_zero=start)
    DailyLogFactory.create(patient=patient, date=start + timedelta(days=1), first_step_pain=7)
    for pain in (1, 2, 3, 4, 5):
        _patient_on("massage", dict.fromkeys(range(0, 120, 3), pain), day_zero=start - timedelta(days=100))

    [course] = report_context(patient=patient, today=today, prepared_by=physio)["courses"]

    last = chart_last_week(course["report"])
    reference = cohort_band(kind="massage", exclude_patient_id=patient.pk)
    assert 3 <= last < len(reference)  # the cohort has more weeks than the chart draws
    assert course["band"] == tuple(p for p in reference if p.week <= last)
