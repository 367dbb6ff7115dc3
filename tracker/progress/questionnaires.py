"""Validated questionnaires (issue 13): the FAAM and the PSFS, their scores, their changes and their schedule.

Pure functions: no database, ``today`` passed in. Every threshold comes from CLINICAL.md ("Questionnaires"),
through the citations in ``tracker.progress.timelines``; the findings are worded in ``tracker.progress.wording``.

- FAAM (Martin et al. 2005): an item is answered 4 (no difficulty at all) to 0 (unable to do), or N/A. A
  subscale's score is sum / (items answered x 4) x 100; N/A items and items left blank are not "answered".
  A subscale is scored only when at least 19 of its 21 (ADL) or 7 of its 8 (sports) items are answered.
- PSFS (Stratford et al. 1995): up to 3 activities rated 0 (unable) to 10 (as before); the score is the mean.
- A change is meaningful at or beyond the threshold: FAAM 8 points (ADL) and 9 (sports), the minimal
  clinically important difference; PSFS 2 points for the mean and 3 for one activity, the minimal detectable
  change. A change smaller than that is "no real change", in either direction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from .timelines import (
    FAAM_ADL_MCID,
    FAAM_MIN_ANSWERED,
    FAAM_SPORTS_MCID,
    PSFS_ACTIVITY_MDC,
    PSFS_MAX_ACTIVITIES,
    PSFS_MEAN_MDC,
)

if TYPE_CHECKING:
    from .report import CourseReport

# ---------------------------------------------------------------------------------------------------------
# The instrument, word for word (Martin RL et al. Foot Ankle Int 2005;26(11):968-83; NOTES.md says where the
# wording was checked).
# ---------------------------------------------------------------------------------------------------------


class Subscale(StrEnum):
    ADL = "adl"
    SPORTS = "sports"


SUBSCALE_TITLES = {Subscale.ADL: "Activities of Daily Living", Subscale.SPORTS: "Sports"}
# What a patient reads in a sentence ("your daily activities score").
SUBSCALE_WORDS = {Subscale.ADL: "daily activities", Subscale.SPORTS: "sports"}

FAAM_INSTRUCTIONS = (
    "Please answer every question with one response that most closely describes your condition within the past "
    "week. If the activity in question is limited by something other than your foot or ankle mark "
    '"Not Applicable" (N/A).'
)
FAAM_STEM = "Because of your foot and ankle, how much difficulty do you have with:"

FAAM_ADL_ITEMS: tuple[str, ...] = (
    "Standing",
    "Walking on even ground",
    "Walking on even ground without shoes",
    "Walking up hills",
    "Walking down hills",
    "Going up stairs",
    "Going down stairs",
    "Walking on uneven ground",
    "Stepping up and down curbs",
    "Squatting",
    "Coming up on your toes",
    "Walking initially",
    "Walking 5 minutes or less",
    "Walking approximately 10 minutes",
    "Walking 15 minutes or greater",
    "Home responsibilities",
    "Activities of daily living",
    "Personal care",
    "Light to moderate work (standing, walking)",
    "Heavy work (push/pulling, climbing, carrying)",
    "Recreational activities",
)
FAAM_SPORTS_ITEMS: tuple[str, ...] = (
    "Running",
    "Jumping",
    "Landing",
    "Starting and stopping quickly",
    "Cutting/lateral movements",
    "Low impact activities",
    "Ability to perform activity with your normal technique",
    "Ability to participate in your desired sport as long as you would like",
)
FAAM_ITEMS: dict[Subscale, tuple[str, ...]] = {Subscale.ADL: FAAM_ADL_ITEMS, Subscale.SPORTS: FAAM_SPORTS_ITEMS}

# Items are numbered 1 to 29 across the instrument: ADL 1 to 21, then sports 22 to 29 (the database's numbers).
FAAM_ITEM_COUNT = len(FAAM_ADL_ITEMS) + len(FAAM_SPORTS_ITEMS)
FAAM_FIRST_ITEM = {Subscale.ADL: 1, Subscale.SPORTS: len(FAAM_ADL_ITEMS) + 1}

FAAM_ANSWERS: tuple[tuple[int, str], ...] = (
    (4, "No difficulty at all"),
    (3, "Slight difficulty"),
    (2, "Moderate difficulty"),
    (1, "Extreme difficulty"),
    (0, "Unable to do"),
)
FAAM_NOT_APPLICABLE = "N/A"
FAAM_ANSWER_LABELS = dict(FAAM_ANSWERS)
FAAM_MAX_ANSWER = 4

PSFS_INSTRUCTIONS = (
    "Name up to 3 activities that you find hard because of your heel, and rate each from 0 (unable to do it) "
    "to 10 (able to do it as well as before the problem)."
)
PSFS_MAX_RATING = 10


def subscale_items(subscale: Subscale) -> list[tuple[int, str]]:
    """(item number, wording) of one subscale, numbered as in the database."""
    first = FAAM_FIRST_ITEM[subscale]
    return [(first + i, text) for i, text in enumerate(FAAM_ITEMS[subscale])]


def subscale_of_item(item: int) -> Subscale:
    if not 1 <= item <= FAAM_ITEM_COUNT:
        raise ValueError(f"FAAM items are numbered 1 to {FAAM_ITEM_COUNT}, not {item}")
    return Subscale.ADL if item < FAAM_FIRST_ITEM[Subscale.SPORTS] else Subscale.SPORTS


def item_text(item: int) -> str:
    subscale = subscale_of_item(item)
    return FAAM_ITEMS[subscale][item - FAAM_FIRST_ITEM[subscale]]


# ---------------------------------------------------------------------------------------------------------
# Scores
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscaleScore:
    """One FAAM subscale of one response. ``score`` is 0 to 100, or None when too few items are answered."""

    subscale: Subscale
    score: float | None
    answered: int  # items answered 0 to 4 (N/A and blanks are not)
    not_applicable: int
    items: int  # the subscale's items: 21 or 8

    @property
    def scorable(self) -> bool:
        return self.score is not None


def faam_subscale_score(subscale: Subscale, answers: Iterable[int | None]) -> SubscaleScore:
    """Score one subscale from the answers given (each 0 to 4, or None for N/A); items left blank are absent.

    Score = sum / (answered x 4) x 100, only when at least ``FAAM_MIN_ANSWERED[subscale]`` items are answered
    (19 of 21, 7 of 8); otherwise ``score`` is None. Raises ValueError for an answer outside 0 to 4 or more
    answers than the subscale has items (a programming error: the database and the form refuse both).
    """
    given = list(answers)
    items = len(FAAM_ITEMS[subscale])
    if len(given) > items:
        raise ValueError(f"{len(given)} answers for {items} items")
    values = [a for a in given if a is not None]
    if any(not 0 <= a <= FAAM_MAX_ANSWER for a in values):
        raise ValueError("a FAAM answer is 0 to 4")
    answered = len(values)
    score = subscale_score_from_totals(subscale, total=sum(values), answered=answered)
    return SubscaleScore(
        subscale=subscale, score=score, answered=answered, not_applicable=len(given) - answered, items=items
    )


def subscale_score_from_totals(subscale: Subscale, *, total: int, answered: int) -> float | None:
    """The subscale's score from the sum of its answered items (each 0 to 4) and how many were answered:
    ``total / (answered x 4) x 100``, or None below ``FAAM_MIN_ANSWERED[subscale]`` answered items (the 90 % rule).
    The one formula: ``faam_subscale_score`` and the cohort band's database sums both use it."""
    if answered < FAAM_MIN_ANSWERED[subscale] or not answered:
        return None
    return total / (answered * FAAM_MAX_ANSWER) * 100


