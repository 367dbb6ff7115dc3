"""The questionnaires' panel on the pages that show progress: the patient's /progress/, the clinic patient page
and the PDF report (issue 13). Scores and changes come from the selector, the words from the wording module."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ..models import User
from ..progress.cohort import function_week, function_week_days
from ..progress.questionnaires import BASELINE_EARLY_DAYS, Measure, MeasureReading, meaningful_declines
from ..progress.report import BandPoint, CourseReport, FunctionChange
from ..progress.timelines import (
    FAAM_MCID_CITATION,
    FAAM_MIN_ANSWERED_CITATION,
    PSFS_MDC_CITATION,
    PSFS_SCORE_CITATION,
)
from ..progress.wording import (
    function_band_cell,
    function_band_sentence,
    function_change_sentence,
    function_change_team,
)
from ..selectors.questionnaires import QuestionnaireHistory, questionnaire_history
from .questionnaire_svg import score_chart_svg

MEASURE_TITLES = {
    Measure.FAAM_ADL: "Daily activities (FAAM)",
    Measure.FAAM_SPORTS: "Sports (FAAM)",
    Measure.PSFS: "Activities you named (PSFS)",
}
MEASURE_MAXIMUM = {Measure.FAAM_ADL: 100, Measure.FAAM_SPORTS: 100, Measure.PSFS: 10}
MEASURE_CITATIONS = {
    Measure.FAAM_ADL: FAAM_MCID_CITATION,
    Measure.FAAM_SPORTS: FAAM_MCID_CITATION,
    Measure.PSFS: PSFS_MDC_CITATION,
    Measure.PSFS_ACTIVITY: PSFS_MDC_CITATION,
}


@dataclass(frozen=True)
class MeasurePanel:
    title: str
    reading: MeasureReading
    chart: str
    sentences: list[str]  # the patient's words
    team_lines: list[str]  # the care team's
    # The FAAM daily activities panel only, once ``with_function_band`` has added the clinic's band:
    band_sentence: str = ""  # what the band is, or why there is none
    band_cells: tuple[str, ...] = ()  # per score (same order as reading.points): the band that week, or a dash

    @property
    def table_rows(self) -> list[tuple[date, float, str | None]]:
        """(date, score, the band that week or None when the panel has no band column), oldest first."""
        cells = self.band_cells or (None,) * len(self.reading.points)
        return [(day, value, cell) for (day, value), cell in zip(self.reading.points, cells, strict=True)]


def _panel(measure: Measure, reading: MeasureReading) -> MeasurePanel:
    sentences, lines = [], []
    for against, change in (("baseline", reading.since_baseline), ("previous", reading.since_previous)):
        if change is None or (against == "previous" and reading.since_baseline == change):
            continue
        if against == "previous" and len(reading.points) < 3:
            continue
        finding = FunctionChange(change=change, against=against, citations=(MEASURE_CITATIONS[measure],))
        sentences.append(function_change_sentence(finding))
        lines.append(function_change_team(change, against))
    return MeasurePanel(
        title=MEASURE_TITLES[measure],
        reading=reading,
        chart=score_chart_svg(reading.points, maximum=MEASURE_MAXIMUM[measure], title=MEASURE_TITLES[measure]),
        sentences=sentences,
        team_lines=lines,
    )


def function_days(questionnaires: dict) -> list[date]:
    """The dates of the FAAM daily activities scores in ``questionnaires`` (``questionnaire_panel``): the weeks of
    the band to read (``tracker.selectors.progress.course_charts``)."""
    panel = next((p for p in questionnaires["panels"] if p.reading.measure == Measure.FAAM_ADL), None)
    return [day for day, _ in panel.reading.points] if panel else []


def questionnaire_panel(*, patient: User) -> dict:
    """What the progress pages, the clinic page and the PDF show of the questionnaires. Queries: 3."""
    history: QuestionnaireHistory = questionnaire_history(patient=patient)
    panels = [_panel(m, history.readings[m]) for m in MEASURE_TITLES if history.readings[m].points]
    declines = meaningful_declines([*history.readings.values(), *history.activity_readings])
    return {
        "history": history,
        "panels": panels,
        "declines": [function_change_team(c) for c in declines],
        "decline_changes": declines,
        "citations": [FAAM_MCID_CITATION, FAAM_MIN_ANSWERED_CITATION, PSFS_SCORE_CITATION, PSFS_MDC_CITATION],
    }


def with_function_band(questionnaires: dict, *, report: CourseReport | None, band: Sequence[BandPoint] | None) -> dict:
    """``questionnaires`` with the FAAM daily activities panel showing the cohort band ``band``: the clinic's other
    patients on the same kind of course as ``report`` (the patient's first course: active first, the latest day 0),
    by week since its day 0 (``tracker.progress.cohort.function_week``), where at least 5 answered. The band is
    read with the pain bands (``tracker.selectors.progress.course_charts`` given ``function_days``): no query
    here. Unchanged without a FAAM daily activities score, a course or a band read (None)."""
    panels = questionnaires["panels"]
    index = next((i for i, p in enumerate(panels) if p.reading.measure == Measure.FAAM_ADL), None)
    if index is None or report is None or band is None:
        return questionnaires
    panel = panels[index]
    # A score from before this course (earlier than its baseline window) has no week of it: no band beside it.
    earliest = report.day_zero - timedelta(days=BASELINE_EARLY_DAYS)
    weeks = [function_week(day, day_zero=report.day_zero) if day >= earliest else 0 for day, _ in panel.reading.points]
    by_week = {point.week: point for point in band}
    segments = [
        (week_start, week_end, point.q1, point.median, point.q3)
        for week, point in sorted(by_week.items())
        for week_start, week_end in [function_week_days(week, day_zero=report.day_zero)]
    ]
    cells = tuple(function_band_cell(by_week.get(week) if week else None) for week in weeks)
    shown = any(week and week in by_week for week in weeks)
    banded = replace(
        panel,
        chart=score_chart_svg(
            panel.reading.points,
            maximum=MEASURE_MAXIMUM[Measure.FAAM_ADL],
            title=MEASURE_TITLES[Measure.FAAM_ADL],
            band=segments,
        ),
        band_sentence=function_band_sentence(kind_label=report.kind_label, shown=shown),
        band_cells=cells,
    )
    return {**questionnaires, "panels": [*panels[:index], banded, *panels[index + 1 :]]}
