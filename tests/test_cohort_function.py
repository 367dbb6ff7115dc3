"""The FAAM daily activities band (issue 13): by week since day 0, over 5+ other patients of the same kind."""

from __future__ import annotations

from datetime import date, timedelta
from statistics import median, quantiles

import pytest

from tests.factories import CourseFactory, PatientFactory
from tests.questionnaire_data import faam_response
from tracker.models import CohortMeasure, CohortWeek
from tracker.progress.cohort import function_week, function_week_days, function_weeks
from tracker.progress.questionnaires import Measure
from tracker.selectors.cohort import cohort_bands
from tracker.selectors.questionnaires import questionnaire_history
from tracker.services.cohort import cohort_forget_patient, cohort_rebuild_all

D0 = date(2026, 1, 5)
LATER = date(2026, 6, 1)


# ---------------------------------------------------------------------------------------------------------
# Pure: which week a response counts in, and who counts
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "week"),
    [(-7, 1), (-1, 1), (0, 1), (6, 1), (7, 2), (13, 2), (14, 3), (27, 4), (28, 5)],
)
def test_a_response_counts_in_its_week_since_day_0_and_the_baseline_in_week_1(offset, week):
    day = D0 + timedelta(days=offset)
    assert function_week(day, day_zero=D0) == week
    first, last = function_week_days(week, day_zero=D0)
    assert first <= day <= last


def test_function_weeks_table():
    courses = [
        (1, "massage", D0, None, 10),
        (2, "massage", D0, D0 + timedelta(days=20), 20),  # ended on day 20
        (3, "massage", D0, None, 30),
        (3, "massage", D0 + timedelta(days=100), None, 31),  # a later course of the kind: the earlier one counts
        (4, "needling", D0, None, 40),
    ]
    scores = [
        (1, D0 - timedelta(days=8), 50.0),  # before the baseline window: left out
        (1, D0 - timedelta(days=3), 40.0),  # the baseline: week 1
        (1, D0 + timedelta(days=2), 45.0),  # also week 1, later: it counts, once
        (1, D0 + timedelta(days=15), None),  # unscored (fewer than 90 % answered): left out, never a zero
        (2, D0 + timedelta(days=14), 60.0),  # week 3
        (2, D0 + timedelta(days=21), 70.0),  # after the course ended: left out
        (3, D0 + timedelta(days=105), 80.0),  # in both courses' days: the earliest course, week 16
        (4, D0 + timedelta(days=14), 90.0),
        (5, D0, 99.0),  # no course of any kind: not counted
    ]
    weeks = function_weeks(courses, scores)
    assert {k: dict(v) for k, v in weeks.items()} == {
        "massage": {1: [(45.0, 1)], 3: [(60.0, 2)], 16: [(80.0, 3)]},
        "needling": {3: [(90.0, 4)]},
    }


# ---------------------------------------------------------------------------------------------------------
# The cache against a computation from each patient's own scored questionnaires
# ---------------------------------------------------------------------------------------------------------


def _patient_with_faam(adl_answers: list[tuple[int, int]], *, kind: str = "massage"):
    """A patient on ``kind`` from D0 with a FAAM on each (day offset, answer to every ADL item)."""
    patient = PatientFactory.create()
    CourseFactory.create(patient=patient, kind=kind, foot="left", day_zero=D0)
    for offset, answer in adl_answers:
        faam_response(patient, D0 + timedelta(days=offset), adl=answer)
    return patient


def _reference(patients, *, week: int) -> list[float]:
    """Each patient's latest daily activities score in ``week``, from their own scored history."""
    values = []
    for patient in patients:
        points = questionnaire_history(patient=patient).readings[Measure.FAAM_ADL].points
        in_week = [v for d, v in points if function_week(d, day_zero=D0) == week]
        if in_week:
            values.append(in_week[-1])
    return sorted(values)


@pytest.mark.django_db
def test_the_cached_band_is_the_middle_half_of_the_other_patients_and_leaves_out_the_looker():
    me = _patient_with_faam([(-2, 4), (14, 4)])
    others = [_patient_with_faam([(-1, a), (15, min(4, a + 1))]) for a in (0, 1, 2, 3, 4)]
    cohort_rebuild_all()

    band = cohort_bands({"massage": None}, exclude_patient_id=me.pk, measure=CohortMeasure.FAAM_ADL)["massage"]

    assert [p.week for p in band] == [1, 3]
    for point in band:
        values = _reference(others, week=point.week)
        q1, _, q3 = quantiles(values, n=4, method="inclusive")
        assert (point.q1, point.median, point.q3, point.patients) == (q1, median(values), q3, 5)
    # The pain band of the same kind is not mixed with it (no logs: no pain weeks).
    assert cohort_bands({"massage": None}, exclude_patient_id=me.pk)["massage"] == ()


