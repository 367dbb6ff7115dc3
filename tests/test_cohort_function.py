"""The FAAM daily activities band (issue 13): by week since day 0, over 5+ other patients of the same kind."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from statistics import median, quantiles

import pytest
from django.db.models import Count

from tests.factories import CourseFactory, PatientFactory
from tests.questionnaire_data import faam_response
from tracker.models import (
    CohortMeasure,
    CohortWeek,
    Course,
    FaamAnswer,
    QuestionnaireKind,
    QuestionnaireResponse,
    Role,
)
from tracker.progress.cohort import MIN_PATIENTS, function_week, function_week_days, function_weeks
from tracker.progress.questionnaires import Measure, Subscale, faam_scores
from tracker.selectors.cohort import cohort_bands, measure_bands
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


def _fresh_band(kind: str, *, exclude_patient_id: int | None) -> tuple[tuple[int, float, float, float, int], ...]:
    """The FAAM daily activities band of ``kind`` worked out afresh, without the cache, the database's sums or
    ``function_weeks``: each completed response scored in Python (``faam_scores``, the 90 % rule), put in the
    earliest course of the kind whose days hold it (7 days before day 0 to its end), the latest scored one of a
    patient's week kept, then ``statistics`` over the other active patients of weeks with at least 5."""
    courses = defaultdict(list)
    for c in Course.objects.filter(kind=kind, patient__role=Role.PATIENT, patient__is_active=True):
        courses[c.patient_id].append(c)
    latest: dict[tuple[int, int], tuple[date, float]] = {}
    for response in QuestionnaireResponse.objects.filter(kind=QuestionnaireKind.FAAM, completed=True):
        if response.patient_id not in courses or response.patient_id == exclude_patient_id:
            continue
        answers = {a.item: a.answer for a in FaamAnswer.objects.filter(response=response)}
        score = faam_scores(answers)[Subscale.ADL].score
        if score is None:
            continue
        holding = [
            c
            for c in sorted(courses[response.patient_id], key=lambda c: (c.day_zero, c.pk))
            if c.day_zero - timedelta(days=7) <= response.date and (c.ended_on is None or response.date <= c.ended_on)
        ]
        if not holding:
            continue
        week = max(1, (response.date - holding[0].day_zero).days // 7 + 1)
        key = (week, response.patient_id)
        if key not in latest or latest[key][0] < response.date:
            latest[key] = (response.date, score)
    by_week: dict[int, list[float]] = defaultdict(list)
    for (week, _), (_, score) in latest.items():
        by_week[week].append(score)
    band = []
    for week, values in sorted(by_week.items()):
        if len(values) >= MIN_PATIENTS:
            q1, _, q3 = quantiles(values, n=4, method="inclusive")
            band.append((week, q1, median(values), q3, len(values)))
    return tuple(band)


def _random_faam(rng: random.Random, patient, day: date) -> None:
    """A FAAM with random answers: some N/A, some blank, sometimes too few answered to be scored."""
    response = QuestionnaireResponse.objects.create(
        patient=patient, kind=QuestionnaireKind.FAAM, date=day, completed=rng.random() < 0.9
    )
    missing = rng.choice([0, 0, 0, 1, 2, 3])  # 3 of 21 daily-activities items missing: not scored
    answers = []
    for item in range(1, 30):
        if item <= missing:
            if rng.random() < 0.5:
                continue  # left blank: no row
            answers.append(FaamAnswer(response=response, item=item, answer=None))  # not applicable
        else:
            answers.append(FaamAnswer(response=response, item=item, answer=rng.randint(0, 4)))
    FaamAnswer.objects.bulk_create(answers)


@pytest.mark.django_db
def test_the_cached_band_equals_a_fresh_computation_for_every_week_and_viewer():
    rng = random.Random(13)
    patients = []
    for n in range(16):
        kind = "massage" if n % 4 else "needling"
        patient = PatientFactory.create()
        day_zero = D0 + timedelta(days=rng.randint(0, 3))
        ended = {} if n % 3 else {"status": "completed", "ended_on": day_zero + timedelta(days=30)}
        CourseFactory.create(patient=patient, kind=kind, foot="left", day_zero=day_zero, **ended)
        if n % 6 == 0:  # the first ended: a second course of the kind from day 20; days 20 to 30 lie in both
            CourseFactory.create(patient=patient, kind=kind, foot="left", day_zero=day_zero + timedelta(days=20))
        days = {rng.randint(-10, 60) for _ in range(9)} | {-3, 0, 14}  # a baseline, several in some weeks
        for offset in sorted(days):
            _random_faam(rng, patient, day_zero + timedelta(days=offset))
        patients.append(patient)
    patients[2].is_active = False
    patients[2].save()
    # The hard cases are there: two courses of a kind, an ended course, an unscored and an unfinished response.
    assert Course.objects.values("patient").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert Course.objects.filter(ended_on__isnull=False).exists()
    assert QuestionnaireResponse.objects.filter(completed=False).exists()
    cohort_rebuild_all()

    for viewer in [None, *patients[:6]]:
        viewer_id = viewer.pk if viewer else None
        cached = cohort_bands(
            {"massage": None, "needling": None}, exclude_patient_id=viewer_id, measure=CohortMeasure.FAAM_ADL
        )
        assert cached["massage"], "the cohort is big enough for a band"
        for kind in ("massage", "needling"):
            fresh = _fresh_band(kind, exclude_patient_id=viewer_id)
            got = tuple((p.week, p.q1, p.median, p.q3, p.patients) for p in cached[kind])
            assert got == fresh  # exactly: same weeks, same floats, same counts


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("others", "looker_answered", "band"),
    [
        (4, False, None),  # 4 other patients: no band
        (4, True, None),  # 5 answered, but one is the looker: 4 others, no band
        (5, False, (5, 25.0, 50.0, 75.0)),
        (5, True, (5, 25.0, 50.0, 75.0)),  # the looker's own 100 is not in it
        (6, True, (6, 31.25, 62.5, 93.75)),
    ],
)
def test_a_week_of_the_band_needs_5_other_patients_and_never_counts_the_looker(others, looker_answered, band):
    me = _patient_with_faam([(0, 4)] if looker_answered else [])
    for answer in (0, 1, 2, 3, 4, 4)[:others]:
        _patient_with_faam([(1, answer)])
    cohort_rebuild_all()

    got = cohort_bands({"massage": None}, exclude_patient_id=me.pk, measure=CohortMeasure.FAAM_ADL)["massage"]

    assert [(p.patients, p.q1, p.median, p.q3) for p in got] == ([band] if band else [])


