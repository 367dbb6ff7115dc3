"""The shape of a progress report: small frozen dataclasses, built by ``tracker.progress.calculate``.

This module is the contract between the calculation and everything that shows it (patient pages, the caseload,
the PDF report, the ``progress`` command, alerts). The calculation returns *findings*: what it found, with its
numbers and the citations behind them, never sentences. ``tracker.progress.wording`` is the one module that turns
findings into words, for the patient, for the care team, for alert messages, for the PDF and the chart's text.

Everything here is plain data (dates, numbers, enums, tuples), so a report can be compared in tests, cached and
serialised with ``as_dict`` for JSON.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from .questionnaires import ScoreChange

# ---------------------------------------------------------------------------------------------------------------
# Sources and citations (the data itself is in tracker.progress.timelines)
# ---------------------------------------------------------------------------------------------------------------


class DocumentKind(StrEnum):
    SOURCE = "source"  # one of the three source documents in shared/sources (cited by file and line)
    STUDY = "study"  # a published study or leaflet listed in CLINICAL.md (cited by its reference)


@dataclass(frozen=True)
class SourceDocument:
    """A document the product cites: one of the three sources, or a reference listed in CLINICAL.md."""

    key: str  # stable id, used as the anchor on /sources/ ("leaflet", "farrar-2001")
    title: str  # what a patient reads: "Plantar fascia release, patient leaflet"
    publisher: str  # "Healthwise, 2023"; for a study, its journal and year: "Pain, 2001"
    kind: DocumentKind
    file: str = ""  # the file it is in: a source document in shared/sources, or the clinical reference file
    reference: str = ""  # for a study: the full reference as CLINICAL.md gives it
    clinical_section: str = ""  # for a study: the CLINICAL.md section it is listed under
    short: str = ""  # for a study: the care team's short reference, "Farrar 2001"

    @property
    def label(self) -> str:
        """The citation as a patient reads it: "Farrar et al., Pain 2001", "Surgery leaflet (Healthwise, 2023)"."""
        return f"{self.title} ({self.publisher})" if self.kind == DocumentKind.SOURCE else self.title

    @property
    def anchor(self) -> str:
        return f"source-{self.key}"

    @property
    def number(self) -> str:
        """A source document's short number ("000"), the one the care team's small print uses."""
        return self.file.split("_", 1)[0] if self.kind == DocumentKind.SOURCE else ""


@dataclass(frozen=True)
class Citation:
    """Where something comes from: a line of a source document, or a study listed in CLINICAL.md, with its words."""

    document: SourceDocument
    quote: str  # the source's own words, verbatim (tests/test_timelines.py checks them)
    line: int | None = None  # for a source document: the line the quote is on

    @property
    def source(self) -> str:
        """The exact place, for the care team and the tests: "000_1e061efd59e99644.txt:11" or "CLINICAL.md: ..."."""
        if self.document.kind == DocumentKind.SOURCE:
            return f"{self.document.file}:{self.line}"
        return f"{self.document.file}: {self.document.reference}"

    @property
    def ref(self) -> str:
        """The short place for the care team's small print: "000:11", or the study's label."""
        if self.document.kind == DocumentKind.SOURCE:
            return f"{self.document.number}:{self.line}"
        return self.document.short or self.document.label

    @property
    def label(self) -> str:
        return self.document.label


# ---------------------------------------------------------------------------------------------------------------
# Expectations (what the sources say) and milestones (what the logs show against them)
# ---------------------------------------------------------------------------------------------------------------


class MilestoneKind(StrEnum):
    GOAL = "goal"  # something to reach (back to usual activities): reaching it early is "ahead"
    PROTECTION = "protection"  # a protective period that ends (cast or boot): ending it early is a question


@dataclass(frozen=True)
class ReportedFigure:
    """A published figure for a milestone the leaflet gives no time for: shown as "reported in one study", never
    judged against."""

    words: str  # the study's words, for the care team: "full weight-bearing at a mean of 40 days"
    plain: str  # the same for a patient: "people walked with their full weight after 40 days on average"
    day: int  # the figure in days since day 0
    citation: Citation


@dataclass(frozen=True)
class Expectation:
    """One thing the sources say about a course kind. ``window_*_day`` are None when the source gives words."""

    key: str
    kind: str  # CourseKind value ("" for every kind)
    title: str  # plain words, e.g. "Back to your usual activities"
    citation: Citation
    window_start_day: int | None = None  # days since day 0, inclusive
    window_end_day: int | None = None  # days since day 0, inclusive
    is_milestone: bool = True  # False for guidance with nothing to reach (e.g. "physical therapy may follow")
    window_words: str = ""  # the window in plain words, e.g. "3 to 6 weeks after surgery"; "" when no time is given
    milestone_kind: MilestoneKind = MilestoneKind.GOAL
    reported: ReportedFigure | None = None  # a study's figure, shown beside (never instead of) the leaflet's words

    @property
    def has_window(self) -> bool:
        return self.window_start_day is not None and self.window_end_day is not None


class MilestoneStatus(StrEnum):
    NOT_YET_DUE = "not_yet_due"
    REACHED_ON_TIME = "reached_on_time"
    REACHED_EARLY = "reached_early"  # a goal reached before its window: ahead
    ENDED_EARLY = "ended_early"  # a protective period ended before its window: a question for the care team
    REACHED_LATE = "reached_late"  # reached, after the window ended: no longer behind on it
    OVERDUE = "overdue"  # not reached by the end of the window: later than most people
    NOT_LOGGED = "not_logged"  # past the window, and no log since says either way
    NOT_JUDGED = "not_judged"  # the leaflet gives words, not a time: shown, never judged

    @property
    def label(self) -> str:
        return MILESTONE_STATUS_LABELS[self]


MILESTONE_STATUS_LABELS = {
    MilestoneStatus.NOT_YET_DUE: "Not yet due",
    MilestoneStatus.REACHED_ON_TIME: "Reached on time",
    MilestoneStatus.REACHED_EARLY: "Reached early",
    MilestoneStatus.ENDED_EARLY: "Ended earlier than the leaflet describes",
    MilestoneStatus.REACHED_LATE: "Reached later than most",
    MilestoneStatus.OVERDUE: "Later than most people",
    MilestoneStatus.NOT_LOGGED: "Not logged yet",
    MilestoneStatus.NOT_JUDGED: "Not judged",
}


@dataclass(frozen=True)
class MilestoneResult:
    expectation: Expectation
    status: MilestoneStatus
    reached_on: date | None  # the first day from day 1 whose log shows it (on every treated foot)
    window_start: date | None
    window_end: date | None  # for a protective period, the later of the window's end and the surgeon's plan
    planned_until: date | None = None  # a protective period: the surgeon's plan, from the surgery session

    @property
    def sentence(self) -> str:
        from .wording import milestone_sentence

        return milestone_sentence(self)


# ---------------------------------------------------------------------------------------------------------------
# Pain
# ---------------------------------------------------------------------------------------------------------------


class ReferenceKind(StrEnum):
    BEFORE_START = "before_start"  # the mean of days -7 to 0 (before treatment)
    FIRST_LOGGED_DAYS = "first_logged_days"  # no log before the start: the first 3 counted days from day 1
    SETTLED_AFTER_SURGERY = "settled_after_surgery"  # the lowest settled level since surgery


@dataclass(frozen=True)
class Reference:
    """The level a patient's pain is judged against (DESIGN.md section 6: "a reference that fits the course")."""

    kind: ReferenceKind
    value: float  # first-step pain, 0 to 10
    on: date | None = None  # for the settled level: the day it was measured (the end of its 7 days)


