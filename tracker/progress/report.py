"""The shape of a progress report: small frozen dataclasses, built by ``tracker.progress.calculate``.

This module is the contract between the calculation and everything that shows it (patient pages, the
caseload, the PDF report, the ``progress`` command, alerts). Everything here is plain data: dates, numbers,
strings, so a report can be compared in tests and serialised with ``as_dict`` for JSON.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class OverallStatus(StrEnum):
    """One word for "how is this course going"; ordered from most to least urgent by ``URGENCY``."""

    RED_FLAG = "red_flag"
    WORSENING = "worsening"
    BEHIND = "behind"
    ON_TRACK = "on_track"
    AHEAD = "ahead"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    OverallStatus.RED_FLAG: "Red flag",
    OverallStatus.WORSENING: "Worsening",
    OverallStatus.BEHIND: "Behind",
    OverallStatus.ON_TRACK: "On track",
    OverallStatus.AHEAD: "Ahead",
}

# Lower is more urgent: the caseload sorts by it.
URGENCY = {
    OverallStatus.RED_FLAG: 0,
    OverallStatus.WORSENING: 1,
    OverallStatus.BEHIND: 2,
    OverallStatus.ON_TRACK: 3,
    OverallStatus.AHEAD: 4,
}


class MilestoneStatus(StrEnum):
    NOT_YET_DUE = "not_yet_due"
    REACHED_ON_TIME = "reached_on_time"
    REACHED_EARLY = "reached_early"
    OVERDUE = "overdue"
    NO_EXPECTED_TIME = "no_expected_time"  # the sources give words, not a time: nothing is judged
    # Added with the calculation: reached, but after the window ended. Not "overdue" (it has happened) and
    # not "on time" (it was not): the patient is no longer behind on it.
    REACHED_LATE = "reached_late"

    @property
    def label(self) -> str:
        return {
            MilestoneStatus.NOT_YET_DUE: "Not yet due",
            MilestoneStatus.REACHED_ON_TIME: "Reached on time",
            MilestoneStatus.REACHED_EARLY: "Reached early",
            MilestoneStatus.OVERDUE: "Overdue",
            MilestoneStatus.NO_EXPECTED_TIME: "No expected time in the sources",
            MilestoneStatus.REACHED_LATE: "Reached later than expected",
        }[self]


@dataclass(frozen=True)
class Citation:
    """Where an expectation comes from: ``file:line`` in shared/sources, or a CLINICAL.md reference."""

    source: str  # e.g. "000_1e061efd59e99644.txt:11" or "CLINICAL.md: Farrar JT et al. Pain 2001"
    quote: str  # the source's own words, verbatim


@dataclass(frozen=True)
class Expectation:
    """One thing the sources say about a course kind. ``window_*_day`` are None when the source gives words."""

    key: str
    kind: str  # CourseKind value
    title: str  # plain words, e.g. "Back to your usual activities"
    citation: Citation
    window_start_day: int | None = None  # days since day 0, inclusive
    window_end_day: int | None = None  # days since day 0, inclusive
    is_milestone: bool = True  # False for guidance with nothing to reach (e.g. "physical therapy may follow")
    window_words: str = ""  # the window in plain words, e.g. "3 to 6 weeks after surgery"; "" when no time is given


@dataclass(frozen=True)
class MilestoneResult:
    expectation: Expectation
    status: MilestoneStatus
    reached_on: date | None
    window_start: date | None
    window_end: date | None
    sentence: str  # one sentence a patient understands


@dataclass(frozen=True)
class PainPoint:
    day: date
    first_step_pain: int | None  # None: no log that day (a gap, never a zero)
    mean_7d: float | None  # mean of the logged days among the 7 ending on ``day``


@dataclass(frozen=True)
class PainTrend:
    foot: str
    baseline: float | None  # mean first-step pain of the days around day 0 (see calculate.py)
    mean_7d: float | None  # the 7 days ending today
    change: float | None  # mean_7d - baseline: negative is better
    meaningful: bool  # |change| >= 2 points (CLINICAL.md)
    series: tuple[PainPoint, ...]
    # Added with the calculation (defaults keep older callers working):
    baseline_source: str = ""  # "around_day_0" (days -7 to 0), "first_logged_days" (fallback) or "" (none)
    improved: bool = False  # change <= -2: a meaningful drop in first-step pain
    worsening_since: date | None = None  # first day of the current stretch with the 7-day mean 2+ points above baseline
    high_pain_run_start: date | None = (
        None  # first day of a run of 3+ logged days running at 7+, ending in the last 7 days
    )


@dataclass(frozen=True)
class SessionsProgress:
    done: int
    planned: int | None  # the course's planned sessions, if set
    typical_low: int | None  # what the source says is typical (needling: 4)
    typical_high: int | None  # (needling: 6)
    citation: Citation | None


@dataclass(frozen=True)
class CourseReport:
    course_id: int
    course_public_id: str
    kind: str
    kind_label: str
    foot: str
    day_zero: date
    course_status: str  # active, completed, stopped
    today: date
    day: int  # days since day 0 (0 on day 0; negative before it)
    week: int  # whole weeks since day 0, starting at week 1 on day 0 (day 0-6: week 1)
    sessions: SessionsProgress
    milestones: tuple[MilestoneResult, ...]
    pain: tuple[PainTrend, ...]  # one per treated foot
    red_flag_days: tuple[date, ...]  # days in the last 7 with a red flag ticked
    lingering_needling_soreness: bool  # soreness still reported more than 2 days after a session (002:36)
    no_improvement_after_6_months: bool  # conservative course, 6 months on, no meaningful drop (000:19, 000:25)
    status: OverallStatus
    reason: str  # one plain sentence saying why
    last_logged_on: date | None
    # Added with the calculation: the day the course is judged up to (today, or ended_on for an ended course).
    as_of: date | None = None
    worst_foot: str | None = None  # the treated foot the status comes from, when a foot decides it
    # Added for the care team's pages (caseload, clinic patient page, PDF): the same status in the third person,
    # terse, with the numbers and source lines, e.g. "Red flag on 20 Nov: pain and swelling in one calf."
    # ``reason`` stays the patient's sentence, for the patient's pages.
    clinician_reason: str = ""

    @property
    def is_active(self) -> bool:
        return self.course_status == "active"

    @property
    def urgency(self) -> int:
        """Lower is more urgent (``URGENCY``): sort a caseload by it."""
        return URGENCY[self.status]

    def as_dict(self) -> dict:
        """Plain JSON-ready data (dates as ISO strings, enums as their values)."""
        return _jsonable(dataclasses.asdict(self))


@dataclass(frozen=True)
class BandPoint:
    """The cohort band for one week since day 0 (week 1 is days 0 to 6), over at least 5 other patients."""

    week: int
    median: float  # first-step pain, 0 to 10
    q1: float  # 25th percentile
    q3: float  # 75th percentile
    patients: int  # how many patients contribute to this week


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value
