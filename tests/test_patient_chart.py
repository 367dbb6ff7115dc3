"""The shared progress chart payload (tracker.progress.chart): pure, no database."""

import json
from datetime import date, timedelta
from typing import Any, cast

import pytest

from tests.patient_reports import make_report
from tracker.progress.chart import ChartPayload, chart_payload, chart_rows
from tracker.progress.report import BandPoint


def test_it_aligns_series_to_days_with_gaps_as_null():
    start = date(2026, 3, 1)
    report = make_report(
        day_zero=start, today=start + timedelta(days=3), pains={start: 6, start + timedelta(days=2): 4}
    )

    payload = chart_payload(report=report, band=None)

    assert payload["labels"] == [(start + timedelta(days=i)).isoformat() for i in range(4)]
    assert payload["feet"][0]["pain"] == [6, None, 4, None]
    assert payload["band"] is None
    json.dumps(payload)  # JSON-ready


def test_it_draws_the_meaningful_improvement_line_two_points_below_baseline():
    start = date(2026, 3, 1)
    report = make_report(day_zero=start, today=start, pains={start: 6}, baseline=6.0)

    foot = chart_payload(report=report, band=None)["feet"][0]

    assert foot["baseline"] == 6.0
    assert foot["target"] == 4.0


def test_it_never_puts_the_improvement_line_below_zero():
    start = date(2026, 3, 1)
    report = make_report(day_zero=start, today=start, pains={start: 1}, baseline=1.0)

    assert chart_payload(report=report, band=None)["feet"][0]["target"] == 0.0


def test_it_maps_the_cohort_band_by_week_since_day_zero():
    start = date(2026, 3, 1)
    report = make_report(day_zero=start, today=start + timedelta(days=8), pains={start: 5})
    band = [BandPoint(week=1, median=5, q1=4, q3=6, patients=5), BandPoint(week=2, median=4, q1=3, q3=5, patients=6)]

    drawn = chart_payload(report=report, band=band)["band"]

    assert drawn is not None
    assert drawn["median"][:7] == [5.0] * 7
    assert drawn["median"][7:9] == [4.0, 4.0]
    assert drawn["patients_min"] == 5


def test_it_leaves_out_a_band_with_no_week_on_the_chart():
    """The clinic has 5 patients only in later weeks: nothing to draw beside this course's first days."""
    start = date(2026, 3, 1)
    report = make_report(day_zero=start, today=start + timedelta(days=3), pains={start: 5})
    band = [BandPoint(week=4, median=3, q1=2, q3=4, patients=5)]

    assert chart_payload(report=report, band=band)["band"] is None


def test_a_course_that_starts_in_the_future_has_an_empty_chart_that_says_so():
    start = date(2026, 3, 1)
    report = make_report(day_zero=start, today=start - timedelta(days=1), pains={})

    payload = chart_payload(report=report, band=None)

    assert payload["labels"] == []
    assert payload["summary"] == (f"Chart of first-step pain for {payload['title']}: nothing logged yet.")


def test_it_marks_sessions_and_milestone_windows():
    from types import SimpleNamespace

    start = date(2026, 3, 1)
    report = make_report(day_zero=start, today=start + timedelta(days=2), pains={start: 5}, with_milestone=True)
    sessions = [SimpleNamespace(date=start + timedelta(days=1), label="Home massage")]

    payload = chart_payload(report=report, band=None, sessions=sessions)

    assert payload["sessions"] == [{"date": "2026-03-02", "label": "Home massage", "index": 1}]
    assert payload["milestones"][0]["source"] == "Plantar fascia release, patient leaflet (Healthwise, 2023)"
    rows = chart_rows(payload)
    assert rows[1]["sessions"] == "Home massage"
    assert rows[1]["feet"][0]["pain"] is None


