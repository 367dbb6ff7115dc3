"""Reads of the validated questionnaires (issue 13). Each is a fixed number of queries, whatever the number of
responses: the scores are worked out here from the answers (``tracker.progress.questionnaires``), never stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ..models import (
    Course,
    FaamAnswer,
    PsfsActivity,
    PsfsRating,
    QuestionnaireKind,
    QuestionnaireRequest,
    QuestionnaireResponse,
    User,
)
from ..progress.questionnaires import (
    MEASURE_OF_SUBSCALE,
    CourseDates,
    Due,
    Measure,
    MeasureReading,
    ScoreChange,
    Subscale,
    SubscaleScore,
    faam_scores,
    item_text,
    meaningful_declines,
    measure_reading,
    psfs_score,
    questionnaire_due,
)


@dataclass(frozen=True)
class ResponseRow:
    """One completed (or half-done) response, with its scores worked out."""

    response: QuestionnaireResponse
    faam: dict[Subscale, SubscaleScore] = field(default_factory=dict)
    psfs: float | None = None
    psfs_ratings: tuple[tuple[str, int], ...] = ()
    answers: tuple[tuple[int, str, int | None], ...] = ()  # FAAM (item, wording, answer or None for N/A)


@dataclass(frozen=True)
class QuestionnaireHistory:
    rows: list[ResponseRow]  # completed responses, oldest first
    readings: dict[Measure, MeasureReading]
    activity_readings: list[MeasureReading]  # one per PSFS activity rated at least twice or once
    activity_names: dict[int, str]

    @property
    def faam_rows(self) -> list[ResponseRow]:
        return [r for r in self.rows if r.response.kind == QuestionnaireKind.FAAM]

    @property
    def psfs_rows(self) -> list[ResponseRow]:
        return [r for r in self.rows if r.response.kind == QuestionnaireKind.PSFS]

    @property
    def empty(self) -> bool:
        return not self.rows


def _faam_row(response: QuestionnaireResponse, faam_answers: Iterable[tuple[int, int | None]]) -> ResponseRow:
    """``faam_answers``: (item, answer or None for N/A)."""
    answers = dict(faam_answers)
    return ResponseRow(
        response=response,
        faam=faam_scores(answers),
        answers=tuple((item, item_text(item), answer) for item, answer in sorted(answers.items())),
    )


def _psfs_row(response: QuestionnaireResponse, psfs_ratings: Iterable[tuple[str, int]]) -> ResponseRow:
    """``psfs_ratings``: (activity's name, rating), in the activities' order."""
    ratings = tuple(psfs_ratings)
    return ResponseRow(response=response, psfs=psfs_score([r for _, r in ratings]), psfs_ratings=ratings)


# The answers and ratings are read as plain values, not model objects: a year of fortnightly FAAMs is about 800
# answers, and a model object each was most of the cost of a progress page.
_RATING_ORDER = ("activity__created_at", "activity_id")  # PsfsRating's own ordering


def questionnaire_history(*, patient: User, with_unfinished: bool = False) -> QuestionnaireHistory:
    """The patient's completed questionnaires, scored and read against the baseline and the previous score.
    ``with_unfinished``: the rows include half-done responses too (the exports); the readings never do.

    Queries: 3 (the responses, their FAAM answers, their PSFS ratings with the activities' names).
    """
    responses = list(QuestionnaireResponse.objects.filter(patient=patient).order_by("date", "id"))
    if not with_unfinished:
        responses = [r for r in responses if r.completed]
    # By the responses' ids (their index), as a prefetch would: a join on the patient scans every answer.
    ids = [r.pk for r in responses]
    faam: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for response_id, item, answer in (
        FaamAnswer.objects.filter(response_id__in=ids).order_by("item").values_list("response_id", "item", "answer")
    ):
        faam[response_id].append((item, answer))
    psfs: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for response_id, name, rating in (
        PsfsRating.objects.filter(response_id__in=ids)
        .order_by(*_RATING_ORDER)
        .values_list("response_id", "activity__name", "rating")
    ):
        psfs[response_id].append((name, rating))
    rows = [
        _faam_row(r, faam[r.pk]) if r.kind == QuestionnaireKind.FAAM else _psfs_row(r, psfs[r.pk]) for r in responses
    ]
    return _history(rows)


def _history(rows: list[ResponseRow]) -> QuestionnaireHistory:
    series: dict[Measure, list[tuple[date, float]]] = defaultdict(list)
    by_activity: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for row in rows:
        if not row.response.completed:
            continue
        day = row.response.date
        for subscale, score in row.faam.items():
            if score.score is not None:
                series[MEASURE_OF_SUBSCALE[subscale]].append((day, score.score))
        if row.psfs is not None:
            series[Measure.PSFS].append((day, row.psfs))
        for name, rating in row.psfs_ratings:
            by_activity[name].append((day, float(rating)))
    readings = {m: measure_reading(m, series[m]) for m in (Measure.FAAM_ADL, Measure.FAAM_SPORTS, Measure.PSFS)}
    activity_readings = [measure_reading(Measure.PSFS_ACTIVITY, pts, name) for name, pts in by_activity.items()]
    return QuestionnaireHistory(rows=rows, readings=readings, activity_readings=activity_readings, activity_names={})


@dataclass(frozen=True)
class FunctionSummary:
    """What the caseload reads of one patient's questionnaires: the meaningful declines (as
    ``questionnaire_panel`` reads them) and the FAAM ADL reading (latest score, change since the baseline)."""

    declines: list[ScoreChange]
    faam_adl: MeasureReading


def function_declines_for_patients(*, patient_ids: Iterable[int]) -> dict[int, list[ScoreChange]]:
    """Each patient's meaningful function-score declines (``function_summaries_for_patients``). Queries: 2."""
    return {pid: summary.declines for pid, summary in function_summaries_for_patients(patient_ids=patient_ids).items()}


def function_summaries_for_patients(*, patient_ids: Iterable[int]) -> dict[int, FunctionSummary]:
    """Each patient's ``FunctionSummary``, for any number of patients (a patient without a completed
    questionnaire is left out).

    Queries: 2, whatever the data (the FAAM answers and the PSFS ratings of completed responses, each with its
    response). A response without any answer has no score, so reading only through the answers loses nothing.
    """
    ids = sorted(set(patient_ids))
    if not ids:
        return {}
    of_response = {"response__patient_id__in": ids, "response__completed": True}
    of_row = ("response_id", "response__patient_id", "response__kind", "response__date")
    faam: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    psfs: dict[int, list[tuple[str, int]]] = defaultdict(list)
    responses: dict[int, QuestionnaireResponse] = {}

    def response_of(response_id: int, patient_id: int, kind: str, day: date) -> None:
        if response_id not in responses:  # only what the scores and readings read of it
            responses[response_id] = QuestionnaireResponse(
                id=response_id, patient_id=patient_id, kind=kind, date=day, completed=True
            )

    answers = FaamAnswer.objects.filter(**of_response).order_by("response_id", "item")
    for response_id, patient_id, kind, day, item, answer in answers.values_list(*of_row, "item", "answer"):
        response_of(response_id, patient_id, kind, day)
        faam[response_id].append((item, answer))
    ratings = PsfsRating.objects.filter(**of_response).order_by("id")
    for response_id, patient_id, kind, day, name, rating in ratings.values_list(*of_row, "activity__name", "rating"):
        response_of(response_id, patient_id, kind, day)
        psfs[response_id].append((name, rating))
    rows: dict[int, list[ResponseRow]] = defaultdict(list)
    for response in sorted(responses.values(), key=lambda r: (r.date, r.pk)):
        row = _faam_row(response, faam[response.pk]) if response.pk in faam else _psfs_row(response, psfs[response.pk])
        rows[response.patient_id].append(row)
    found = {}
    for pid, patient_rows in rows.items():
        history = _history(patient_rows)
        found[pid] = FunctionSummary(
            declines=meaningful_declines([*history.readings.values(), *history.activity_readings]),
            faam_adl=history.readings[Measure.FAAM_ADL],
        )
    return found


@dataclass(frozen=True)
class DueQuestionnaire:
    kind: str
    label: str
    due: Due
    started_today: bool  # a half-done response saved today


def questionnaires_due(*, patient: User, today: date) -> list[DueQuestionnaire]:
    """The questionnaires due for the patient on ``today`` (their local date), FAAM first.

    Queries: 3 (courses, the dates of their responses, the requests).
    """
    courses = [
        CourseDates(day_zero=d0, ended_on=end)
        for d0, end in Course.objects.filter(patient=patient).values_list("day_zero", "ended_on")
    ]
    if not courses and not patient.is_active:
        return []
    done: dict[str, list[date]] = defaultdict(list)
    started: set[str] = set()
    for kind, day, completed in QuestionnaireResponse.objects.filter(patient=patient).values_list(
        "kind", "date", "completed"
    ):
        if completed:
            done[kind].append(day)
        elif day == today:
            started.add(kind)
    requested: dict[str, list[date]] = defaultdict(list)
    for kind, day in QuestionnaireRequest.objects.filter(patient=patient).values_list("kind", "requested_on"):
        requested[kind].append(day)
    found = []
    for kind, label in QuestionnaireKind.choices:
        due = questionnaire_due(courses=courses, completed_on=done[kind], requested_on=requested[kind], today=today)
        if due is not None:
            found.append(DueQuestionnaire(kind=kind, label=label, due=due, started_today=kind in started))
    return found


def faam_response_today(*, patient: User, today: date) -> dict[int, int | None]:
    """Today's FAAM answers so far ({item: answer or None for N/A}), to fill the form in again. 1 query."""
    return dict(
        FaamAnswer.objects.filter(
            response__patient=patient, response__kind=QuestionnaireKind.FAAM, response__date=today
        ).values_list("item", "answer")
    )


def psfs_activities(*, patient: User, today: date) -> tuple[list[PsfsActivity], dict[int, int]]:
    """The patient's PSFS activities (kept from last time) and today's ratings so far. 2 queries."""
    activities = list(PsfsActivity.objects.filter(patient=patient).order_by("created_at", "id"))
    ratings = dict(
        PsfsRating.objects.filter(
            response__patient=patient, response__kind=QuestionnaireKind.PSFS, response__date=today
        ).values_list("activity_id", "rating")
    )
    return activities, ratings