def faam_scores(answers: Mapping[int, int | None]) -> dict[Subscale, SubscaleScore]:
    """Both subscales from {item number: answer or None for N/A}; items left blank are not in the mapping."""
    by_subscale: dict[Subscale, list[int | None]] = {Subscale.ADL: [], Subscale.SPORTS: []}
    for item, answer in answers.items():
        by_subscale[subscale_of_item(item)].append(answer)
    return {s: faam_subscale_score(s, values) for s, values in by_subscale.items()}


def psfs_score(ratings: Sequence[int]) -> float | None:
    """The PSFS score: the mean of up to 3 ratings, each 0 to 10; None with no rating."""
    if len(ratings) > PSFS_MAX_ACTIVITIES:
        raise ValueError(f"the PSFS has up to {PSFS_MAX_ACTIVITIES} activities")
    if any(not 0 <= r <= PSFS_MAX_RATING for r in ratings):
        raise ValueError("a PSFS rating is 0 to 10")
    return sum(ratings) / len(ratings) if ratings else None


# ---------------------------------------------------------------------------------------------------------
# Changes
# ---------------------------------------------------------------------------------------------------------


class Measure(StrEnum):
    FAAM_ADL = "faam_adl"
    FAAM_SPORTS = "faam_sports"
    PSFS = "psfs"  # the mean
    PSFS_ACTIVITY = "psfs_activity"  # one activity's rating


