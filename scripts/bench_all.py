"""The whole scale benchmark (``make bench``): build the data if missing, time the pages on a year and on 90 days
of history, print each page's change between them, then run the load test on the year.

Databases (local PostgreSQL, created with ``createdb`` if missing): ``heel_scale`` (1,000 patients x 365 days)
and ``heel_scale_90`` (1,000 patients x 90 days). A database that already holds the scale data is used as it
is; ``--rebuild`` builds it again (``build_scale_data --force``, which still refuses real accounts).

    .venv/bin/python scripts/bench_all.py [--rounds 10] [--load-time 60s] [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_common

SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASES = {"heel_scale": 365, "heel_scale_90": 90}
PY = str(bench_common.ROOT / ".venv" / "bin" / "python")
SCRIPTS = Path(__file__).resolve().parent
# Issue 11's "Done when": the most a page may take, as a multiple of the bare page, on a year of history.
TARGETS = {
    "clinic-500": 10,
    "progress-all": 5,
    "patient": 10,
    "post-today": 5,
    "history": 5,
    "today": 5,
    "alerts": 5,
    "report.pdf": 80,
}
MAX_CHANGE = 30  # per cent, between 90 and 365 days and between 50 and 500 patients


def psql(sql: str, database: str = "postgres") -> str:
    url = f"{SERVER}/{database}"
    result = subprocess.run(["psql", url, "-tAc", sql], check=True, capture_output=True, text=True)
    return result.stdout.strip()


def ensure_data(name: str, days: int, rebuild: bool) -> None:
    url = f"{SERVER}/{name}"
    env = bench_common.bench_environment(url) | {"TESTING": "false"}  # real password hashing for the printed one
    if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):  # noqa: S608 - our own constant names
        psql(f'CREATE DATABASE "{name}"')
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=bench_common.ROOT, env=env, check=True)
    has_data = psql("SELECT count(*) FROM tracker_user WHERE username LIKE 'scale-patient-%'", name) != "0"
    if has_data and not rebuild:
        print(f"{name}: scale data already there ({days} days); --rebuild to build it again.")
        warm_caches(env)
        return
    print(f"{name}: building 1,000 patients x {days} days...", flush=True)
    start = time.perf_counter()
    command = [PY, "manage.py", "build_scale_data", "--days", str(days)] + (["--force"] if has_data else [])
    subprocess.run(command, cwd=bench_common.ROOT, env=env, check=True)
    print(f"{name}: built in {time.perf_counter() - start:.0f} s", flush=True)
    warm_caches(env)


def warm_caches(env: dict[str, str]) -> None:
    """The caseload rows and the cohort band as the hourly job (raise_alerts) leaves them on a live site: a page
    finding them cold recomputes them, which the benchmark's warm-up round would otherwise pay for."""
    for command in ("rebuild_progress_cache", "rebuild_cohort"):
        subprocess.run([PY, "manage.py", command], cwd=bench_common.ROOT, env=env, check=True)


def bench_pages(name: str, rounds: int, out: Path) -> dict:
    command = [PY, str(SCRIPTS / "bench_pages.py"), "--database-url", f"{SERVER}/{name}"]
    subprocess.run([*command, "--rounds", str(rounds), "--json", str(out)], check=True)
    return json.loads(out.read_text())


def change(new: float, old: float) -> str:
    return f"{(new - old) / old * 100:+.0f} %" if old else "-"


def compare(year: dict, quarter: dict) -> None:
    print("\nBetween 90 and 365 days of history (median ms; target: each page changes by less than 30 %)")
    print(f"{'page':<18} {'90 days':>10} {'365 days':>10} {'change':>8}   {'x bare':>7} {'target':>7}")
    for name, row in year.items():
        old = quarter.get(name, {}).get("median_ms", 0)
        target = TARGETS.get(name)
        mark = "" if target is None else ("ok" if row["multiple"] <= target else "MISSED")
        print(
            f"{name:<18} {old:>10.1f} {row['median_ms']:>10.1f} {change(row['median_ms'], old):>8}   "
            f"{row['multiple']:>7.1f} {('<= ' + str(target)) if target else '':>7} {mark}"
        )
    small, big = year["clinic-50"]["median_ms"], year["clinic-500"]["median_ms"]
    print(f"Caseload of 50 to 500 patients (365 days): {small:.1f} -> {big:.1f} ms, {change(big, small)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--load-time", default="60s")
    parser.add_argument("--rebuild", action="store_true", help="build the data again even if it is there")
    args = parser.parse_args()

    for name, days in DATABASES.items():
        ensure_data(name, days, args.rebuild)
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        results = {name: bench_pages(name, args.rounds, Path(work, f"{name}.json")) for name in DATABASES}
    compare(results["heel_scale"], results["heel_scale_90"])
    load = [PY, str(SCRIPTS / "load_test.py"), "--database-url", f"{SERVER}/heel_scale", "--time", args.load_time]
    sys.exit(subprocess.run(load, check=False).returncode)


if __name__ == "__main__":
    main()
