"""The daily reminder e-mails (``manage.py send_reminders``, hourly from cron).

A patient who turned the reminder on gets one e-mail at their chosen local hour, on a day they have not
logged yet, at most once per local date even with two servers sending at once. Sending writes no audit
event (an e-mail shows no clinical data), so these functions take no audit context.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from ..models import DailyLog, ReminderSent, Role, User
from ..selectors.questionnaires import questionnaires_due

log = logging.getLogger(__name__)


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
    # A questionnaire due that day is mentioned in the same e-mail (issue 13): never an e-mail of its own.
    questionnaire_due = bool(questionnaires_due(patient=patient, today=local_date))
    context = {
        "patient": patient,
        "local_date": local_date,
        "site_url": site_url.rstrip("/"),
        "questionnaire_due": questionnaire_due,
    }
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
