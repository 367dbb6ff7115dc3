"""Is this course on track? Pure functions of a course, its sessions, the patient's logs and ``today``.

No database access and no clock: ``today`` is passed in, so the same inputs always give the same report
(the pages, the caseload, the alerts and the ``progress`` command all call ``course_report``).

Definitions (units: pain is the 0 to 10 first-step pain; days are calendar days):

- **Judged up to** (``as_of``): ``today``, or ``ended_on`` for a completed or stopped course (the report
  says so). Logs after ``as_of`` are ignored, as are logs of feet the course does not treat (except the
  whole-body red flags, see below).
- **Day N** is ``as_of - day_zero`` in days (0 on day 0, negative before); **week W** is ``N // 7 + 1``
  (days 0 to 6 are week 1), 0 before day 0.
- **Baseline**, per treated foot: the mean first-step pain of the logs from day -7 to day 0 inclusive (the
  days around the start). If there are none, the mean of the first 3 logged days from day 0 on (fewer if
  fewer are logged so far; it then changes as days are added). None with no logs.
- **7-day mean** on a day: the mean of the days *logged* among the 7 ending on it. A day without a log is a
  gap: it is left out, never counted as 0. None when none of the 7 days is logged.
- **Change** = 7-day mean today - baseline (negative is better); **meaningful** when 2 points or more either
  way (CLINICAL.md), **improved** when it is 2 or more points down.
- A **milestone is reached** on the first logged day (from day 0, up to ``as_of``) showing it: full
  weight-bearing, normal shoes, back to usual activities (yes), out of the cast or boot (any footwear other
  than a cast or walking boot), some weight-bearing (partial or full). For the pain-relief milestone of
  needling and massage, the first *logged* day after the baseline is known whose 7-day mean is at least 2
  points under the baseline. With both feet treated, a milestone is reached when it is reached on both.
  Because a reached day depends only on logs on or before it, days logged later never move it.
- **Lingering needling soreness**: needling course; the most recent log dated more than 2 days after the
  latest needling session that records needling soreness records more than 0 (002:36).
- **No improvement after 6 months**: conservative course (needling, massage), ``as_of`` at least 6 calendar
  months after day 0, and a treated foot whose 7-day mean is known and not 2 points under its baseline
  (000:19, 000:25). Unknown (no recent logs) is not reported as "no improvement".
- **Red flag**: a red flag ticked on a log in the 7 days ending ``as_of``. Fever, one painful swollen calf and
  breathlessness or chest pain concern the whole body, so they count from any foot's log; the local ones
  (wound, redness, numbness, toes) only from a treated foot's log.
- **Worsening** (DESIGN.md section 6): a treated foot's 7-day mean 2 or more points above its baseline, or
  its first-step pain 7 or more on 3 logged days running (consecutive calendar days, each logged; a gap
  breaks the run) with the run ending in the 7 days ending ``as_of``, on or after day 0.

Overall status, most urgent first: red flag > worsening > behind (a milestone overdue, lingering needling
soreness, or no improvement after 6 months) > ahead (a milestone reached early, or every treated foot
improved, and nothing behind) > on track. With both feet treated the worst foot decides. Before day 0 only a red
flag is judged: a course that has not started is on track, never ahead.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from statistics import fmean

from tracker.models import (
    CONSERVATIVE_KINDS,
    EMERGENCY_RED_FLAGS,
    RED_FLAG_FIELDS,
    CourseKind,
    CourseStatus,
    Footwear,
    SessionKind,
    UsualActivities,
    WeightBearing,
    feet_of,
)

from .report import (
    CourseReport,
    Expectation,
    MilestoneResult,
    MilestoneStatus,
    OverallStatus,
    PainPoint,
    PainTrend,
    SessionsProgress,
)
from .timelines import (
    MASSAGE_SESSIONS_CITATION,
    MEANINGFUL_CHANGE_POINTS,
    NEEDLING_SESSIONS_CITATION,
    NEEDLING_SORENESS_SETTLES_DAYS,
    NEEDLING_TYPICAL_SESSIONS,
    NO_IMPROVEMENT_MONTHS,
    milestones_for,
)
from .words import format_number

BASELINE_DAYS_BEFORE = 7  # baseline: logs from day -7 to day 0
BASELINE_FALLBACK_LOGS = 3  # ...or the first 3 logged days
MEAN_DAYS = 7  # the "7-day mean"
RECENT_DAYS = 7  # red flags and pain runs count when they are this recent
HIGH_PAIN = 7  # DESIGN.md section 6: "pain 7 or more for 3 days running"
HIGH_PAIN_RUN_DAYS = 3
# Float means: 5.0 - 3.0 must count as 2 points, whatever the rounding.
_EPSILON = 1e-9

# Red flags about the whole body count whichever foot's log they were ticked on.
SYSTEMIC_RED_FLAGS = frozenset({"rf_fever", "rf_calf", "rf_breathless_chest"})
RED_FLAG_LABELS = dict(RED_FLAG_FIELDS)

# How each milestone (by key) is read off the logs: (log field, values that mean "reached").
REACHED_BY_FIELD: dict[str, tuple[str, frozenset[str]]] = {
    "limited_weight_bearing": ("weight_bearing", frozenset({WeightBearing.PARTIAL, WeightBearing.FULL})),
    "full_weight_bearing": ("weight_bearing", frozenset({WeightBearing.FULL})),
    "normal_shoes": ("footwear", frozenset({Footwear.NORMAL})),
    "usual_activities": ("usual_activities", frozenset({UsualActivities.YES})),
    "out_of_cast_or_boot": ("footwear", frozenset({Footwear.POSTOP, Footwear.SUPPORTIVE, Footwear.NORMAL})),
}
REACHED_BY_PAIN = frozenset({"pain_relief"})

_SESSION_KIND_FOR_COURSE = {
    CourseKind.ENDOSCOPIC: SessionKind.SURGERY,
    CourseKind.OPEN: SessionKind.SURGERY,
    CourseKind.NEEDLING: SessionKind.NEEDLING,
    CourseKind.MASSAGE: SessionKind.MASSAGE,
}


# ---------------------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months; the 31st becomes the month's last day where needed."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def format_day(day: date) -> str:
    """A date as a patient reads it: "3 March 2026"."""
    return f"{day.day} {day:%B %Y}"


def _points(value: float) -> str:
    """A pain value in words: "2 points", "1.5 points"."""
    text = format_number(value)
    return f"{text} point" if text == "1" else f"{text} points"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _log_key(log) -> tuple:
    # The database allows one log per patient, day and foot; if handed two, keep one deterministically.
    return (log.pk or 0, log.first_step_pain, log.average_pain)


def logs_by_day(logs: Iterable, *, foot: str, until: date) -> dict[date, object]:
    """One foot's logs up to ``until`` (inclusive), by date."""
    days: dict[date, object] = {}
    for log in logs:
        if log.foot != foot or log.date > until:
            continue
        current = days.get(log.date)
        if current is None or _log_key(log) > _log_key(current):
            days[log.date] = log
    return days


