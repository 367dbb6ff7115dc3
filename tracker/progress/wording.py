"""Every sentence about progress, in one place: for the patient, for the care team, for alerts, the PDF and charts.

The calculation (``tracker.progress.calculate``) returns findings with their numbers and citations; this module
words them. Patients read plain words in the second person, with no jargon ("baseline", "mean", "7-day",
"milestone") and no file names: a source is named by its title ("Plantar fascia release, patient leaflet
(Healthwise, 2023)", "Farrar et al., Pain 2001"). The care team reads terse third-person lines with the numbers
and the exact source references ("000:11"). Alert messages are the care team's lines, so a page and an alert
built from the same finding cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from tracker.models import RED_FLAG_FIELDS, SURGICAL_KINDS

from .calculate import SYSTEMIC_RED_FLAGS
from .questionnaires import Direction, Measure, ScoreChange
from .report import (
    Audience,
    BandPoint,
    Citation,
    CourseReport,
    Expectation,
    Finding,
    FootChange,
    FunctionChange,
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
    PainTrend,
    PersistentHighPain,
    PostOpExpected,
    PostOpNotBetter,
    ProtectionEndedEarly,
    RedFlag,
    Reference,
    ReferenceKind,
    Worsening,
    WoundConcern,
)
from .words import format_number

if TYPE_CHECKING:  # chart.py imports this module to word its summary
    from .chart import ChartData

RED_FLAG_LABELS = dict(RED_FLAG_FIELDS)
RECENT_LOG_DAYS = 7  # "the past week": the 7 days ending the day judged

# ---------------------------------------------------------------------------------------------------------------
# Numbers, dates, citations
# ---------------------------------------------------------------------------------------------------------------


def score(value: float | None) -> str:
    """A pain or score value as people write it: 6, 5.5, 2.3 (one decimal at most; a dash when unknown)."""
    return "–" if value is None else format_number(value)


def signed(value: float) -> str:
    """A change with its sign: +2, -1.5, ±0."""
    text = score(abs(value))
    if text == "0":
        return "±0"
    return f"+{text}" if value > 0 else f"-{text}"


def points(value: float) -> str:
    """A pain change in words: "2 points", "1 point", "1.5 points" (always positive)."""
    text = score(abs(value))
    return f"{text} point" if text == "1" else f"{text} points"


def format_day(day: date) -> str:
    """A date as a patient reads it: "3 March 2026"."""
    return f"{day.day} {day:%B %Y}"


def short_day(day: date) -> str:
    """A recent date for the care team: "20 Nov"."""
    return f"{day.day} {day:%b}"


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def cite(citation: Citation) -> str:
    """A source as a patient reads it: its title, never a file name."""
    return citation.label


def cite_team(citations: Iterable[Citation]) -> str:
    """Sources for the care team's small print: "000:11; Miyamoto et al., ... 2018" (each once, in order)."""
    return "; ".join(dict.fromkeys(c.ref for c in citations))


def _feet_label(foot: str, several: bool) -> str:
    return f"{foot.capitalize()} foot: " if several else ""


def _your(foot: str, several: bool) -> str:
    return f"your {foot} foot's" if several else "your"


def _reference_words(reference: Reference, *, surgical: bool = False) -> str:
    """The reference for a patient: "when you started", "before surgery", "when it had settled after surgery"."""
    return {
        ReferenceKind.BEFORE_START: "before surgery" if surgical else "when you started",
        ReferenceKind.FIRST_LOGGED_DAYS: "in your first logged days",
        ReferenceKind.SETTLED_AFTER_SURGERY: "when it had settled after surgery",
    }[reference.kind]


def _reference_team(reference: Reference) -> str:
    """The reference for the care team: "starting level 5 (days -7 to 0)", "settled post-op level 3 (12 Nov)"."""
    if reference.kind == ReferenceKind.BEFORE_START:
        return f"starting level {score(reference.value)} (days -7 to 0)"
    if reference.kind == ReferenceKind.FIRST_LOGGED_DAYS:
        return f"starting level {score(reference.value)} (first 3 logged days)"
    on = f" ({short_day(reference.on)})" if reference.on else ""
    return f"settled post-op level {score(reference.value)}{on}"


def _last_team(last_logged: date | None) -> str:
    return f"; as of the last log with enough days, {short_day(last_logged)}" if last_logged else ""


def _foot_change_team(change: FootChange, several: bool) -> str:
    return (
        f"{_feet_label(change.foot, several).lower()}7-day first-step pain {score(change.level)}/10, "
        f"{signed(change.change)} vs {_reference_team(change.reference)}"
    )


