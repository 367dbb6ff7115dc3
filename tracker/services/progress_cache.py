"""The caseload cache (``CaseloadSnapshot``): marked stale by every write, recomputed on read, rebuilt on demand.

The cache is never the truth. Every write that can change a patient's caseload row calls
``snapshot_mark_stale`` in its own transaction: one upsert that bumps the row's ``generation`` and sets
``stale``. A reader (``snapshots_refresh``) notes the generations first, then reads the data and computes,
and stores each row only where the generation is still the one it noted: a write that lands between the read
and the store is never overwritten by the older computation (the row stays stale and the next read redoes it).

Queries, whatever the number of patients: ``snapshot_mark_stale`` 1; ``snapshots_refresh`` 5 to read the data
(``progress_data_for_patients`` 3, ``function_declines_for_patients`` 2), 1 to add missing rows when there are any, and 1 conditional update per
``_batch_size`` rows (about 990 on SQLite, 1,980 on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone

from ..models import CaseloadSnapshot, Role, User
from ..progress.caseload import ENGINE_VERSION, CaseloadEntry, caseload_entry, with_faam_adl
from ..progress.questionnaires import report_with_function
from ..selectors.progress import progress_data_for_patients, reports_from_data
from ..selectors.questionnaires import function_summaries_for_patients

# What a stored entry writes, besides the bookkeeping (stale, engine, valid_from, valid_until).
_ENTRY_FIELDS = (
    "computed_for",
    "need",
    "need_rank",
    "red_flag",
    "reason",
    "courses",
    "trend",
    "last_logged_on",
    "latest_first_step_pain",
    "days_logged_7",
    "days_since_log",
    "faam_adl",
    "faam_adl_change",
    "faam_adl_direction",
)
_STORED_FIELDS = (*_ENTRY_FIELDS, "stale", "engine", "valid_from", "valid_until")


def _max_params() -> int:
    """How many parameters one statement may carry on this database."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return 65_535  # PostgreSQL's protocol limit


