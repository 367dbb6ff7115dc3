"""Raise the alerts that time alone causes: no log for 2 or 7 days, a milestone that became overdue.

Run it from cron (say hourly): each patient is judged on their own local date. It then rebuilds the cohort
band's cache (``tracker.services.cohort``), so pages rarely find it older than ``COHORT_MAX_AGE``. Idempotent: the database
refuses a second alert for the same occurrence, so running it twice, or on two servers at once, raises
nothing twice.

New alerts that are e-mailed at once (every red flag) are e-mailed as they are raised; at the end, any such
e-mail that failed in the last 2 days is tried again (``alerts_notify_pending``).
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize
from django.utils import timezone

from tracker.models import CourseStatus, Role, User
from tracker.services.alert_notify import alerts_notify_pending
from tracker.services.alerts import alerts_raise_for_patient
from tracker.services.cohort import cohort_rebuild_all
from tracker.services.progress_cache import snapshots_refresh_due


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--on must be a date written YYYY-MM-DD, such as 2026-03-01, not {value!r}.") from None


class Command(BaseCommand):
    help = "Raise care-team alerts for every active patient with an active course (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--on", help="Judge every patient on this date (YYYY-MM-DD) instead of their local today.")

    def handle(self, *args, **options):
        on = parse_day(options["on"]) if options.get("on") else None
        patients = (
            User.objects.filter(role=Role.PATIENT, is_active=True, courses__status=CourseStatus.ACTIVE)
            .distinct()
            .order_by("pk")
        )
        raised = 0
        checked = 0
        for patient in patients.iterator():
            checked += 1
            raised += len(alerts_raise_for_patient(patient=patient, today=on or patient.local_today()))
        retried = alerts_notify_pending(now=timezone.now())
        self.stdout.write(
            f"Checked {checked} patient{pluralize(checked)}; raised {raised} new alert{pluralize(raised)}."
        )
        if on is None:
            # Every caseload row that is stale or whose patient's local date has changed, so pages read it warm.
            self.stdout.write(f"Refreshed {snapshots_refresh_due()} caseload row(s).")
        weeks = cohort_rebuild_all()
        self.stdout.write(f"Rebuilt the cohort band: {weeks} week(s) of every kind of course.")
        if retried:
            self.stdout.write(f"Sent {retried} alert e-mail(s) that had not gone out.")