@pytest.mark.django_db
def test_the_pain_and_the_function_bands_are_read_in_one_query(django_assert_num_queries):
    from tests.factories import DailyLogFactory

    for answer in (0, 1, 2, 3, 4):
        patient = _patient_with_faam([(0, answer), (14, answer)])
        DailyLogFactory.create(patient=patient, date=D0 + timedelta(days=1), foot="left", first_step_pain=answer)
    cohort_rebuild_all()
    with django_assert_num_queries(1):
        bands = measure_bands(
            {CohortMeasure.PAIN: {"massage": None, "open": 2}, CohortMeasure.FAAM_ADL: {"massage": 2}},
            exclude_patient_id=None,
        )
    assert [p.week for p in bands[CohortMeasure.PAIN]["massage"]] == [1] and bands[CohortMeasure.PAIN]["open"] == ()
    assert [p.week for p in bands[CohortMeasure.FAAM_ADL]["massage"]] == [1]  # week 3 was not asked for
    assert bands[CohortMeasure.FAAM_ADL]["massage"][0].median == 50.0
    # A missing cache: the rebuild, then the same bands.
    CohortWeek.objects.all().delete()
    again = measure_bands(
        {CohortMeasure.PAIN: {"massage": None, "open": 2}, CohortMeasure.FAAM_ADL: {"massage": 2}},
        exclude_patient_id=None,
    )
    assert again == bands


