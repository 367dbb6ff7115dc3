"""Recompute every patient's caseload row (``CaseloadSnapshot``), fresh or not.

The rows are a cache, kept up to date by every write and recomputed on read when stale: run this after a
restore, a bulk change made outside the app, or just to warm the cache. Safe to run at any time and on a live
site: a row changed by a write while it runs keeps the write's stale mark.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tracker.services.progress_cache import snapshots_refresh_all


class Command(BaseCommand):
    help = "Recompute every patient's caseload row (the progress cache)."

    def handle(self, *args, **options):
        stored = snapshots_refresh_all()
        self.stdout.write(f"Rebuilt the caseload rows of {stored} patient(s).")