THRESHOLDS: dict[Measure, float] = {
    Measure.FAAM_ADL: FAAM_ADL_MCID,
    Measure.FAAM_SPORTS: FAAM_SPORTS_MCID,
    Measure.PSFS: PSFS_MEAN_MDC,
    Measure.PSFS_ACTIVITY: PSFS_ACTIVITY_MDC,
}
MEASURE_OF_SUBSCALE = {Subscale.ADL: Measure.FAAM_ADL, Subscale.SPORTS: Measure.FAAM_SPORTS}


class Direction(StrEnum):
    BETTER = "better"
    WORSE = "worse"
    NO_REAL_CHANGE = "no_real_change"


@dataclass(frozen=True)
class ScoreChange:
    """A score against an earlier one. ``meaningful`` when the change is at or beyond the measure's threshold."""

    measure: Measure
    earlier: float
    earlier_on: date
    later: float
    later_on: date
    threshold: float
    activity: str = ""  # for one PSFS activity

    @property
    def change(self) -> float:
        # Rounded so that 52.38 + 8 is not "7.999999" (scores are fractions of 84 or 32 at most).
        return round(self.later - self.earlier, 6)

    @property
    def meaningful(self) -> bool:
        return abs(self.change) >= self.threshold

    @property
    def direction(self) -> Direction:
        if not self.meaningful:
            return Direction.NO_REAL_CHANGE
        return Direction.BETTER if self.change > 0 else Direction.WORSE


def score_change(
    measure: Measure, earlier: tuple[date, float], later: tuple[date, float], activity: str = ""
) -> ScoreChange:
    return ScoreChange(
        measure=measure,
        earlier_on=earlier[0],
        earlier=earlier[1],
        later_on=later[0],
        later=later[1],
        threshold=THRESHOLDS[measure],
        activity=activity,
    )


@dataclass(frozen=True)
class MeasureReading:
    """A measure's scores over time (oldest first) and the latest against the baseline and the previous one."""

    measure: Measure
    points: tuple[tuple[date, float], ...]
    since_baseline: ScoreChange | None
    since_previous: ScoreChange | None

    @property
    def latest(self) -> tuple[date, float] | None:
        return self.points[-1] if self.points else None


def measure_reading(measure: Measure, points: Sequence[tuple[date, float]], activity: str = "") -> MeasureReading:
    """Read a series of (date, score), scorable ones only: the first is the baseline."""
    ordered = tuple(sorted(points))
    baseline = previous = None
    if len(ordered) >= 2:
        baseline = score_change(measure, ordered[0], ordered[-1], activity)
        previous = score_change(measure, ordered[-2], ordered[-1], activity)
    return MeasureReading(measure=measure, points=ordered, since_baseline=baseline, since_previous=previous)


def meaningful_declines(readings: Iterable[MeasureReading]) -> list[ScoreChange]:
    """The latest scores meaningfully below the baseline or the previous score (the baseline's change first)."""
    found = []
    for reading in readings:
        for change in (reading.since_baseline, reading.since_previous):
            if change is not None and change.direction == Direction.WORSE:
                found.append(change)
                break
    return found


# ---------------------------------------------------------------------------------------------------------
# The status rule
# ---------------------------------------------------------------------------------------------------------