# ---------------------------------------------------------------------------------------------------------------
# Milestones
# ---------------------------------------------------------------------------------------------------------------


def _window(e: Expectation) -> str:
    return e.window_words or "in the time the leaflet gives"


def _reported(e: Expectation) -> str:
    if not e.reported:
        return ""
    return f" In one study, {e.reported.plain} ({cite(e.reported.citation)})."


def milestone_sentence(m: MilestoneResult) -> str:
    """One milestone for the patient: what the logs show against what the source says, in plain words."""
    e = m.expectation
    reached = f"Your logs show this on {format_day(m.reached_on)}" if m.reached_on else ""
    if m.status == MilestoneStatus.NOT_JUDGED:
        if e.reported:
            head = f"{reached}." if reached else "Not reached yet."
            return f"{head} The leaflet gives no time for this, so it is not judged.{_reported(e)}"
        if reached:
            return f"{reached}. The sources give words, not a time, for this, so it is not judged."
        return "Not reached yet. The sources give words, not a time, for this, so it is not judged."
    if m.window_start is None or m.window_end is None:  # a window always has both ends; typed as optional
        return "Not reached yet."
    protection = e.milestone_kind == MilestoneKind.PROTECTION
    plan = f" Your surgeon's plan recorded here: until {format_day(m.planned_until)}." if m.planned_until else ""
    if m.status == MilestoneStatus.ENDED_EARLY:
        return (
            f"{reached}, earlier than the {_window(e)} the leaflet describes for it: please check this matches "
            f"your surgeon's plan.{plan}"
        )
    if m.status == MilestoneStatus.REACHED_EARLY:
        return f"{reached}, earlier than the {_window(e)} most people take."
    if m.status == MilestoneStatus.REACHED_ON_TIME:
        return f"{reached}, within the {_window(e)} the leaflet describes."
    if m.status == MilestoneStatus.REACHED_LATE:
        return f"{reached}, later than the {_window(e)} most people take.{_reported(e)}"
    if m.status == MilestoneStatus.NOT_LOGGED:
        question = "your footwear" if protection else "the question about it"
        return (
            f"The leaflet describes {_window(e)}, and your recent logs do not say either way: please answer "
            f"{question} in your daily log."
        )
    if m.status == MilestoneStatus.OVERDUE:
        if protection:
            return (
                f"The leaflet describes {_window(e)}, and your logs still show a cast or walking boot: tell your "
                f"care team how it is going.{plan}"
            )
        return (
            f"Most people get there {_window(e)}, and your logs do not show it yet: that is later than most "
            f"people, and your care team can see it.{_reported(e)}"
        )
    if protection:
        return f"The leaflet describes {_window(e)} (until about {format_day(m.window_end)}).{plan}"
    return f"Most people get there {_window(e)} ({format_day(m.window_start)} to {format_day(m.window_end)})."


def milestone_team(m: MilestoneResult) -> str:
    """One milestone for the care team: status, day and source."""
    e = m.expectation
    day = f", reached {short_day(m.reached_on)}" if m.reached_on else ""
    window = f"{e.window_words}, " if e.window_words else ""
    reported = f"; study: {e.reported.words}, {e.reported.citation.ref}" if e.reported else ""
    plan = f"; surgeon's plan until {short_day(m.planned_until)}" if m.planned_until else ""
    return f"{m.status.label}{day} ({window}{e.citation.ref}{reported}{plan})"


def window_in_words(expectation: Expectation) -> str:
    """The expected time in plain words, or a sentence saying the sources give none (the sources page)."""
    if expectation.window_words:
        return expectation.window_words
    if expectation.has_window:
        return f"days {expectation.window_start_day} to {expectation.window_end_day} after day 0"
    if expectation.reported:
        return f"No time in the leaflet; one study reported {expectation.reported.words}"
    return "No time given: the source's words are shown, and nothing is judged against them"


# ---------------------------------------------------------------------------------------------------------------
# Findings, for the patient
# ---------------------------------------------------------------------------------------------------------------


# Red flags that cannot wait for tomorrow: a possible clot in the leg, or a foot losing its circulation.
URGENT_RED_FLAGS = frozenset({"rf_calf", "rf_toes_circulation"})


def _when(last_logged: date | None, text: str) -> str:
    """Judged on the last day with enough logs, not today: say so."""
    if last_logged is None:
        return text
    return f"When you last logged enough days to tell, on {format_day(last_logged)}, {lower_first(text)}"