def mean_7d(days: dict[date, object], day: date) -> float | None:
    """Mean first-step pain of the logged days among the 7 ending on ``day``; None if none is logged."""
    values = [days[d].first_step_pain for d in (day - timedelta(n) for n in range(MEAN_DAYS)) if d in days]
    return fmean(values) if values else None


# ---------------------------------------------------------------------------------------------------------
# Pain trend
# ---------------------------------------------------------------------------------------------------------


def baseline(days: dict[date, object], *, day_zero: date) -> tuple[float | None, str, date | None]:
    """(baseline, where it came from, the day from which it is complete) for one foot.

    The day it is complete is day 0 for the days around day 0, and the third logged day for the fallback
    (None while fewer than 3 days are logged: the baseline may still change, so nothing is reached against it).
    """
    around = [
        log.first_step_pain for d, log in days.items() if day_zero - timedelta(BASELINE_DAYS_BEFORE) <= d <= day_zero
    ]
    if around:
        return fmean(around), "around_day_0", day_zero
    first = sorted(d for d in days if d >= day_zero)[:BASELINE_FALLBACK_LOGS]
    if not first:
        return None, "", None
    complete_on = first[-1] if len(first) == BASELINE_FALLBACK_LOGS else None
    return fmean(days[d].first_step_pain for d in first), "first_logged_days", complete_on


