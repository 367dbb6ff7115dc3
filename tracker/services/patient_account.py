"""The patient's account: settings, export of their own data, and closing it. (The reminders: ``reminders``.)"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import TypedDict

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..csv_format import logs_csv, questionnaires_csv
from ..models import AuditAction, Course, DailyLog, Session, User
from ..selectors.history import last_edited, log_edits
from ..selectors.questionnaires import ResponseRow, questionnaire_history
from .audit import AuditContext, audit_record
from .cohort import cohort_forget_patient
from .progress_cache import snapshot_mark_stale

EXPORT_FORMAT_VERSION = 1


# ---------------------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------------------


def account_settings_update(
    *,
    patient: User,
    time_zone: str,
    reminder_enabled: bool,
    reminder_hour: int,
    audit: AuditContext,
    phone: str | None = None,
) -> User:
    """Change the patient's time zone, reminder and phone number (None: unchanged). Validated against the model
    (time zone list, hour 0-23, a phone number's characters and length). The audit names a changed phone number,
    never the number."""
    old_phone = patient.phone
    if phone is not None:
        patient.phone = phone.strip()
    before = {
        "time_zone": patient.time_zone,
        "reminder_enabled": patient.reminder_enabled,
        "reminder_hour": patient.reminder_hour,
    }
    patient.time_zone = time_zone
    patient.reminder_enabled = reminder_enabled
    patient.reminder_hour = reminder_hour
    patient.full_clean(exclude=["password", "username", "email", "first_name", "last_name"], validate_unique=False)
    after = {"time_zone": time_zone, "reminder_enabled": reminder_enabled, "reminder_hour": reminder_hour}
    with transaction.atomic():
        patient.save(update_fields=["time_zone", "reminder_enabled", "reminder_hour", "phone"])
        changed: dict[str, object] = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if patient.phone != old_phone:
            changed["phone"] = "changed"
        snapshot_mark_stale([patient.pk])
        audit_record(
            audit=audit,
            action=AuditAction.ACCOUNT,
            patient=patient,
            target="account settings",
            detail={"fields": sorted(changed)},
        )
    return patient


# ---------------------------------------------------------------------------------------------------------
# Export (the patient's own data; clinical notes are the care team's and are not included)
# ---------------------------------------------------------------------------------------------------------


def _logs(patient: User) -> QuerySet[DailyLog]:
    return DailyLog.objects.filter(patient=patient).order_by("date", "foot")


def export_logs_csv(*, patient: User, audit: AuditContext) -> str:
    """All the patient's daily logs as CSV, in the one log format (``tracker.csv_format``), with when each
    edited day was last changed. Audited."""
    text = logs_csv(_logs(patient), edited=last_edited(log_edits(patient=patient)), zone=patient.zone)
    audit_record(audit=audit, action=AuditAction.EXPORT, patient=patient, target="own daily logs (CSV)")
    return text


def _questionnaire_csv_row(row: ResponseRow) -> dict[str, object]:
    values: dict[str, object] = {
        "date": row.response.date,
        "questionnaire": row.response.kind,
        "completed": "yes" if row.response.completed else "no",
        "psfs_score": "" if row.psfs is None else round(row.psfs, 2),
    }
    for subscale, score in row.faam.items():
        values[f"faam_{subscale.value}_score"] = "" if score.score is None else round(score.score, 1)
        values[f"faam_{subscale.value}_answered"] = score.answered
    for item, _, answer in row.answers:
        values[f"faam_item_{item}"] = "N/A" if answer is None else answer
    for n, (name, rating) in enumerate(row.psfs_ratings, start=1):
        values[f"psfs_activity_{n}"] = name
        values[f"psfs_rating_{n}"] = rating
    return values


def export_questionnaires_csv(*, patient: User, audit: AuditContext) -> str:
    """All the patient's questionnaire responses as CSV (``tracker.csv_format.QUESTIONNAIRE_COLUMNS``). Audited."""
    rows = questionnaire_history(patient=patient, with_unfinished=True).rows
    text = questionnaires_csv(_questionnaire_csv_row(r) for r in rows)
    audit_record(audit=audit, action=AuditAction.EXPORT, patient=patient, target="own questionnaires (CSV)")
    return text


_LOG_EXCLUDE = {"id", "patient"}
_SESSION_EXCLUDE = {"id", "patient", "course", "performed_by", "created_by"}


def _row(obj: models.Model, exclude: Collection[str]) -> dict[str, object]:
    row: dict[str, object] = {}
    for f in obj._meta.concrete_fields:
        if f.name in exclude:
            continue
        value = getattr(obj, f.attname)
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        row[f.name] = value
    return row


class ExportData(TypedDict):
    """The JSON export's top level. Logs and sessions are their model's fields (dates as ISO strings)."""

    format: str
    version: int
    exported_at: str
    profile: dict[str, str | int | bool | None]
    courses: list[dict[str, str | int | None]]
    daily_logs: list[dict[str, object]]
    sessions: list[dict[str, object]]
    questionnaires: list[dict[str, object]]


def export_data(*, patient: User, audit: AuditContext) -> ExportData:
    """Everything the patient entered or that describes their treatment, as JSON-ready data. Audited.

    Included: profile, courses, daily logs, sessions. Not included: the care team's clinical notes, alerts and
    the audit trail (records of the clinic's work, not the patient's entries).
    """
    courses = list(Course.objects.filter(patient=patient).order_by("day_zero", "id"))
    course_ids = {c.pk: str(c.public_id) for c in courses}
    sessions = list(Session.objects.filter(patient=patient).select_related("performed_by").order_by("date", "id"))
    questionnaires: list[dict[str, object]] = [
        {
            "date": row.response.date.isoformat(),
            "questionnaire": row.response.kind,
            "completed": row.response.completed,
            "faam_scores": {s.value: score.score for s, score in row.faam.items()} if row.faam else None,
            "faam_answers": [{"item": i, "text": text, "answer": a} for i, text, a in row.answers] or None,
            "psfs_score": row.psfs,
            "psfs_ratings": [{"activity": name, "rating": r} for name, r in row.psfs_ratings] or None,
        }
        for row in questionnaire_history(patient=patient, with_unfinished=True).rows
    ]
    data: ExportData = {
        "format": "heel-recovery-tracker export",
        "version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "id": str(patient.public_id),
            "username": patient.username,
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "email": patient.email,
            "time_zone": patient.time_zone,
            "reminder_enabled": patient.reminder_enabled,
            "reminder_hour": patient.reminder_hour,
            "date_joined": patient.date_joined.isoformat(),
        },
        "courses": [
            {
                "id": str(c.public_id),
                "kind": c.kind,
                "kind_label": c.get_kind_display(),
                "foot": c.foot,
                "day_zero": c.day_zero.isoformat(),
                "planned_sessions": c.planned_sessions,
                "status": c.status,
                "ended_on": c.ended_on.isoformat() if c.ended_on else None,
            }
            for c in courses
        ],
        "daily_logs": [_row(log_, _LOG_EXCLUDE) for log_ in _logs(patient)],
        "sessions": [
            {
                **_row(s, _SESSION_EXCLUDE),
                "course": course_ids.get(s.course_id) if s.course_id is not None else None,
                "performed_by": (s.performed_by.display_name if s.performed_by else s.performed_by_name) or "",
            }
            for s in sessions
        ],
        "questionnaires": questionnaires,
    }
    for s in data["sessions"]:
        s.pop("performed_by_name", None)
    audit_record(audit=audit, action=AuditAction.EXPORT, patient=patient, target="own data (JSON)")
    return data


# ---------------------------------------------------------------------------------------------------------
# Closing the account
# ---------------------------------------------------------------------------------------------------------


def account_close(*, patient: User, audit: AuditContext) -> None:
    """Close the patient's own account: they can no longer sign in and get no more reminders.

    Nothing is deleted: the logs, sessions and courses are part of the clinical record the clinic keeps, and a
    clinic admin can reactivate the account. (Signing the patient out of the current session is the view's.)
    """
    with transaction.atomic():
        patient.is_active = False
        patient.reminder_enabled = False
        patient.session_generation += 1  # every session of the account ends, on every device
        patient.save(update_fields=["is_active", "reminder_enabled", "session_generation"])
        snapshot_mark_stale([patient.pk])
        cohort_forget_patient(patient)  # their values leave the cohort band at once
        audit_record(
            audit=audit,
            action=AuditAction.ACCOUNT,
            patient=patient,
            target="account closed by the patient",
            detail={"closed": True},
        )
