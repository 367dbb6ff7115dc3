"""Time every page of issue 11's table over real HTTP against gunicorn (DEBUG off, 3 workers), as a multiple of a
bare signed-in page timed in the same run, and count each page's queries.

Run from the repository root, against a database built by ``manage.py build_scale_data``:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/heel_scale .venv/bin/python scripts/bench_pages.py --rounds 10

Rounds are interleaved (each round requests every page once, in turn); the first round warms up and is not
counted. Queries are counted once per page in this process (Django's test client, the same signed-in session,
``CaptureQueriesContext``). The POST saves today's log of the patient each time with a new note, so every POST
is a real edit. ``--json FILE`` also writes the figures (``bench_all.py`` compares two databases with them).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_common


@dataclass
class Page:
    name: str
    user: object
    path: str
    method: str = "GET"
    feet: tuple[str, ...] = ()
    expect: int = 200
    times: list[float] = field(default_factory=list)
    queries: int | None = None
    posts: int = 0

    def data(self) -> dict[str, str]:
        """A day's log as the form posts it: every treated foot, a new note each time (a real edit)."""
        self.posts += 1
        form: dict[str, str] = {}
        for n, foot in enumerate(self.feet):
            pain = 3 + (self.posts + n) % 4
            form |= {
                f"{foot}-first_step_pain": str(pain),
                f"{foot}-average_pain": str(max(0, pain - 1)),
                f"{foot}-pain_after_activity": str(pain),
                f"{foot}-minutes_on_feet": "180",
                f"{foot}-activity_level": "light",
                f"{foot}-usual_activities": "partly",
                f"{foot}-weight_bearing": "full",
                f"{foot}-footwear": "supportive",
                f"{foot}-sym_morning_pain": "on",
                f"{foot}-note": f"benchmark save {time.time():.6f}",
            }
        return form


def pages(selected: list[str] | None) -> list[Page]:
    from tracker.models import CourseKind, CourseStatus, User, feet_of

    def user(username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise SystemExit(f"No user {username!r}: build the data first (manage.py build_scale_data).") from None

    physio, small = user("scale-physio"), user("scale-physio-small")
    # On scale-physio's caseload: one patient only ever on massage (every patient has a massage course: a
    # cohort of the whole clinic), one on an active needling course (a quarter of the clinic).
    caseload = User.objects.filter(care_team_links__physio=physio).order_by("username")
    massage = caseload.filter(courses__kind=CourseKind.MASSAGE, courses__status=CourseStatus.ACTIVE).first()
    needling = caseload.filter(courses__kind=CourseKind.NEEDLING, courses__status=CourseStatus.ACTIVE).first()
    if massage is None or needling is None:
        raise SystemExit("The data has no massage-only or needling patient on scale-physio's caseload.")
    feet = sorted({f for course in massage.courses.filter(status=CourseStatus.ACTIVE) for f in feet_of(course.foot)})
    patient_url = f"/clinic/patients/{needling.public_id}/"
    table = [
        Page("bare", massage, "/bench/bare/"),
        Page("clinic-500", physio, "/clinic/"),
        Page("clinic-50", small, "/clinic/"),
        Page("progress-all", massage, "/progress/"),
        Page("progress-needling", needling, "/progress/"),
        Page("patient", physio, patient_url),
        Page("report.pdf", physio, patient_url + "report.pdf"),
        Page("history", massage, "/history/"),
        Page("today", massage, "/today/"),
        Page("alerts", physio, "/clinic/alerts/"),
        Page("post-today", massage, "/today/", method="POST", feet=tuple(feet), expect=302),
    ]
    if selected:
        unknown = set(selected) - {p.name for p in table}
        if unknown:
            raise SystemExit(f"Unknown pages {sorted(unknown)}; choose from {[p.name for p in table]}")
        table = [p for p in table if p.name == "bare" or p.name in selected]
    return table


def count_queries(table: list[Page], cookies: dict[int, dict[str, str]]) -> None:
    """Each page once in this process, in the same signed-in session, its queries counted."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for page in table:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = cookies[page.user.pk][settings.SESSION_COOKIE_NAME]  # type: ignore[attr-defined]
        with CaptureQueriesContext(connection) as queries:
            response = client.post(page.path, page.data()) if page.method == "POST" else client.get(page.path)
        if response.status_code != page.expect:
            raise SystemExit(f"{page.name}: {page.method} {page.path} answered {response.status_code} in process")
        page.queries = len(queries)


def run(table: list[Page], base: str, rounds: int, cookies: dict[int, dict[str, str]]) -> None:
    import requests

    sessions = {}
    for page in table:
        if page.user.pk not in sessions:  # type: ignore[attr-defined]
            http = requests.Session()
            http.cookies.update(cookies[page.user.pk])  # type: ignore[attr-defined]
            sessions[page.user.pk] = http  # type: ignore[attr-defined]
    for round_number in range(rounds + 1):  # round 0 warms up
        for page in table:
            http = sessions[page.user.pk]  # type: ignore[attr-defined]
            start = time.perf_counter()
            if page.method == "POST":
                response = http.post(
                    base + page.path, data=page.data(), headers=bench_common.csrf_headers(), allow_redirects=False
                )
            else:
                response = http.get(base + page.path, allow_redirects=False)
            _ = response.content
            took = time.perf_counter() - start
            if response.status_code != page.expect:
                raise SystemExit(f"{page.name}: {page.method} {page.path} answered {response.status_code} over HTTP")
            if round_number:
                page.times.append(took)
        print(f"  round {round_number}/{rounds}{' (warm-up)' if not round_number else ''} done", flush=True)


def figures(table: list[Page]) -> dict[str, dict[str, float | int | None]]:
    bare = bench_common.med(next(p for p in table if p.name == "bare").times)
    return {
        p.name: {
            "median_ms": bench_common.med(p.times) * 1000,
            "p95_ms": bench_common.p95(p.times) * 1000,
            "multiple": bench_common.med(p.times) / bare,
            "queries": p.queries,
        }
        for p in table
    }


def print_table(result: dict[str, dict[str, float | int | None]], title: str) -> None:
    print(title)
    print(f"{'page':<18} {'median ms':>10} {'p95 ms':>10} {'x bare':>8} {'queries':>8}")
    for name, row in result.items():
        print(
            f"{name:<18} {row['median_ms']:>10.1f} {row['p95_ms']:>10.1f} {row['multiple']:>8.1f} "
            f"{row['queries'] if row['queries'] is not None else '-':>8}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL, else " + bench_common.DEFAULT_DATABASE_URL)
    parser.add_argument("--rounds", type=int, default=10, help="counted rounds (default 10), after a warm-up round")
    parser.add_argument("--pages", nargs="+", help="only these pages (the bare page is always timed)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    url = bench_common.setup_django(args.database_url)
    table = pages(args.pages)
    cookies = {}
    for page in table:
        if page.user.pk not in cookies:  # type: ignore[attr-defined]
            cookies[page.user.pk] = bench_common.signed_in_cookies(page.user)  # type: ignore[attr-defined]
    print(f"Counting queries in process on {url.rsplit('/', 1)[-1]}...", flush=True)
    count_queries(table, cookies)
    with bench_common.server(url) as base:
        print(f"Timing {len(table)} pages on {base}, gunicorn {bench_common.WORKERS} workers, DEBUG off", flush=True)
        run(table, base, args.rounds, cookies)
    result = figures(table)
    print_table(result, f"\n{url.rsplit('/', 1)[-1]}: {args.rounds} rounds (a warm-up round not counted)")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