def _high_pain_run_start(days: dict[date, object], *, day_zero: date, as_of: date) -> date | None:
    """Start of the latest run of 3+ consecutive logged days at 7+ (from day 0) ending in the last 7 days."""
    recent_from = as_of - timedelta(RECENT_DAYS - 1)
    day = as_of
    while day >= max(recent_from, day_zero):
        if day in days and days[day].first_step_pain >= HIGH_PAIN:
            start = day
            while (
                (start - timedelta(1)) in days
                and start - timedelta(1) >= day_zero
                and (days[start - timedelta(1)].first_step_pain >= HIGH_PAIN)
            ):
                start -= timedelta(1)
            if (day - start).days + 1 >= HIGH_PAIN_RUN_DAYS:
                return start
            day = start - timedelta(1)
        else:
            day -= timedelta(1)
    return None


def pain_trend(*, foot: str, days: dict[date, object], day_zero: date, as_of: date) -> PainTrend:
    """Baseline, 7-day mean, change and series of first-step pain for one foot, judged at ``as_of``."""
    base, source, _ = baseline(days, day_zero=day_zero)
    current = mean_7d(days, as_of)
    change = current - base if current is not None and base is not None else None
    meaningful = change is not None and abs(change) >= MEANINGFUL_CHANGE_POINTS - _EPSILON
    improved = change is not None and change <= -MEANINGFUL_CHANGE_POINTS + _EPSILON

    worsening_since = None
    if base is not None:
        day = as_of
        while day >= day_zero:
            value = mean_7d(days, day)
            if value is None or value - base < MEANINGFUL_CHANGE_POINTS - _EPSILON:
                break
            worsening_since = day
            day -= timedelta(1)

    has_before = any(day_zero - timedelta(BASELINE_DAYS_BEFORE) <= d < day_zero for d in days)
    start = day_zero - timedelta(BASELINE_DAYS_BEFORE) if has_before else day_zero
    series = []
    day = start
    while day <= as_of:
        log = days.get(day)
        series.append(
            PainPoint(day=day, first_step_pain=log.first_step_pain if log else None, mean_7d=mean_7d(days, day))
        )
        day += timedelta(1)

    return PainTrend(
        foot=foot,
        baseline=base,
        mean_7d=current,
        change=change,
        meaningful=meaningful,
        series=tuple(series),
        baseline_source=source,
        improved=improved,
        worsening_since=worsening_since,
        high_pain_run_start=_high_pain_run_start(days, day_zero=day_zero, as_of=as_of),
    )


# ---------------------------------------------------------------------------------------------------------
# Milestones
# ---------------------------------------------------------------------------------------------------------


def _reached_on_one_foot(expectation: Expectation, days: dict[date, object], *, day_zero: date) -> date | None:
    if expectation.key in REACHED_BY_FIELD:
        field, values = REACHED_BY_FIELD[expectation.key]
        hits = [d for d, log in days.items() if d >= day_zero and getattr(log, field) in values]
        return min(hits) if hits else None
    if expectation.key in REACHED_BY_PAIN:
        base, _, complete_on = baseline(days, day_zero=day_zero)
        if base is None or complete_on is None:
            return None
        for d in sorted(d for d in days if d > complete_on):
            value = mean_7d(days, d)
            if value is not None and value <= base - MEANINGFUL_CHANGE_POINTS + _EPSILON:
                return d
        return None
    raise KeyError(f"No rule says how milestone {expectation.key!r} is read from the logs")


def reached_on(expectation: Expectation, by_foot: dict[str, dict[date, object]], *, day_zero: date) -> date | None:
    """The day a milestone was reached on every treated foot (the latest foot's day), or None."""
    days = [_reached_on_one_foot(expectation, foot_days, day_zero=day_zero) for foot_days in by_foot.values()]
    if not days or any(d is None for d in days):
        return None
    return max(days)