def _upsert(ids: list[int], *, generation: int, bump: bool) -> None:
    """Add a row for each id (``generation``, stale); an existing row gets ``generation + 1`` and stale if
    ``bump``, or is left alone. One statement per ``_max_params() // 2`` ids."""
    table = connection.ops.quote_name(CaseloadSnapshot._meta.db_table)
    conflict = f"DO UPDATE SET generation = {table}.generation + 1, stale = excluded.stale" if bump else "DO NOTHING"
    size = _max_params() // 2
    with connection.cursor() as cursor:
        for start in range(0, len(ids), size):
            batch = ids[start : start + size]
            params: list[Any] = []
            for pid in batch:
                params += [pid, True]
            values = ", ".join([f"(%s, {generation}, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} (patient_id, generation, stale) VALUES {values} "  # noqa: S608 (no user input)
                f"ON CONFLICT (patient_id) {conflict}",
                params,
            )


def snapshot_mark_stale(patient_ids: Iterable[int]) -> None:
    """Mark these patients' caseload rows out of date (1 query; none for no patient).

    Call it in the write's transaction, after the write. A missing row is added, already stale, with
    generation 1: a reader that added it at the same time (generation 0) sees the generation move.
    """
    ids = sorted(set(patient_ids))
    if ids:
        _upsert(ids, generation=1, bump=True)


def local_day_bounds(day: date, zone: Any) -> tuple[datetime, datetime]:
    """The UTC instants between which ``day`` is the local date in ``zone`` (a DST day is 23 or 25 hours)."""
    start = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


def compute_entries(patients: Iterable[User], *, now: datetime) -> dict[int, CaseloadEntry]:
    """Fresh caseload entries of ``patients``, each on their own local date at ``now`` (5 queries: 3 for the
    diary and courses, 2 for the questionnaires' function-score declines)."""
    patients = list(patients)
    data = progress_data_for_patients(patient_ids=[p.pk for p in patients])
    function = function_summaries_for_patients(patient_ids=[p.pk for p in patients])
    entries = {}
    for patient in patients:
        local = patient.local_today(now)
        item = data[patient.pk]
        summary = function.get(patient.pk)
        declines = summary.declines if summary else []
        entry = caseload_entry(
            # A meaningful function-score decline is never "ahead" (as on /progress/, the clinic page, the PDF).
            reports=[report_with_function(r, declines) for r in reports_from_data(item, today=local, active_only=True)],
            courses=item.courses,
            logs=item.logs,
            joined_at=patient.date_joined,
            zone=patient.zone,
            today=local,
        )
        if summary is not None:
            entry = with_faam_adl(entry, summary.faam_adl)
        entries[patient.pk] = entry
    return entries


def _stored_values(entry: CaseloadEntry, patient: User) -> dict[str, Any]:
    valid_from, valid_until = local_day_bounds(entry.computed_for, patient.zone)
    return {
        "computed_for": entry.computed_for,
        "need": entry.need.value,
        "need_rank": entry.need_rank,
        "red_flag": entry.red_flag,
        "reason": entry.reason,
        "courses": entry.courses,
        "trend": entry.trend,
        "last_logged_on": entry.last_logged_on,
        "latest_first_step_pain": entry.latest_first_step_pain,
        "days_logged_7": entry.days_logged_7,
        "days_since_log": entry.days_since_log,
        "faam_adl": entry.faam_adl,
        "faam_adl_change": entry.faam_adl_change,
        "faam_adl_direction": entry.faam_adl_direction,
        "stale": False,
        "engine": ENGINE_VERSION,
        "valid_from": valid_from,
        "valid_until": valid_until,
    }


def _batch_size() -> int:
    # Per row: the pk in the IN list, the generation guard's WHEN pk THEN generation, and per field a WHEN.
    per_row = 3 + 2 * len(_STORED_FIELDS)
    return max(1, _max_params() // per_row)


def snapshots_store(
    entries: Mapping[int, CaseloadEntry], *, patients: Mapping[int, User], generations: Mapping[int, int]
) -> int:
    """Store each entry whose row still has the generation noted before its data was read; return how many.

    One UPDATE per batch: ``WHERE pk IN (...) AND generation = CASE pk WHEN a THEN ga ...``, each column a
    CASE on the pk. The
    database checks the generation in the same statement that writes (PostgreSQL re-checks it after waiting for
    a concurrent writer's lock), so a row marked stale meanwhile keeps its mark.
    """
    ids = [pid for pid in entries if pid in generations]
    stored = 0
    field_of = {f.name: f for f in CaseloadSnapshot._meta.concrete_fields}
    size = _batch_size()
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        values = {pid: _stored_values(entries[pid], patients[pid]) for pid in batch}
        # A flat CASE rather than (pk = a AND generation = ga) OR ...: SQLite limits the depth of an expression.
        noted = Case(*(When(pk=pid, then=Value(generations[pid])) for pid in batch), output_field=IntegerField())
        updates = {
            name: Case(
                *(When(pk=pid, then=Value(values[pid][name], output_field=field_of[name])) for pid in batch),
                default=F(name),
                output_field=field_of[name],
            )
            for name in _STORED_FIELDS
        }
        stored += CaseloadSnapshot.objects.filter(pk__in=batch, generation=noted).update(**updates)
    return stored


def not_fresh_q(now: datetime, prefix: str = "") -> Q:
    """Rows to recompute at ``now``: stale, made by another engine, or for another local date."""
    return (
        Q(**{f"{prefix}stale": True})
        | ~Q(**{f"{prefix}engine": ENGINE_VERSION})
        | Q(**{f"{prefix}valid_from__isnull": True})
        | Q(**{f"{prefix}valid_from__gt": now})
        | Q(**{f"{prefix}valid_until__lte": now})
    )


def snapshots_refresh(
    patients: Iterable[User], *, now: datetime | None = None, generations: Mapping[int, int | None] | None = None
) -> int:
    """Recompute and store the caseload rows of ``patients`` at ``now``; return how many were stored.

    ``generations``: each patient's row generation as read before (None: no row yet); read here when not given.
    A missing row is added first (generation 0), before the data is read.
    """
    now = now or timezone.now()
    by_id = {p.pk: p for p in patients}
    if not by_id:
        return 0
    if generations is None:
        found = dict(CaseloadSnapshot.objects.filter(pk__in=list(by_id)).values_list("pk", "generation"))
        generations = {pid: found.get(pid) for pid in by_id}
    missing = [pid for pid, gen in generations.items() if gen is None]
    if missing:
        _upsert(missing, generation=0, bump=False)
    noted = {pid: gen or 0 for pid, gen in generations.items()}
    entries = compute_entries(by_id.values(), now=now)
    return snapshots_store(entries, patients=by_id, generations=noted)


def snapshots_refresh_due(
    *, now: datetime | None = None, patients: Iterable[int] | None = None, batch: int = 500
) -> int:
    """Recompute every patient's row that is missing or not fresh at ``now`` (or only among ``patients``);
    return how many were stored. Patients are read ``batch`` at a time."""
    now = now or timezone.now()
    candidates = User.objects.filter(role=Role.PATIENT).filter(
        Q(caseload_snapshot__isnull=True) | not_fresh_q(now, "caseload_snapshot__")
    )
    if patients is not None:
        candidates = candidates.filter(pk__in=list(patients))
    return _refresh_in_batches(candidates.order_by("pk"), now=now, batch=batch)


def snapshots_refresh_all(*, now: datetime | None = None, batch: int = 500) -> int:
    """Recompute every patient's row, fresh or not (``manage.py rebuild_progress_cache``); return how many."""
    now = now or timezone.now()
    return _refresh_in_batches(User.objects.filter(role=Role.PATIENT).order_by("pk"), now=now, batch=batch)


def _refresh_in_batches(queryset: Any, *, now: datetime, batch: int) -> int:
    stored = 0
    last = 0
    while True:
        chunk = list(
            queryset.filter(pk__gt=last).annotate(snapshot_generation=F("caseload_snapshot__generation"))[:batch]
        )
        if not chunk:
            return stored
        last = chunk[-1].pk
        stored += snapshots_refresh(chunk, now=now, generations={p.pk: p.snapshot_generation for p in chunk})