@dataclass(frozen=True)
class PainPoint:
    day: date
    first_step_pain: int | None  # None: no log that day (a gap, never a zero)
    mean_7d: float | None  # mean of the counted logs among the 7 days ending on ``day`` (same phase, see calculate)
    counted: bool = True  # False: logged 1 or 2 days after a needling session, when soreness is expected (002:36)


@dataclass(frozen=True)
class PainTrend:
    """First-step pain of one treated foot."""

    foot: str
    baseline: float | None  # the starting level: days -7 to 0, or (conservative courses) the first logged days
    mean_7d: float | None  # the current level: the counted treatment days (from day 1) among the last 7
    change: float | None  # mean_7d - baseline: negative is better
    meaningful: bool  # |change| >= 2 points (CLINICAL.md)
    series: tuple[PainPoint, ...]
    baseline_source: str = ""  # a ReferenceKind value, or "" (no starting level)
    improved: bool = False  # change <= -2: a meaningful drop in first-step pain
    reference: Reference | None = None  # what worsening is judged against (differs from the baseline after surgery)
    rise: float | None = None  # mean_7d - reference.value
    mean_7d_days: int = 0  # the counted logs mean_7d rests on: a judgement needs at least 2


# ---------------------------------------------------------------------------------------------------------------
# Findings: what the calculation found, with its numbers and citations. Worded by tracker.progress.wording.
# ---------------------------------------------------------------------------------------------------------------


