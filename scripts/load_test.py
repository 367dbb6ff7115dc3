"""The load test: 200 patients and 10 physiotherapists at once against gunicorn (3 workers, DEBUG off), with
locust in headless mode, then a check in the database that no write was lost and nothing is duplicated.

Run from the repository root, against a database built by ``manage.py build_scale_data``:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/heel_scale .venv/bin/python scripts/load_test.py --time 60s

Patients (``scale-patient-0001``...) loop with no pause over /today/, saving a day and /progress/;
physiotherapists (``scale-physio-1``...) over their caseload and one of their patients. Sessions are made by
``bench_common.signed_in_cookies`` (signing in 210 times would meet the sign-in throttling).

It prints requests a second, the median and 95th percentile of each request and the errors, then checks: every
save answered with success is in the database with its values (the last save of each patient, day and foot),
the edit history holds one new version per successful save, no patient, day and foot has two logs and no alert
was raised twice for one occurrence. It exits non-zero on any error or failed check.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_common

TARGET_RPS = 60  # issue 11: "at least 60 requests a second on this machine"


def identities(patients: int, physios: int) -> tuple[dict, list]:
    from tracker.models import CourseStatus, User, feet_of

    people = list(User.objects.filter(username__startswith="scale-patient-").order_by("username")[:patients])
    staff = [User.objects.filter(username=f"scale-physio-{n}").first() for n in range(1, physios + 1)]
    if len(people) < patients or not all(staff):
        raise SystemExit("Not enough scale accounts: build the data first (manage.py build_scale_data).")
    out: dict = {"csrf": bench_common.CSRF_SECRET, "patients": [], "physios": []}
    for person in people:
        feet = sorted({f for course in person.courses.filter(status=CourseStatus.ACTIVE) for f in feet_of(course.foot)})
        if not feet:
            continue
        out["patients"].append(
            {
                "id": person.pk,
                "feet": feet,
                "today": person.local_today().isoformat(),
                "cookies": bench_common.signed_in_cookies(person),
            }
        )
    for physio in staff:
        caseload = [
            str(u) for u in User.objects.filter(care_team_links__physio=physio).values_list("public_id", flat=True)
        ]
        out["physios"].append({"cookies": bench_common.signed_in_cookies(physio), "patients": caseload})
    return out, people


def versions(patient_ids: list[int], since) -> Counter:
    from tracker.models import DailyLog

    rows = DailyLog.history.filter(patient_id__in=patient_ids, date__gte=since)
    return Counter((p, d.isoformat(), f) for p, d, f in rows.values_list("patient_id", "date", "foot"))


def report_stats(prefix: Path) -> tuple[int, float]:
    """Print locust's figures per request; returns (failures, requests a second overall)."""
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))  # noqa: SIM115
    print(f"\n{'request':<24} {'count':>7} {'fails':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8}")
    failures, rps = 0, 0.0
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all"
        print(
            f"{name:<24} {row['Request Count']:>7} {row['Failure Count']:>6} {float(row['Requests/s']):>7.1f} "
            f"{row['50%']:>8} {row['95%']:>8}"
        )
        if row["Name"] == "Aggregated":
            failures, rps = int(row["Failure Count"]), float(row["Requests/s"])
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        for row in csv.DictReader(failures_file.open()):
            print(f"  error: {row['Method']} {row['Name']}: {row['Error']} x{row['Occurrences']}")
    return failures, rps


