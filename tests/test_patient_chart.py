"""The shared progress chart payload (tracker.progress.chart): pure, no database."""

import json
from datetime import date, timedelta

from tests.patient_reports import make_report
from tracker.progress.chart import chart_payload, chart_rows
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


# The table's rows as the template language used to build them (before issue 11 moved them into Python).
_TEMPLATE_ROWS = """{% load progress_chart %}{% for row in chart|chart_rows %}
<tr><th scope="row">{{ row.date|date:"D j M" }}</th>{% for cell in row.feet %}
<td>{% if cell.pain is None %}<span class="text-body-secondary">not logged</span>{% else %}{{ cell.pain }}{% endif %}</td>
<td>{% if cell.mean_7d is None %}–{% else %}{{ cell.mean_7d }}{% endif %}</td>{% endfor %}
{% if chart.band %}<td>{% if row.band_median is None %}–{% else %}{{ row.band_median }}{% endif %}</td>{% endif %}
<td>{{ row.sessions|default:"–" }}</td></tr>{% endfor %}"""


def _squeeze(html: str) -> str:
    import re

    return re.sub(r">\s+<", "><", html).strip()


def test_the_table_rows_built_in_python_match_the_template_and_escape():
    from django.template import Context, Template

    start = date(2026, 3, 1)
    pains = {start + timedelta(days=i): 6 - i % 3 for i in range(0, 20, 2)}
    report = make_report(day_zero=start, today=start + timedelta(days=20), pains=pains, baseline=6.0)
    band = [BandPoint(week=w, patients=6, q1=3.0, median=4.5, q3=6.0) for w in range(4)]

    class Marked:
        date = start + timedelta(days=3)
        label = "<b>Massage</b> & more"

    chart = chart_payload(report=report, band=band, sessions=[Marked()])

    built = Template("{% load progress_chart %}{% chart_table_rows chart %}").render(Context({"chart": chart}))
    expected = Template(_TEMPLATE_ROWS).render(Context({"chart": chart}))

    assert _squeeze(built) == _squeeze(expected)
    assert "&lt;b&gt;Massage&lt;/b&gt; &amp; more" in built and "<b>" not in built
    assert built.count("<tr>") == 21 and "not logged" in built and "4.5" in built
