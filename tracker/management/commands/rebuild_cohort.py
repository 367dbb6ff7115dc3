"""Rebuild the cohort band's cache for every kind of course (``tracker.services.cohort.cohort_rebuild_all``).

Safe at any time and on several servers at once: the cache is never the truth, and pages rebuild a missing or
stale kind themselves. ``raise_alerts`` (hourly) does this too.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tracker.services.cohort import cohort_rebuild_all


class Command(BaseCommand):
    help = "Rebuild the cohort band's cache (every kind of course, every week) from the logs."

    def handle(self, *args, **options):
        weeks = cohort_rebuild_all()
        self.stdout.write(f"Rebuilt the cohort band: {weeks} week(s) of every kind of course.")