def _patient_finding(finding: Finding, report: CourseReport) -> str:
    several = len(report.pain) > 1
    surgical = report.kind in SURGICAL_KINDS
    if isinstance(finding, RedFlag):
        if finding.emergency:
            return (
                f"You reported breathlessness or chest pain on {format_day(finding.day)}: this can be an emergency, "
                "so call emergency services now if you have it."
            )
        labels = [lower_first(RED_FLAG_LABELS[f]) for f in finding.flags]
        if URGENT_RED_FLAGS & set(finding.flags):
            return (
                f"You reported a warning sign ({'; '.join(labels)}) on {format_day(finding.day)}: contact your care "
                "team now, and if you cannot reach them today, get urgent medical care."
            )
        return (
            f"You reported a warning sign ({'; '.join(labels)}) on {format_day(finding.day)}: contact your care team "
            "today."
        )
    if isinstance(finding, WoundConcern):
        whose = _your(finding.foot, several)
        numbers = (
            f"over the past week {whose} morning first-step pain averaged {score(finding.level)} out of 10, "
            f"{points(finding.rise)} above the {score(finding.reference.value)} it had settled at after surgery"
        )
        if finding.run_days:
            numbers = (
                f"{whose} morning first-step pain has been 7 or more out of 10 for {finding.run_days} days running, "
                f"{points(finding.rise)} above the {score(finding.reference.value)} it had settled at after surgery"
            )
        swelling = ", and you reported swelling or redness" if finding.swelling_on else ""
        return _when(
            finding.last_logged,
            f"Your pain is rising again after it had settled: {numbers}{swelling}. Increasing pain, redness, warmth "
            "or swelling near the wound can be signs of infection or a healing problem: contact your care team "
            "today.",
        )
    if isinstance(finding, Worsening):
        whose = _your(finding.foot, several)
        reference = _reference_words(finding.reference, surgical=surgical)
        if finding.run_days:
            text = (
                f"{upper_first(whose)} morning first-step pain has been 7 or more out of 10 for {finding.run_days} "
                f"days running, {points(finding.rise)} above {reference}"
            )
        else:
            text = (
                f"Over the past week {whose} morning first-step pain averaged {score(finding.level)} out of 10, "
                f"{points(finding.rise)} worse than {reference}"
            )
        if surgical:
            text += ". Heel pain coming back is one of the risks the surgery leaflet names: please tell your care team."
        else:
            text += ": please tell your care team."
        return _when(finding.last_logged, text)
    if isinstance(finding, MassageAdverse):
        return (
            f"You said a massage on {format_day(finding.day)} caused pain or a bad reaction. The massage article says "
            "to stop if that happens: stop the massage and contact your care team before you start again."
        )
    if isinstance(finding, PostOpNotBetter):
        whose = _your(finding.foot, several)
        if finding.worse:
            return (
                f"On day {finding.day} after surgery, {whose} morning first-step pain averaged {score(finding.level)} "
                f"out of 10 over the past week, worse than the {score(finding.before_surgery)} before surgery. The leaflet "
                "says this can happen, rarely: your care team will look at it with you."
            )
        return (
            f"On day {finding.day} after surgery, {whose} morning first-step pain averaged {score(finding.level)} out "
            f"of 10 over the past week, not yet 2 points better than the {score(finding.before_surgery)} before surgery, "
            "when most people are back to their usual activities by 6 weeks: your care team will look at it with you."
        )
    if isinstance(finding, MilestoneOverdue):
        e = finding.milestone.expectation
        if e.milestone_kind == MilestoneKind.PROTECTION:
            return (
                f"The leaflet describes the cast or walking boot for {_window(e)}, and your logs still show one: "
                "tell your care team how it is going."
            )
        return (
            f"Most people reach “{e.title}” {_window(e)}, and your logs do not show it yet: that is later than "
            f"most people, and your care team can see it.{_reported(e)}"
        )
    if isinstance(finding, NeedlingNoResponse):
        stuck = finding.feet[0]
        planned = f" of the {finding.sessions_planned} planned" if finding.sessions_planned else ""
        return (
            f"You have had {finding.sessions_done} needling sessions{planned}, and {finding.weeks} weeks have passed "
            f"since the first, but {_your(stuck.foot, several)} morning first-step pain has not come down by 2 points "
            f"or more (it averaged {score(stuck.level)} out of 10 over the past week, against "
            f"{score(stuck.reference.value)} {_reference_words(stuck.reference)}). The needling article says most of "
            "the positive effects start to be felt towards the end of the first month, so your care team will review "
            "the plan with you."
        )
    if isinstance(finding, NoImprovement):
        stuck = finding.feet[0]
        return (
            f"After {finding.months} months {_your(stuck.foot, several)} morning first-step pain has not dropped by "
            "2 points or more, so your care team may talk with you about other options."
        )
    if isinstance(finding, LingeringSoreness):
        return (
            "Soreness from needling is still there more than 2 days after your last session, when it usually "
            "settles within a day or two: tell your care team."
        )
    if isinstance(finding, Improved):
        best = min(finding.feet, key=lambda c: c.change)
        return (
            f"Over the past week {_your(best.foot, several)} morning first-step pain averaged {score(best.level)} out "
            f"of 10, {points(best.change)} better than {_reference_words(best.reference, surgical=surgical)}: a real "
            "improvement."
        )
    if isinstance(finding, MilestoneEarly):
        e = finding.milestone.expectation
        return f"You reached “{e.title}” earlier than most people (the leaflet says {_window(e)})."
    if isinstance(finding, ProtectionEndedEarly):
        e = finding.milestone.expectation
        plan = finding.milestone.planned_until
        if finding.before_plan and plan is not None and finding.ended_on_day >= (e.window_start_day or 0):
            return (
                f"Your logs show you out of the cast or walking boot on day {finding.ended_on_day} after surgery, before "
                f"the {format_day(plan)} your surgeon planned: please check with your care team that this is all right."
            )
        return (
            f"Your logs show you out of the cast or walking boot on day {finding.ended_on_day} after surgery, earlier "
            f"than the {_window(e)} the leaflet describes: please check this matches your surgeon's plan, and tell "
            "your care team if you are not sure."
        )
    if isinstance(finding, PostOpExpected):
        whose = _your(finding.foot, several)
        higher = (
            f", higher than the {score(finding.before_surgery)} before surgery"
            if finding.before_surgery is not None and finding.level > finding.before_surgery
            else ""
        )
        if finding.falling:
            return (
                f"Over the past week {whose} morning first-step pain averaged {score(finding.level)} out of 10"
                f"{higher}, and it is coming down from {score(finding.peak)} after surgery: high pain in the first "
                "weeks after surgery that then comes down is the expected course while the foot heals."
            )
        return (
            f"Over the past days {whose} morning first-step pain averaged {score(finding.level)} out of 10{higher}. "
            "Pain is expected to be high in the first days after surgery and then come down as the foot heals; your "
            "care team can see your logs."
        )
    if isinstance(finding, PersistentHighPain):
        # Care team only: a patient is never told this as a status (DESIGN.md section 6).
        return ""
    raise TypeError(f"no words for {finding!r}")


