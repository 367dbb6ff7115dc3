"""Template helpers for the shared progress chart partial."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import TYPE_CHECKING

from django import template
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils.formats import get_format, localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from ..progress.chart import ChartPayload, ChartRow
from ..progress.chart import chart_rows as _chart_rows
from ..progress.report import MilestoneResult
from ..progress.wording import cohort_band_missing as _cohort_band_missing
from ..progress.wording import milestone_where_to_answer

if TYPE_CHECKING:
    from ..reports.questionnaire_panel import MeasurePanel

register = template.Library()

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_NOT_LOGGED = '<span class="text-body-secondary">not logged</span>'
_DASH = "–"


@register.filter
def chart_rows(payload: ChartPayload) -> list[ChartRow]:
    """``{% for row in chart|chart_rows %}``: the chart's numbers, one row per day."""
    return _chart_rows(payload)


def _day(d: date) -> str:
    """The date as the ``date:"D j M"`` filter writes it in English ("Mon 5 Jan"), without its cost per row."""
    return f"{_DAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]}"


CHART_TABLE_DAYS = 12 * 7  # the table under a chart: its last 12 weeks (the chart itself draws the whole course)


def _value(value: object, missing: str, *, plain: bool) -> str:
    """A cell: ``missing`` (markup) for no value; a number as ``localize`` writes it; escaped."""
    if value is None:
        return missing
    if plain and isinstance(value, int | float):
        return str(value)  # what localize writes with "." and no thousands separator, at a fraction of its cost
    return escape(str(localize(value)))


def _plain_numbers() -> bool:
    return get_format("DECIMAL_SEPARATOR") == "." and not settings.USE_THOUSAND_SEPARATOR


@register.filter
def chart_table_clipped(payload: ChartPayload) -> bool:
    """``{% if chart|chart_table_clipped %}``: the chart has more days than its table shows."""
    return len(payload["labels"]) > CHART_TABLE_DAYS


@register.simple_tag
def chart_table_body(payload: ChartPayload) -> SafeString:
    """``{% chart_table_body chart %}``: the rows of the table under the chart, one per day.

    Built in Python with f-strings, every text escaped (``html.escape``, as Django's ``escape``): a year of
    days rendered through template tags was most of the page's time, and ``format_html`` per cell still a
    third. The markup is what the template loop wrote (``tests/test_patient_chart.py`` compares).
    """
    # The last CHART_TABLE_DAYS days only, so the page's cost does not grow with the course's length.
    rows = _chart_rows(payload, last=CHART_TABLE_DAYS)
    if not rows:
        return format_html('<tr><td colspan="{}">Nothing logged yet.</td></tr>', len(payload["feet"]) + 3)
    band = bool(payload.get("band"))
    plain = _plain_numbers()  # once per table, not per cell: it reads the active language's formats
    out = []
    for row in rows:
        cells = "".join(
            f"<td>{_value(cell['pain'], _NOT_LOGGED, plain=plain)}</td>"
            f"<td>{_value(cell['mean_7d'], _DASH, plain=plain)}</td>"
            for cell in row["feet"]
        )
        median = f"<td>{_value(row['band_median'], _DASH, plain=plain)}</td>" if band else ""
        sessions = escape(row["sessions"]) if row["sessions"] else _DASH
        out.append(f'<tr><th scope="row">{_day(row["date"])}</th>{cells}{median}<td>{sessions}</td></tr>')
    return mark_safe("\n".join(out))


@register.simple_tag
def cohort_band_missing() -> str:
    """``{% cohort_band_missing %}``: the sentence that says why the chart has no band of other patients."""
    return _cohort_band_missing()


@register.filter
def where_to_answer(milestone: MilestoneResult) -> str:
    """``{{ m|where_to_answer }}``: where the daily log asks about a milestone not shown yet."""
    return milestone_where_to_answer(milestone)


@register.simple_tag
def score_table_rows(panel: MeasurePanel) -> SafeString:
    """``{% score_table_rows panel %}``: the rows of a questionnaire score's table on /progress/ (date, score, and
    the band of other patients that week when the panel has one), as the template loop wrote them
    (``tests/test_cohort_function.py`` compares): a year of fortnightly scores, three measures, was most of the
    page's template time."""
    out = []
    for day, value, band in panel.table_rows:
        cells = f"<td>{_day_long(day)}</td><td>{escape(floatformat(value, '-1'))}</td>"
        if panel.band_cells:
            cells += f"<td>{escape(band or '')}</td>"
        out.append(f"<tr>{cells}</tr>")
    return mark_safe("".join(out))


def _day_long(d: date) -> str:
    """The date as the ``date:"j M Y"`` filter writes it in English ("5 Jan 2026")."""
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"
