"""The patient's account: settings, export of their own data, closing it, and the daily reminder e-mails."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import logout
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from ..csv_format import logs_csv
from ..models import AuditAction, Course, DailyLog, ReminderSent, Role, Session, User
from .audit import audit_record

log = logging.getLogger(__name__)

EXPORT_FORMAT_VERSION = 1


# ---------------------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------------------


def account_settings_update(
    *, patient: User, time_zone: str, reminder_enabled: bool, reminder_hour: int, request: HttpRequest | None = None
) -> User:
    """Change the patient's time zone and reminder. Validated against the model (time zone list, hour 0-23)."""
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
        patient.save(update_fields=["time_zone", "reminder_enabled", "reminder_hour"])
        changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        audit_record(
            actor=patient,
            action=AuditAction.ACCOUNT,
            patient=patient,
            target="account settings",
            request=request,
            detail={"changed": changed},
        )
    return patient


# ---------------------------------------------------------------------------------------------------------
# Export (the patient's own data; clinical notes are the care team's and are not included)
# ---------------------------------------------------------------------------------------------------------


def _logs(patient: User):
    return DailyLog.objects.filter(patient=patient).order_by("date", "foot")


def export_logs_csv(*, patient: User, request: HttpRequest | None = None) -> str:
    """All the patient's daily logs as CSV, in the one log format (``tracker.csv_format``). Audited."""
    text = logs_csv(_logs(patient))
    audit_record(
        actor=patient, action=AuditAction.EXPORT, patient=patient, target="own daily logs (CSV)", request=request
    )
    return text


_LOG_EXCLUDE = {"id", "patient"}
_SESSION_EXCLUDE = {"id", "patient", "course", "performed_by", "created_by"}


def _row(obj, exclude: set[str]) -> dict:
    row = {}
    for f in obj._meta.concrete_fields:
        if f.name in exclude:
            continue
        value = getattr(obj, f.attname)
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        row[f.name] = value
    return row


def export_data(*, patient: User, request: HttpRequest | None = None) -> dict:
    """Everything the patient entered or that describes their treatment, as JSON-ready data. Audited.

    Included: profile, courses, daily logs, sessions. Not included: the care team's clinical notes, alerts and
    the audit trail (records of the clinic's work, not the patient's entries).
    """
    courses = list(Course.objects.filter(patient=patient).order_by("day_zero", "id"))
    course_ids = {c.pk: str(c.public_id) for c in courses}
    sessions = list(Session.objects.filter(patient=patient).select_related("performed_by").order_by("date", "id"))
    data = {
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
                "course": course_ids.get(s.course_id),
                "performed_by": (s.performed_by.display_name if s.performed_by else s.performed_by_name) or "",
            }
            for s in sessions
        ],
    }
    for s in data["sessions"]:
        s.pop("performed_by_name", None)
    audit_record(actor=patient, action=AuditAction.EXPORT, patient=patient, target="own data (JSON)", request=request)
    return data


# ---------------------------------------------------------------------------------------------------------
# Closing the account
# ---------------------------------------------------------------------------------------------------------


def account_close(*, patient: User, request: HttpRequest | None = None) -> None:
    """Close the patient's own account: they can no longer sign in and get no more reminders.

    Nothing is deleted: the logs, sessions and courses are part of the clinical record the clinic keeps, and a
    clinic admin can reactivate the account. The patient is signed out (when ``request`` is given).
    """
    with transaction.atomic():
        patient.is_active = False
        patient.reminder_enabled = False
        patient.save(update_fields=["is_active", "reminder_enabled"])
        audit_record(
            actor=patient,
            action=AuditAction.ACCOUNT,
            patient=patient,
            target="account closed by the patient",
            request=request,
            detail={"closed": True},
        )
    if request is not None:
        logout(request)


# ---------------------------------------------------------------------------------------------------------
# Daily reminders
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueReminder:
    patient: User
    local_date: date


def reminders_due(*, now: datetime) -> list[DueReminder]:
    """The patients to remind at ``now``: active patients with a reminder on and an e-mail address, whose local
    hour is their reminder hour, who have not logged their local today and were not reminded today.

    2 queries whatever the number of patients: the candidates, then their logs and reminders of the dates
    that are "today" somewhere (at most three dates at any instant).
    """
    candidates = list(User.objects.filter(role=Role.PATIENT, is_active=True, reminder_enabled=True).exclude(email=""))
    due: list[DueReminder] = []
    for patient in candidates:
        try:
            local = now.astimezone(patient.zone)
        except Exception:
            log.warning("patient %s has an unknown time zone %r", patient.pk, patient.time_zone)
            continue
        if local.hour == patient.reminder_hour:
            due.append(DueReminder(patient=patient, local_date=local.date()))
    if not due:
        return []
    ids = [d.patient.pk for d in due]
    dates = {d.local_date for d in due}
    logged = set(DailyLog.objects.filter(patient_id__in=ids, date__in=dates).values_list("patient_id", "date"))
    reminded = set(
        ReminderSent.objects.filter(patient_id__in=ids, local_date__in=dates).values_list("patient_id", "local_date")
    )
    skip = logged | reminded
    return [d for d in due if (d.patient.pk, d.local_date) not in skip]


def reminder_send(*, patient: User, local_date: date, site_url: str = "") -> bool:
    """Send one reminder, at most once per patient and local date, even with two servers running at once.

    The ReminderSent row is inserted first: the unique constraint lets exactly one server through, and only
    that one sends. Returns whether this call sent it. (If the mail server then fails, that day's reminder is
    lost rather than risk sending twice.)
    """
    try:
        with transaction.atomic():
            ReminderSent.objects.create(patient=patient, local_date=local_date)
    except IntegrityError:
        return False
    context = {"patient": patient, "local_date": local_date, "site_url": site_url.rstrip("/")}
    subject = render_to_string("email/reminder_subject.txt", context).strip()
    body = render_to_string("email/reminder_body.txt", context)
    try:
        send_mail(subject, body, None, [patient.email])
    except Exception:
        log.exception("could not send the reminder to patient %s", patient.pk)
        return False
    return True


def reminders_send(*, now: datetime, site_url: str = "") -> int:
    """Send the reminders due at ``now`` (an aware datetime); returns how many this run sent."""
    site_url = site_url or getattr(settings, "SITE_URL", "")
    return sum(
        reminder_send(patient=d.patient, local_date=d.local_date, site_url=site_url) for d in reminders_due(now=now)
    )