def patient_reason(report: CourseReport) -> str:
    """The patient's sentence for a course's status: plain words, second person, no jargon."""
    if report.decided_by is not None and report.decided_by.audience == Audience.EVERYONE:
        text = _patient_finding(report.decided_by, report)
    else:
        text = _on_track_words(report)
    if report.ended:
        verb = "was completed" if report.course_status == "completed" else "was stopped"
        text = f"This course {verb} on {format_day(report.as_of)}, and at that point: {lower_first(text)}"
    return text


def _on_track_words(report: CourseReport) -> str:
    if report.as_of < report.day_zero:
        return f"This course starts on {format_day(report.day_zero)}, so there is nothing to compare yet."
    if report.last_logged_on is None:
        return "No days logged yet, so there is nothing to compare: log how your heel feels each day."
    current = [t for t in report.pain if t.mean_7d is not None]
    if not current:
        if (report.as_of - report.last_logged_on).days >= RECENT_LOG_DAYS:
            return (
                "No day is logged in the past week, so this cannot say how your heel is doing: log how it feels today."
            )
        if report.kind == "needling":
            return (
                "This week only the days right after a needling session are logged: they show soreness from the "
                "session, not how your heel is doing. Log the other days too."
            )
        return "Keep logging how your heel feels each day: after the start, a few days show how it is going."
    worst = max(current, key=lambda t: t.mean_7d or 0)
    return (
        f"Nothing is behind what the sources expect so far, and {_your(worst.foot, len(report.pain) > 1)} morning "
        f"first-step pain averaged {score(worst.mean_7d)} out of 10 over the past week."
    )


def trend_sentence(trend: PainTrend, *, feet: int, surgical: bool = False) -> str:
    """One line on the first-step pain of one foot, for the patient."""
    foot = f"{trend.foot.capitalize()} foot: " if feet > 1 else ""
    if trend.mean_7d is None:
        return f"{foot}{'n' if foot else 'N'}o first-step pain logged in the last 7 days yet."
    line = f"{foot}{'y' if foot else 'Y'}our first-step pain averaged {score(trend.mean_7d)} out of 10 over the last 7 days"
    if trend.baseline is None or trend.change is None:
        return line + "."
    start = "before surgery" if surgical else "at the start"
    if trend.improved:
        return line + f", down from {score(trend.baseline)} {start}: a real improvement (2 points or more)."
    if trend.meaningful and not surgical:
        return line + f", up from {score(trend.baseline)} {start}: 2 points or more worse. Your care team can see this."
    if trend.meaningful:
        return line + f", up from {score(trend.baseline)} {start}."
    return line + f", against {score(trend.baseline)} {start}: not yet a change of 2 points either way."


