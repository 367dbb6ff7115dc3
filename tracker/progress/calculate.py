"""Is this course on track? Pure functions of a course, its sessions, the patient's logs and ``today``.

No database access and no clock: ``today`` is passed in, so the same inputs always give the same report (the
pages, the caseload, the alerts and the ``progress`` command all call ``course_report``). The report holds
*findings* (``tracker.progress.report``), never sentences: ``tracker.progress.wording`` words them.

The rules, in plain words (README "The progress rules" states them for clinicians, with their sources). Pain is
first-step pain, 0 to 10; days are calendar days; day 0 is the surgery date, the first needling session or the
start of the massage routine.

- **Judged up to** (``as_of``): ``today``, or ``ended_on`` for a completed or stopped course. Logs after it, and
  logs of feet the course does not treat (except the whole-body red flags), are ignored.
- **Counted days.** The two days after each needling session (days s+1 and s+2), when soreness is expected
  (002:36), are *not counted*: they form no reference, no current level and no run of high pain. They are still
  drawn on the chart. A day without a log is a gap, never a zero.
- **Starting level** (``baseline``), per foot: the mean of the counted logs of days -7 to 0 (before treatment:
  day 0's first steps come before the surgery or the first session). A conservative course with no such log
  takes the first 3 counted logged days from day 1 instead, once there are 3. After surgery there is no
  fallback: the days after surgery are not a starting level.
- **Current level** (``mean_7d``): the mean of the counted logs among the 7 days ending ``as_of``, from day 1
  (before-treatment days never mix with treatment days). None when none is logged.
- **Reference** (what worsening is judged against): a conservative course's starting level; after surgery the
  lowest *settled* level since surgery: the lowest 7-day level (a week with at least 3 logged days, from day 1)
  that was not still climbing, i.e. pain had been at least as high earlier after surgery. Pain that is high just
  after surgery and falling, or rising as an anaesthetic block wears off, is therefore never a rise.
- **Worsening** (conservative): the current level 2 points or more above the reference (CLINICAL.md), or a run
  of 3 or more counted logged days running at 7 or more (DESIGN.md) whose mean is 2 points or more above it.
- **Possible wound or healing problem** (after surgery): the same meaningful rise above the settled level; or
  swelling or redness reported in the last 7 days on top of pain that is rising: at least 1 point (the minimal
  change, Salaffi 2004) above the settled level and, when a week earlier is known, 1 point above it.
  CLINICAL.md lists increasing pain and increasing redness, warmth or swelling near the incision as signs of
  infection; the leaflet names delayed wound healing and infection (000:33-34).
- **Persistent high pain** (care team only): a run of 3 or more counted days at 7 or more, ending in the last 7
  days, that is *not* meaningfully above the reference (the patient's usual level). After surgery it is judged
  only when pain is not falling: the current 7-day level is no lower than a week earlier (both weeks with 3
  logged days), so the expected early peak stays quiet.
- **Milestones** are read from day 1 (the surgery day's log describes the morning before surgery): the first
  logged day showing full weight-bearing, normal shoes, back to usual activities (yes), out of the cast or boot
  (any footwear but a cast or walking boot), some weight-bearing (partial or full); for pain relief, the first
  counted day after the starting level is known whose 7-day level is 2 points or more under it. With both feet
  treated, a milestone is reached when it is reached on both. A reached day depends only on logs on or before it.
  A recovery goal reached before its window is early ("ahead"); a protective period (cast or boot) ended before
  its window is a question for the care team, never ahead; a protective period still running after its window,
  or after the surgeon's planned date when that is later, is overdue.
- **Needling response review**: once the planned needling sessions are done (or 4, the fewest the article gives,
  when none are planned) and 6 weeks have passed since the first session (Cotchett 2014's endpoint; effects are
  expected "towards the end of the first month", 002:44), a treated foot whose current level is not 2 points
  under its starting level is "no response": behind, and the care team reviews the plan.
- **No improvement after 6 months**: a conservative course, 6 calendar months after day 0, with a treated foot
  not 2 points under its starting level (000:19, 000:25).
- **Lingering needling soreness**: the latest log more than 2 days after the latest needling session that
  records needling soreness records more than 0 (002:36).
- **Red flag**: a red flag ticked on a log in the 7 days ending ``as_of``. Fever, one painful swollen calf and
  breathlessness or chest pain concern the whole body, so they count from any foot's log; the local ones (wound,
  redness, numbness, toes) only from a treated foot's log.

Overall status, most urgent first: red flag > worsening (a possible wound problem, or worsening) > behind (a
milestone later than most, no needling response, no improvement after 6 months, lingering soreness) > ahead (a
goal reached early, or, for a conservative course, every treated foot improved by 2 points; never with a
protective period ended early or persistent high pain) > on track. With both feet treated the worse foot decides.
Before day 0 only a red flag is judged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from statistics import fmean

from tracker.models import (
    CONSERVATIVE_KINDS,
    EMERGENCY_RED_FLAGS,
    RED_FLAG_FIELDS,
    SURGICAL_KINDS,
    Course,
    CourseKind,
    CourseStatus,
    DailyLog,
    Footwear,
    Session,
    SessionKind,
    UsualActivities,
    WeightBearing,
    feet_of,
)

from .report import (
    FINDING_ORDER,
    Citation,
    CourseReport,
    Expectation,
    Finding,
    FindingKind,
    FootChange,
    Improved,
    LingeringSoreness,
    MassageAdverse,
    MilestoneEarly,
    MilestoneKind,
    MilestoneOverdue,
    MilestoneResult,
    MilestoneStatus,
    NeedlingNoResponse,
    NoImprovement,
    OverallStatus,
    PainPoint,
    PainTrend,
    PersistentHighPain,
    PostOpExpected,
    PostOpNotBetter,
    ProtectionEndedEarly,
    RedFlag,
    Reference,
    ReferenceKind,
    SessionsProgress,
    Worsening,
    WoundConcern,
)
from .timelines import (
    ENDOSCOPIC_USUAL_ACTIVITIES_CITATION,
    HEALING_CITATION,
    HEALING_DAYS,
    MASSAGE_CAUTION_CITATION,
    MASSAGE_SESSIONS_CITATION,
    MEANINGFUL_CHANGE_CITATION,
    MEANINGFUL_CHANGE_POINTS,
    MINIMAL_CHANGE_CITATION,
    MINIMAL_CHANGE_POINTS,
    NEEDLING_RESPONSE_CITATIONS,
    NEEDLING_SESSIONS_CITATION,
    NEEDLING_SORENESS_CITATION,
    NEEDLING_SORENESS_SETTLES_DAYS,
    NEEDLING_TRIAL_WEEKS,
    NEEDLING_TYPICAL_SESSIONS,
    NO_IMPROVEMENT_CITATION,
    NO_IMPROVEMENT_MONTHS,
    NORMAL_ACTIVITIES_BY_DAY,
    RECURRING_PAIN_CITATION,
    RED_FLAG_CITATION,
    SURGERY_AFTER_6_MONTHS_CITATION,
    WORSE_AFTER_SURGERY_CITATION,
    WOUND_CONCERN_CITATIONS,
    milestones_for,
)

BASELINE_DAYS_BEFORE = 7  # the starting level: logs from day -7 to day 0
BASELINE_FALLBACK_LOGS = 3  # ...or, for a conservative course, the first 3 counted days from day 1
MEAN_DAYS = 7  # a level is the mean of the logged days among 7
LEVEL_MIN_DAYS = 2  # a level is judged from a week with at least 2 counted logs: one good or bad day decides nothing
RECENT_DAYS = 7  # red flags, runs and swelling count when they are this recent
HIGH_PAIN = 7  # DESIGN.md section 6: "7 or more for 3 days"
HIGH_PAIN_RUN_DAYS = 3
# Float means: 5.0 - 3.0 must count as 2 points, whatever the rounding.
_EPSILON = 1e-9

# Red flags about the whole body count whichever foot's log they were ticked on.
SYSTEMIC_RED_FLAGS = frozenset({"rf_fever", "rf_calf", "rf_breathless_chest"})
RED_FLAG_NAMES = tuple(name for name, _ in RED_FLAG_FIELDS)

# How each milestone (by key) is read off the logs: (log field, values that mean "reached").
REACHED_BY_FIELD: dict[str, tuple[str, frozenset[str]]] = {
    "limited_weight_bearing": ("weight_bearing", frozenset({WeightBearing.PARTIAL, WeightBearing.FULL})),
    "full_weight_bearing": ("weight_bearing", frozenset({WeightBearing.FULL})),
    "normal_shoes": ("footwear", frozenset({Footwear.NORMAL})),
    "usual_activities": ("usual_activities", frozenset({UsualActivities.YES})),
    "out_of_cast_or_boot": ("footwear", frozenset({Footwear.POSTOP, Footwear.SUPPORTIVE, Footwear.NORMAL})),
}
REACHED_BY_PAIN = frozenset({"pain_relief"})

# Keyed by the course's kind as stored (a plain string on a model instance; CourseKind members are equal to it).
_SESSION_KIND_FOR_COURSE: dict[str, SessionKind] = {
    CourseKind.ENDOSCOPIC: SessionKind.SURGERY,
    CourseKind.OPEN: SessionKind.SURGERY,
    CourseKind.NEEDLING: SessionKind.NEEDLING,
    CourseKind.MASSAGE: SessionKind.MASSAGE,
}

Days = dict[date, DailyLog]  # one foot's logs, by date
Pains = dict[date, int]  # one foot's counted first-step pain, by date


# ---------------------------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------------------------


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


def _at_least(value: float, threshold: float) -> bool:
    return value >= threshold - _EPSILON


def _log_key(log: DailyLog) -> tuple[int, int, int]:
    # The database allows one log per patient, day and foot; if handed two, keep one deterministically.
    return (log.pk or 0, log.first_step_pain, log.average_pain)


def logs_by_day(logs: Iterable[DailyLog], *, foot: str, until: date) -> Days:
    """One foot's logs up to ``until`` (inclusive), by date."""
    days: Days = {}
    for log in logs:
        if log.foot != foot or log.date > until:
            continue
        current = days.get(log.date)
        if current is None or _log_key(log) > _log_key(current):
            days[log.date] = log
    return days


