"""Template helpers for the shared progress chart partial."""

from django import template

from ..progress.chart import ChartPayload, ChartRow
from ..progress.chart import chart_rows as _chart_rows
from ..progress.report import MilestoneResult
from ..progress.wording import cohort_band_missing as _cohort_band_missing
from ..progress.wording import milestone_where_to_answer

register = template.Library()


@register.filter
def chart_rows(payload: ChartPayload) -> list[ChartRow]:
    """``{% for row in chart|chart_rows %}``: the chart's numbers, one row per day."""
    return _chart_rows(payload)


@register.simple_tag
def cohort_band_missing() -> str:
    """``{% cohort_band_missing %}``: the sentence that says why the chart has no band of other patients."""
    return _cohort_band_missing()


@register.filter
def where_to_answer(milestone: MilestoneResult) -> str:
    """``{{ m|where_to_answer }}``: where the daily log asks about a milestone not shown yet."""
    return milestone_where_to_answer(milestone)