def trend_sentences(report: CourseReport) -> list[str]:
    """One line per treated foot on its first-step pain, for the patient's pages."""
    surgical = report.kind in SURGICAL_KINDS
    return [trend_sentence(t, feet=len(report.pain), surgical=surgical) for t in report.pain]


# ---------------------------------------------------------------------------------------------------------------
# Findings, for the care team (the caseload, the patient page, the PDF and the alert messages)
# ---------------------------------------------------------------------------------------------------------------


def finding_team(finding: Finding, report: CourseReport | None = None) -> str:
    """One finding as the care team reads it: terse, third person, numbers and source references."""
    several = report is not None and len(report.pain) > 1
    refs = cite_team(finding.citations)
    if isinstance(finding, RedFlag):
        if finding.emergency:
            return f"Red flag on {short_day(finding.day)}: breathlessness or chest pain, a possible emergency."
        labels = "; ".join(lower_first(RED_FLAG_LABELS[f]) for f in finding.flags)
        if report is None:  # an alert: the foot matters for a local flag (wound, redness, numbness, toes)
            named = any(f not in SYSTEMIC_RED_FLAGS for f in finding.flags)
        else:
            named = several or finding.foot not in {t.foot for t in report.pain}
        where = f" ({finding.foot} foot)" if named else ""
        return f"Red flag on {short_day(finding.day)}{where}: {labels}."
    if isinstance(finding, WoundConcern):
        how = (
            f"{finding.run_days} days running at 7+/10 (mean {score(finding.level)})"
            if finding.run_days
            else f"7-day first-step pain {score(finding.level)}/10"
        )
        count = len(finding.swelling_on)
        swelling = f"; swelling or redness on {count} of the last 7 days" if count else ""
        return (
            f"Possible wound or healing problem: {_feet_label(finding.foot, several).lower()}{how}, "
            f"{signed(finding.rise)} vs {_reference_team(finding.reference)}, since {short_day(finding.since)}"
            f"{swelling}{_last_team(finding.last_logged)} ({refs})."
        )
    if isinstance(finding, Worsening):
        how = (
            f"{finding.run_days} days running at 7+/10 (mean {score(finding.level)})"
            if finding.run_days
            else f"7-day first-step pain {score(finding.level)}/10"
        )
        return (
            f"Worsening since {short_day(finding.since)}: {_feet_label(finding.foot, several).lower()}{how}, "
            f"{signed(finding.rise)} vs {_reference_team(finding.reference)}{_last_team(finding.last_logged)} ({refs})."
        )
    if isinstance(finding, MassageAdverse):
        return f"Adverse reaction to home massage on {short_day(finding.day)}: stop and consult ({refs})."
    if isinstance(finding, PostOpNotBetter):
        what = "worse than before surgery" if finding.worse else "not 2 points better than before surgery"
        return (
            f"Day {finding.day}: {_feet_label(finding.foot, several).lower()}7-day first-step pain "
            f"{score(finding.level)}/10 vs pre-op {score(finding.before_surgery)}, {what} ({refs})."
        )
    if isinstance(finding, PersistentHighPain):
        usual = f", at the usual level ({_reference_team(finding.reference)})" if finding.reference else ""
        return (
            f"Persistent high pain: {_feet_label(finding.foot, several).lower()}7+/10 on {finding.days} days running "
            f"since {short_day(finding.since)} (mean {score(finding.mean)}){usual}{_last_team(finding.last_logged)}."
        )
    if isinstance(finding, MilestoneOverdue):
        m = finding.milestone
        e = m.expectation
        title = e.title.replace(" your ", " ")
        plan = f", surgeon's plan until {short_day(m.planned_until)}" if m.planned_until else ""
        return f"{title}: not yet logged at day {finding.day}, later than most ({_window(e)}{plan}; {refs})."
    if isinstance(finding, ProtectionEndedEarly):
        m = finding.milestone
        plan = f"; surgeon's plan until {short_day(m.planned_until)}" if m.planned_until else ""
        before = (
            "before the surgeon's planned date"
            if finding.before_plan
            else f"before the {_window(m.expectation)} of the leaflet"
        )
        return f"Out of cast or boot on day {finding.ended_on_day}, {before} ({refs}{plan}): check against the surgeon's plan."
    if isinstance(finding, MilestoneEarly):
        e = finding.milestone.expectation
        return (
            f"{e.title.replace(' your ', ' ')} reached early, on day {finding.reached_on_day} "
            f"(most: {_window(e)}, {refs})."
        )
    if isinstance(finding, NeedlingNoResponse):
        planned = f" ({finding.sessions_planned} planned)" if finding.sessions_planned else ""
        feet = "; ".join(_foot_change_team(c, several) for c in finding.feet)
        return (
            f"No needling response: {finding.sessions_done} sessions{planned}, {finding.weeks} weeks since the first "
            f"({short_day(finding.first_session)}); {feet}. Review the plan ({refs})."
        )
    if isinstance(finding, NoImprovement):
        feet = "; ".join(_foot_change_team(c, several) for c in finding.feet)
        return (
            f"No drop of 2 points or more in first-step pain {finding.months} months after day 0: {feet} "
            f"(surgery is considered after 6 to 12 months without relief, {refs})."
        )
    if isinstance(finding, LingeringSoreness):
        return (
            f"Needling soreness {finding.soreness}/10 still reported on {short_day(finding.recorded_on)}, more than 2 "
            f"days after the session of {short_day(finding.session_on)} (usually settles within a day or two, "
            f"{refs})."
        )
    if isinstance(finding, Improved):
        feet = "; ".join(_foot_change_team(c, several) for c in finding.feet)
        return f"Improved by 2 points or more: {feet}."
    if isinstance(finding, PostOpExpected):
        before = f", pre-op {score(finding.before_surgery)}" if finding.before_surgery is not None else ""
        trend = "falling" if finding.falling else "not yet falling"
        return (
            f"Expected post-op course: {_feet_label(finding.foot, several).lower()}7-day first-step pain "
            f"{score(finding.level)}/10, peak {score(finding.peak)}{before}, {trend}."
        )
    raise TypeError(f"no words for {finding!r}")