def sore_days(sessions: Iterable[Session], *, until: date) -> frozenset[date]:
    """The days after each needling session when soreness is expected: s+1 and s+2 (002:36)."""
    return frozenset(
        s.date + timedelta(days=n)
        for s in sessions
        if s.kind == SessionKind.NEEDLING and s.date <= until
        for n in range(1, NEEDLING_SORENESS_SETTLES_DAYS + 1)
    )


_WINDOW = tuple(timedelta(days=n) for n in range(MEAN_DAYS))


def level(pains: Pains, day: date, *, first: date | None = None, last: date | None = None) -> tuple[float | None, int]:
    """(mean, logged days) of the pains among the 7 days ending ``day``, within [``first``, ``last``]."""
    # The hottest function of the engine (once a day of the course for the chart's series): no fmean, whose
    # exact sum gives the same mean as sum() for these integers, and the 7 offsets made once.
    total = count = 0
    for offset in _WINDOW:
        d = day - offset
        if (first is not None and d < first) or (last is not None and d > last):
            continue
        pain = pains.get(d)
        if pain is not None:
            total += pain
            count += 1
    return (total / count if count else None), count


SILENT_AFTER_DAYS = 2  # DESIGN.md section 6: "no log for 2 days" (low), 7 days (medium)
SILENT_LONG_DAYS = 7


