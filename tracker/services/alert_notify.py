"""E-mails to the care team about alerts (issue 14): a red flag at once, the rest at once or in a daily digest.

- A critical alert (a red flag) is e-mailed at once to every member of the patient's care team, whatever the
  clinic chose. ``ALERT_EMAILS`` (settings) decides for high and medium alerts: "immediate" (each e-mailed at
  once, like a critical one) or "digest" (one e-mail a day per physiotherapist, ``send_alert_digest``). Low
  alerts are shown in the app only.
- The e-mails hold no clinical detail and no name: "a patient on your care team has an urgent alert", and a
  link to the patient's page, which checks who may read it.
- Sent once per alert, even with several servers: ``Alert.notified_at`` is set by one conditional UPDATE
  (``... WHERE notified_at IS NULL``); only the server whose UPDATE changed the row sends. If the mail server
  then fails, ``notified_at`` is cleared again, so the next ``raise_alerts`` run (cron) retries it
  (``alerts_notify_pending``): a failed red-flag e-mail is retried, not lost.
- A patient with nobody on their care team: the clinic admins are told instead, so a red flag never goes
  unheard.

Sending writes no audit event (no clinical data leaves the app), so these functions take no audit context.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..models import Alert, AlertDigestSent, AlertStatus, CareTeamMembership, Role, Severity, User

log = logging.getLogger(__name__)

DIGEST_SEVERITIES = (Severity.HIGH, Severity.MEDIUM)
# How far back the retry looks for an alert whose e-mail failed.
RETRY_WITHIN = timedelta(days=2)


def emailed_at_once(alert: Alert) -> bool:
    """Whether ``alert`` is e-mailed as soon as it is raised (critical always; high and medium unless digest)."""
    if alert.severity == Severity.CRITICAL:
        return True
    return alert.severity in DIGEST_SEVERITIES and settings.ALERT_EMAILS == "immediate"


def care_team_addresses(*, patient_id: int) -> list[str]:
    """The e-mail addresses of the patient's active care team; the active clinic admins if there is none. 1-2
    queries."""
    addresses = list(
        CareTeamMembership.objects.filter(patient_id=patient_id, physio__is_active=True)
        .exclude(physio__email="")
        .order_by("physio__email")
        .values_list("physio__email", flat=True)
        .distinct()
    )
    if addresses:
        return addresses
    return list(
        User.objects.filter(role=Role.ADMIN, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def _site(site_url: str) -> str:
    return (site_url or getattr(settings, "SITE_URL", "")).rstrip("/")


def alert_notify(*, alert: Alert, site_url: str = "") -> int:
    """E-mail the care team about one alert, once: returns how many e-mails this call sent (0 if another call or
    server already did, or is doing it)."""
    addresses = care_team_addresses(patient_id=alert.patient_id)
    if not addresses:
        # Nobody to tell: never mark it told. The next raise_alerts run tries again (an address may be added).
        log.error("no one to e-mail about alert %s: no care team and no clinic admin with an address", alert.pk)
        return 0
    claimed = Alert.objects.filter(pk=alert.pk, notified_at__isnull=True).update(notified_at=timezone.now())
    if not claimed:
        return 0
    urgent = alert.severity == Severity.CRITICAL
    site = _site(site_url)
    context = {
        "urgent": urgent,
        "site_url": site,
        "patient_path": reverse("clinic:patient", args=[alert.patient.public_id]),
        "alerts_path": reverse("clinic:alerts"),
    }
    subject = render_to_string("email/alert_subject.txt", context).strip()
    body = render_to_string("email/alert_body.txt", context)
    # One message per person: no one sees who else is on the care team.
    messages = [EmailMessage(subject, body, None, [address]) for address in addresses]
    try:
        return get_connection().send_messages(messages) or 0
    except Exception:
        log.exception("could not e-mail the care team about alert %s; the next raise_alerts run retries", alert.pk)
        Alert.objects.filter(pk=alert.pk).update(notified_at=None)
        return 0


def alerts_notify(*, alerts: Iterable[Alert], site_url: str = "") -> int:
    """E-mail the care team about each alert that is e-mailed at once (see the module); returns e-mails sent."""
    return sum(alert_notify(alert=alert, site_url=site_url) for alert in alerts if emailed_at_once(alert))


def alerts_notify_pending(*, now: datetime, site_url: str = "") -> int:
    """Send what is still due: alerts raised in the last 2 days, e-mailed at once, whose e-mail has not gone
    (a failed send, or a server that stopped between the save and the e-mail). Run by ``raise_alerts``."""
    severities = [Severity.CRITICAL]
    if settings.ALERT_EMAILS == "immediate":
        severities += list(DIGEST_SEVERITIES)
    pending = Alert.objects.filter(
        notified_at__isnull=True, severity__in=severities, created_at__gte=now - RETRY_WITHIN
    ).select_related("patient")
    return alerts_notify(alerts=list(pending), site_url=site_url)


def alert_digest_send(*, on: date, site_url: str = "") -> int:
    """The daily digest (``ALERT_EMAILS = "digest"``): each active care-team member with open high or medium
    alerts among their active patients gets one e-mail for ``on``, at most once per date even with two servers
    (``AlertDigestSent``'s unique constraint decides who sends). Returns how many e-mails were sent.

    Queries: one for the counts, then one insert per e-mail.
    """
    if settings.ALERT_EMAILS != "digest":
        return 0
    open_alert = Q(
        caseload_links__patient__alerts__status=AlertStatus.OPEN,
        caseload_links__patient__alerts__severity__in=DIGEST_SEVERITIES,
        caseload_links__patient__is_active=True,
    )
    members = (
        User.objects.filter(is_active=True, role__in=[Role.PHYSIO, Role.ADMIN])
        .exclude(email="")
        .annotate(
            open_alerts=Count("caseload_links__patient__alerts", filter=open_alert, distinct=True),
            patients=Count("caseload_links__patient", filter=open_alert, distinct=True),
        )
        .filter(open_alerts__gt=0)
        .order_by("pk")
    )
    site = _site(site_url)
    sent = 0
    for member in members:
        _, created = AlertDigestSent.objects.get_or_create(physio=member, local_date=on)
        if not created:
            continue
        context = {
            "open_alerts": member.open_alerts,
            "patients": member.patients,
            "on": on,
            "site_url": site,
            "alerts_path": reverse("clinic:alerts"),
        }
        subject = render_to_string("email/alert_digest_subject.txt", context).strip()
        body = render_to_string("email/alert_digest_body.txt", context)
        try:
            sent += get_connection().send_messages([EmailMessage(subject, body, None, [member.email])]) or 0
        except Exception:
            log.exception("could not send the alert digest to %s", member.pk)
    return sent
