"""The cohort band's cache (``tracker.models.CohortWeek``): rebuilding it and taking a patient out of it.

The cache holds, per course kind and week since day 0, every contributing patient's mean first-step pain
(sorted) and who they are. It is never the truth: ``tracker.selectors.cohort.cohort_bands`` rebuilds a kind
that is missing or older than ``settings.COHORT_MAX_AGE`` when it reads it, ``manage.py raise_alerts`` (hourly)
and ``manage.py rebuild_cohort`` rebuild every kind, and closing or deactivating an account takes the patient
out at once. Between rebuilds the band can be up to ``COHORT_MAX_AGE`` old (new logs are not in it yet): it is
a population statistic, not anyone's record.

These writes change no clinical record (the cache is derived from the logs, and holds no one's identity beyond
a user id), so they are not audited and take no ``AuditContext``; the account changes that call
``cohort_forget_patient`` are audited by their own service.

The FAAM daily activities band (issue 13) is cached the same way, in rows of measure ``faam_adl``, rebuilt with
the pain rows of its kind (``weekly_faam_adl``: per patient and week since day 0, their latest scored response).

The pain rebuild is one aggregate query for all the kinds asked for: each patient's weekly sum and count of
first-step pain, worked out by the database (nothing is fetched per log), with the same rules as the reference
``tracker.progress.cohort.cohort_band``: logs of a treated foot from day 0 to a course's end, active patients
only, each (patient, day, foot) counted once, for the earliest course of the kind (day 0, then id).
"""

from __future__ import annotations

import struct
from array import array
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from ..models import (
    CohortMeasure,
    CohortWeek,
    Course,
    CourseFoot,
    CourseKind,
    DailyLog,
    Foot,
    QuestionnaireKind,
    QuestionnaireResponse,
    Role,
    User,
)
from ..progress.cohort import function_weeks
from ..progress.questionnaires import FAAM_ADL_ITEMS, Subscale, subscale_score_from_totals

HEADER_WEEK = 0  # the row that says when a kind was rebuilt


def pack_values(values: Iterable[float]) -> bytes:
    """Floats as little-endian float64."""
    items = list(values)
    return struct.pack(f"<{len(items)}d", *items)


def pack_ids(ids: Iterable[int]) -> bytes:
    """Ids as little-endian int64."""
    items = list(ids)
    return struct.pack(f"<{len(items)}q", *items)


def unpack_values(data: bytes | memoryview) -> array[float]:
    out = array("d")
    out.frombytes(bytes(data))
    if array("d", [1.0]).tobytes() != struct.pack("<d", 1.0):  # pragma: no cover (big-endian machines)
        out.byteswap()
    return out


def unpack_ids(data: bytes | memoryview) -> array[int]:
    out = array("q")
    out.frombytes(bytes(data))
    if array("q", [1]).tobytes() != struct.pack("<q", 1):  # pragma: no cover (big-endian machines)
        out.byteswap()
    return out


