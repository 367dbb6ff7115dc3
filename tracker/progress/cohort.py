"""The cohort band: how the clinic's other patients on the same kind of course did, week by week.

For a course kind: the median and interquartile range (25th to 75th percentile) of first-step pain by week
since day 0 (week 1 is days 0 to 6), over the clinic's other active patients on that kind. A week is shown
only when at least 5 patients contribute (DESIGN.md section 5), so no one patient can be picked out.

Each patient counts once per week: their value is the mean of their logged days in that week (both feet, if
both are treated). Gaps are left out, never zeros. Logs after a completed or stopped course's end date, of
an untreated foot, or before day 0 do not count.

One database query per band: the rows are fetched together and the quantiles worked out in Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from statistics import fmean, median, quantiles

from ..models import Course, Role, feet_of
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


def cohort_bands(*, kinds: Iterable[str], exclude_patient_id: int | None) -> dict[str, tuple[BandPoint, ...]]:
    """``cohort_band`` for each kind in ``kinds``, by kind: one query per distinct kind."""
    return {kind: cohort_band(kind=kind, exclude_patient_id=exclude_patient_id) for kind in dict.fromkeys(kinds)}