def test_the_partial_renders_a_labelled_canvas_the_data_and_a_table():
    from django.template.loader import render_to_string

    start = date(2026, 3, 1)
    report = make_report(day_zero=start, today=start + timedelta(days=1), pains={start: 6}, baseline=6.0)
    chart = chart_payload(report=report, band=None)

    html = render_to_string("tracker/partials/progress_chart.html", {"chart": chart, "chart_id": "chart-1"})

    assert (
        '<canvas id="chart-1" data-progress-chart="chart-1-data" role="img" aria-label="Chart of first-step pain'
        in html
    )
    assert '<script id="chart-1-data" type="application/json">' in html
    assert "<caption>" in html and '<th scope="col">Left foot: first-step pain</th>' in html
    assert "not logged" in html
    assert "vendor/chart.js/chart.umd.js" in html and "js/progress_chart.js" in html


@pytest.mark.parametrize("with_band", [True, False])
def test_the_table_rows_built_in_python_are_what_the_template_loop_wrote(with_band):
    from django.template import Context, Template

    from tracker.templatetags.progress_chart import chart_table_body

    labels = [date(2026, 3, 1) + timedelta(days=d) for d in range(10)]
    chart: dict[str, Any] = {
        "labels": [d.isoformat() for d in labels],
        "feet": [
            {
                "label": "Left foot",
                "pain": [6, None, 5, 4, None, 3, 2, 2, 1, 0],
                "mean_7d": [None, 6.0, 5.5] + [4.3] * 7,
            },
            {"label": "Right foot", "pain": [None] * 9 + [7], "mean_7d": [None] * 10},
        ],
        "sessions": [
            {"date": labels[2].isoformat(), "label": "Massage <deep>"},
            {"date": labels[2].isoformat(), "label": "Other"},
        ],
        "band": {"median": [None, 5.5, 5.0] + [4.0] * 7, "q1": [], "q3": [], "patients_min": 5} if with_band else None,
    }
    # The loop the partial had before (tracker/templatetags/progress_chart.py builds the same rows).
    old = Template(
        """{% load progress_chart %}{% for row in chart|chart_rows %}
          <tr>
            <th scope="row">{{ row.date|date:"D j M" }}</th>
            {% for cell in row.feet %}
              <td>{% if cell.pain is None %}<span class="text-body-secondary">not logged</span>{% else %}{{ cell.pain }}{% endif %}</td>
              <td>{% if cell.mean_7d is None %}–{% else %}{{ cell.mean_7d }}{% endif %}</td>
            {% endfor %}
            {% if chart.band %}<td>{% if row.band_median is None %}–{% else %}{{ row.band_median }}{% endif %}</td>{% endif %}
            <td>{{ row.sessions|default:"–" }}</td>
          </tr>
        {% empty %}
          <tr><td colspan="{{ chart.feet|length|add:3 }}">Nothing logged yet.</td></tr>
        {% endfor %}"""
    )

    def squeeze(html: str) -> str:
        return "".join(line.strip() for line in html.splitlines())

    assert squeeze(chart_table_body(cast("ChartPayload", chart))) == squeeze(old.render(Context({"chart": chart})))
    assert "Massage &lt;deep&gt;, Other" in chart_table_body(cast("ChartPayload", chart))
    empty = {**chart, "labels": [], "feet": chart["feet"][:1]}
    assert squeeze(chart_table_body(cast("ChartPayload", empty))) == squeeze(old.render(Context({"chart": empty})))


def test_the_table_under_a_long_chart_shows_its_last_12_weeks_and_says_so():
    from django.template import Context, Template

    from tracker.templatetags.progress_chart import CHART_TABLE_DAYS, chart_table_body

    start = date(2025, 1, 6)
    days = [start + timedelta(days=d) for d in range(200)]
    chart: dict[str, Any] = {
        "title": "Home massage",
        "labels": [d.isoformat() for d in days],
        "feet": [{"label": "Left foot", "pain": [d % 10 for d in range(200)], "mean_7d": [None] * 200}],
        "sessions": [],
        "band": None,
    }

    rows = chart_table_body(cast("ChartPayload", chart))

    assert rows.count("<tr>") == CHART_TABLE_DAYS == 84
    assert "Thu 24 Jul" in rows  # the last day (day 199)
    assert "Mon 6 Jan" not in rows  # the first, only on the chart
    caption = Template("{% load progress_chart %}{% if chart|chart_table_clipped %}clipped{% endif %}")
    assert caption.render(Context({"chart": chart})) == "clipped"
    assert caption.render(Context({"chart": {**chart, "labels": chart["labels"][:84]}})) == ""