def first_loggable_day(*, courses: Iterable[Course], joined_at: datetime, zone: tzinfo) -> date | None:
    """The first day a patient could have logged for their active courses: not before a course's day 0, not before
    the course was set up, not before the account existed (all in the patient's time zone). None without an
    active course: no course, nothing to log."""
    days = [max(c.day_zero, c.created_at.astimezone(zone).date()) for c in courses if c.status == CourseStatus.ACTIVE]
    return max(min(days), joined_at.astimezone(zone).date()) if days else None


def days_without_log(*, last_logged_on: date | None, since: date, today: date) -> int:
    """Whole days without a log before ``today`` (today is not over, so it never counts as missed).

    ``since``: the first day the patient could have logged (a course's day 0 or the day the course or account
    was made, whichever is later), for a patient who has never logged. The one definition of "silent", used by
    the caseload and the no-log alerts (DESIGN.md section 6).
    """
    start = last_logged_on + timedelta(days=1) if last_logged_on is not None else since
    return max(0, (today - start).days)


# ---------------------------------------------------------------------------------------------------------------
# Pain, one foot
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Starting:
    value: float | None
    kind: ReferenceKind | None
    complete_on: date | None  # from this day on, the starting level cannot change


def starting_level(pains: Pains, *, day_zero: date, conservative: bool) -> _Starting:
    before = [p for d, p in pains.items() if day_zero - timedelta(days=BASELINE_DAYS_BEFORE) <= d <= day_zero]
    if before:
        return _Starting(fmean(before), ReferenceKind.BEFORE_START, day_zero)
    if not conservative:
        return _Starting(None, None, None)
    first = sorted(d for d in pains if d > day_zero)[:BASELINE_FALLBACK_LOGS]
    if len(first) < BASELINE_FALLBACK_LOGS:
        return _Starting(None, None, None)
    return _Starting(fmean(pains[d] for d in first), ReferenceKind.FIRST_LOGGED_DAYS, first[-1])


def _post_op_levels(pains: Pains, *, first: date, as_of: date) -> list[tuple[date, float]]:
    """The 7-day levels from ``first`` on, for the days whose 7 days hold at least 2 logs (oldest first)."""
    treatment = [d for d in pains if d >= first]
    if not treatment:
        return []
    levels = []
    day = min(treatment)
    while day <= as_of:
        value, count = level(pains, day, first=first)
        if value is not None and count >= LEVEL_MIN_DAYS:
            levels.append((day, value))
        day += timedelta(days=1)
    return levels


def settled_level(levels: Sequence[tuple[date, float]], pains: Pains, *, first: date) -> Reference | None:
    """The lowest 7-day level after surgery once pain had peaked: the highest post-operative log up to the level's
    last day lies before its 7 days (the first day it was reached), so pain had come down, or held, since. A level
    while pain is still climbing (a nerve block wearing off, the peak still to come) is not settled."""
    days = sorted(d for d in pains if d >= first)
    peak: tuple[int, date] | None = None  # (pain, first day it was reached) up to the level's day
    i = 0
    best: tuple[date, float] | None = None
    for day, value in levels:
        while i < len(days) and days[i] <= day:
            if peak is None or pains[days[i]] > peak[0]:
                peak = (pains[days[i]], days[i])
            i += 1
        after_peak = peak is not None and peak[1] < day - timedelta(days=MEAN_DAYS - 1)
        if after_peak and (best is None or value < best[1] - _EPSILON):
            best = (day, value)
    return None if best is None else Reference(ReferenceKind.SETTLED_AFTER_SURGERY, best[1], best[0])


@dataclass(frozen=True)
class _Run:
    start: date
    end: date
    days: int
    mean: float


def high_pain_run(
    pains: Pains, sore: frozenset[date], logged: Iterable[date], *, first: date, as_of: date
) -> _Run | None:
    """The latest run of 3+ counted days at 7 or more, each day logged (a gap breaks it; a sore day is skipped),
    from ``first``, ending in the 7 days ending ``as_of``."""
    logged_days = set(logged)
    recent_from = as_of - timedelta(days=RECENT_DAYS - 1)
    best: _Run | None = None
    run: list[date] = []
    day = first
    end = as_of
    while day <= end + timedelta(days=1):
        high = day <= end and day in pains and pains[day] >= HIGH_PAIN
        skipped = day <= end and day in logged_days and day in sore
        if high:
            run.append(day)
        elif not skipped:
            if len(run) >= HIGH_PAIN_RUN_DAYS and run[-1] >= recent_from:
                best = _Run(run[0], run[-1], len(run), fmean(pains[d] for d in run))
            run = []
        day += timedelta(days=1)
    return best