class FindingKind(StrEnum):
    """Most important first (``FINDING_ORDER``)."""

    RED_FLAG = "red_flag"
    WOUND_CONCERN = "wound_concern"
    WORSENING = "worsening"
    MASSAGE_ADVERSE = "massage_adverse"
    POST_OP_NOT_BETTER = "post_op_not_better"
    MILESTONE_OVERDUE = "milestone_overdue"
    NEEDLING_NO_RESPONSE = "needling_no_response"
    NO_IMPROVEMENT = "no_improvement"
    LINGERING_SORENESS = "lingering_soreness"
    PERSISTENT_HIGH_PAIN = "persistent_high_pain"
    PROTECTION_ENDED_EARLY = "protection_ended_early"
    POST_OP_EXPECTED = "post_op_expected"
    IMPROVED = "improved"
    MILESTONE_EARLY = "milestone_early"


class Audience(StrEnum):
    EVERYONE = "everyone"
    CARE_TEAM = "care_team"  # worded for the care team only (never shown to the patient as a status)


@dataclass(frozen=True)
class Finding:
    """Base of every finding. ``citations`` are the sources behind the rule, for the words and the tests."""

    kind: ClassVar[FindingKind]
    audience: ClassVar[Audience] = Audience.EVERYONE
    citations: tuple[Citation, ...] = field(default=(), kw_only=True)


@dataclass(frozen=True)
class RedFlag(Finding):
    """A red flag ticked on a log (CLINICAL.md, red flags). ``emergency``: breathlessness or chest pain."""

    kind: ClassVar[FindingKind] = FindingKind.RED_FLAG
    day: date
    foot: str
    flags: tuple[str, ...]  # DailyLog field names, e.g. ("rf_calf",)
    emergency: bool


@dataclass(frozen=True)
class WoundConcern(Finding):
    """After surgery: pain rising meaningfully after it had settled, or swelling or redness on top of rising pain.

    ``rise`` is the current level minus the settled level; ``swelling_on`` the days in the last 7 with swelling or
    redness reported (empty when the rise alone decides).
    """

    kind: ClassVar[FindingKind] = FindingKind.WOUND_CONCERN
    foot: str
    since: date  # the first day of the current stretch above the settled level
    level: float
    reference: Reference
    rise: float
    swelling_on: tuple[date, ...] = ()
    run_days: int = 0  # when a run of 7+ days decided it: its length
    last_logged: date | None = None  # set when judged on the last day with enough logs, not today


@dataclass(frozen=True)
class Worsening(Finding):
    """A conservative course: first-step pain meaningfully (2 points) above the reference."""

    kind: ClassVar[FindingKind] = FindingKind.WORSENING
    foot: str
    since: date
    level: float
    reference: Reference
    rise: float
    run_days: int = 0  # when a run of 3+ days at 7 or more decided it: its length (0: the 7-day level decided)
    last_logged: date | None = None  # set when judged on the last day with enough logs, not today


