"""The PDF report (1 to 3 pages, with its server-drawn chart), logs.csv, and the SVG chart functions."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date, timedelta
from types import SimpleNamespace
from typing import cast

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tests.factories import AlertFactory, ClinicalNoteFactory, CourseFactory, DailyLogFactory, SessionFactory
from tracker.csv_format import LOG_COLUMNS
from tracker.models import AuditAction, AuditEvent, DailyLog, Foot, User
from tracker.progress.report import (
    BandPoint,
    CourseReport,
    Expectation,
    MilestoneResult,
    MilestoneStatus,
    OverallStatus,
    PainPoint,
    PainTrend,
    SessionsProgress,
)
from tracker.progress.timelines import ENDOSCOPIC_USUAL_ACTIVITIES_CITATION
from tracker.progress.wording import chart_description, trend_words
from tracker.reports import pdf
from tracker.reports.pdf import LEVELS, report_context, report_document, report_pdf_document, weekly_means
from tracker.reports.svg_chart import progress_chart_svg, sparkline_svg

# ---------------------------------------------------------------------------------------------------------
# Pure: the SVG chart functions
# ---------------------------------------------------------------------------------------------------------


def test_the_sparkline_breaks_at_gaps_and_says_what_it_shows():
    values = [6, 5, None, None, 4, 3, 3]

    svg = sparkline_svg(values)

    assert svg.startswith("<svg") and 'role="img"' in svg
    assert svg.count("<polyline") == 2  # two runs of days, never drawn through the gap
    assert svg.count("<circle") == 5
    assert trend_words(values) == "First-step pain, last 7 days: 6, 5, no log, no log, 4, 3, 3 (down from 6 to 3)."
    assert f"<title>{trend_words(values)}</title>" in svg


def test_trend_words_for_nothing_logged():
    assert trend_words([None] * 7) == "No first-step pain logged in the last 7 days."


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ([None, None, 5, None, None, None, None], "no log, no log, 5, no log, no log, no log, no log (too few days"),
        ([3, None, 4, 6, None, None, 5], "3, no log, 4, 6, no log, no log, 5 (up from 3 to 5)"),
        ([4, 6, 4], "4, 6, 4 (level)"),
        ([6.5, 5, 2.5], "6.5, 5, 2.5 (down from 6.5 to 2.5)"),
    ],
)
def test_trend_words_compare_the_first_and_last_logged_days(values, words):
    assert trend_words(values).startswith(f"First-step pain, last 7 days: {words}")


def _report(*, days: int = 40, with_window: bool = True) -> CourseReport:
    day_zero = date(2026, 1, 1)
    today = day_zero + timedelta(days=days)
    series = tuple(
        PainPoint(
            day=day_zero + timedelta(days=d),
            first_step_pain=None if d % 9 == 4 else max(0, 7 - d // 6),
            mean_7d=max(0.0, 7 - d / 6),
        )
        for d in range(-3, days + 1)
    )
    expectation = Expectation(
        key="usual_activities",
        kind="endoscopic",
        title="Back to <usual> activities",
        citation=ENDOSCOPIC_USUAL_ACTIVITIES_CITATION,
        window_start_day=21,
        window_end_day=42,
        window_words="3 to 6 weeks after surgery",
    )
    milestone = MilestoneResult(
        expectation=expectation,
        status=MilestoneStatus.NOT_YET_DUE,
        reached_on=None,
        window_start=day_zero + timedelta(days=21) if with_window else None,
        window_end=day_zero + timedelta(days=42) if with_window else None,
    )
    return CourseReport(
        course_id=7,
        course_public_id="c7",
        kind="endoscopic",
        kind_label="Endoscopic plantar fascia release",
        foot="left",
        day_zero=day_zero,
        course_status="active",
        today=today,
        day=days,
        week=days // 7 + 1,
        sessions=SessionsProgress(done=0, planned=None, typical_low=None, typical_high=None, citation=None),
        milestones=(milestone,),
        pain=(
            PainTrend(
                foot="left", baseline=7.0, mean_7d=2.0, change=-5.0, meaningful=True, series=series, improved=True
            ),
        ),
        findings=(),
        status=OverallStatus.ON_TRACK,
        decided_by=None,
        last_logged_on=today,
        as_of=today,
    )


def test_the_progress_chart_draws_the_expected_window_and_escapes_text():
    svg = progress_chart_svg(report=_report(), band=None)

    assert svg.startswith("<svg") and "<title" in svg and "<desc" in svg
    assert 'fill="#2e7d32"' in svg  # the expected window
    assert "Back to &lt;usual&gt; activities" in svg and "<usual>" not in svg
    assert "day 21 to 42" in svg
    assert svg.count("<polyline") >= 1


def test_the_chart_description_says_what_is_known_of_each_foot():
    report = _report()
    trend = report.pain[0]
    no_baseline = replace(report, pain=(replace(trend, baseline=None, change=None, meaningful=False),))

    assert "Left foot: 7-day mean 2, starting level 7, change -5 (meaningful)." in chart_description(report, None)
    assert "Left foot: 7-day mean 2." in chart_description(no_baseline, None)
    assert "starting level" not in chart_description(no_baseline, None)


def test_the_progress_chart_draws_the_cohort_band_on_the_weeks_it_shows():
    report = _report(days=20, with_window=False)  # days -3 to 20: weeks 1 to 3 have their middle (3, 10, 17) on it
    band = [
        BandPoint(week=week, median=5, q1=4, q3=6, patients=patients)
        for week, patients in ((1, 6), (2, 5), (3, 5), (4, 5), (9, 7))
    ]

    svg = progress_chart_svg(report=report, band=band)

    assert svg.count("<polygon") == 1 and 'stroke-dasharray="4 3"' in svg
    [median] = re.findall(r'<polyline points="([^"]+)" fill="none" stroke="#5c6670"', svg)
    assert len(median.split()) == 3  # weeks 4 and 9 lie past day 20: not drawn
    assert "Shaded band: middle half of 6 or fewer other patients" in svg  # 7 is week 9's, not drawn


def test_a_band_with_no_week_on_the_chart_is_neither_drawn_nor_described():
    svg = progress_chart_svg(
        report=_report(days=10, with_window=False), band=[BandPoint(week=6, median=5, q1=4, q3=6, patients=5)]
    )

    assert "<polygon" not in svg
    assert "Shaded band" not in svg


def test_weekly_means_keep_the_last_weeks_and_count_the_rest():
    rows, left_out = weekly_means(_report(days=200), limit=12)

    assert len(rows) == 12 and left_out > 0
    assert rows[-1].week == 200 // 7 + 1
    assert all(r.means[0] is not None for r in rows)


# ---------------------------------------------------------------------------------------------------------
# The PDF report
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def a_year(patient, physio):
    """Alice after a year: three courses, both feet logged daily, red flags, sessions, alerts, long notes."""
    today = patient.local_today()
    start = today - timedelta(days=365)
    CourseFactory.create(patient=patient, needling=True, foot="both", day_zero=start)
    CourseFactory.create(patient=patient, endoscopic=True, day_zero=today - timedelta(days=120))
    CourseFactory.create(patient=patient, day_zero=today - timedelta(days=300), stopped=True)
    DailyLog.objects.bulk_create(
        [
            DailyLog(
                patient=patient,
                date=start + timedelta(days=d),
                foot=foot,
                recorded_on=today,
                first_step_pain=max(0, 8 - d // 50),
                average_pain=3,
                rf_calf=(d % 40 == 0),
                note="=SUM(A1:A9)" if d == 3 else "",
            )
            for d in range(-5, 366)
            for foot in (Foot.LEFT, Foot.RIGHT)
        ]
    )
    for d in range(0, 360, 12):
        SessionFactory.create(patient=patient, needling=True, date=start + timedelta(days=d), performed_by=physio)
    for i in range(20):
        AlertFactory.create(patient=patient, critical=i % 3 == 0, message=f"Alert number {i} " + "x" * 200)
    for _ in range(12):
        ClinicalNoteFactory.create(patient=patient, author=physio, text="A long clinical note. " * 300)
    return today


def test_the_pdf_is_1_to_3_pages_for_a_year_of_logs(patient, physio, a_year):
    context = report_context(patient=patient, today=a_year, prepared_by=physio)
    html = render_to_string("tracker/report_pdf.html", context)

    document = report_pdf_document(patient=patient, today=a_year, prepared_by=physio)

    assert 1 <= len(document.pages) <= 3
    assert html.count('class="progress-svg"') == 2  # the chart, drawn on the server, for the two charted courses
    assert "Alice Archer" in html and "Bob Baker" in html
    assert "Warning signs ticked" in html and "Pain and swelling in one calf" in html
    assert "weekly means" in html and "every day is in the logs.csv export" in html
    assert document.write_pdf().startswith(b"%PDF")


def test_the_pdf_tries_less_detail_until_it_fits_and_else_keeps_the_sparsest(patient, physio, monkeypatch):
    pages_at: dict[pdf.Limits, int] = {}  # pages the fake layout gives at each level of detail
    tried = []

    def layout(context):
        tried.append(context["limits"])
        return SimpleNamespace(pages=[None] * pages_at[context["limits"]])

    monkeypatch.setattr(pdf, "report_document", layout)
    today = patient.local_today()

    pages_at.update({LEVELS[0]: 4, LEVELS[1]: 3, LEVELS[2]: 2})
    assert len(report_pdf_document(patient=patient, today=today, prepared_by=physio).pages) == 3
    assert tried == [LEVELS[0], LEVELS[1]]

    tried.clear()
    pages_at.update({LEVELS[0]: 6, LEVELS[1]: 5, LEVELS[2]: 4})
    assert len(report_pdf_document(patient=patient, today=today, prepared_by=physio).pages) == 4
    assert tried == list(LEVELS)


def test_the_pdf_view_downloads_and_audits(patient, physio, physio_client, a_year):
    response = physio_client.get(reverse("clinic:report_pdf", args=[patient.public_id]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, patient=patient)
    assert event.actor == physio and event.target == "progress report PDF" and 1 <= event.detail["pages"] <= 3


def test_the_pdf_of_a_patient_with_nothing_yet(patient, physio, physio_client):
    document = report_document(report_context(patient=patient, today=patient.local_today(), prepared_by=physio))

    assert len(document.pages) == 1


def test_a_typical_history_fits_at_full_detail(patient, physio):
    """Six weeks of daily logs, a course, a few sessions and notes: 3 pages or fewer without cutting anything."""
    today = patient.local_today()
    CourseFactory.create(patient=patient, needling=True, day_zero=today - timedelta(days=42))
    for d in range(45):
        DailyLogFactory.create(patient=patient, date=today - timedelta(days=d), first_step_pain=max(0, 7 - d // 7))
    for d in range(0, 42, 7):
        SessionFactory.create(patient=patient, needling=True, date=today - timedelta(days=d), performed_by=physio)
    ClinicalNoteFactory.create(patient=patient, author=physio, text="Improving; continue plan.")

    document = report_document(report_context(patient=patient, today=today, prepared_by=physio, limits=LEVELS[0]))

    assert len(document.pages) <= 3


# ---------------------------------------------------------------------------------------------------------
# logs.csv
# ---------------------------------------------------------------------------------------------------------


def test_logs_csv_neutralises_formulas_and_audits(patient, physio, physio_client):
    today = patient.local_today()
    DailyLogFactory.create(patient=patient, date=today, note='=HYPERLINK("https://evil.example")')
    DailyLogFactory.create(patient=patient, date=today - timedelta(days=1), note="+1 better, -2 worse, @home")

    response = physio_client.get(reverse("clinic:logs_csv", args=[patient.public_id]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert tuple(rows[0]) == (*LOG_COLUMNS, "edited")
    notes = [row[LOG_COLUMNS.index("note")] for row in rows[1:]]
    assert notes == ["'+1 better, -2 worse, @home", '\'=HYPERLINK("https://evil.example")']  # oldest first
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, patient=patient, target="daily logs CSV").exists()


# ----------------------------------------------------------------------------------------------------------
# Issue 11 and 14: the PDF reads only what it shows, is named, keeps rows whole, and prints readably
# ----------------------------------------------------------------------------------------------------------


def test_the_pdf_is_named_with_the_patient_and_the_date(patient, physio, physio_client):
    patient.first_name, patient.last_name = "Zoë", "O'Brien-Smith"
    patient.save()

    response = physio_client.get(reverse("clinic:report_pdf", args=[patient.public_id]))

    today = patient.local_today()
    assert response["Content-Disposition"] == (
        f'attachment; filename="progress-report-zoe-obrien-smith-{today:%Y-%m-%d}.pdf"'
    )
    assert pdf.report_filename(patient=cast("User", SimpleNamespace(display_name="  ")), today=today) == (
        f"progress-report-patient-{today:%Y-%m-%d}.pdf"
    )


def test_no_table_row_is_split_across_pages(patient, physio):
    html = render_to_string(
        "tracker/report_pdf.html", report_context(patient=patient, today=patient.local_today(), prepared_by=physio)
    )

    assert "tr { page-break-inside: avoid; break-inside: avoid; }" in html


def test_a_long_course_is_charted_for_its_last_12_weeks_with_today_labelled():
    long = progress_chart_svg(report=_report(days=200), band=None)
    short = progress_chart_svg(report=_report(days=40), band=None)

    assert "Days since day 0 (the last 12 weeks)" in long and "(the last 12 weeks)" not in short
    # Dots only for the last 84 days (one in 9 days is a gap), none from before.
    ticks = [int(t) for t in re.findall(r'text-anchor="middle" fill="#212529">(\d+)</text>', long)]
    assert min(ticks) >= 200 - 84
    assert long.count("<circle") == sum(1 for d in range(200 - 83, 201) if d % 9 != 4)
    assert "day 21 to 42" in short and 'fill="#2e7d32"' not in long  # the window ended before the chart starts
    for svg in (long, short):
        assert 'class="today"' in svg and ">today</text>" in svg and 'r="2.2"' in svg


def test_the_pdf_lists_the_most_recently_edited_days_and_counts_them_all(patient, physio, a_year):
    from tracker.services.audit import AuditContext
    from tracker.services.logs import daily_log_save

    today = a_year
    for d in range(8):  # eight days edited: the report lists the 6 most recent, and says there are 8
        for pain in (4, 5):
            daily_log_save(
                patient=patient,
                day=today - timedelta(days=d),
                data_by_foot={"left": {"first_step_pain": pain, "average_pain": 3}},
                today=today,
                audit=AuditContext(actor=patient),
            )

    context = report_context(patient=patient, today=today, prepared_by=physio)

    assert context["edited_total"] == 8
    listed = context["listed_edited_days"]
    assert len(listed) == 6
    assert listed == sorted(listed, key=lambda day: day.last_edited, reverse=True)
    assert [day.date for day in listed] == [today - timedelta(days=d) for d in range(7, 1, -1)]  # saved last
