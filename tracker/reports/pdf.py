"""The doctor-ready progress report: one patient on 1 to 3 A4 pages, rendered on the server by WeasyPrint.

Bounded so it stays within ``MAX_PAGES`` whatever the history: a few course charts (active courses first),
pain as weekly means for the last weeks (the full diary is in logs.csv), and the latest sessions, red-flag days,
days edited after they were logged (with the values replaced), alerts and notes, each list cut to a limit
(``Limits``). ``report_pdf_document`` lays the report out at the
fullest level of detail first and, should a history still run past 3 pages (very long notes, many courses),
again with fewer rows, until it fits. The chart is inline SVG (WeasyPrint runs no JavaScript).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import fmean

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.text import slugify

from ..models import RED_FLAG_FIELDS, User
from ..progress.questionnaires import report_with_function
from ..progress.report import CourseReport
from ..selectors.clinic import report_records
from ..selectors.cohort import cohort_bands
from ..selectors.history import edited_days, recently_edited_logs
from ..selectors.progress import patient_reports
from .questionnaire_panel import questionnaire_panel
from .svg_chart import chart_last_week, progress_chart_svg

MAX_PAGES = 3


@dataclass(frozen=True)
class Limits:
    """How much of each list the report shows."""

    charts: int
    courses_listed: int
    weeks: int
    sessions: int
    red_flag_days: int
    alerts: int
    notes: int
    note_chars: int
    edited_days: int


# Most detail first; each next level is tried only if the previous one ran past MAX_PAGES.
LEVELS = (
    Limits(
        charts=2,
        courses_listed=8,
        weeks=12,
        sessions=10,
        red_flag_days=8,
        alerts=8,
        notes=4,
        note_chars=500,
        edited_days=6,
    ),
    Limits(
        charts=2,
        courses_listed=5,
        weeks=8,
        sessions=6,
        red_flag_days=5,
        alerts=5,
        notes=3,
        note_chars=300,
        edited_days=4,
    ),
    Limits(
        charts=1,
        courses_listed=3,
        weeks=6,
        sessions=4,
        red_flag_days=3,
        alerts=3,
        notes=2,
        note_chars=160,
        edited_days=2,
    ),
)
MAX_WEEKS = LEVELS[0].weeks

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


def report_context(*, patient: User, today: date, prepared_by: User, limits: Limits = LEVELS[0]) -> dict:
    """Everything the report shows, cut to ``limits``. A fixed number of queries (see ``report_records``)."""
    questionnaires = questionnaire_panel(patient=patient)
    reports = [
        report_with_function(r, questionnaires["decline_changes"])
        for r in patient_reports(patient=patient, today=today)
    ]
    charted = reports[: limits.charts]
    wanted: dict[str, int | None] = {}
    for report in charted:  # only the weeks the charts draw
        wanted[report.kind] = max(wanted.get(report.kind) or 0, chart_last_week(report))
    bands = cohort_bands(wanted, exclude_patient_id=patient.pk)
    courses = []
    for report in charted:
        courses.append(
            {
                "report": report,
                "svg": progress_chart_svg(report=report, band=bands[report.kind]),
                "band": bands[report.kind],
                "milestones": [(i, m) for i, m in enumerate(report.milestones, start=1)],
            }
        )
    records = report_records(
        patient=patient,
        red_flag_limit=limits.red_flag_days,
        session_limit=limits.sessions,
        alert_limit=limits.alerts,
        note_limit=limits.notes,
    )
    recent, edited_total = recently_edited_logs(patient=patient, limit=2 * LEVELS[0].edited_days)
    # Versions are read only for the logs the report can show: the most recently edited, and the red-flag days.
    shown = edited_days(patient=patient, log_ids={*recent, *(log.pk for log in records.red_flag_logs)})
    edited_ids = {day.log_id for day in shown}
    edited = [day for day in shown if day.log_id in recent]
    context = {
        "patient": patient,
        "today": today,
        "prepared_by": prepared_by,
        "courses": courses,
        "all_reports": reports,
        "red_flag_logs": [
            (log, [RED_FLAG_LABELS[f] for f in log.red_flags], log.pk in edited_ids) for log in records.red_flag_logs
        ],
        "edited_days": edited,
        "edited_total": max(edited_total, len(edited)),
        "sessions": records.sessions,
        "sessions_total": records.sessions_total,
        "alerts": records.alerts,
        "open_alerts": records.open_alerts,
        "notes": records.notes,
        "questionnaires": questionnaires,
    }
    return with_limits(context, limits)


def with_limits(context: dict, limits: Limits) -> dict:
    """``context`` cut down to ``limits`` (no query: the lists are only sliced)."""
    courses = []
    for course in context["courses"][: limits.charts]:
        rows, left_out = weekly_means(course["report"], limit=limits.weeks)
        courses.append({**course, "weeks": rows, "weeks_left_out": left_out})
    reports = context["all_reports"]
    return {
        **context,
        "limits": limits,
        "courses": courses,
        "listed_reports": reports[: limits.courses_listed],
        "unlisted_reports": max(0, len(reports) - limits.courses_listed),
        "red_flag_logs": context["red_flag_logs"][: limits.red_flag_days],
        "listed_edited_days": context["edited_days"][: limits.edited_days],
        "sessions": context["sessions"][: limits.sessions],
        "alerts": context["alerts"][: limits.alerts],
        "notes": context["notes"][: limits.notes],
        "note_chars": limits.note_chars,
    }


def report_document(context: dict):
    """The report laid out by WeasyPrint (a ``weasyprint.Document``: ``.pages``, ``.write_pdf()``)."""
    from weasyprint import HTML  # imported here: loading WeasyPrint's libraries is slow, only reports need it

    html = render_to_string("tracker/report_pdf.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render()


def report_filename(*, patient: User, today: date) -> str:
    """The PDF's file name: the patient's name (ASCII letters, digits and dashes only) and the date,
    e.g. ``progress-report-ann-smith-2026-11-22.pdf``."""
    name = slugify(patient.display_name) or "patient"  # slugify drops accents: é becomes e
    return f"progress-report-{name}-{today:%Y-%m-%d}.pdf"


def report_pdf_document(*, patient: User, today: date, prepared_by: User):
    """The report at the most detail that fits in ``MAX_PAGES`` pages (queries run once, layout up to 3 times)."""
    context = report_context(patient=patient, today=today, prepared_by=prepared_by)
    document = None
    for limits in LEVELS:
        document = report_document(with_limits(context, limits))
        if len(document.pages) <= MAX_PAGES:
            break
    return document
