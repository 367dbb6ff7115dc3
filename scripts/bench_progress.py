"""Time /progress/ against a bare signed-in view, with a big cohort: the cached band and the old uncached one.

Run from the repository root (PostgreSQL is what the issue measures):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/heel_bench .venv/bin/python scripts/bench_progress.py

It builds a throwaway test database (``test_`` + the name: never DATABASE_URL's own database) with bulk_create:
``--cohort`` patients on a massage course with ``--days`` days of logs each, and viewers with 90 and 365
days. It interleaves rounds and prints the median and p95 of each page in ms and its multiple of the bare
view. "uncached" swaps the page's band reader for the reference computation (every log of the kind), which is
what the page did before the cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import types
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("TESTING", "true")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.decorators import login_required  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import include, path  # noqa: E402

from tracker.models import CohortMeasure, Course, CourseFoot, CourseKind, DailyLog, Foot, Role, User  # noqa: E402
from tracker.progress.cohort import cohort_band  # noqa: E402
from tracker.selectors import progress as progress_selectors  # noqa: E402
from tracker.services.cohort import cohort_rebuild_all  # noqa: E402


def _bare(request):
    return HttpResponse("ok")


urls = types.ModuleType("bench_urls")
urls.urlpatterns = [path("bench/bare/", login_required(_bare)), path("", include("recovery.urls"))]  # type: ignore[attr-defined]
sys.modules["bench_urls"] = urls


UNUSABLE = "!"  # an unusable password: nobody signs in with these accounts


def make_patients(prefix: str, count: int, *, days: int, today, kind=CourseKind.MASSAGE) -> list[User]:
    User.objects.bulk_create(
        [User(username=f"{prefix}{i}", role=Role.PATIENT, password=UNUSABLE) for i in range(count)], batch_size=1000
    )
    patients = list(User.objects.filter(username__startswith=prefix).order_by("pk"))
    start = today - timedelta(days=days - 1)
    Course.objects.bulk_create(
        [Course(patient=p, kind=kind, foot=CourseFoot.LEFT, day_zero=start) for p in patients], batch_size=1000
    )
    batch: list[DailyLog] = []
    for i, p in enumerate(patients):
        for d in range(days):
            if (i + d) % 9 == 4:  # gaps
                continue
            pain = max(0, min(10, 8 - (d * 6) // max(days, 1) + (i + d) % 3 - 1))
            batch.append(
                DailyLog(
                    patient=p,
                    date=start + timedelta(days=d),
                    foot=Foot.LEFT,
                    recorded_on=today,
                    first_step_pain=pain,
                    average_pain=max(0, pain - 1),
                )
            )
        if len(batch) > 20000:
            DailyLog.objects.bulk_create(batch)
            batch = []
    DailyLog.objects.bulk_create(batch)
    return patients


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cohort", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    setup_test_environment()
    settings.ROOT_URLCONF = "bench_urls"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        t0 = time.perf_counter()
        today = User(username="x").local_today()
        make_patients("c", args.cohort, days=args.days, today=today)
        v365 = make_patients("v365-", 1, days=365, today=today)[0]
        v90 = make_patients("v90-", 1, days=90, today=today)[0]
        print(
            f"{connection.vendor}: {args.cohort} cohort patients x {args.days} days, built in "
            f"{time.perf_counter() - t0:.0f} s"
        )
        t0 = time.perf_counter()
        cohort_rebuild_all()
        print(f"cohort_rebuild_all: {1000 * (time.perf_counter() - t0):.0f} ms")

        clients = {}
        for name, user in (("bare", v365), ("progress 365 d", v365), ("progress 90 d", v90)):
            client = Client()
            client.force_login(user)
            clients[name] = (client, "/bench/bare/" if name == "bare" else "/progress/")
        cached = progress_selectors.measure_bands

        def uncached(wanted, *, exclude_patient_id):
            # The pain band's reference computation (the FAAM band is only ever read from the cache).
            bands = {m: w for m, w in wanted.items() if m != CohortMeasure.PAIN}
            result = cached(bands, exclude_patient_id=exclude_patient_id) if bands else {}
            pain = wanted.get(CohortMeasure.PAIN, {})
            result[CohortMeasure.PAIN] = {k: cohort_band(kind=k, exclude_patient_id=exclude_patient_id) for k in pain}
            return result

        variants = [(name, False) for name in clients] + [("progress 365 d", True)]
        times: dict[str, list[float]] = {}
        queries: dict[str, int] = {}
        for _ in range(args.rounds):
            for name, old in variants:
                label = f"{name}{' (uncached band)' if old else ''}"
                progress_selectors.measure_bands = uncached if old else cached
                client, url = clients[name]
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    response = client.get(url)
                    times.setdefault(label, []).append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise SystemExit(f"{label}: HTTP {response.status_code}")
                queries[label] = len(ctx)
        progress_selectors.measure_bands = cached
        bare = statistics.median(times["bare"])
        print(f"{'page':<32} {'median ms':>10} {'p95 ms':>8} {'x bare':>7} {'queries':>8}")
        for label, values in times.items():
            values.sort()
            p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
            med = statistics.median(values)
            print(f"{label:<32} {1000 * med:>10.1f} {1000 * p95:>8.1f} {med / bare:>7.1f} {queries[label]:>8}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
