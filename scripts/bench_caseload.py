"""Time the caseload for 50 and 500 patients: the selector alone and the whole page (queries counted).

Run from the repository root:  .venv/bin/python scripts/bench_caseload.py [--days 90] [--repeat 3]

It builds a throwaway test database (never db.sqlite3 or DATABASE_URL's own database), fills it with
bulk_create, and prints the best of ``--repeat`` runs. Speed is measured here, not in timed tests.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("TESTING", "true")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from tests.factories import bulk_caseload  # noqa: E402
from tracker.models import Role, User  # noqa: E402
from tracker.selectors.clinic import caseload_rows  # noqa: E402


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90, help="daily logs per patient (default 90)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500])
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.vendor}; {args.days} days of logs per patient; best of {args.repeat}")
        print(f"{'patients':>8} {'logs':>8} {'selector s':>11} {'page s':>8} {'queries':>8}")
        for size in args.sizes:
            physio = User.objects.create(username=f"bench-physio-{size}", role=Role.PHYSIO)
            today = physio.local_today()
            bulk_caseload(physio=physio, count=size, today=today, logs_per_patient=args.days, prefix=f"b{size}-")
            client = Client()
            client.force_login(physio)
            selector = best_of(args.repeat, lambda physio=physio: caseload_rows(physio=physio))
            page = best_of(args.repeat, lambda client=client: client.get("/clinic/"))
            with CaptureQueriesContext(connection) as queries:
                client.get("/clinic/")
            print(f"{size:>8} {size * args.days:>8} {selector:>11.3f} {page:>8.3f} {len(queries):>8}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
