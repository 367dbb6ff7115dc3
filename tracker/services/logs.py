"""Writes of daily logs: one day, every treated foot, all or nothing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CheckConstraint

from ..csv_format import column_label
from ..models import AuditAction, DailyLog, User
from ..selectors.patient import EDITABLE_DAYS_BACK, is_editable
from .alerts import alerts_raise_for_patient
from .audit import AuditContext, audit_record, record_target
from .history import saved_by
from .progress_cache import snapshot_mark_stale

DAY_IN_FUTURE = "You cannot fill in a day that has not happened yet."
DAY_TOO_OLD = (
    f"Days can be filled in or changed for up to {EDITABLE_DAYS_BACK} days back. For an older day, tell your care team."
)
CONSTRAINT_REFUSED = (
    "The answer for {label} is outside what can be saved, so nothing was saved. Check it and save again."
)

# The fields a patient may write; anything else in ``data_by_foot`` is refused (a programming error).
WRITABLE_FIELDS = frozenset(
    f.name
    for f in DailyLog._meta.concrete_fields
    if f.name not in {"id", "patient", "date", "foot", "recorded_on", "created_at", "updated_at"}
)


LOG_CHANGED_ELSEWHERE = (
    "This day was changed somewhere else (another tab or device) after you opened it, so nothing was saved."
)


class LogConflict(ValidationError):
    """The day's saved log changed after the form was opened: ``saved`` (foot -> DailyLog) holds the newer saved
    logs. Nothing was saved; the page shows both and lets the patient choose."""

    def __init__(self, saved: dict[str, DailyLog]):
        super().__init__(LOG_CHANGED_ELSEWHERE, code="changed_elsewhere")
        self.saved = saved


def log_version(log: DailyLog | None) -> str:
    """What the form sends back to say which saved version it was opened on ("new" for a day not saved yet)."""
    return "new" if log is None else log.updated_at.isoformat()


def day_window_error(*, day: date, today: date) -> str | None:
    """Why ``day`` cannot be logged on ``today`` (the patient's local date), or None if it can."""
    if day > today:
        return DAY_IN_FUTURE
    if not is_editable(day=day, today=today):
        return DAY_TOO_OLD
    return None


def _existing_logs(*, patient: User, day: date, feet: list[str]) -> dict[str, DailyLog]:
    """The saved logs of ``day`` for ``feet``, by foot. One query.

    Locks the rows on PostgreSQL, so two saves of one day queue up rather than overwrite half of each other.
    """
    rows = DailyLog.objects.select_for_update().filter(patient=patient, date=day, foot__in=feet)
    return {log.foot: log for log in rows}


def refusal_words(constraint_name: str) -> str:
    """A constraint of ``DailyLog`` the database enforced, in the words of the refusal."""
    if constraint_name == "dailylog_not_in_future":
        return DAY_IN_FUTURE
    field = constraint_name.removeprefix("dailylog_")
    for suffix in ("_0_to_10", "_range", "_valid"):
        field = field.removesuffix(suffix)
    return CONSTRAINT_REFUSED.format(label=column_label(field))


def _refusal(logs: list[DailyLog]) -> ValidationError | None:
    """Why the database refused ``logs``, in words: the first check constraint one of them breaks, or None
    (then the refusal was the one-log-per-day unique constraint: someone else saved this day meanwhile).
    One query per check constraint, run only after a refusal."""
    checks = [c for c in DailyLog._meta.constraints if isinstance(c, CheckConstraint)]
    for log in logs:
        for constraint in checks:
            try:
                constraint.validate(DailyLog, log, exclude={"patient"})  # type: ignore[attr-defined]
            except ValidationError:
                return ValidationError(refusal_words(constraint.name), code="constraint")
    return None


def _prepare(
    *,
    patient: User,
    day: date,
    data_by_foot: Mapping[str, Mapping[str, object]],
    today: date,
    audit: AuditContext,
    opened_on: Mapping[str, str] | None = None,
) -> tuple[list[DailyLog], list[tuple[DailyLog, bool]]]:
    """The day's log of each foot with the new values set (unsaved), and those to write: (log, is it new).

    Saving a day again with the same values writes nothing: the edit history (one row per save) keeps only
    real changes. Field bounds are checked here, in Python; the check and unique constraints are left to the
    database (one query per write rather than one query per constraint in Python).
    ``opened_on``: the version each foot's form was opened on (``log_version``); a saved log changed since, with
    other values than these, raises ``LogConflict`` (compared on the rows already read and locked here: no extra
    query).
    """
    existing = _existing_logs(patient=patient, day=day, feet=list(data_by_foot))
    logs: list[DailyLog] = []
    writes: list[tuple[DailyLog, bool]] = []
    for foot, data in data_by_foot.items():
        log = existing.get(foot)
        created = log is None
        if log is None:
            log = DailyLog(patient=patient, date=day, foot=foot)
        elif all(getattr(log, name) == value for name, value in data.items()):
            logs.append(log)
            continue
        elif opened_on is not None and foot in opened_on and log_version(log) != opened_on[foot]:
            raise LogConflict({foot: log})
        for name, value in data.items():
            setattr(log, name, value)
        log.recorded_on = today
        log.full_clean(exclude=["patient"], validate_unique=False, validate_constraints=False)
        saved_by(log, audit)
        logs.append(log)
        writes.append((log, created))
    return logs, writes


def daily_log_save(
    *,
    patient: User,
    day: date,
    data_by_foot: Mapping[str, Mapping[str, object]],
    today: date,
    audit: AuditContext,
    opened_on: Mapping[str, str] | None = None,
) -> list[DailyLog]:
    """Save the logs of ``day`` for each foot in ``data_by_foot`` (foot -> DailyLog field values).

    ``opened_on`` (foot -> ``log_version``, sent back by the form; a foot left out is not compared): a foot whose
    saved log changed since, with other values than these, raises ``LogConflict`` and nothing is saved (two tabs
    never overwrite silently).

    ``today`` is the patient's local date. All feet are saved in one transaction, or none (a ValidationError
    leaves what was saved before untouched). Saving a day again edits it. Afterwards the care team's alerts
    are raised (a red flag ticked here is a critical alert), in the same transaction, so a saved red flag
    never goes without its alert.

    The database enforces the constraints. When it refuses a write the transaction is rolled back, and the
    broken constraint is worded as a ValidationError; a clash on the one-log-per-day constraint means another
    request saved this day meanwhile, and the save is retried once as an update.
    """
    problem = day_window_error(day=day, today=today)
    if problem:
        raise ValidationError(problem, code="day_window")
    for data in data_by_foot.values():
        unknown = set(data) - WRITABLE_FIELDS
        if unknown:
            raise ValueError(f"not daily log fields a patient writes: {sorted(unknown)}")
    for attempt in (1, 2):
        writes: list[tuple[DailyLog, bool]] = []
        try:
            with transaction.atomic():
                saved, writes = _prepare(
                    patient=patient, day=day, data_by_foot=data_by_foot, today=today, audit=audit, opened_on=opened_on
                )
                for log, created in writes:
                    log.save(force_insert=created)
                audit_record(
                    audit=audit,
                    action=AuditAction.CREATE if any(created for _, created in writes) else AuditAction.UPDATE,
                    patient=patient,
                    target=record_target("daily log", *(log.pk for log in saved)),
                    # The records only: even the names of the fields sent would tell which red flags were ticked.
                    detail={"records": [log.pk for log in saved]},
                )
                snapshot_mark_stale([patient.pk])
                alerts_raise_for_patient(patient=patient, today=today)
        except IntegrityError:
            # Rolled back: nothing of this save is kept.
            for log, created in writes:
                if created:
                    log.pk = None
            refusal = _refusal([log for log, _ in writes])
            if refusal is not None:
                raise refusal from None
            if attempt == 2:
                raise
            continue
        return saved
    raise AssertionError("unreachable")