@pytest.mark.django_db
def test_the_chart_builder_reads_the_function_band_with_the_pain_band(django_assert_num_queries):
    from tracker.selectors.progress import course_charts

    me = _patient_with_faam([(0, 2)])
    for answer in (0, 1, 2, 3, 4):
        _patient_with_faam([(0, answer), (15, answer)])
    cohort_rebuild_all()
    today = D0 + timedelta(days=20)
    with django_assert_num_queries(4):  # courses, logs, sessions, the bands
        (plain,) = course_charts(patient=me, today=today)
    with django_assert_num_queries(4):
        (chart,) = course_charts(patient=me, today=today, function_days=[D0, D0 + timedelta(days=15)])
    assert plain.function_band is None
    assert chart.function_band is not None
    assert [(p.week, p.median, p.patients) for p in chart.function_band] == [(1, 50.0, 5), (3, 50.0, 5)]


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
def test_a_score_from_before_the_course_has_no_band_beside_it(client):
    from tracker.reports.questionnaire_panel import function_days, questionnaire_panel, with_function_band
    from tracker.selectors.progress import course_charts

    me = PatientFactory.create()
    today = me.local_today()
    day_zero = today - timedelta(days=20)
    CourseFactory.create(patient=me, kind="massage", foot="left", day_zero=day_zero)
    faam_response(me, day_zero - timedelta(days=30), adl=1)  # an earlier course's: not week 1 of this one
    faam_response(me, day_zero - timedelta(days=2), adl=2)  # this course's baseline: week 1
    for a in (0, 1, 2, 3, 4):
        other = PatientFactory.create()
        CourseFactory.create(patient=other, kind="massage", foot="left", day_zero=day_zero)
        faam_response(other, day_zero, adl=a)
    cohort_rebuild_all()
    plain = questionnaire_panel(patient=me)
    (chart,) = course_charts(patient=me, today=today, function_days=function_days(plain))

    panel = next(
        p for p in with_function_band(plain, report=chart.report, band=chart.function_band)["panels"] if p.band_cells
    )

    assert panel.band_cells == ("–", "25 to 75 (median 50)")


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

    from tracker.reports.questionnaire_panel import function_days, questionnaire_panel, with_function_band
    from tracker.selectors.progress import course_charts

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
    (chart,) = course_charts(patient=me, today=today, function_days=function_days(plain))
    banded = with_function_band(plain, report=chart.report, band=chart.function_band)
    panels = [*plain["panels"], *banded["panels"]]
    assert any(p.band_cells for p in panels) and any(not p.band_cells for p in panels)

    for panel in panels:
        built = Template("{% load progress_chart %}<tbody>{% score_table_rows panel %}</tbody>").render(
            Context({"panel": panel})
        )
        assert built == Template(_TEMPLATE_SCORE_ROWS).render(Context({"panel": panel}))
        assert built.count("<tr>") == len(panel.reading.points) == 3


@pytest.mark.django_db
def test_the_clinic_patient_page_shows_the_band_too(patient, physio_client):
    from django.urls import reverse

    today = patient.local_today()
    day_zero = today - timedelta(days=20)
    CourseFactory.create(patient=patient, kind="massage", foot="left", day_zero=day_zero)
    faam_response(patient, day_zero, adl=2)
    faam_response(patient, day_zero + timedelta(days=14), adl=3)
    for a in (0, 1, 2, 3, 4):
        other = PatientFactory.create()
        CourseFactory.create(patient=other, kind="massage", foot="left", day_zero=day_zero - timedelta(days=30))
        faam_response(other, day_zero - timedelta(days=30), adl=a)
    cohort_rebuild_all()

    page = physio_client.get(reverse("clinic:patient", args=[patient.public_id])).content.decode()

    assert "Grey band: the middle half of the daily activities scores of other patients" in page
    assert "Grey blocks: the middle half of other patients, by week." in page
