"""Writes of daily logs: one day, every treated foot, all or nothing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ..models import AuditAction, DailyLog, User
from ..selectors.patient import EDITABLE_DAYS_BACK, is_editable
from .alerts import alerts_raise_for_patient
from .audit import AuditContext, audit_record
from .history import saved_by

DAY_IN_FUTURE = "You cannot fill in a day that has not happened yet."
DAY_TOO_OLD = (
    f"Days can be filled in or changed for up to {EDITABLE_DAYS_BACK} days back. For an older day, tell your care team."
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


def _existing_log(*, patient: User, day: date, foot: str) -> DailyLog | None:
    # Locks the row on PostgreSQL, so two saves of one day queue up rather than overwrite half of each other.
    return DailyLog.objects.select_for_update().filter(patient=patient, date=day, foot=foot).first()


def _save_one(
    *,
    patient: User,
    day: date,
    foot: str,
    data: Mapping[str, object],
    today: date,
    audit: AuditContext,
    opened_on: str | None = None,
) -> tuple[DailyLog, bool]:
    """Insert or update the log of one foot. A concurrent insert of the same day is retried as an update.

    Saving a day again with the same values writes nothing: the edit history (one row per save) keeps only
    real changes. ``opened_on``: the version the form was opened on (``log_version``); if the saved log has
    changed since, ``LogConflict`` (compared on the row already read and locked here: no extra query).
    """
    for attempt in (1, 2):
        log = _existing_log(patient=patient, day=day, foot=foot)
        created = log is None
        if log is None:
            log = DailyLog(patient=patient, date=day, foot=foot)
        elif all(getattr(log, name) == value for name, value in data.items()):
            return log, False
        elif opened_on is not None and log_version(log) != opened_on:
            raise LogConflict({foot: log})
        for name, value in data.items():
            setattr(log, name, value)
        log.recorded_on = today
        # Field bounds and check constraints, in Python first (the database checks them again). The unique
        # constraint is left to the database: a clash there means someone else just saved this day.
        log.full_clean(exclude=["patient"], validate_unique=False)
        saved_by(log, audit)
        try:
            with transaction.atomic():
                log.save(force_insert=created)
        except IntegrityError:
            if not created or attempt == 2:
                raise
            continue
        return log, created
    raise AssertionError("unreachable")


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
    """
    problem = day_window_error(day=day, today=today)
    if problem:
        raise ValidationError(problem, code="day_window")
    for data in data_by_foot.values():
        unknown = set(data) - WRITABLE_FIELDS
        if unknown:
            raise ValueError(f"not daily log fields a patient writes: {sorted(unknown)}")
    saved: list[DailyLog] = []
    created_any = False
    with transaction.atomic():
        for foot, data in data_by_foot.items():
            log, created = _save_one(
                patient=patient,
                day=day,
                foot=foot,
                data=data,
                today=today,
                audit=audit,
                opened_on=None if opened_on is None else opened_on.get(foot),
            )
            saved.append(log)
            created_any |= created
        audit_record(
            audit=audit,
            action=AuditAction.CREATE if created_any else AuditAction.UPDATE,
            patient=patient,
            target=f"daily log {day.isoformat()}",
            detail={
                "feet": [log.foot for log in saved],
                "red_flags": sorted({flag for log in saved for flag in log.red_flags}),
            },
        )
        alerts_raise_for_patient(patient=patient, today=today)
    return saved
