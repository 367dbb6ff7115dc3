"""Template helpers for the shared progress chart partial."""

from django import template

from ..progress.chart import ChartPayload, ChartRow
from ..progress.chart import chart_rows as _chart_rows
from ..progress.wording import cohort_band_missing as _cohort_band_missing

register = template.Library()


@register.filter
def chart_rows(payload: ChartPayload) -> list[ChartRow]:
    """``{% for row in chart|chart_rows %}``: the chart's numbers, one row per day."""
    return _chart_rows(payload)


@register.simple_tag
def cohort_band_missing() -> str:
    """``{% cohort_band_missing %}``: the sentence that says why the chart has no band of other patients."""
    return _cohort_band_missing()