# Care-team findings worth a mention beside the one that decides the status.
_ALSO = (PersistentHighPain, ProtectionEndedEarly)


def clinician_reason(report: CourseReport) -> str:
    """The care team's line for a course: the deciding finding, then any care-team-only finding beside it."""
    text = finding_team(report.decided_by, report) if report.decided_by is not None else _on_track_team(report)
    also = [f for f in report.findings if isinstance(f, _ALSO) and f is not report.decided_by]
    if also:
        text += " Also: " + " ".join(finding_team(f, report) for f in also)
    if report.ended:
        verb = "completed" if report.course_status == "completed" else "stopped"
        text = f"Course {verb} on {format_day(report.as_of)}; at that point: {lower_first(text)}"
    return text


def _on_track_team(report: CourseReport) -> str:
    if report.as_of < report.day_zero:
        return f"Course starts on {format_day(report.day_zero)}; nothing to judge yet."
    if report.last_logged_on is None:
        return "No days logged yet."
    current = [t for t in report.pain if t.mean_7d is not None]
    if not current:
        if (report.as_of - report.last_logged_on).days >= RECENT_LOG_DAYS:
            return f"Nothing logged in the past 7 days (last on {short_day(report.last_logged_on)})."
        if report.kind == "needling":
            return "Only the 2 days after needling sessions logged this week (soreness days, not judged)."
        return "Nothing logged since day 0 yet."
    several = len(report.pain) > 1
    parts = []
    for t in current:
        words = f"{_feet_label(t.foot, several).lower()}7-day first-step pain {score(t.mean_7d)}/10"
        if t.change is not None and t.baseline is not None:
            words += f", {signed(t.change)} vs starting level {score(t.baseline)}"
        parts.append(words)
    return f"Nothing behind the sources; {'; '.join(parts)}."


def alert_message(finding: Finding, *, report: CourseReport) -> str:
    """The message of the alert a finding raises: the course, then the care team's line for it."""
    foot = "" if report.foot == "both" or not hasattr(finding, "foot") else f", {report.foot} foot"
    return f"{report.kind_label}{foot}: {finding_team(finding, report)}"


def red_flag_alert_message(finding: RedFlag) -> str:
    """A red-flag alert's message (one alert per flag, per day; see tracker.services.alerts)."""
    return finding_team(finding)


def silence_team(*, missed: int, last_logged_on: date | None) -> str:
    """The care team's line for a patient who has not logged (caseload and no-log alerts alike)."""
    plural = "s" if missed != 1 else ""
    if last_logged_on is None:
        return f"Nothing logged yet: {missed} day{plural} since they could first log."
    return f"No log for {missed} day{plural} (last on {format_day(last_logged_on)})."