def milestone_result(
    expectation: Expectation, by_foot: dict[str, dict[date, object]], *, day_zero: date, as_of: date
) -> MilestoneResult:
    """A milestone's window (as dates), status and one plain sentence."""
    reached = reached_on(expectation, by_foot, day_zero=day_zero)
    if expectation.window_start_day is None or expectation.window_end_day is None:
        sentence = (
            f"You reached this on {format_day(reached)}; the sources give no time for it, so it is not judged."
            if reached
            else "Not reached yet; the sources give no time for this, so it is not judged."
        )
        return MilestoneResult(expectation, MilestoneStatus.NO_EXPECTED_TIME, reached, None, None, sentence)

    start = day_zero + timedelta(expectation.window_start_day)
    end = day_zero + timedelta(expectation.window_end_day)
    words = expectation.window_words or f"days {expectation.window_start_day} to {expectation.window_end_day}"
    if reached is not None:
        if reached < start:
            status, sentence = (
                MilestoneStatus.REACHED_EARLY,
                f"You reached this on {format_day(reached)}, earlier than the {words} the sources expect.",
            )
        elif reached <= end:
            status, sentence = (
                MilestoneStatus.REACHED_ON_TIME,
                f"You reached this on {format_day(reached)}, within the {words} the sources expect.",
            )
        else:
            status, sentence = (
                MilestoneStatus.REACHED_LATE,
                f"You reached this on {format_day(reached)}, later than the {words} the sources expect.",
            )
    elif as_of > end:
        status = MilestoneStatus.OVERDUE
        sentence = f"The sources expect this {words} (by {format_day(end)}), and your logs do not show it yet."
    elif as_of >= start:
        status = MilestoneStatus.NOT_YET_DUE
        sentence = f"The sources expect this {words} (by {format_day(end)}): not reached yet, and there is still time."
    else:
        status = MilestoneStatus.NOT_YET_DUE
        sentence = f"The sources expect this {words} ({format_day(start)} to {format_day(end)}): not due yet."
    return MilestoneResult(expectation, status, reached, start, end, sentence)


# ---------------------------------------------------------------------------------------------------------
# Sessions, soreness, red flags
# ---------------------------------------------------------------------------------------------------------


def sessions_progress(*, kind: str, planned: int | None, sessions: Iterable, as_of: date) -> SessionsProgress:
    """Sessions of the course's own kind done up to ``as_of``, against planned and what the source says."""
    session_kind = _SESSION_KIND_FOR_COURSE.get(kind)
    done = sum(1 for s in sessions if s.kind == session_kind and s.date <= as_of)
    if kind == CourseKind.NEEDLING:
        low, high = NEEDLING_TYPICAL_SESSIONS
        return SessionsProgress(done, planned, low, high, NEEDLING_SESSIONS_CITATION)
    if kind == CourseKind.MASSAGE:
        # "a few sessions": words, no number.
        return SessionsProgress(done, planned, None, None, MASSAGE_SESSIONS_CITATION)
    return SessionsProgress(done, planned, None, None, None)


def lingering_needling_soreness(*, sessions: Iterable, logs: Iterable, feet: tuple[str, ...], as_of: date) -> bool:
    """Needling soreness still recorded more than 2 days after the latest needling session (002:36).

    "Still": the most recent log (treated feet, up to ``as_of``) dated more than 2 days after the session that
    records needling soreness at all records more than 0. A later 0 means it has settled.
    """
    dates = [s.date for s in sessions if s.kind == SessionKind.NEEDLING and s.date <= as_of]
    if not dates:
        return False
    after = max(dates) + timedelta(NEEDLING_SORENESS_SETTLES_DAYS)
    recorded = [
        log for log in logs if log.foot in feet and after < log.date <= as_of and log.needling_soreness is not None
    ]
    if not recorded:
        return False
    latest = max(log.date for log in recorded)
    return any(log.needling_soreness > 0 for log in recorded if log.date == latest)


def red_flag_logs(*, logs: Iterable, feet: tuple[str, ...], as_of: date) -> list:
    """Logs in the 7 days ending ``as_of`` with a red flag that concerns this course, oldest first."""
    since = as_of - timedelta(RECENT_DAYS - 1)
    found = []
    for log in logs:
        if not since <= log.date <= as_of:
            continue
        flags = log.red_flags
        if any(f in SYSTEMIC_RED_FLAGS for f in flags) or (log.foot in feet and flags):
            found.append(log)
    return sorted(found, key=lambda log: (log.date, log.foot))


# ---------------------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------------------


def _foot_words(foot: str, feet: tuple[str, ...]) -> str:
    return f"your {foot} foot's" if len(feet) > 1 else "your"