def _stretch_start(pains: Pains, *, first: date, as_of: date, threshold: float) -> date | None:
    """The first day of the stretch ending ``as_of`` whose 7-day level stays at or above ``threshold``."""
    since = None
    day = as_of
    while day >= first:
        value, _ = level(pains, day, first=first)
        if value is None or not _at_least(value, threshold):
            break
        since = day
        day -= timedelta(days=1)
    return since


@dataclass(frozen=True)
class _FootResult:
    trend: PainTrend
    findings: tuple[Finding, ...]


def _judge_day(pains: Pains, *, first: date, as_of: date) -> date | None:
    """The day pain is judged on: ``as_of``, or, when its 7 days hold fewer than 2 counted logs, the last day whose
    7 days did (the last thing known stays known: a patient who worsened and went quiet is still worsening)."""
    logged = sorted((d for d in pains if first <= d <= as_of), reverse=True)
    candidates = [as_of, *logged]
    for day in candidates:
        _, count = level(pains, day, first=first)
        if count >= LEVEL_MIN_DAYS:
            return day
    return None


def foot_pain(*, course: Course, foot: str, days: Days, sore: frozenset[date], as_of: date) -> _FootResult:
    """The pain trend of one treated foot, and what it shows (worsening, wound concern, persistent high pain,
    the expected post-operative course, pain after surgery no better than before it)."""
    day_zero = course.day_zero
    surgical = course.kind in SURGICAL_KINDS
    first = day_zero + timedelta(days=1)
    pains: Pains = {d: log.first_step_pain for d, log in days.items() if d not in sore}
    start = starting_level(pains, day_zero=day_zero, conservative=not surgical)
    started = as_of >= first
    if started:
        current, current_days = level(pains, as_of, first=first)
    else:
        current, current_days = level(pains, as_of, last=day_zero)
    change = current - start.value if started and current is not None and start.value is not None else None

    findings: list[Finding] = []
    reference: Reference | None = None
    levels: list[tuple[date, float]] = []
    if surgical:
        levels = _post_op_levels(pains, first=first, as_of=as_of) if started else []
        reference = settled_level(levels, pains, first=first)
    elif start.value is not None and start.kind is not None:
        reference = Reference(start.kind, start.value, start.complete_on)
    rise = current - reference.value if started and current is not None and reference is not None else None

    judged_on = _judge_day(pains, first=first, as_of=as_of) if started else None
    if judged_on is not None:
        findings.extend(
            _pain_findings(
                course=course,
                foot=foot,
                days=days,
                pains=pains,
                sore=sore,
                start=start,
                reference=_reference_on(reference, levels, pains, first=first, day=judged_on)
                if surgical
                else reference,
                levels=[(d, v) for d, v in levels if d <= judged_on],
                judged_on=judged_on,
                as_of=as_of,
            )
        )

    trend = PainTrend(
        foot=foot,
        baseline=start.value,
        mean_7d=current,
        change=change,
        meaningful=change is not None and _at_least(abs(change), MEANINGFUL_CHANGE_POINTS),
        series=_series(days, pains, sore, day_zero=day_zero, as_of=as_of),
        baseline_source=start.kind.value if start.kind else "",
        improved=change is not None and _at_least(-change, MEANINGFUL_CHANGE_POINTS),
        reference=reference,
        rise=rise,
        mean_7d_days=current_days,
    )
    return _FootResult(trend, tuple(findings))


def _reference_on(
    reference: Reference | None, levels: list[tuple[date, float]], pains: Pains, *, first: date, day: date
) -> Reference | None:
    """The settled level as it stood on ``day`` (the day judged, when it is not today)."""
    if reference is None or reference.on is None or reference.on <= day:
        return reference
    return settled_level([(d, v) for d, v in levels if d <= day], pains, first=first)