def status_with_function(status: str, declines: Sequence[ScoreChange]) -> str:
    """The course's overall status once function scores are read (README, "How progress is judged").

    A meaningful decline in a function score is never "ahead": the status is capped at "on track". Nothing
    else changes it: pain decides "worsening" and "behind" (the sources' timelines are about pain and
    milestones), and a function score alone never raises the status.
    """
    from .report import OverallStatus

    if declines and status == OverallStatus.AHEAD:
        return OverallStatus.ON_TRACK
    return status


def report_with_function(report: CourseReport, declines: Sequence[ScoreChange]) -> CourseReport:
    """``report`` with its status capped by ``status_with_function``, counting only declines whose later score
    is in the course (from 7 days before day 0, the baseline window). A capped report is decided by nothing
    ahead: its reason becomes the on-track words."""
    relevant = [d for d in declines if d.later_on >= report.day_zero - timedelta(days=BASELINE_EARLY_DAYS)]
    status = status_with_function(report.status, relevant)
    if status == report.status:
        return report
    from .report import OverallStatus

    return replace(report, status=OverallStatus(status), decided_by=None)


# ---------------------------------------------------------------------------------------------------------
# The schedule
# ---------------------------------------------------------------------------------------------------------

# Product rules from issue 13 (not clinical numbers): due at day 0, every 2 weeks while the course is active,
# and when it ends; a baseline answered up to 7 days before day 0 counts.
EVERY_DAYS = 14
BASELINE_EARLY_DAYS = 7
# Ours: a course's end questionnaire stays due for as long as the next 2-weekly one would have taken.
END_DUE_FOR_DAYS = EVERY_DAYS


class Occasion(StrEnum):
    BASELINE = "baseline"
    FOLLOW_UP = "follow_up"
    END = "end"
    REQUESTED = "requested"


@dataclass(frozen=True)
class CourseDates:
    day_zero: date
    ended_on: date | None  # None while the course is active


@dataclass(frozen=True)
class Due:
    occasion: Occasion
    since: date  # the day it became due (a response on or after it answers it)


def _course_occasion(course: CourseDates, today: date) -> Due | None:
    """The course's most recent occasion on or before ``today``, and from which day a response answers it."""
    if today < course.day_zero - timedelta(days=BASELINE_EARLY_DAYS):
        return None
    if course.ended_on is not None:
        if course.ended_on <= today < course.ended_on + timedelta(days=END_DUE_FOR_DAYS):
            return Due(Occasion.END, course.ended_on)
        if today >= course.ended_on:
            return None
    if today < course.day_zero + timedelta(days=EVERY_DAYS):
        return Due(Occasion.BASELINE, course.day_zero - timedelta(days=BASELINE_EARLY_DAYS))
    periods = (today - course.day_zero).days // EVERY_DAYS
    return Due(Occasion.FOLLOW_UP, course.day_zero + timedelta(days=periods * EVERY_DAYS))


def questionnaire_due(
    *,
    courses: Iterable[CourseDates],
    completed_on: Iterable[date],
    requested_on: Iterable[date],
    today: date,
) -> Due | None:
    """Whether one questionnaire (FAAM or PSFS) is due for a patient ``today`` (their local date).

    ``courses``: the patient's courses; ``completed_on``: the dates of their completed responses to this
    questionnaire; ``requested_on``: the dates a physiotherapist asked for one. Due at a course's start (the
    baseline: a response from 7 days before day 0 answers it), on every 14th day from day 0 while the course
    is active, on the day it ends (for 14 days), and from the day of a request. Answered by a completed response
    on or after that day (a baseline answered before day 0 also answers day 0). The most recent unanswered
    occasion is returned; None when nothing is due.
    """
    latest_done = max((d for d in completed_on if d <= today), default=None)
    candidates = [due for c in courses if (due := _course_occasion(c, today)) is not None]
    candidates += [Due(Occasion.REQUESTED, d) for d in requested_on if d <= today]
    open_ = [due for due in candidates if latest_done is None or latest_done < due.since]
    return max(open_, key=lambda due: due.since) if open_ else None
