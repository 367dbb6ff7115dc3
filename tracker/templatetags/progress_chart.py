"""Template helpers for the shared progress chart partial."""

from django import template
from django.utils.dateformat import format as date_format
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from ..progress.chart import ChartPayload, ChartRow
from ..progress.chart import chart_rows as _chart_rows

register = template.Library()


@register.filter
def chart_rows(payload: ChartPayload) -> list[ChartRow]:
    """``{% for row in chart|chart_rows %}``: the chart's numbers, one row per day."""
    return _chart_rows(payload)


def _cell(value: object, *, missing: str) -> str:
    return missing if value is None else str(conditional_escape(str(localize(value))))


@register.simple_tag
def chart_table_rows(payload: ChartPayload) -> SafeString:
    """The ``<tr>`` of the chart's table, one per day, built here rather than by the template language: a course of
    a year has 365 rows, and a template loop over them costs more than the rest of the page. Every value is
    escaped."""
    has_band = bool(payload.get("band"))
    rows = _chart_rows(payload)
    if not rows:
        return mark_safe(f'<tr><td colspan="{len(payload["feet"]) + 3}">Nothing logged yet.</td></tr>')
    out = []
    for row in rows:
        cells = [f'<tr><th scope="row">{date_format(row["date"], "D j M")}</th>']
        for foot in row["feet"]:
            pain = _cell(foot["pain"], missing='<span class="text-body-secondary">not logged</span>')
            cells.append(f"<td>{pain}</td><td>{_cell(foot['mean_7d'], missing='–')}</td>")
        if has_band:
            cells.append(f"<td>{_cell(row['band_median'], missing='–')}</td>")
        cells.append(f"<td>{conditional_escape(row['sessions'] or '–')}</td></tr>")
        out.append("".join(cells))
    return mark_safe("\n".join(out))
