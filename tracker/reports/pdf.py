"""The doctor-ready progress report: one patient on 1 to 3 A4 pages, rendered on the server by WeasyPrint.

Bounded by design so it stays within 3 pages whatever the history: at most ``MAX_CHARTS`` course charts (active
courses first), pain as weekly means for the last ``MAX_WEEKS`` weeks (the full diary is in logs.csv), the
latest ``MAX_SESSIONS`` sessions, ``MAX_RED_FLAG_DAYS`` red-flag days, ``MAX_ALERTS`` alerts and ``MAX_NOTES``
notes (each cut to ``NOTE_CHARS`` characters). The chart is inline SVG (WeasyPrint runs no JavaScript).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import fmean

from django.conf import settings
from django.template.loader import render_to_string

from ..models import RED_FLAG_FIELDS, User
from ..progress.cohort import cohort_band
from ..progress.report import CourseReport
from ..selectors.clinic import report_records
from ..selectors.progress import patient_reports
from .svg_chart import progress_chart_svg

MAX_CHARTS = 2
MAX_COURSES_LISTED = 6
MAX_WEEKS = 12
MAX_SESSIONS = 10
MAX_RED_FLAG_DAYS = 8
MAX_ALERTS = 8
MAX_NOTES = 4
NOTE_CHARS = 500

RED_FLAG_LABELS = dict(RED_FLAG_FIELDS)


@dataclass(frozen=True)
class WeekRow:
    week: int  # week since day 0 (week 1 is days 0 to 6; 0 is the week before day 0)
    start: date
    means: tuple[float | None, ...]  # one per treated foot, mean of the logged days (None: nothing logged)
    days_logged: int  # days with a log of any treated foot


def weekly_means(report: CourseReport, *, limit: int = MAX_WEEKS) -> tuple[list[WeekRow], int]:
    """First-step pain per week since day 0 for each treated foot, the last ``limit`` weeks with a log.

    Returns (rows, weeks left out). Gaps are left out of a mean, never counted as 0.
    """
    weeks: dict[int, dict] = {}
    for index, trend in enumerate(report.pain):
        for point in trend.series:
            offset = (point.day - report.day_zero).days
            week = offset // 7 + 1 if offset >= 0 else 0
            entry = weeks.setdefault(week, {"start": point.day, "values": [[] for _ in report.pain], "days": set()})
            entry["start"] = min(entry["start"], point.day)
            if point.first_step_pain is not None:
                entry["values"][index].append(point.first_step_pain)
                entry["days"].add(point.day)
    logged = [w for w in sorted(weeks) if weeks[w]["days"]]
    kept = logged[-limit:]
    rows = [
        WeekRow(
            week=w,
            start=weeks[w]["start"],
            means=tuple(round(fmean(v), 1) if v else None for v in weeks[w]["values"]),
            days_logged=len(weeks[w]["days"]),
        )
        for w in kept
    ]
    return rows, len(logged) - len(kept)


def report_context(*, patient: User, today: date, prepared_by: User) -> dict:
    """Everything the report shows, bounded (see the module docstring). A fixed number of queries."""
    reports = patient_reports(patient=patient, today=today)
    charted = reports[:MAX_CHARTS]
    bands = {kind: cohort_band(kind=kind, exclude_patient_id=patient.pk) for kind in {r.kind for r in charted}}
    courses = []
    for report in charted:
        rows, left_out = weekly_means(report)
        courses.append(
            {
                "report": report,
                "svg": progress_chart_svg(report=report, band=bands.get(report.kind)),
                "band": bands.get(report.kind),
                "milestones": [(i, m) for i, m in enumerate(report.milestones, start=1)],
                "weeks": rows,
                "weeks_left_out": left_out,
            }
        )
    records = report_records(
        patient=patient, red_flag_limit=MAX_RED_FLAG_DAYS, session_limit=MAX_SESSIONS, alert_limit=MAX_ALERTS,
        note_limit=MAX_NOTES,
    )
    return {
        "patient": patient,
        "today": today,
        "prepared_by": prepared_by,
        "courses": courses,
        "other_reports": reports[MAX_CHARTS : MAX_CHARTS + MAX_COURSES_LISTED],
        "all_reports": reports,
        "red_flag_logs": [(log, [RED_FLAG_LABELS[f] for f in log.red_flags]) for log in records.red_flag_logs],
        "sessions": records.sessions,
        "sessions_total": records.sessions_total,
        "alerts": records.alerts,
        "open_alerts": records.open_alerts,
        "notes": records.notes,
        "note_chars": NOTE_CHARS,
    }


def report_document(context: dict):
    """The report laid out by WeasyPrint (a ``weasyprint.Document``: ``.pages``, ``.write_pdf()``)."""
    from weasyprint import HTML  # imported here: loading WeasyPrint's libraries is slow, only reports need it

    html = render_to_string("tracker/report_pdf.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render()