def _pain_findings(
    *,
    course: Course,
    foot: str,
    days: Days,
    pains: Pains,
    sore: frozenset[date],
    start: _Starting,
    reference: Reference | None,
    levels: list[tuple[date, float]],
    judged_on: date,
    as_of: date,
) -> list[Finding]:
    """What one foot's pain shows on ``judged_on`` (``as_of``, or the last day with enough logs)."""
    surgical = course.kind in SURGICAL_KINDS
    first = course.day_zero + timedelta(days=1)
    post_op_day = (judged_on - course.day_zero).days
    stale = judged_on < as_of
    last_logged = judged_on if stale else None
    current, _ = level(pains, judged_on, first=first)
    findings: list[Finding] = []
    if current is None:  # never: _judge_day picks a day with a level
        return findings

    run = high_pain_run(pains, sore, days, first=first, as_of=judged_on)
    # After surgery a run counts against the settled level only if it began after pain settled (the early peak is
    # not a rise above the level it later came down to).
    run_after_settling = run is not None and (
        not surgical or reference is None or reference.on is None or run.start > reference.on
    )
    basis: tuple[float, date, int] | None = None  # (level, first day, run length) of a meaningful rise
    if reference is not None and _at_least(current - reference.value, MEANINGFUL_CHANGE_POINTS):
        threshold = reference.value + MEANINGFUL_CHANGE_POINTS
        basis = (current, _stretch_start(pains, first=first, as_of=judged_on, threshold=threshold) or judged_on, 0)
    elif (
        reference is not None
        and run is not None
        and run_after_settling
        and _at_least(run.mean - reference.value, MEANINGFUL_CHANGE_POINTS)
    ):
        basis = (run.mean, run.start, run.days)
    if reference is not None and basis is not None:
        value, since, run_days = basis
        if surgical and post_op_day <= NORMAL_ACTIVITIES_BY_DAY:
            findings.append(
                WoundConcern(
                    foot=foot,
                    since=since,
                    level=value,
                    reference=reference,
                    rise=value - reference.value,
                    swelling_on=_swelling_days(days, as_of=judged_on),
                    run_days=run_days,
                    last_logged=last_logged,
                    citations=(*WOUND_CONCERN_CITATIONS, MEANINGFUL_CHANGE_CITATION),
                )
            )
        else:
            # After surgery, once most people are back to their activities (000:11), a rise is recurring heel pain
            # (a risk the leaflet names, 000:31) more than a wound problem.
            citations = (
                (RECURRING_PAIN_CITATION, MEANINGFUL_CHANGE_CITATION) if surgical else (MEANINGFUL_CHANGE_CITATION,)
            )
            findings.append(
                Worsening(
                    foot=foot,
                    since=since,
                    level=value,
                    reference=reference,
                    rise=value - reference.value,
                    run_days=run_days,
                    last_logged=last_logged,
                    citations=citations,
                )
            )
    elif surgical and reference is not None and not stale:
        now = _level_on(levels, judged_on)
        week_before = _level_on(levels, judged_on - timedelta(days=7))
        swelling = _swelling_days(days, as_of=judged_on)
        rising = (
            now is not None
            and _at_least(now - reference.value, MINIMAL_CHANGE_POINTS)
            and (week_before is None or _at_least(now - week_before, MINIMAL_CHANGE_POINTS))
        )
        # Rising (1 point, the minimal change, above the settled level and above a week earlier when known), with
        # swelling or redness increasing since pain settled ("increasing redness, warmth or swelling", CLINICAL.md).
        if now is not None and rising and swelling and _swelling_increasing(days, reference, swelling):
            findings.append(
                WoundConcern(
                    foot=foot,
                    since=_stretch_start(
                        pains, first=first, as_of=judged_on, threshold=reference.value + MINIMAL_CHANGE_POINTS
                    )
                    or judged_on,
                    level=now,
                    reference=reference,
                    rise=now - reference.value,
                    swelling_on=swelling,
                    citations=(*WOUND_CONCERN_CITATIONS, MINIMAL_CHANGE_CITATION),
                )
            )

    if not findings and run is not None and (not surgical or post_op_day > HEALING_DAYS):
        # After surgery, high pain is expected while the tissues heal (2 to 3 weeks, 000:13): persistent high pain
        # is judged after that, as for any course.
        findings.append(
            PersistentHighPain(
                foot=foot,
                since=run.start,
                days=run.days,
                mean=run.mean,
                reference=reference,
                last_logged=last_logged,
            )
        )

    if surgical and not stale and start.value is not None:
        worse = post_op_day > HEALING_DAYS and _at_least(current - start.value, MEANINGFUL_CHANGE_POINTS)
        no_better = (
            course.kind == CourseKind.ENDOSCOPIC
            and post_op_day > NORMAL_ACTIVITIES_BY_DAY
            and not _at_least(start.value - current, MEANINGFUL_CHANGE_POINTS)
        )
        if worse or no_better:
            findings.append(
                PostOpNotBetter(
                    foot=foot,
                    level=current,
                    before_surgery=start.value,
                    worse=worse,
                    day=post_op_day,
                    citations=(WORSE_AFTER_SURGERY_CITATION, MEANINGFUL_CHANGE_CITATION)
                    if worse
                    else (ENDOSCOPIC_USUAL_ACTIVITIES_CITATION, RECURRING_PAIN_CITATION, MEANINGFUL_CHANGE_CITATION),
                )
            )

    rising_found = any(isinstance(f, WoundConcern | Worsening) for f in findings)
    if surgical and not stale and not rising_found and post_op_day <= HEALING_DAYS:
        highest = max(max((v for _, v in levels), default=current), current)
        higher_than_before = start.value is not None and current > start.value + _EPSILON
        if higher_than_before or _at_least(current, HIGH_PAIN):
            findings.append(
                PostOpExpected(
                    foot=foot,
                    level=current,
                    peak=highest,
                    before_surgery=start.value,
                    falling=current < highest - _EPSILON,
                    citations=(HEALING_CITATION,),
                )
            )
    return findings


def _level_on(levels: Sequence[tuple[date, float]], day: date) -> float | None:
    return next((v for d, v in levels if d == day), None)


def _swelling_increasing(days: Days, reference: Reference, swelling: tuple[date, ...]) -> bool:
    """Swelling or redness on more of the last 7 days than in the week pain had settled in ("increasing redness,
    warmth or swelling", CLINICAL.md): swelling that never eased since the operation does not count."""
    if reference.on is None:
        return bool(swelling)
    settled_week = [
        d
        for d, log in days.items()
        if reference.on - timedelta(days=MEAN_DAYS - 1) <= d <= reference.on and log.sym_swelling_redness
    ]
    return len(swelling) > len(settled_week)


def _swelling_days(days: Days, *, as_of: date) -> tuple[date, ...]:
    since = as_of - timedelta(days=RECENT_DAYS - 1)
    return tuple(sorted(d for d, log in days.items() if since <= d <= as_of and log.sym_swelling_redness))


