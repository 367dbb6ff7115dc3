"""A patient's caseload row, worked out from their progress reports: what the caseload shows and sorts by.

Pure: no query, ``today`` (the patient's local date) passed in. ``tracker.services.progress_cache`` stores the
result per patient (``CaseloadSnapshot``); the caseload reads it back. Open alerts are not part of it: they
change without a new report, so the caseload joins them live and ``with_alerts`` applies them to the row.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import wording
from .calculate import SILENT_AFTER_DAYS, days_without_log, first_loggable_day
from .questionnaires import MeasureReading
from .report import CourseReport, OverallStatus

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from tracker.models import Course, DailyLog

TREND_DAYS = 7


class Need(StrEnum):
    """Where a patient sits in the caseload, most urgent first (``NEED_ORDER``)."""

    CRITICAL = "critical"  # a red flag in the last 7 days, or an open critical alert
    WORSENING = "worsening"
    BEHIND = "behind"
    SILENT = "silent"  # an active course and no log for 2 days or more
    ON_TRACK = "on_track"
    AHEAD = "ahead"
    NO_COURSE = "no_course"  # no active course: nothing to judge

    @property
    def label(self) -> str:
        return NEED_LABELS[self]


NEED_LABELS = {
    Need.CRITICAL: "Red flag",
    Need.WORSENING: "Worsening",
    Need.BEHIND: "Behind",
    Need.SILENT: "Silent",
    Need.ON_TRACK: "On track",
    Need.AHEAD: "Ahead",
    Need.NO_COURSE: "No active course",
}
NEED_ORDER = {need: i for i, need in enumerate(Need)}
_NEED_FROM_STATUS = {
    OverallStatus.RED_FLAG: Need.CRITICAL,
    OverallStatus.WORSENING: Need.WORSENING,
    OverallStatus.BEHIND: Need.BEHIND,
    OverallStatus.ON_TRACK: Need.ON_TRACK,
    OverallStatus.AHEAD: Need.AHEAD,
}
NO_OPEN_CRITICAL_TEXT = "An open critical alert."


def _engine_version() -> str:
    """A checksum of the engine's source (this package and the selectors that feed it): a change to any of them
    makes every stored row out of date."""
    here = Path(__file__).resolve().parent
    files = [
        *sorted(here.glob("*.py")),
        here.parent / "selectors" / "progress.py",
        here.parent / "selectors" / "questionnaires.py",  # the function declines that cap "ahead"
        here.parent / "selectors" / "log_rows.py",  # the rows the engine reads
        here.parent / "services" / "progress_cache.py",  # how a row is worked out (the cap on "ahead" included)
    ]
    crc = 0
    for path in files:
        crc = zlib.crc32(path.read_bytes(), crc)
    return f"{crc:08x}"


ENGINE_VERSION = _engine_version()


@dataclass(frozen=True)
class CaseloadEntry:
    """One patient's caseload row on ``computed_for``, without the open alerts."""

    computed_for: date
    need: Need
    reason: str
    red_flag: bool  # the need comes from a red flag in a report (an open critical alert adds nothing then)
    courses: list[dict[str, Any]] = field(default_factory=list)  # kind, kind_label, foot, day per active course
    trend: list[int | None] = field(default_factory=list)  # first-step pain, the last 7 days, oldest first
    last_logged_on: date | None = None
    latest_first_step_pain: int | None = None
    days_logged_7: int = 0
    faam_adl: float | None = None  # the latest completed FAAM ADL score
    faam_adl_change: float | None = None  # since the baseline
    faam_adl_direction: str = ""  # the MCID's verdict on that change (Direction), blank with no baseline

    @property
    def need_rank(self) -> int:
        return NEED_ORDER[self.need]

    @property
    def days_since_log(self) -> int | None:
        return None if self.last_logged_on is None else (self.computed_for - self.last_logged_on).days


def _trend(report: CourseReport | None, today: date) -> list[int | None]:
    """The worst foot's first-step pain on each of the last 7 days (None: not logged)."""
    if report is None or not report.pain:
        return []
    trend = next((t for t in report.pain if t.foot == report.worst_foot), None)
    if trend is None:
        trend = max(report.pain, key=lambda t: -1 if t.mean_7d is None else t.mean_7d)
    by_day = {p.day: p.first_step_pain for p in trend.series}
    return [by_day.get(today - timedelta(days=i)) for i in range(TREND_DAYS - 1, -1, -1)]


def caseload_entry(
    *,
    reports: Iterable[CourseReport],
    courses: Sequence[Course],
    logs: Iterable[DailyLog],
    joined_at: datetime,
    zone: ZoneInfo,
    today: date,
) -> CaseloadEntry:
    """The row of a patient judged on ``today`` (their local date) from the reports of their active courses.

    ``courses``: all their courses (for the first day they could log); ``logs``: all their logs.
    """
    mine = sorted(reports, key=lambda r: (r.urgency, r.day_zero))
    logs = list(logs)
    last = max((log.date for log in logs), default=None)
    latest = max((log.first_step_pain for log in logs if log.date == last), default=None)
    week_from = today - timedelta(days=TREND_DAYS - 1)
    days_7 = len({log.date for log in logs if week_from <= log.date <= today})
    red_flag = any(r.status == OverallStatus.RED_FLAG for r in mine)
    if not mine:
        need, reason = Need.NO_COURSE, "No active course."
    else:
        main = mine[0]
        need, reason = _NEED_FROM_STATUS[main.status], main.clinician_reason
        since = first_loggable_day(courses=list(courses), joined_at=joined_at, zone=zone)
        if NEED_ORDER[need] > NEED_ORDER[Need.SILENT] and since is not None:
            # The one definition of silent, as the no-log alerts use it.
            missed = days_without_log(last_logged_on=last, since=since, today=today)
            if missed >= SILENT_AFTER_DAYS:
                need, reason = Need.SILENT, wording.silence_team(missed=missed, last_logged_on=last)
    return CaseloadEntry(
        computed_for=today,
        need=need,
        reason=reason,
        red_flag=red_flag,
        courses=[{"kind": r.kind, "kind_label": r.kind_label, "foot": r.foot, "day": r.day} for r in mine],
        trend=_trend(mine[0] if mine else None, today),
        last_logged_on=last,
        latest_first_step_pain=latest,
        days_logged_7=days_7,
    )


def with_alerts(
    *, need: Need, reason: str, red_flag: bool, top_severity_critical: bool, top_alert: str | None
) -> tuple[Need, str]:
    """The row's need and reason once its open alerts are known: an open critical alert puts the patient first,
    with the alert's message as the reason, unless a red flag already does."""
    if top_severity_critical and not red_flag:
        return Need.CRITICAL, top_alert or NO_OPEN_CRITICAL_TEXT
    return need, reason


def with_faam_adl(entry: CaseloadEntry, reading: MeasureReading) -> CaseloadEntry:
    """``entry`` with the latest FAAM ADL score of ``reading`` and its change since the baseline (judged by the
    MCID, ``questionnaires.score_change``)."""
    if not reading.points:
        return entry
    change = reading.since_baseline
    return replace(
        entry,
        faam_adl=reading.points[-1][1],
        faam_adl_change=None if change is None else change.change,
        faam_adl_direction="" if change is None else str(change.direction),
    )