@pytest.mark.django_db
def test_a_week_needs_5_other_patients():
    me = _patient_with_faam([(0, 2)])
    others = [_patient_with_faam([(0, a)]) for a in (1, 2, 3, 4)]
    cohort_rebuild_all()
    assert cohort_bands({"massage": None}, exclude_patient_id=me.pk, measure=CohortMeasure.FAAM_ADL)["massage"] == ()
    # Seen by one of the 4, the looker's own score makes 4 others: still no band.
    assert (
        cohort_bands({"massage": None}, exclude_patient_id=others[0].pk, measure=CohortMeasure.FAAM_ADL)["massage"]
        == ()
    )
    _patient_with_faam([(0, 0)])
    cohort_rebuild_all()
    (point,) = cohort_bands({"massage": None}, exclude_patient_id=me.pk, measure=CohortMeasure.FAAM_ADL)["massage"]
    assert point.patients == 5


@pytest.mark.django_db
def test_closing_an_account_takes_its_scores_out_of_the_band_at_once():
    me = _patient_with_faam([(0, 2)])
    others = [_patient_with_faam([(0, a)]) for a in (0, 1, 2, 3, 4)]
    cohort_rebuild_all()
    cohort_forget_patient(others[0])
    assert cohort_bands({"massage": None}, exclude_patient_id=me.pk, measure=CohortMeasure.FAAM_ADL)["massage"] == ()
    assert CohortWeek.objects.filter(measure=CohortMeasure.FAAM_ADL, week=1).get().patient_ids


@pytest.mark.django_db
def test_a_missing_cache_is_rebuilt_on_read():
    me = _patient_with_faam([(0, 2)])
    for a in (0, 1, 2, 3, 4):
        _patient_with_faam([(0, a)])
    assert not CohortWeek.objects.exists()
    (point,) = cohort_bands({"massage": None}, exclude_patient_id=me.pk, measure=CohortMeasure.FAAM_ADL)["massage"]
    assert (point.week, point.median, point.patients) == (1, 50.0, 5)


# ---------------------------------------------------------------------------------------------------------
# On the pages
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_progress_shows_the_band_in_words_and_in_the_table(client):
    me = PatientFactory.create()
    today = me.local_today()
    day_zero = today - timedelta(days=20)
    CourseFactory.create(patient=me, kind="massage", foot="left", day_zero=day_zero)
    faam_response(me, day_zero, adl=2)
    faam_response(me, day_zero + timedelta(days=14), adl=3)
    for a in (0, 1, 2, 3, 4):
        other = PatientFactory.create()
        CourseFactory.create(patient=other, kind="massage", foot="left", day_zero=day_zero - timedelta(days=30))
        faam_response(other, day_zero - timedelta(days=30), adl=a)  # their week 1
    cohort_rebuild_all()
    client.force_login(me)

    page = client.get("/progress/").content.decode()

    assert "Grey band: the middle half of the daily activities scores of other patients" in page
    assert "Other patients that week (middle half)" in page
    assert "25 to 75 (median 50)" in page  # week 1: scores 0, 25, 50, 75, 100
    assert "Grey blocks: the middle half of other patients, by week." in page


@pytest.mark.django_db
def test_progress_says_why_there_is_no_band_with_too_few_patients(client):
    me = PatientFactory.create()
    today = me.local_today()
    CourseFactory.create(patient=me, kind="massage", foot="left", day_zero=today - timedelta(days=20))
    faam_response(me, today - timedelta(days=20), adl=2)
    cohort_rebuild_all()
    client.force_login(me)

    page = client.get("/progress/").content.decode()

    assert "There is no band of other patients yet" in page


# The template loop the score tables had before ``score_table_rows`` (tracker/templatetags/progress_chart.py).
_TEMPLATE_SCORE_ROWS = """<tbody>{% for day, value, band in panel.table_rows %}<tr><td>{{ day|date:"j M Y" }}</td><td>{{ value|floatformat:"-1" }}</td>{% if panel.band_cells %}<td>{{ band }}</td>{% endif %}</tr>{% endfor %}</tbody>"""


@pytest.mark.django_db
def test_the_score_rows_built_in_python_match_the_template(client):
    from django.template import Context, Template

    from tracker.reports.questionnaire_panel import questionnaire_panel, with_function_band
    from tracker.selectors.progress import patient_reports

    me = PatientFactory.create()
    today = me.local_today()
    day_zero = today - timedelta(days=40)
    CourseFactory.create(patient=me, kind="massage", foot="left", day_zero=day_zero)
    for n, answer in enumerate((1, 2, 3)):
        faam_response(me, day_zero + timedelta(days=14 * n), adl=answer, sports=answer)
    for a in (0, 1, 2, 3, 4):
        other = PatientFactory.create()
        CourseFactory.create(patient=other, kind="massage", foot="left", day_zero=day_zero)
        faam_response(other, day_zero, adl=a)
    cohort_rebuild_all()
    plain = questionnaire_panel(patient=me)
    banded = with_function_band(plain, patient_id=me.pk, report=patient_reports(patient=me, today=today)[0])
    panels = [*plain["panels"], *banded["panels"]]
    assert any(p.band_cells for p in panels) and any(not p.band_cells for p in panels)

    for panel in panels:
        built = Template("{% load progress_chart %}<tbody>{% score_table_rows panel %}</tbody>").render(
            Context({"panel": panel})
        )
        assert built == Template(_TEMPLATE_SCORE_ROWS).render(Context({"panel": panel}))
        assert built.count("<tr>") == len(panel.reading.points) == 3