# ---------------------------------------------------------------------------------------------------------
# The clinician's sentence: third person, terse, with the numbers and the citations
# ---------------------------------------------------------------------------------------------------------


def _short_day(day: date) -> str:
    """A recent date for the care team: "20 Nov"."""
    return f"{day.day} {day:%b}"


def _short_source(source: str) -> str:
    """ "000_1e061efd59e99644.txt:11" -> "000:11" (the numbering the sources page and DESIGN.md use)."""
    name, _, line = source.partition(":")
    if name.endswith(".txt") and "_" in name and line:
        return f"{name.split('_', 1)[0]}:{line}"
    return source


def _clinician_title(title: str) -> str:
    """A milestone's patient-facing title in the third person: "Back to your usual activities" -> "Back to usual activities"."""
    return title.replace(" your ", " ")


def _foot_label(foot: str, feet: tuple[str, ...]) -> str:
    """ "Left foot: " when both feet are treated, else nothing."""
    return f"{foot.capitalize()} foot: " if len(feet) > 1 else ""


def _with_foot(foot: str, feet: tuple[str, ...], text: str) -> str:
    """``text`` as a sentence, led by "Left foot: " when both feet are treated."""
    return f"{_foot_label(foot, feet)}{_lower_first(text)}" if len(feet) > 1 else text


def _mean_words(t: PainTrend) -> str:
    """ "7-day mean first-step pain 6/10, +2 from baseline 4" (whatever of it is known)."""
    words = f"7-day mean first-step pain {format_number(t.mean_7d)}/10"
    if t.change is not None and t.baseline is not None:
        sign = "+" if t.change > 0 else ("-" if t.change < 0 else "±")
        words += f", {sign}{format_number(abs(t.change))} from baseline {format_number(t.baseline)}"
    elif t.baseline is not None:
        words += f", baseline {format_number(t.baseline)}"
    return words