def check_database(writes_file: Path, patient_ids: list[int], since, before: Counter) -> list[str]:
    from django.db.models import Count

    from tracker.models import Alert, DailyLog

    problems = []
    writes = [json.loads(line) for line in writes_file.read_text().splitlines() if line.strip()]
    last: dict[tuple, dict] = {}
    saves: Counter = Counter()
    for write in writes:
        key = (write["patient"], write["date"], write["foot"])
        last[key] = write
        saves[key] += 1
    logs = {
        (p, d.isoformat(), f): (pain, note)
        for p, d, f, pain, note in DailyLog.objects.filter(patient_id__in=patient_ids, date__gte=since).values_list(
            "patient_id", "date", "foot", "first_step_pain", "note"
        )
    }
    lost = [key for key, write in last.items() if logs.get(key) != (write["pain"], write["note"])]
    after = versions(patient_ids, since)
    history = [key for key, n in saves.items() if after[key] - before[key] != n]
    duplicate_logs = (
        DailyLog.objects.values("patient_id", "date", "foot").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    duplicate_alerts = (
        Alert.objects.values("patient_id", "kind", "occurrence").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    print(f"\n{len(writes)} successful saves (foot by foot) of {len(saves)} patient-day-feet checked in the database:")
    print(f"  lost or wrong (the last save's values not held): {len(lost)}")
    print(f"  edit history not one new version per save: {len(history)}")
    print(f"  duplicate logs (patient, day, foot): {duplicate_logs}")
    print(f"  duplicate alerts (patient, kind, occurrence): {duplicate_alerts}")
    if not writes:
        problems.append("no save succeeded")
    if lost:
        problems.append(f"{len(lost)} saves lost, e.g. {lost[:3]}")
    if history:
        problems.append(f"{len(history)} edit histories wrong, e.g. {history[:3]}")
    if duplicate_logs:
        problems.append(f"{duplicate_logs} duplicated logs")
    if duplicate_alerts:
        problems.append(f"{duplicate_alerts} duplicated alerts")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL, else " + bench_common.DEFAULT_DATABASE_URL)
    parser.add_argument("--time", default="60s", help="how long the load runs (locust's --run-time, default 60s)")
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--physios", type=int, default=10)
    parser.add_argument("--spawn-rate", type=int, default=50, help="users started a second (default 50)")
    args = parser.parse_args()

    url = bench_common.setup_django(args.database_url)
    print(f"Making {args.patients + args.physios} signed-in sessions on {url.rsplit('/', 1)[-1]}...", flush=True)
    users, people = identities(args.patients, args.physios)
    patient_ids = [p.pk for p in people]
    since = min(p.local_today() for p in people) - timedelta(days=8)
    before = versions(patient_ids, since)

    with tempfile.TemporaryDirectory(prefix="load-test-") as work:
        users_file, writes_file, prefix = Path(work, "users.json"), Path(work, "writes.jsonl"), Path(work, "locust")
        users_file.write_text(json.dumps(users))
        writes_file.touch()
        with bench_common.server(url) as base:
            env = bench_common.bench_environment(url) | {
                "BENCH_USERS_FILE": str(users_file),
                "BENCH_WRITES_FILE": str(writes_file),
            }
            total = len(users["patients"]) + len(users["physios"])
            command = [
                str(bench_common.ROOT / ".venv" / "bin" / "locust"),
                "-f",
                str(Path(__file__).resolve().parent / "locustfile.py"),
                "--headless",
                "--users",
                str(total),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                args.time,
                "--host",
                base,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                # Users finish the request they are in before stopping: a save cut off after the server committed
                # it but before the answer arrived would otherwise look lost.
                "--stop-timeout",
                "300",
            ]
            print(f"locust: {total} users on {base} for {args.time}", flush=True)
            run = subprocess.run(command, env=env, check=False, capture_output=True, text=True)
            if run.returncode not in (0, 1):  # 1: some requests failed, reported below
                print(run.stdout[-3000:], run.stderr[-3000:])
                raise SystemExit(f"locust stopped with exit code {run.returncode}")
        failures, rps = report_stats(prefix)
        problems = check_database(writes_file, patient_ids, since, before)
    print(f"\nRequests a second: {rps:.1f} (target at least {TARGET_RPS}); errors: {failures}")
    if failures:
        problems.append(f"{failures} requests failed")
    if problems:
        print("FAILED: " + "; ".join(problems))
        sys.exit(1)
    print("OK: no errors, no lost writes, no duplicates.")


if __name__ == "__main__":
    main()
