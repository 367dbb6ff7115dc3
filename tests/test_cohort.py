"""The cohort band: median and interquartile range of first-step pain by week, over 5+ other patients."""

from __future__ import annotations

from datetime import date, timedelta
from statistics import median, quantiles

import pytest

from tests.factories import CourseFactory, PatientFactory
from tracker.models import DailyLog
from tracker.progress.cohort import cohort_band

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
