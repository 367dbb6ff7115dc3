"""Raise the alerts that time alone causes: no log for 2 or 7 days, a milestone that became overdue.

Run it from cron (say hourly): each patient is judged on their own local date. Idempotent: the database
refuses a second alert for the same occurrence, so running it twice, or on two servers at once, raises
nothing twice.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from tracker.models import CourseStatus, Role, User
from tracker.services.alerts import alerts_raise_for_patient


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
        self.stdout.write(
            f"Checked {checked} patient{pluralize(checked)}; raised {raised} new alert{pluralize(raised)}."
        )