def _overall(
    *,
    course,
    as_of: date,
    feet: tuple[str, ...],
    any_logs: bool,
    pain: tuple[PainTrend, ...],
    milestones: tuple[MilestoneResult, ...],
    flagged: list,
    lingering: bool,
    latest_needling: date | None = None,
    no_improvement: bool,
) -> tuple[OverallStatus, str, str, str | None]:
    """(status, the patient's sentence, the clinician's sentence, the foot that decided it), most urgent first.

    The patient's sentence is plain words in the second person, with no jargon; the clinician's is terse, in
    the third person, and names the numbers (baseline, 7-day mean, day numbers) and the source lines.
    """
    if flagged:
        latest = flagged[-1]
        flags = [f for log in flagged for f in log.red_flags]
        emergency = [log for log in flagged if any(f in EMERGENCY_RED_FLAGS for f in log.red_flags)]
        if emergency:
            return (
                OverallStatus.RED_FLAG,
                f"You reported breathlessness or chest pain on {format_day(emergency[-1].date)}: this can be an "
                "emergency, so call emergency services now if you have it.",
                f"Red flag on {_short_day(emergency[-1].date)}: breathlessness or chest pain, a possible emergency.",
                emergency[-1].foot,
            )
        label = _lower_first(RED_FLAG_LABELS[latest.red_flags[0]])
        more = " and other warning signs" if len(set(flags)) > 1 else ""
        where = f" ({latest.foot} foot)" if len(feet) > 1 or latest.foot not in feet else ""
        labels = "; ".join(_lower_first(RED_FLAG_LABELS[f]) for f in latest.red_flags)
        others = " Other red flags this week." if set(flags) - set(latest.red_flags) else ""
        return (
            OverallStatus.RED_FLAG,
            f"You reported a warning sign ({label}{more}) on {format_day(latest.date)}: contact your care team today.",
            f"Red flag on {_short_day(latest.date)}{where}: {labels}.{others}",
            latest.foot,
        )

    worse = sorted((t for t in pain if t.worsening_since is not None), key=lambda t: -(t.change or 0))
    if worse:
        t = worse[0]
        return (
            OverallStatus.WORSENING,
            f"Over the past week {_foot_words(t.foot, feet)} morning first-step pain averaged {format_number(t.mean_7d)} out "
            f"of 10, {_points(t.change)} worse than when you started: please tell your care team.",
            _with_foot(t.foot, feet, f"Worsening since {_short_day(t.worsening_since)}: {_mean_words(t)}."),
            t.foot,
        )
    runs = [t for t in pain if t.high_pain_run_start is not None]
    if runs:
        t = runs[0]
        return (
            OverallStatus.WORSENING,
            f"{_foot_words(t.foot, feet).capitalize()} morning first-step pain has been 7 or more out of 10 for 3 days "
            "running: please tell your care team.",
            _with_foot(
                t.foot,
                feet,
                f"First-step pain 7/10 or more on 3 or more days running since {_short_day(t.high_pain_run_start)}.",
            ),
            t.foot,
        )

    overdue = [m for m in milestones if m.status == MilestoneStatus.OVERDUE]
    if overdue:
        m = overdue[0]
        words = m.expectation.window_words or "in the time the sources give"
        return (
            OverallStatus.BEHIND,
            f'The sources expect "{m.expectation.title}" {words}, and your logs do not show it yet.',
            f"{_clinician_title(m.expectation.title)} expected {words} (by day {m.expectation.window_end_day}, "
            f"{_short_source(m.expectation.citation.source)}); not yet logged.",
            None,
        )
    if lingering:
        session = f"the session of {_short_day(latest_needling)}" if latest_needling else "the latest session"
        return (
            OverallStatus.BEHIND,
            "Soreness from needling is still there more than 2 days after your last session, when it usually "
            "settles within a day or two: tell your care team.",
            f"Needling soreness still reported more than 2 days after {session} (usually settles within a day or "
            "two, 002:36).",
            None,
        )
    if no_improvement:
        stuck = next((t for t in pain if t.change is not None and not t.improved), None)
        detail = f": {_foot_label(stuck.foot, feet).lower()}{_mean_words(stuck)}" if stuck else ""
        return (
            OverallStatus.BEHIND,
            f"After {NO_IMPROVEMENT_MONTHS} months {_foot_words(stuck.foot if stuck else feet[0], feet)} morning "
            "first-step pain has not dropped by 2 points or more, so your care team may talk with you about "
            "other options.",
            f"No drop of 2 points or more in first-step pain {NO_IMPROVEMENT_MONTHS} months after day 0{detail} "
            "(surgery is considered after 6 to 12 months without relief, 000:19, 000:25).",
            stuck.foot if stuck else None,
        )

    # Before day 0 there is no "since you started": the baseline is still being logged.
    if as_of < course.day_zero:
        return (
            OverallStatus.ON_TRACK,
            f"This course starts on {format_day(course.day_zero)}, so there is nothing to compare yet.",
            f"Course starts on {format_day(course.day_zero)}; nothing to judge yet.",
            None,
        )

    early = [m for m in milestones if m.status == MilestoneStatus.REACHED_EARLY]
    known = [t for t in pain if t.change is not None]
    if known and len(known) == len(feet) and all(t.improved for t in known):
        best = min(known, key=lambda t: t.change)
        return (
            OverallStatus.AHEAD,
            f"Over the past week {_foot_words(best.foot, feet)} morning first-step pain averaged {format_number(best.mean_7d)} "
            f"out of 10, {_points(-best.change)} better than when you started: a real improvement.",
            "Improved by 2 points or more: "
            + "; ".join(f"{_foot_label(t.foot, feet).lower()}{_mean_words(t)}" for t in known)
            + ".",
            None,
        )
    if early:
        m = early[0]
        return (
            OverallStatus.AHEAD,
            f'You reached "{m.expectation.title}" earlier than the sources expect.',
            f"{_clinician_title(m.expectation.title)} reached early, on {_short_day(m.reached_on)} (day "
            f"{(m.reached_on - course.day_zero).days}; expected {m.expectation.window_words}, "
            f"{_short_source(m.expectation.citation.source)}).",
            None,
        )

    if not any_logs:
        return (
            OverallStatus.ON_TRACK,
            "No days logged yet, so there is nothing to compare: log how your heel feels each day.",
            "No days logged yet.",
            None,
        )
    current = [t for t in pain if t.mean_7d is not None]
    if current:
        t = max(current, key=lambda t: t.mean_7d)
        return (
            OverallStatus.ON_TRACK,
            f"Nothing is behind what the sources expect so far, and {_foot_words(t.foot, feet)} morning first-step "
            f"pain averaged {format_number(t.mean_7d)} out of 10 over the past week.",
            f"Nothing behind the sources; {_foot_label(t.foot, feet).lower()}{_mean_words(t)}.",
            None,
        )
    return (
        OverallStatus.ON_TRACK,
        "Nothing is behind what the sources expect so far, but no day is logged in the past week: log how your "
        "heel feels each day.",
        "Nothing behind the sources; nothing logged in the past 7 days.",
        None,
    )