def _series(days: Days, pains: Pains, sore: frozenset[date], *, day_zero: date, as_of: date) -> tuple[PainPoint, ...]:
    """One point a day from day -7 (if logged before day 0) or day 0, to ``as_of``; the level in its own phase."""
    has_before = any(day_zero - timedelta(days=BASELINE_DAYS_BEFORE) <= d < day_zero for d in days)
    day = day_zero - timedelta(days=BASELINE_DAYS_BEFORE) if has_before else day_zero
    first = day_zero + timedelta(days=1)
    points = []
    while day <= as_of:
        log = days.get(day)
        mean, _ = level(pains, day, first=first) if day >= first else level(pains, day, last=day_zero)
        points.append(
            PainPoint(
                day=day,
                first_step_pain=log.first_step_pain if log else None,
                mean_7d=mean,
                counted=day not in sore,
            )
        )
        day += timedelta(days=1)
    return tuple(points)


# ---------------------------------------------------------------------------------------------------------------
# Milestones
# ---------------------------------------------------------------------------------------------------------------


def _reached_on_one_foot(
    expectation: Expectation, days: Days, sore: frozenset[date], *, day_zero: date, conservative: bool
) -> date | None:
    first = day_zero + timedelta(days=1)
    if expectation.key in REACHED_BY_FIELD:
        field, values = REACHED_BY_FIELD[expectation.key]
        hits = [d for d, log in days.items() if d >= first and getattr(log, field) in values]
        return min(hits) if hits else None
    if expectation.key in REACHED_BY_PAIN:
        pains = {d: log.first_step_pain for d, log in days.items() if d not in sore}
        start = starting_level(pains, day_zero=day_zero, conservative=conservative)
        if start.value is None or start.complete_on is None:
            return None
        for d in sorted(d for d in pains if d > start.complete_on and d >= first):
            value, _ = level(pains, d, first=first)
            if value is not None and _at_least(start.value - value, MEANINGFUL_CHANGE_POINTS):
                return d
        return None
    raise KeyError(f"No rule says how milestone {expectation.key!r} is read from the logs")


def reached_on(
    expectation: Expectation,
    by_foot: dict[str, Days],
    sore: frozenset[date],
    *,
    day_zero: date,
    conservative: bool = True,
) -> date | None:
    """The day a milestone was reached on every treated foot (the latest foot's day), or None."""
    days = [
        _reached_on_one_foot(expectation, foot_days, sore, day_zero=day_zero, conservative=conservative)
        for foot_days in by_foot.values()
    ]
    if not days or any(d is None for d in days):
        return None
    return max(d for d in days if d is not None)


def planned_protection_until(sessions: Iterable[Session]) -> date | None:
    """The surgeon's plan for the cast or boot: the latest "cast or boot until" of the course's surgery sessions."""
    planned = [s.immobilised_until for s in sessions if s.kind == SessionKind.SURGERY and s.immobilised_until]
    return max(planned) if planned else None


def milestone_result(
    expectation: Expectation,
    by_foot: dict[str, Days],
    sore: frozenset[date],
    *,
    day_zero: date,
    as_of: date,
    conservative: bool = True,
    planned_until: date | None = None,
) -> MilestoneResult:
    """A milestone's window (as dates) and status."""
    reached = reached_on(expectation, by_foot, sore, day_zero=day_zero, conservative=conservative)
    if expectation.window_start_day is None or expectation.window_end_day is None:
        return MilestoneResult(expectation, MilestoneStatus.NOT_JUDGED, reached, None, None)
    start = day_zero + timedelta(days=expectation.window_start_day)
    end = day_zero + timedelta(days=expectation.window_end_day)
    protection = expectation.milestone_kind == MilestoneKind.PROTECTION
    plan = planned_until if protection else None
    if plan is not None and plan > end:
        end = plan  # the surgeon planned a longer protective period: it is not overdue before then
    if reached is not None:
        if protection and (reached < start or (plan is not None and reached < plan)):
            # A protective period ended before the leaflet's weeks, or before the surgeon's recorded date: a
            # question for the care team, never "ahead".
            status = MilestoneStatus.ENDED_EARLY
        elif reached < start:
            status = MilestoneStatus.REACHED_EARLY  # a goal reached before most people: ahead
        elif reached <= end:
            status = MilestoneStatus.REACHED_ON_TIME
        else:
            status = MilestoneStatus.REACHED_LATE
    elif as_of > end:
        # Overdue only when the logs say so: a log after the window answers the question and shows it not reached.
        # With no answer since, it is not known ("not logged"), and the patient is asked.
        field = REACHED_BY_FIELD.get(expectation.key, ("", frozenset()))[0]
        answered = not field or any(
            getattr(log, field) for days in by_foot.values() for d, log in days.items() if end < d <= as_of
        )
        status = MilestoneStatus.OVERDUE if answered else MilestoneStatus.NOT_LOGGED
    else:
        status = MilestoneStatus.NOT_YET_DUE
    return MilestoneResult(expectation, status, reached, start, end, plan)


# ---------------------------------------------------------------------------------------------------------------
# Sessions, soreness, red flags
# ---------------------------------------------------------------------------------------------------------------


def sessions_progress(*, kind: str, planned: int | None, sessions: Iterable[Session], as_of: date) -> SessionsProgress:
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


