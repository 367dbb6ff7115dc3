"""The questionnaires' panel on the pages that show progress: the patient's /progress/, the clinic patient page
and the PDF report (issue 13). Scores and changes come from the selector, the words from the wording module."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import User
from ..progress.questionnaires import Measure, MeasureReading, meaningful_declines
from ..progress.report import FunctionChange
from ..progress.timelines import (
    FAAM_MCID_CITATION,
    FAAM_MIN_ANSWERED_CITATION,
    PSFS_MDC_CITATION,
    PSFS_SCORE_CITATION,
)
from ..progress.wording import function_change_sentence, function_change_team
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