@dataclass(frozen=True)
class PersistentHighPain(Finding):
    """7 or more on 3+ logged days running at the patient's usual level (not meaningfully above the reference)."""

    kind: ClassVar[FindingKind] = FindingKind.PERSISTENT_HIGH_PAIN
    audience: ClassVar[Audience] = Audience.CARE_TEAM
    foot: str
    since: date  # the run's first day
    days: int  # the run's length in counted logged days
    mean: float  # the run's mean first-step pain
    reference: Reference | None
    last_logged: date | None = None


@dataclass(frozen=True)
class MilestoneOverdue(Finding):
    """A goal or a protective period not reached by the end of its window: later than most people."""

    kind: ClassVar[FindingKind] = FindingKind.MILESTONE_OVERDUE
    milestone: MilestoneResult
    day: int  # the day number it is judged on


@dataclass(frozen=True)
class ProtectionEndedEarly(Finding):
    """A protective period (cast or boot) ended before the leaflet's window: check with the surgeon's plan."""

    kind: ClassVar[FindingKind] = FindingKind.PROTECTION_ENDED_EARLY
    milestone: MilestoneResult
    ended_on_day: int
    before_plan: bool = False  # before the surgeon's recorded date, even if within the leaflet's weeks


@dataclass(frozen=True)
class MilestoneEarly(Finding):
    """A recovery goal reached before its window: ahead."""

    kind: ClassVar[FindingKind] = FindingKind.MILESTONE_EARLY
    milestone: MilestoneResult
    reached_on_day: int


@dataclass(frozen=True)
class FootChange:
    foot: str
    level: float
    reference: Reference
    change: float


@dataclass(frozen=True)
class NeedlingNoResponse(Finding):
    """The planned needling sessions are done, 6 weeks have passed since the first, and a foot has not improved."""

    kind: ClassVar[FindingKind] = FindingKind.NEEDLING_NO_RESPONSE
    sessions_done: int
    sessions_planned: int | None
    first_session: date
    weeks: int  # whole weeks since the first session
    feet: tuple[FootChange, ...]  # the feet without a meaningful improvement


@dataclass(frozen=True)
class NoImprovement(Finding):
    """A conservative course 6 months on without a meaningful drop in first-step pain (000:19, 000:25)."""

    kind: ClassVar[FindingKind] = FindingKind.NO_IMPROVEMENT
    months: int
    feet: tuple[FootChange, ...]


@dataclass(frozen=True)
class LingeringSoreness(Finding):
    """Needling soreness still recorded more than 2 days after the latest session (002:36)."""

    kind: ClassVar[FindingKind] = FindingKind.LINGERING_SORENESS
    session_on: date
    recorded_on: date
    soreness: int


@dataclass(frozen=True)
class PostOpNotBetter(Finding):
    """After surgery: pain 2 points worse than before it once the tissues have healed (000:13, 000:36), or, after
    endoscopic release, not 2 points better once most people are back to their activities (000:11)."""

    kind: ClassVar[FindingKind] = FindingKind.POST_OP_NOT_BETTER
    foot: str
    level: float
    before_surgery: float
    worse: bool
    day: int


@dataclass(frozen=True)
class MassageAdverse(Finding):
    """A home massage in the last 7 days caused pain or a bad reaction: stop and consult (001:11)."""

    kind: ClassVar[FindingKind] = FindingKind.MASSAGE_ADVERSE
    day: date


@dataclass(frozen=True)
class PostOpExpected(Finding):
    """After surgery, pain higher than before surgery or high, and not rising after settling: the expected course.

    ``falling``: the current level is below the highest level since surgery.
    """

    kind: ClassVar[FindingKind] = FindingKind.POST_OP_EXPECTED
    foot: str
    level: float
    peak: float
    before_surgery: float | None
    falling: bool