# ---------------------------------------------------------------------------------------------------------------
# Charts: their text alternatives, and what a reader of a black-and-white print relies on
# ---------------------------------------------------------------------------------------------------------------


def trend_words(values: Sequence[float | None]) -> str:
    """The caseload's 7-day sparkline in words (first-step pain 0 to 10; None for a day without a log)."""
    logged = [v for v in values if v is not None]
    if not logged:
        return "No first-step pain logged in the last 7 days."
    listed = ", ".join("no log" if v is None else score(v) for v in values)
    if len(logged) < 2:
        direction = "too few days to show a trend"
    elif logged[-1] < logged[0]:
        direction = f"down from {score(logged[0])} to {score(logged[-1])}"
    elif logged[-1] > logged[0]:
        direction = f"up from {score(logged[0])} to {score(logged[-1])}"
    else:
        direction = "level"
    return f"First-step pain, last 7 days: {listed} ({direction})."


def chart_description(report: CourseReport, band: Sequence[BandPoint] | None) -> str:
    """The PDF chart in words (the care team's: numbers, windows and the cohort band)."""
    sentences = [
        f"First-step pain (0 to 10) by day since day 0 of the {report.kind_label.lower()}, up to day {report.day}."
    ]
    for trend in report.pain:
        if trend.mean_7d is None:
            sentences.append(f"{trend.foot.capitalize()} foot: no logs in the last 7 days.")
            continue
        text = f"{trend.foot.capitalize()} foot: 7-day mean {score(trend.mean_7d)}"
        if trend.baseline is not None:
            text += f", starting level {score(trend.baseline)}"
        if trend.change is not None:
            text += f", change {signed(trend.change)}{' (meaningful)' if trend.meaningful else ''}"
        if trend.reference is not None and trend.reference.kind == ReferenceKind.SETTLED_AFTER_SURGERY:
            text += f", settled post-op level {score(trend.reference.value)}"
        sentences.append(text + ".")
    for m in report.milestones:
        if m.window_start and m.window_end:
            sentences.append(
                f"Expected window for “{m.expectation.title}”: day {(m.window_start - report.day_zero).days} to "
                f"{(m.window_end - report.day_zero).days} ({m.status.label.lower()})."
            )
    if band:
        sentences.append(
            f"Shaded band: middle half of {max(p.patients for p in band)} or fewer other patients on the same kind "
            "of course, with their median dashed."
        )
    return " ".join(sentences)


def chart_summary(payload: ChartData) -> str:
    """One sentence describing the chart for a screen reader (the canvas's text alternative)."""
    if not payload["labels"]:
        return f"Chart of first-step pain for {payload['title']}: nothing logged yet."
    first, last = payload["labels"][0], payload["labels"][-1]
    parts = [f"Chart of first-step pain, 0 to 10, for {payload['title']}, {first} to {last}."]
    for foot in payload["feet"]:
        logged = [v for v in foot["pain"] if v is not None]
        bits = [f"{foot['label']}: {len(logged)} days logged"]
        if logged:
            bits.append(f"latest {score(logged[-1])} of 10")
        if foot["latest_mean_7d"] is not None:
            bits.append(f"7-day average {score(foot['latest_mean_7d'])}")
        if foot["baseline"] is not None:
            bits.append(f"starting level {score(foot['baseline'])}")
        parts.append(", ".join(bits) + ".")
    parts.append("The same numbers are in the table below the chart.")
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------------------------
# Questionnaires (issue 13): function scores against the baseline or the previous score
# ---------------------------------------------------------------------------------------------------------------


def _measure_words(change: ScoreChange) -> tuple[str, str, str]:
    """(the patient's name of the score, its scale, the care team's short name)."""
    return {
        Measure.FAAM_ADL: ("daily activities score", " out of 100", "FAAM ADL"),
        Measure.FAAM_SPORTS: ("sports score", " out of 100", "FAAM sports"),
        Measure.PSFS: ("score for the activities you named", " out of 10", "PSFS mean"),
        Measure.PSFS_ACTIVITY: (f"rating for {change.activity}", " out of 10", f"PSFS '{change.activity}'"),
    }[change.measure]


def _whole_or_tenth(value: float, measure: str) -> str:
    # FAAM scores are shown whole (52, 71); PSFS to one decimal (6.5), as the scales are written.
    return format_number(round(value)) if measure.startswith("faam") else score(value)


def _threshold_words(change: ScoreChange) -> str:
    return f"{points(change.threshold)} or more is one"


