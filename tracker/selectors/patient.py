"""Reads for the patient's own pages. Each is a fixed number of queries, whatever the number of days logged.

Every function takes the signed-in patient and reads only their rows: there is no way to name another patient.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, Min, Q, QuerySet
from django.db.models.functions import TruncWeek

from ..models import (
    RED_FLAG_FIELDS,
    SURGICAL_KINDS,
    AuditEvent,
    Course,
    CourseStatus,
    DailyLog,
    Foot,
    Session,
    SessionKind,
    User,
)

EDITABLE_DAYS_BACK = 7  # today and the 7 days before (DESIGN.md section 3)
# The three days after a needling session ask about soreness and bruising: days 1 and 2, when soreness usually
# settles (002:36), and day 3, the first day "soreness lasting past 2 days" (DESIGN.md section 6) can be read.
NEEDLING_FOLLOW_UP_DAYS = 3
_RED_FLAG_NAMES = tuple(name for name, _ in RED_FLAG_FIELDS)


def editable_window(*, today: date) -> tuple[date, date]:
    """The first and last day a patient may fill in or edit, by their local ``today``."""
    return today - timedelta(days=EDITABLE_DAYS_BACK), today


def is_editable(*, day: date, today: date) -> bool:
    first, last = editable_window(today=today)
    return first <= day <= last


def _foot_order(foot: str) -> int:
    return 0 if foot == Foot.LEFT else 1


def treated_feet(courses: list[Course]) -> list[str]:
    """The union of the feet of the active courses (or of all courses when none is active), left first."""
    chosen = [c for c in courses if c.status == CourseStatus.ACTIVE] or courses
    return sorted({foot for c in chosen for foot in c.feet}, key=_foot_order)


def surgical_feet(courses: list[Course]) -> set[str]:
    """Feet under an active surgery course: their log asks about weight-bearing and footwear."""
    return {foot for c in courses if c.status == CourseStatus.ACTIVE and c.kind in SURGICAL_KINDS for foot in c.feet}


@dataclass
class LogDayData:
    day: date
    courses: list[Course]
    feet: list[str]
    surgical_feet: set[str]
    logs: dict[str, DailyLog]  # the day's logs by foot
    previous: dict[str, DailyLog]  # the latest earlier log (within a week) by foot, for rarely changing answers
    needling_sessions: list[Session] = field(default_factory=list)  # needling sessions in the 2 days before

    @property
    def asks_about_needling(self) -> bool:
        return bool(self.needling_sessions)

    @property
    def saved(self) -> bool:
        return bool(self.logs)


def log_day_data(*, patient: User, day: date) -> LogDayData:
    """What the log page of ``day`` needs. 3 queries: courses, the logs of the week up to ``day``, needling."""
    courses = list(Course.objects.filter(patient=patient))
    logs = DailyLog.objects.filter(patient=patient, date__gte=day - timedelta(days=7), date__lte=day).order_by("date")
    by_foot: dict[str, DailyLog] = {}
    previous: dict[str, DailyLog] = {}
    for log in logs:
        if log.date == day:
            by_foot[log.foot] = log
        else:
            previous[log.foot] = log  # ordered by date: the last one wins
    # The day of surgery: weight-bearing and footwear start empty, never copied from the morning before it (a
    # copied "normal shoes, full weight" would read as a milestone reached on the day of surgery).
    for course in courses:
        if course.kind in SURGICAL_KINDS and course.day_zero == day:
            for foot in course.feet:
                previous.pop(foot, None)
    needling = list(
        Session.objects.filter(
            patient=patient,
            kind=SessionKind.NEEDLING,
            date__gte=day - timedelta(days=NEEDLING_FOLLOW_UP_DAYS),
            date__lt=day,
        )
    )
    return LogDayData(
        day=day,
        courses=courses,
        feet=treated_feet(courses),
        surgical_feet=surgical_feet(courses),
        logs=by_foot,
        previous=previous,
        needling_sessions=needling,
    )


@dataclass(frozen=True)
class HistoryFoot:
    foot: str
    first_step_pain: int | None
    average_pain: int | None
    red_flag: bool


@dataclass(frozen=True)
class HistoryDay:
    day: date
    feet: tuple[HistoryFoot, ...]
    editable: bool
    day_number: int | None  # days since the earliest course's day 0

    @property
    def logged(self) -> bool:
        return any(f.first_step_pain is not None for f in self.feet)

    @property
    def red_flag(self) -> bool:
        return any(f.red_flag for f in self.feet)


HISTORY_DAYS_PER_PAGE = 28  # four weeks of days on a page of /history/
HISTORY_WEEKS_PER_PAGE = 12  # weeks on a page of the weekly view


@dataclass
class History:
    days: list[HistoryDay]  # the page's days, newest first
    feet: list[str]
    start: date | None
    logged_days: int  # over the whole history, not only the page
    missing_days: int
    page: Page  # of day offsets back from today (0 is today)


def _history_start(*, patient: User, courses: list[Course], today: date) -> tuple[date | None, int]:
    """The first day of the history (the earliest course's day 0, or the first log if earlier) and the number of
    days logged up to ``today``. One aggregate query."""
    found = DailyLog.objects.filter(patient=patient, date__lte=today).aggregate(
        first=Min("date"), logged=Count("date", distinct=True)
    )
    starts = [c.day_zero for c in courses if c.day_zero <= today]
    if found["first"] is not None:
        starts.append(found["first"])
    return (min(starts) if starts else None), found["logged"] or 0


def patient_history(*, patient: User, today: date, page: int | str | None = 1) -> History:
    """The days from the start (the earliest course's day 0, or the first log if earlier) to ``today``, newest
    first with gaps, four weeks to a page (``page``: 1 is the latest; out of range is the last page, as
    ``Paginator.get_page``). 3 queries whatever the length of history: courses, the totals (an aggregate), the
    page's logs (only the columns shown)."""
    courses = list(Course.objects.filter(patient=patient))
    feet = treated_feet(courses)
    start, logged = _history_start(patient=patient, courses=courses, today=today)
    total = (today - start).days + 1 if start is not None else 0
    chosen = Paginator(range(total), HISTORY_DAYS_PER_PAGE).get_page(page)
    offsets = list(chosen.object_list)
    days: list[HistoryDay] = []
    if offsets:
        newest, oldest = today - timedelta(days=offsets[0]), today - timedelta(days=offsets[-1])
        rows = DailyLog.objects.filter(patient=patient, date__gte=oldest, date__lte=newest).values_list(
            "date", "foot", "first_step_pain", "average_pain", *_RED_FLAG_NAMES
        )
        by_day: dict[date, dict[str, tuple]] = {}
        for row in rows:
            by_day.setdefault(row[0], {})[row[1]] = row
            if row[1] not in feet:
                feet.append(row[1])
        feet.sort(key=_foot_order)
        day_zero = min((c.day_zero for c in courses), default=None)
        for offset in offsets:
            day = today - timedelta(days=offset)
            entries = by_day.get(day, {})
            day_feet = []
            for foot in feet:
                row = entries.get(foot)
                day_feet.append(
                    HistoryFoot(
                        foot=foot,
                        first_step_pain=row[2] if row else None,
                        average_pain=row[3] if row else None,
                        red_flag=bool(row and any(row[4:])),
                    )
                )
            days.append(
                HistoryDay(
                    day=day,
                    feet=tuple(day_feet),
                    editable=is_editable(day=day, today=today),
                    day_number=(day - day_zero).days if day_zero is not None else None,
                )
            )
    return History(days=days, feet=feet, start=start, logged_days=logged, missing_days=total - logged, page=chosen)


@dataclass(frozen=True)
class HistoryWeek:
    """One week (Monday to Sunday) of the weekly view."""

    monday: date
    days_logged: int
    mean_first_step_pain: dict[str, float | None]  # by foot, in the order of ``WeeklyHistory.feet``
    sessions: int

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def means(self) -> list[float | None]:
        return list(self.mean_first_step_pain.values())


@dataclass
class WeeklyHistory:
    weeks: list[HistoryWeek]  # the page's weeks, newest first
    feet: list[str]
    start: date | None
    page: Page  # of week offsets back from this week (0 is this week)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_history(*, patient: User, today: date, page: int | str | None = 1) -> WeeklyHistory:
    """Per week from the start of the history to ``today``, newest first, twelve weeks to a page: the days
    logged, the mean first-step pain of each foot, the sessions. Weeks run Monday to Sunday. 4 queries whatever
    the length of history: courses, the first day (an aggregate), the page's logs grouped by week (an aggregate),
    the page's sessions grouped by week (an aggregate)."""
    courses = list(Course.objects.filter(patient=patient))
    feet = treated_feet(courses) or [Foot.LEFT]
    start, _ = _history_start(patient=patient, courses=courses, today=today)
    this_week = _monday(today)
    total = (this_week - _monday(start)).days // 7 + 1 if start is not None else 0
    chosen = Paginator(range(total), HISTORY_WEEKS_PER_PAGE).get_page(page)
    offsets = list(chosen.object_list)
    weeks: list[HistoryWeek] = []
    if offsets:
        first = this_week - timedelta(weeks=offsets[-1])
        last = min(today, this_week - timedelta(weeks=offsets[0]) + timedelta(days=6))
        by_week = {
            row["week"]: row
            for row in DailyLog.objects.filter(patient=patient, date__gte=first, date__lte=last)
            .annotate(week=TruncWeek("date"))
            .values("week")
            .annotate(
                days=Count("date", distinct=True),
                **{f"mean_{foot}": Avg("first_step_pain", filter=Q(foot=foot)) for foot in feet},
            )
        }
        sessions = {
            row["week"]: row["n"]
            for row in Session.objects.filter(patient=patient, date__gte=first, date__lte=last)
            .annotate(week=TruncWeek("date"))
            .values("week")
            .annotate(n=Count("id"))
        }
        for offset in offsets:
            monday = this_week - timedelta(weeks=offset)
            row = by_week.get(monday) or {}
            weeks.append(
                HistoryWeek(
                    monday=monday,
                    days_logged=row.get("days", 0),
                    mean_first_step_pain={foot: row.get(f"mean_{foot}") for foot in feet},
                    sessions=sessions.get(monday, 0),
                )
            )
    return WeeklyHistory(weeks=weeks, feet=feet, start=start, page=chosen)


def recent_sessions(*, patient: User, limit: int = 10) -> list[Session]:
    """The patient's latest sessions, newest first. 1 query."""
    return list(Session.objects.filter(patient=patient).order_by("-date", "-id")[:limit])


def session_of_patient(*, patient: User, pk) -> Session | None:
    """One of the patient's own sessions, or None (another patient's id reads as nothing). 1 query."""
    try:
        return Session.objects.filter(patient=patient, pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def active_course_of_kind(*, patient: User, kind: str) -> Course | None:
    """The patient's active course of ``kind`` with the latest day 0 (a session is linked to it). 1 query."""
    return (
        Course.objects.filter(patient=patient, kind=kind, status=CourseStatus.ACTIVE)
        .order_by("-day_zero", "-id")
        .first()
    )


def record_access_list(*, patient: User) -> QuerySet[AuditEvent]:
    """Every audit event about ``patient``'s record (who read or changed it, and when), newest first: exactly
    the audit rows that name them as the patient. One query per page, the actor joined."""
    return AuditEvent.objects.filter(patient=patient).select_related("actor").order_by("-at", "-id")