@dataclass(frozen=True)
class Improved(Finding):
    """First-step pain meaningfully (2 points) below the starting level, on every treated foot."""

    kind: ClassVar[FindingKind] = FindingKind.IMPROVED
    feet: tuple[FootChange, ...]


@dataclass(frozen=True)
class FunctionChange:
    """A questionnaire finding (issue 13): a function score against the baseline or the previous one.

    Read beside a course's pain findings, not among them (``FindingKind`` is the pain engine's; a function
    score has its own schedule and its own thresholds). ``change`` is a
    ``tracker.progress.questionnaires.ScoreChange``; ``against`` says which earlier score ("baseline" or
    "previous"); ``citations`` the instrument's threshold.
    """

    change: ScoreChange
    against: str
    citations: tuple[Citation, ...] = ()


# Most important first: the order findings are listed in, and the first one of the status decides the reason.
FINDING_ORDER = {kind: i for i, kind in enumerate(FindingKind)}


# ---------------------------------------------------------------------------------------------------------------
# The overall status and the report
# ---------------------------------------------------------------------------------------------------------------


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
    day: int  # days since day 0 (0 on day 0; negative before it), on ``as_of``
    week: int  # week 1 is days 0 to 6; 0 before day 0
    sessions: SessionsProgress
    milestones: tuple[MilestoneResult, ...]
    pain: tuple[PainTrend, ...]  # one per treated foot
    findings: tuple[Finding, ...]  # what the calculation found, most important first
    status: OverallStatus
    decided_by: Finding | None  # the finding the status comes from (None: on track with nothing to say)
    last_logged_on: date | None
    as_of: date  # the day the course is judged up to: today, or its end for a completed or stopped course
    worst_foot: str | None = None  # the treated foot the status comes from, when a foot decides it

    @property
    def is_active(self) -> bool:
        return self.course_status == "active"

    @property
    def ended(self) -> bool:
        return self.as_of < self.today and not self.is_active

    @property
    def urgency(self) -> int:
        """Lower is more urgent (``URGENCY``): sort a caseload by it."""
        return URGENCY[self.status]

    @property
    def red_flag_days(self) -> tuple[date, ...]:
        return tuple(sorted({f.day for f in self.findings if isinstance(f, RedFlag)}))

    def has(self, kind: FindingKind) -> bool:
        return any(f.kind == kind for f in self.findings)

    def first(self, kind: FindingKind) -> Finding | None:
        return next((f for f in self.findings if f.kind == kind), None)

    @property
    def reason(self) -> str:
        """The patient's sentence (plain words, second person)."""
        from .wording import patient_reason

        return patient_reason(self)

    @property
    def clinician_reason(self) -> str:
        """The care team's line (third person, terse, with the numbers and the source references)."""
        from .wording import clinician_reason

        return clinician_reason(self)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (dates as ISO strings, enums as their values), with the two sentences."""
        data: dict[str, Any] = _jsonable(dataclasses.asdict(self))
        data["findings"] = [_finding_dict(f) for f in self.findings]
        data["decided_by"] = self.decided_by.kind.value if self.decided_by else None
        data["reason"] = self.reason
        data["clinician_reason"] = self.clinician_reason
        data["red_flag_days"] = [d.isoformat() for d in self.red_flag_days]
        for milestone, result in zip(data["milestones"], self.milestones, strict=True):
            milestone["sentence"] = result.sentence
        return data


@dataclass(frozen=True)
class BandPoint:
    """The cohort band for one week since day 0 (week 1 is days 0 to 6), over at least 5 other patients."""

    week: int
    median: float  # first-step pain, 0 to 10
    q1: float  # 25th percentile
    q3: float  # 75th percentile
    patients: int  # how many patients contribute to this week


def _finding_dict(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = _jsonable(dataclasses.asdict(finding))
    data["kind"] = finding.kind.value
    data["citations"] = [c.source for c in finding.citations]
    return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value
