"""Reads for progress: the reports of one patient's courses, or of a whole caseload, in a fixed number of queries.

Three queries whatever the number of patients, courses or days: the courses, the logs, the sessions. The
calculation itself (``tracker.progress.calculate``) never touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ..models import Course, CourseKind, CourseStatus, DailyLog, Session, SessionKind, User
from ..progress.calculate import course_report
from ..progress.report import CourseReport

# A session logged without a course counts towards the patient's course of the matching kind.
_COURSE_KINDS_FOR_SESSION = {
    SessionKind.NEEDLING: (CourseKind.NEEDLING,),
    SessionKind.MASSAGE: (CourseKind.MASSAGE,),
    SessionKind.SURGERY: (CourseKind.ENDOSCOPIC, CourseKind.OPEN),
}


@dataclass
class PatientProgressData:
    """What the calculation needs for one patient, fetched in bulk."""

    courses: list[Course] = field(default_factory=list)
    logs: list[DailyLog] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)


def _course_order(course: Course) -> tuple:
    # Active first, then the most recent day 0 first.
    return (course.status != CourseStatus.ACTIVE, -course.day_zero.toordinal(), -(course.pk or 0))


def sessions_for_course(course: Course, sessions: Iterable[Session], courses: list[Course]) -> list[Session]:
    """The sessions that belong to ``course``: linked to it, or unlinked, of its kind, on or after its day 0.

    An unlinked session goes to the matching course with the latest day 0 on or before the session's date, so
    it is never counted twice.
    """
    chosen = []
    for session in sessions:
        if session.course_id is not None:
            if session.course_id == course.pk:
                chosen.append(session)
            continue
        kinds = _COURSE_KINDS_FOR_SESSION.get(session.kind, ())
        candidates = [c for c in courses if c.kind in kinds and c.day_zero <= session.date]
        if candidates and max(candidates, key=lambda c: (c.day_zero, c.pk or 0)).pk == course.pk:
            chosen.append(session)
    return chosen


def progress_data_for_patients(
    *, patient_ids: Iterable[int], until: date | None = None
) -> dict[int, PatientProgressData]:
    """Courses (with the patient), logs and sessions of the patients, in 3 queries.

    ``until``: leave out logs and sessions after this date (None: all of them).
    """
    ids = list(dict.fromkeys(patient_ids))
    data: dict[int, PatientProgressData] = {pid: PatientProgressData() for pid in ids}
    if not ids:
        return data
    for course in Course.objects.filter(patient_id__in=ids).select_related("patient"):  # query 1
        data[course.patient_id].courses.append(course)
    logs = DailyLog.objects.filter(patient_id__in=ids).defer("note")  # query 2
    sessions = Session.objects.filter(patient_id__in=ids).defer("note")  # query 3
    if until is not None:
        logs = logs.filter(date__lte=until)
        sessions = sessions.filter(date__lte=until)
    for log in logs:
        data[log.patient_id].logs.append(log)
    for session in sessions:
        data[session.patient_id].sessions.append(session)
    for item in data.values():
        item.courses.sort(key=_course_order)
    return data


def reports_from_data(item: PatientProgressData, *, today: date, active_only: bool = False) -> list[CourseReport]:
    """The reports of one patient's courses, active first, from already fetched data (no query)."""
    # Unlinked sessions are shared out over all the courses, even when only the active ones are reported.
    return [
        course_report(
            course=course,
            sessions=sessions_for_course(course, item.sessions, item.courses),
            logs=item.logs,
            today=today,
        )
        for course in item.courses
        if not active_only or course.status == CourseStatus.ACTIVE
    ]


def patient_reports(*, patient: User, today: date) -> list[CourseReport]:
    """Every course of ``patient`` as seen on ``today`` (their local date), active courses first. 3 queries."""
    data = progress_data_for_patients(patient_ids=[patient.pk], until=today)
    return reports_from_data(data[patient.pk], today=today)


def reports_for_patients(
    *, patient_ids: Iterable[int], today: date | None, active_only: bool = False
) -> dict[int, list[CourseReport]]:
    """The reports of many patients (a caseload of up to 500) in 3 queries, whatever their number.

    ``today``: the date to judge on; None judges each patient on their own local date (their time zone).
    Every patient asked for is a key, with an empty list if they have no course. ``active_only`` leaves out
    completed and stopped courses.
    """
    data = progress_data_for_patients(patient_ids=patient_ids, until=today)
    result: dict[int, list[CourseReport]] = {}
    for pid, item in data.items():
        day = today if today is not None else (item.courses[0].patient.local_today() if item.courses else None)
        result[pid] = reports_from_data(item, today=day, active_only=active_only) if day is not None else []
    return result