def lingering_soreness(
    *, sessions: Iterable[Session], logs: Iterable[DailyLog], feet: tuple[str, ...], as_of: date
) -> LingeringSoreness | None:
    """Needling soreness still recorded more than 2 days after the latest needling session (002:36).

    "Still": the most recent log (treated feet, up to ``as_of``) dated more than 2 days after the session that
    records needling soreness at all records more than 0. A later 0 means it has settled.
    """
    dates = [s.date for s in sessions if s.kind == SessionKind.NEEDLING and s.date <= as_of]
    if not dates:
        return None
    session_on = max(dates)
    after = session_on + timedelta(days=NEEDLING_SORENESS_SETTLES_DAYS)
    recorded = [
        log for log in logs if log.foot in feet and after < log.date <= as_of and log.needling_soreness is not None
    ]
    if not recorded:
        return None
    latest = max(log.date for log in recorded)
    soreness = max(log.needling_soreness or 0 for log in recorded if log.date == latest)
    if soreness <= 0:
        return None
    return LingeringSoreness(
        session_on=session_on, recorded_on=latest, soreness=soreness, citations=(NEEDLING_SORENESS_CITATION,)
    )


def red_flags(*, logs: Iterable[DailyLog], feet: tuple[str, ...] | None, since: date, until: date) -> list[RedFlag]:
    """The red flags ticked on logs dated ``since`` to ``until``, oldest first, one finding per log.

    ``feet``: a course's treated feet (its local red flags count only from them; the whole-body ones from any
    foot), or None for every flag of every foot (the patient's own alerts).
    """
    found = []
    for log in logs:
        if not since <= log.date <= until:
            continue
        flags = tuple(name for name in RED_FLAG_NAMES if getattr(log, name))
        if feet is not None and log.foot not in feet:
            flags = tuple(f for f in flags if f in SYSTEMIC_RED_FLAGS)
        if flags:
            found.append(
                RedFlag(
                    day=log.date,
                    foot=log.foot,
                    flags=flags,
                    emergency=any(f in EMERGENCY_RED_FLAGS for f in flags),
                    citations=(RED_FLAG_CITATION,),
                )
            )
    return sorted(found, key=lambda f: (f.day, f.foot))


def needling_response(
    *, course: Course, sessions: Iterable[Session], trends: Sequence[PainTrend], as_of: date
) -> NeedlingNoResponse | None:
    """No meaningful improvement once the planned sessions are done and 6 weeks have passed since the first."""
    dates = sorted(s.date for s in sessions if s.kind == SessionKind.NEEDLING and s.date <= as_of)
    # The planned sessions, or the fewest the article gives (4, 002:35) if fewer than planned were done by then:
    # a course stopped after 4 of 6 planned sessions is reviewed too.
    fewest = NEEDLING_TYPICAL_SESSIONS[0]
    needed = min(course.planned_sessions, fewest) if course.planned_sessions else fewest
    if len(dates) < needed:
        return None
    first_session = dates[0]
    if as_of < first_session + timedelta(weeks=NEEDLING_TRIAL_WEEKS):
        return None
    stuck = tuple(c for t in trends if (c := _starting_change(t)) is not None and not t.improved)
    if not stuck:
        return None
    return NeedlingNoResponse(
        sessions_done=len(dates),
        sessions_planned=course.planned_sessions,
        first_session=first_session,
        weeks=(as_of - first_session).days // 7,
        feet=stuck,
        citations=NEEDLING_RESPONSE_CITATIONS,
    )


# ---------------------------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------------------------


def _finding_key(finding: Finding) -> tuple[int, str, str]:
    foot = getattr(finding, "foot", "")
    day = getattr(finding, "day", None) or getattr(finding, "since", None)
    return (FINDING_ORDER[finding.kind], "" if day is None else str(day), str(foot))


def _status(*, findings: Sequence[Finding], conservative: bool, started: bool) -> tuple[OverallStatus, Finding | None]:
    def first(*kinds: FindingKind) -> Finding | None:
        return next((f for f in findings if f.kind in kinds), None)

    flags = [f for f in findings if isinstance(f, RedFlag)]
    if flags:
        emergency = [f for f in flags if f.emergency]
        return OverallStatus.RED_FLAG, (emergency or flags)[-1]
    worse = first(FindingKind.WOUND_CONCERN, FindingKind.WORSENING)
    if worse:
        return OverallStatus.WORSENING, worse
    behind = first(
        FindingKind.MASSAGE_ADVERSE,
        FindingKind.POST_OP_NOT_BETTER,
        FindingKind.MILESTONE_OVERDUE,
        FindingKind.NEEDLING_NO_RESPONSE,
        FindingKind.NO_IMPROVEMENT,
        FindingKind.LINGERING_SORENESS,
    )
    if behind:
        return OverallStatus.BEHIND, behind
    if not started:
        return OverallStatus.ON_TRACK, None
    # Ahead: a recovery goal reached before most people reach it. An improvement in pain is what every course
    # hopes for, and the sources give no time for it to be early against: on track, worded as a real improvement.
    blocked = first(FindingKind.PROTECTION_ENDED_EARLY, FindingKind.PERSISTENT_HIGH_PAIN)
    ahead = first(FindingKind.MILESTONE_EARLY)
    if ahead and not blocked:
        return OverallStatus.AHEAD, ahead
    return OverallStatus.ON_TRACK, first(
        FindingKind.PROTECTION_ENDED_EARLY, FindingKind.POST_OP_EXPECTED, FindingKind.IMPROVED
    )