def course_report(*, course, sessions: Iterable, logs: Iterable, today: date) -> CourseReport:
    """The progress report of one course, as seen on ``today`` (the patient's local date).

    ``course``: a ``Course`` (or any object with id, public_id, kind, foot, day_zero, status, ended_on,
    planned_sessions and get_kind_display()). ``sessions``: this course's sessions. ``logs``: the patient's
    daily logs in any order; other feet, days before day 0 and days after ``today`` are handled (see the
    module docstring). A completed or stopped course is judged up to its ``ended_on``.
    """
    logs = list(logs)
    sessions = list(sessions)
    ended = course.status != CourseStatus.ACTIVE and course.ended_on is not None
    as_of = min(today, course.ended_on) if ended else today
    feet = feet_of(course.foot)
    day_zero = course.day_zero
    by_foot = {foot: logs_by_day(logs, foot=foot, until=as_of) for foot in feet}

    day = (as_of - day_zero).days
    week = day // 7 + 1 if day >= 0 else 0

    pain = tuple(pain_trend(foot=foot, days=by_foot[foot], day_zero=day_zero, as_of=as_of) for foot in feet)
    milestones = tuple(
        milestone_result(e, by_foot, day_zero=day_zero, as_of=as_of) for e in milestones_for(course.kind)
    )
    flagged = red_flag_logs(logs=logs, feet=feet, as_of=as_of)
    lingering = course.kind == CourseKind.NEEDLING and lingering_needling_soreness(
        sessions=sessions, logs=logs, feet=feet, as_of=as_of
    )
    no_improvement = (
        course.kind in CONSERVATIVE_KINDS
        and as_of >= add_months(day_zero, NO_IMPROVEMENT_MONTHS)
        and any(t.change is not None and not t.improved for t in pain)
    )
    logged_days = [d for days in by_foot.values() for d in days]
    latest_needling = max(
        (s.date for s in sessions if s.kind == SessionKind.NEEDLING and s.date <= as_of), default=None
    )
    status, reason, clinician_reason, worst_foot = _overall(
        course=course,
        as_of=as_of,
        feet=feet,
        any_logs=bool(logged_days),
        pain=pain,
        milestones=milestones,
        flagged=flagged,
        lingering=lingering,
        latest_needling=latest_needling,
        no_improvement=no_improvement,
    )
    if ended:
        verb = "was completed" if course.status == CourseStatus.COMPLETED else "was stopped"
        reason = f"This course {verb} on {format_day(course.ended_on)}, and at that point: {_lower_first(reason)}"
        verb = "completed" if course.status == CourseStatus.COMPLETED else "stopped"
        clinician_reason = (
            f"Course {verb} on {format_day(course.ended_on)}; at that point: {_lower_first(clinician_reason)}"
        )

    return CourseReport(
        course_id=course.id,
        course_public_id=str(course.public_id),
        kind=str(course.kind),
        kind_label=str(course.get_kind_display()),
        foot=str(course.foot),
        day_zero=day_zero,
        course_status=str(course.status),
        today=today,
        day=day,
        week=week,
        sessions=sessions_progress(kind=course.kind, planned=course.planned_sessions, sessions=sessions, as_of=as_of),
        milestones=milestones,
        pain=pain,
        red_flag_days=tuple(sorted({log.date for log in flagged})),
        lingering_needling_soreness=lingering,
        no_improvement_after_6_months=no_improvement,
        status=status,
        reason=reason,
        last_logged_on=max(logged_days) if logged_days else None,
        as_of=as_of,
        worst_foot=worst_foot,
        clinician_reason=clinician_reason,
    )
