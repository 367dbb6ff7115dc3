"""E-mail each patient who asked for a daily reminder, at their local hour, if today is not logged yet.

Run from cron every hour (at a few minutes past). Safe to run twice, or on two servers at once: each patient
gets at most one reminder per local date (``ReminderSent``'s unique constraint decides who sends).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize
from django.utils import timezone

from tracker.services.reminders import reminders_send


class Command(BaseCommand):
    help = "Send the daily log reminders due this hour (run hourly from cron)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="Pretend it is this moment (ISO 8601, e.g. 2026-03-01T18:05:00+00:00; no offset means UTC).",
        )
        parser.add_argument(
            "--site-url",
            default="",
            help="The site's address for the link in the e-mail (default: the SITE_URL setting).",
        )

    def handle(self, *args, now=None, site_url="", **options):
        if now:
            try:
                moment = datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now must be an ISO 8601 date and time, not {now!r}") from None
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=UTC)
        else:
            moment = timezone.now()
        sent = reminders_send(now=moment, site_url=site_url)
        self.stdout.write(f"{sent} reminder{pluralize(sent)} sent.")
