"""The daily digest of open high and medium alerts, for a clinic that chose ``ALERT_EMAILS=digest``.

Run from cron once a day (say at 8 am). Safe to run twice, or on two servers at once: each care-team member
gets at most one digest per date (``AlertDigestSent``'s unique constraint decides who sends). Red flags are never
left to the digest: they are e-mailed at once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from tracker.services.alert_notify import alert_digest_send

from .raise_alerts import parse_day


class Command(BaseCommand):
    help = "E-mail each care-team member a summary of open high and medium alerts (once a day; ALERT_EMAILS=digest)."

    def add_arguments(self, parser):
        parser.add_argument("--on", help="The digest's date (YYYY-MM-DD); default: today in the clinic's time zone.")
        parser.add_argument("--site-url", default="", help="The site's address for the link (default: SITE_URL).")

    def handle(self, *args, on=None, site_url="", **options):
        if settings.ALERT_EMAILS != "digest":
            self.stdout.write("ALERT_EMAILS is not digest: high and medium alerts are e-mailed at once; nothing to do.")
            return
        day = parse_day(on) if on else timezone.localdate()
        sent = alert_digest_send(on=day, site_url=site_url)
        self.stdout.write(f"{sent} digest(s) sent.")
