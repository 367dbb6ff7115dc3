"""Template helpers for the shared progress chart partial."""

from django import template

from ..progress.chart import ChartPayload, ChartRow
from ..progress.chart import chart_rows as _chart_rows

register = template.Library()


@register.filter
def chart_rows(payload: ChartPayload) -> list[ChartRow]:
    """``{% for row in chart|chart_rows %}``: the chart's numbers, one row per day."""
    return _chart_rows(payload)
