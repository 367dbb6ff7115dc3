"""Reads for the patient's own pages. Each is a fixed number of queries, whatever the number of days logged.

Every function takes the signed-in patient and reads only their rows: there is no way to name another patient.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import QuerySet

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


@dataclass
class History:
    days: list[HistoryDay]
    feet: list[str]
    start: date | None
    logged_days: int
    missing_days: int


def patient_history(*, patient: User, today: date) -> History:
    """Every day from the start (the earliest course's day 0, or the first log if earlier) to ``today``,
    newest first, with gaps. 2 queries: courses, logs (only the columns shown)."""
    courses = list(Course.objects.filter(patient=patient))
    feet = treated_feet(courses)
    rows = list(
        DailyLog.objects.filter(patient=patient, date__lte=today)
        .order_by("date")
        .values_list("date", "foot", "first_step_pain", "average_pain", *_RED_FLAG_NAMES)
    )
    by_day: dict[date, dict[str, tuple]] = {}
    for row in rows:
        by_day.setdefault(row[0], {})[row[1]] = row
        if row[1] not in feet:
            feet.append(row[1])
    feet.sort(key=_foot_order)
    starts = [c.day_zero for c in courses if c.day_zero <= today]
    if rows:
        starts.append(rows[0][0])
    start = min(starts) if starts else None
    day_zero = min((c.day_zero for c in courses), default=None)
    days: list[HistoryDay] = []
    logged = 0
    if start is not None:
        day = today
        while day >= start:
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
            item = HistoryDay(
                day=day,
                feet=tuple(day_feet),
                editable=is_editable(day=day, today=today),
                day_number=(day - day_zero).days if day_zero is not None else None,
            )
            logged += item.logged
            days.append(item)
            day -= timedelta(days=1)
    return History(days=days, feet=feet, start=start, logged_days=logged, missing_days=len(days) - logged)


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