def function_change_sentence(finding: FunctionChange) -> str:
    """The patient's sentence: "Your daily activities score went from 52 to 71 out of 100: a real improvement (8
    points or more is one)." Its source is ``finding.citations``."""
    change = finding.change
    name, scale, _ = _measure_words(change)
    before = _whole_or_tenth(change.earlier, change.measure)
    after = _whole_or_tenth(change.later, change.measure)
    since = "since your first questionnaire" if finding.against == "baseline" else "since the last time"
    faam = change.measure in (Measure.FAAM_ADL, Measure.FAAM_SPORTS)
    if change.direction == Direction.BETTER:
        verdict = "a real improvement" if faam else "an improvement bigger than the scale's error"
    elif change.direction == Direction.WORSE:
        verdict = "a real decline: your care team has been told" if faam else "a decline bigger than the scale's error"
    else:
        verdict = "no real change yet"
    return f"Your {name} went from {before} to {after}{scale} {since}: {verdict} ({_threshold_words(change)})."


def function_change_team(change: ScoreChange, against: str = "baseline") -> str:
    """The care team's line: "FAAM ADL 52 → 71 (+19; MCID 8) since baseline 3 Nov: better."."""
    _, _, short = _measure_words(change)
    label = "MCID" if change.measure in (Measure.FAAM_ADL, Measure.FAAM_SPORTS) else "MDC"
    verdict = {Direction.BETTER: "better", Direction.WORSE: "worse", Direction.NO_REAL_CHANGE: "no real change"}[
        change.direction
    ]
    return (
        f"{short} {_whole_or_tenth(change.earlier, change.measure)} → {_whole_or_tenth(change.later, change.measure)} "
        f"({signed(change.change if change.measure.startswith('psfs') else round(change.change))}; {label} "
        f"{format_number(change.threshold)}) since {against} {short_day(change.earlier_on)}: {verdict}."
    )


def caseload_faam_adl_change(change: float, direction: str) -> str:
    """The caseload's FAAM ADL change since the baseline, judged by the MCID (``questionnaires.score_change``):
    "+19 since baseline: meaningful improvement"."""
    verdict = {
        Direction.BETTER: "meaningful improvement",
        Direction.WORSE: "meaningful decline",
        Direction.NO_REAL_CHANGE: "no real change",
    }[Direction(direction)]
    return f"{signed(round(change))} since baseline: {verdict}"


def cohort_band_missing() -> str:
    """Why the chart has no band of other patients (``cohort.MIN_PATIENTS`` per week, DESIGN.md section 5)."""
    from .cohort import MIN_PATIENTS

    return (
        f"The blue band of other patients appears once at least {MIN_PATIENTS} other patients of this clinic on "
        "the same kind of course have logged their pain in the same week since their start; fewer would let one "
        "person be picked out, so there is no band yet."
    )


def function_band_sentence(*, kind_label: str, shown: bool) -> str:
    """What the grey band on the daily activities (FAAM) chart is, or why there is none (at least
    ``cohort.MIN_PATIENTS`` other patients a week, DESIGN.md section 5)."""
    from .cohort import MIN_PATIENTS

    who = (
        f"other patients of this clinic on the same kind of course ({kind_label.lower()}), by week since their "
        f"start, in weeks when at least {MIN_PATIENTS} of them answered"
    )
    if shown:
        return f"Grey band: the middle half of the daily activities scores of {who}; the line in it is their median."
    return (
        f"There is no band of other patients yet: it shows the daily activities scores of {who}; fewer would let "
        "one person be picked out."
    )


def function_band_cell(point: BandPoint | None) -> str:
    """One week of the daily activities band in a table: "64 to 80 (median 72)", or a dash."""
    if point is None:
        return "–"
    return (
        f"{format_number(round(point.q1))} to {format_number(round(point.q3))} "
        f"(median {format_number(round(point.median))})"
    )


# The daily-log question that answers each judged milestone (tracker.forms.patient.DailyLogForm: for a surgical
# course these are on the main form, under the pain questions, never folded away).
_MILESTONE_QUESTION = {
    "usual_activities": "Back to your usual activities?",
    "out_of_cast_or_boot": "What you wore on the foot",
}


def milestone_where_to_answer(m: MilestoneResult) -> str:
    """Where a patient answers a milestone that their logs do not show yet ("" when there is nothing to answer)."""
    if m.status not in (MilestoneStatus.OVERDUE, MilestoneStatus.NOT_LOGGED, MilestoneStatus.NOT_YET_DUE):
        return ""
    question = _MILESTONE_QUESTION.get(m.expectation.key)
    if question is None or not m.expectation.has_window:
        return ""
    return f"To tell us, answer “{question}” in your daily log for the day, below the pain questions."
