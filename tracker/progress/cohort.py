"""The cohort band: how the clinic's other patients on the same kind of course did, week by week.

For a course kind: the median and interquartile range (25th to 75th percentile) of first-step pain by week
since day 0 (week 1 is days 0 to 6), over the clinic's other active patients on that kind. A week is shown
only when at least 5 patients contribute (DESIGN.md section 5), so no one patient can be picked out.

Each patient counts once per week: their value is the mean of their logged days in that week (both feet, if
both are treated). Gaps are left out, never zeros. Logs after a completed or stopped course's end date, of
an untreated foot, or before day 0 do not count.

``cohort_band`` is the reference computation: one database query fetching every log of every patient of the
kind, so its cost grows with the clinic's history. Pages read the cached band instead
(``tracker.selectors.cohort.cohort_bands``), which keeps each week's per-patient means sorted
(``tracker.models.CohortWeek``) and works the band out with the pure functions below (``quartiles``,
``band_point``), leaving out the patient who is looking; ``tests/test_cohort.py`` checks both agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from statistics import fmean, median, quantiles

from ..models import Course, Role, feet_of
from .questionnaires import BASELINE_EARLY_DAYS
from .report import BandPoint

MIN_PATIENTS = 5  # DESIGN.md section 5: "at least 5, the patient excluded"


def cohort_band(*, kind: str, exclude_patient_id: int | None, max_week: int | None = None) -> tuple[BandPoint, ...]:
    """The band for ``kind`` (a CourseKind value) without ``exclude_patient_id``, weeks 1 to ``max_week``.

    Returns the weeks with at least 5 contributing patients, in week order (an empty tuple when none has).
    Pain values are 0 to 10; quartiles use the "inclusive" method (the patients are the whole group shown).
    """
    rows = (
        Course.objects.filter(kind=kind, patient__role=Role.PATIENT, patient__is_active=True)
        .exclude(patient_id=exclude_patient_id)
        .values_list(
            "patient_id",
            "foot",
            "day_zero",
            "ended_on",
            "patient__daily_logs__date",
            "patient__daily_logs__foot",
            "patient__daily_logs__first_step_pain",
        )
    )
    # week -> patient -> first-step pains. A patient with two courses of the kind gets a row per course for
    # each log: each (patient, day, foot) counts once, for the earliest course (Course's default ordering).
    seen: set[tuple[int, object, str]] = set()
    by_week: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for patient_id, course_foot, day_zero, ended_on, log_date, log_foot, pain in rows:
        if log_date is None or log_date < day_zero or (ended_on is not None and log_date > ended_on):
            continue
        if log_foot not in feet_of(course_foot):
            continue
        week = (log_date - day_zero).days // 7 + 1
        if max_week is not None and week > max_week:
            continue
        key = (patient_id, log_date, log_foot)
        if key in seen:
            continue
        seen.add(key)
        by_week[week][patient_id].append(pain)

    band = []
    for week in sorted(by_week):
        values = [fmean(pains) for pains in by_week[week].values()]
        if len(values) < MIN_PATIENTS:
            continue
        q1, _, q3 = quantiles(values, n=4, method="inclusive")
        band.append(BandPoint(week=week, median=median(values), q1=q1, q3=q3, patients=len(values)))
    return tuple(band)


def quartiles(values: Sequence[float], *, skip: int | None = None) -> tuple[float, float, float]:
    """(q1, median, q3) of the sorted ``values`` without the one at index ``skip`` (None: all of them).

    Exactly what ``statistics.quantiles(..., n=4, method="inclusive")`` and ``statistics.median`` give for the
    remaining values, without copying them: an index past ``skip`` reads the next value. At least 2 values must
    remain.
    """
    size = len(values) - (0 if skip is None else 1)
    if size < 2:
        raise ValueError("quartiles need at least 2 values")

    def at(i: int) -> float:
        return values[i if skip is None or i < skip else i + 1]

    # statistics.quantiles, method "inclusive", n=4 (Python 3.11's arithmetic, step by step).
    m = size - 1
    cuts = []
    for i in (1, 3):
        j, delta = divmod(i * m, 4)
        cuts.append((at(j) * (4 - delta) + at(j + 1) * delta) / 4)
    # statistics.median
    half = size // 2
    middle = at(half) if size % 2 == 1 else (at(half - 1) + at(half)) / 2
    return cuts[0], middle, cuts[1]


def band_point(
    *, week: int, values: Sequence[float], patient_ids: Sequence[int], exclude_patient_id: int | None
) -> BandPoint | None:
    """One week of the band from that week's sorted per-patient means and their patients (same order).

    The excluded patient's value is left out; None when fewer than 5 other patients remain.
    """
    skip = None
    if exclude_patient_id is not None:
        try:
            skip = patient_ids.index(exclude_patient_id)
        except ValueError:
            skip = None
    patients = len(values) - (0 if skip is None else 1)
    if patients < MIN_PATIENTS:
        return None
    q1, middle, q3 = quartiles(values, skip=skip)
    return BandPoint(week=week, median=middle, q1=q1, q3=q3, patients=patients)


# ---------------------------------------------------------------------------------------------------------------
# The FAAM daily activities band (issue 13)
# ---------------------------------------------------------------------------------------------------------------


def function_week(day: date, *, day_zero: date) -> int:
    """The week since day 0 of a questionnaire answered on ``day``: week 1 is days 0 to 6, as for pain, and also
    holds the baseline answered in the 7 days before day 0 (``BASELINE_EARLY_DAYS``, the questionnaires' schedule)."""
    return max(1, (day - day_zero).days // 7 + 1)


def function_week_days(week: int, *, day_zero: date) -> tuple[date, date]:
    """The first and last day of ``week`` since day 0 for the questionnaires (week 1 starts with the baseline
    days before day 0)."""
    first = day_zero + timedelta(days=7 * (week - 1))
    if week == 1:
        first -= timedelta(days=BASELINE_EARLY_DAYS)
    return first, day_zero + timedelta(days=7 * week - 1)


def function_weeks(
    courses: Iterable[tuple[int, str, date, date | None, int]],
    scores: Iterable[tuple[int, date, float | None]],
) -> dict[str, dict[int, list[tuple[float, int]]]]:
    """kind -> week -> sorted (FAAM daily activities score, patient id), from plain values (no query).

    ``courses``: (patient id, kind, day 0, ended on or None, course id) of the patients who count (active
    patients). ``scores``: (patient id, date, score or None when the 90 % rule leaves it unscored) of their
    completed FAAM responses. A response counts for each kind in the earliest course of that kind (day 0, then
    id) whose days hold it: from 7 days before day 0 (the baseline) to the course's end. A patient counts once a
    week: their latest scored response that week. Unscored responses are left out, never zeros.
    """
    by_patient: dict[int, list[tuple[date, int, str, date | None]]] = defaultdict(list)
    for patient_id, kind, day_zero, ended_on, course_id in courses:
        by_patient[patient_id].append((day_zero, course_id, kind, ended_on))
    latest: dict[tuple[str, int, int], tuple[date, float]] = {}
    for patient_id, day, score in scores:
        if score is None:
            continue
        counted: set[str] = set()
        for day_zero, _, kind, ended_on in sorted(by_patient.get(patient_id, ())):
            if kind in counted or day < day_zero - timedelta(days=BASELINE_EARLY_DAYS):
                continue
            if ended_on is not None and day > ended_on:
                continue
            counted.add(kind)
            key = (kind, function_week(day, day_zero=day_zero), patient_id)
            if key not in latest or latest[key][0] < day:
                latest[key] = (day, score)
    weeks: dict[str, dict[int, list[tuple[float, int]]]] = defaultdict(lambda: defaultdict(list))
    for (kind, week, patient_id), (_, score) in latest.items():
        weeks[kind][week].append((score, patient_id))
    for by_week in weeks.values():
        for values in by_week.values():
            values.sort()
    return weeks