def course_report(
    *, course: Course, sessions: Iterable[Session], logs: Iterable[DailyLog], today: date
) -> CourseReport:
    """The progress report of one course, as seen on ``today`` (the patient's local date).

    ``course``: a ``Course`` (saved or not). ``sessions``: this course's sessions. ``logs``: the patient's daily
    logs in any order; other feet, days before day 0 and days after ``today`` are handled (see the module
    docstring). A completed or stopped course is judged up to its ``ended_on``.
    """
    logs = list(logs)
    sessions = list(sessions)
    ended = course.status != CourseStatus.ACTIVE and course.ended_on is not None
    as_of = min(today, course.ended_on) if ended and course.ended_on is not None else today
    feet = feet_of(course.foot)
    day_zero = course.day_zero
    conservative = course.kind in CONSERVATIVE_KINDS
    started = as_of >= day_zero
    by_foot = {foot: logs_by_day(logs, foot=foot, until=as_of) for foot in feet}
    sore = sore_days(sessions, until=as_of)

    day = (as_of - day_zero).days
    week = day // 7 + 1 if day >= 0 else 0

    findings: list[Finding] = list(
        red_flags(logs=logs, feet=feet, since=as_of - timedelta(days=RECENT_DAYS - 1), until=as_of)
    )
    trends = []
    for foot in feet:
        result = foot_pain(course=course, foot=foot, days=by_foot[foot], sore=sore, as_of=as_of)
        trends.append(result.trend)
        findings.extend(result.findings)

    planned = planned_protection_until(sessions)
    milestones = tuple(
        milestone_result(
            e, by_foot, sore, day_zero=day_zero, as_of=as_of, conservative=conservative, planned_until=planned
        )
        for e in milestones_for(course.kind)
    )
    for m in milestones:
        if m.status == MilestoneStatus.OVERDUE:
            findings.append(MilestoneOverdue(milestone=m, day=day, citations=_milestone_citations(m)))
        elif m.status == MilestoneStatus.ENDED_EARLY and m.reached_on is not None:
            findings.append(
                ProtectionEndedEarly(
                    milestone=m,
                    ended_on_day=(m.reached_on - day_zero).days,
                    before_plan=m.planned_until is not None and m.reached_on < m.planned_until,
                    citations=(m.expectation.citation,),
                )
            )
        elif m.status == MilestoneStatus.REACHED_EARLY and m.reached_on is not None:
            findings.append(
                MilestoneEarly(
                    milestone=m, reached_on_day=(m.reached_on - day_zero).days, citations=(m.expectation.citation,)
                )
            )

    if started:
        adverse = [
            s.date
            for s in sessions
            if s.kind == SessionKind.MASSAGE
            and s.adverse_reaction
            and as_of - timedelta(days=RECENT_DAYS - 1) <= s.date <= as_of
        ]
        if adverse:
            findings.append(MassageAdverse(day=max(adverse), citations=(MASSAGE_CAUTION_CITATION,)))
        if course.kind == CourseKind.NEEDLING:
            no_response = needling_response(course=course, sessions=sessions, trends=trends, as_of=as_of)
            if no_response:
                findings.append(no_response)
            lingering = lingering_soreness(sessions=sessions, logs=logs, feet=feet, as_of=as_of)
            if lingering:
                findings.append(lingering)
        if conservative and as_of >= add_months(day_zero, NO_IMPROVEMENT_MONTHS):
            stuck = tuple(c for t in trends if (c := _starting_change(t)) is not None and not t.improved)
            if stuck:
                findings.append(
                    NoImprovement(
                        months=NO_IMPROVEMENT_MONTHS,
                        feet=stuck,
                        citations=(NO_IMPROVEMENT_CITATION, SURGERY_AFTER_6_MONTHS_CITATION),
                    )
                )
        changes = [_starting_change(t) for t in trends]
        known = [c for c in changes if c is not None]
        if known and len(known) == len(feet) and all(_at_least(-c.change, MEANINGFUL_CHANGE_POINTS) for c in known):
            findings.append(Improved(feet=tuple(known), citations=(MEANINGFUL_CHANGE_CITATION,)))

    findings.sort(key=_finding_key)
    status, decided_by = _status(findings=findings, conservative=conservative, started=started)
    logged_days = [d for days in by_foot.values() for d in days]
    return CourseReport(
        course_id=course.pk,
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
        pain=tuple(trends),
        findings=tuple(findings),
        status=status,
        decided_by=decided_by,
        last_logged_on=max(logged_days) if logged_days else None,
        as_of=as_of,
        worst_foot=getattr(decided_by, "foot", None) if decided_by is not None else _worst_foot(findings),
    )


def _starting_change(trend: PainTrend) -> FootChange | None:
    """The current level against the starting level, when both are known (improvement is judged against it) and
    the level rests on at least 2 counted logs."""
    if trend.mean_7d is None or trend.baseline is None or trend.change is None or not trend.baseline_source:
        return None
    if trend.mean_7d_days < LEVEL_MIN_DAYS:
        return None
    reference = Reference(ReferenceKind(trend.baseline_source), trend.baseline)
    return FootChange(trend.foot, trend.mean_7d, reference, trend.change)


def _worst_foot(findings: Sequence[Finding]) -> str | None:
    return next((str(f.foot) for f in findings if hasattr(f, "foot")), None)


def _milestone_citations(m: MilestoneResult) -> tuple[Citation, ...]:
    reported = (m.expectation.reported.citation,) if m.expectation.reported else ()
    return (m.expectation.citation, *reported)