def _days_between(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def weekly_means(kinds: Iterable[str]) -> dict[str, dict[int, list[tuple[float, int]]]]:
    """kind -> week -> sorted (mean first-step pain, patient id): one query, means from the database's sums."""
    wanted = sorted(set(kinds))
    result: dict[str, dict[int, list[tuple[float, int]]]] = {kind: defaultdict(list) for kind in wanted}
    if not wanted:
        return result
    course, log, user = Course._meta.db_table, DailyLog._meta.db_table, User._meta.db_table
    kind_marks = ", ".join(["%s"] * len(wanted))
    # A log lying in two courses of the kind counts for the earlier one (day 0, then id): the NOT EXISTS
    # leaves it out of the later course (an anti-join on the patient's few courses, no sort of the logs).
    foot_ok = "(l.foot = {c}.foot OR ({c}.foot = %s AND l.foot IN (%s, %s)))"
    sql = f"""
        SELECT c.kind, {_days_between("l.date", "c.day_zero")} / 7 + 1 AS week, c.patient_id,
               SUM(l.first_step_pain), COUNT(*)
        FROM {course} c
        JOIN {user} u ON u.id = c.patient_id
        JOIN {log} l ON l.patient_id = c.patient_id
        WHERE c.kind IN ({kind_marks}) AND u.role = %s AND u.is_active
          AND l.date >= c.day_zero AND (c.ended_on IS NULL OR l.date <= c.ended_on)
          AND {foot_ok.format(c="c")}
          AND NOT EXISTS (
              SELECT 1 FROM {course} e
              WHERE e.patient_id = c.patient_id AND e.kind = c.kind
                AND (e.day_zero < c.day_zero OR (e.day_zero = c.day_zero AND e.id < c.id))
                AND l.date >= e.day_zero AND (e.ended_on IS NULL OR l.date <= e.ended_on)
                AND {foot_ok.format(c="e")}
          )
        GROUP BY c.kind, week, c.patient_id
    """  # noqa: S608 (only the models' table names go in; every value is a parameter)
    feet = [CourseFoot.BOTH.value, Foot.LEFT.value, Foot.RIGHT.value]
    params = [*wanted, Role.PATIENT.value, *feet, *feet]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, week, patient_id, total, count in cursor.fetchall():
            # int / int: the same float as statistics.fmean of the day values.
            result[kind][int(week)].append((int(total) / int(count), int(patient_id)))
    for weeks in result.values():
        for rows in weeks.values():
            rows.sort()
    return result


def weekly_faam_adl(kinds: Iterable[str]) -> dict[str, dict[int, list[tuple[float, int]]]]:
    """kind -> week -> sorted (FAAM daily activities score, patient id), by ``tracker.progress.cohort.function_weeks``.

    Two queries: the courses of the kinds of active patients, and their completed FAAM responses with the sum and
    count of the answered daily-activities items worked out by the database (nothing is fetched per answer).
    """
    wanted = sorted(set(kinds))
    if not wanted:
        return {}
    patients = Course.objects.filter(kind__in=wanted, patient__role=Role.PATIENT, patient__is_active=True)
    courses = list(patients.values_list("patient_id", "kind", "day_zero", "ended_on", "id"))
    adl = Q(faam_answers__item__lte=len(FAAM_ADL_ITEMS))
    responses = (
        QuestionnaireResponse.objects.filter(
            kind=QuestionnaireKind.FAAM, completed=True, patient_id__in=patients.values("patient_id")
        )
        .order_by()
        .annotate(total=Sum("faam_answers__answer", filter=adl), answered=Count("faam_answers__answer", filter=adl))
        .values_list("patient_id", "date", "total", "answered")
    )
    scores = [
        (patient_id, day, subscale_score_from_totals(Subscale.ADL, total=total or 0, answered=answered))
        for patient_id, day, total, answered in responses
    ]
    return function_weeks(courses, scores)


def cohort_rebuild(kinds: Iterable[str], *, now: datetime | None = None) -> list[CohortWeek]:
    """Rebuild the cache of ``kinds`` (CourseKind values) from the logs; returns the rows written.

    Two servers rebuilding the same kind at once: one write wins, the other's rows are returned unsaved (both
    are the same computation).
    """
    now = now or timezone.now()
    means = weekly_means(kinds)
    function = weekly_faam_adl(kinds)
    rows = []
    for kind, weeks in means.items():
        rows.append(CohortWeek(kind=kind, week=HEADER_WEEK, values=b"", patient_ids=b"", computed_at=now))
        for measure, by_week in ((CohortMeasure.PAIN, weeks), (CohortMeasure.FAAM_ADL, function.get(kind, {}))):
            for week in sorted(by_week):
                rows.append(
                    CohortWeek(
                        kind=kind,
                        measure=measure,
                        week=week,
                        values=pack_values(v for v, _ in by_week[week]),
                        patient_ids=pack_ids(p for _, p in by_week[week]),
                        computed_at=now,
                    )
                )
    if not means:
        return rows
    try:
        with transaction.atomic():
            CohortWeek.objects.filter(kind__in=list(means)).delete()
            CohortWeek.objects.bulk_create(rows, batch_size=200)
    except IntegrityError:
        pass  # another server rebuilt it at the same moment; its rows are as good as these
    return rows


def cohort_rebuild_all(*, now: datetime | None = None) -> int:
    """Rebuild every kind (the hourly job and ``manage.py rebuild_cohort``); returns how many week rows."""
    rows = cohort_rebuild(CourseKind.values, now=now)
    return sum(1 for row in rows if row.week != HEADER_WEEK)


def cohort_forget_patient(patient: User) -> None:
    """Take ``patient``'s values out of every cached week at once (their account was closed or deactivated).

    Reads and rewrites the weeks of the kinds they have a course of: a few rows, whatever the history.
    """
    kinds = list(Course.objects.filter(patient=patient).values_list("kind", flat=True).distinct())
    if not kinds:
        return
    with transaction.atomic():
        changed = []
        for row in CohortWeek.objects.select_for_update().filter(kind__in=kinds).exclude(week=HEADER_WEEK):
            ids = unpack_ids(row.patient_ids)
            try:
                index = ids.index(patient.pk)
            except ValueError:
                continue
            values = unpack_values(row.values)
            del ids[index]
            del values[index]
            row.values, row.patient_ids = pack_values(values), pack_ids(ids)
            changed.append(row)
        if changed:
            CohortWeek.objects.bulk_update(changed, ["values", "patient_ids"], batch_size=200)


def cohort_mark_stale(patient: User) -> None:
    """The kinds ``patient`` has a course of are rebuilt on their next read (their account was reactivated)."""
    kinds = Course.objects.filter(patient=patient).values_list("kind", flat=True)
    CohortWeek.objects.filter(kind__in=kinds).delete()
