"""Reads for progress: the reports of one patient's courses, or of a whole caseload, in a fixed number of queries.

Three queries whatever the number of patients, courses or days: the courses, the logs, the sessions. The
calculation itself (``tracker.progress.calculate``) never touches the database. ``course_charts`` adds the
progress charts both progress pages show (the patient's and the physiotherapist's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from ..models import CohortMeasure, Course, CourseKind, CourseStatus, DailyLog, Session, SessionKind, User
from ..progress.calculate import course_report
from ..progress.chart import ChartPayload, chart_payload
from ..progress.cohort import function_week
from ..progress.report import BandPoint, CourseReport
from .cohort import measure_bands
from .log_rows import log_rows, session_rows

# A session logged without a course counts towards the patient's course of the matching kind.
# Keyed by the session's kind as stored (a plain string on a model instance; SessionKind members are equal to it).
_COURSE_KINDS_FOR_SESSION: dict[str, tuple[CourseKind, ...]] = {
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


def _course_order(course: Course) -> tuple[bool, int, int]:
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


def patient_progress_data(*, patient: User, until: date) -> PatientProgressData:
    """``progress_data_for_patients`` for one patient, with the logs and sessions as light rows
    (``tracker.selectors.log_rows``: a model object per log was most of the cost of a year of logs). 3 queries."""
    return PatientProgressData(
        courses=sorted(Course.objects.filter(patient=patient).select_related("patient"), key=_course_order),
        # The engine, the alert rules and the chart read these exactly as they read the models.
        logs=cast(list[DailyLog], log_rows(patient_id=patient.pk, until=until)),
        sessions=cast(list[Session], session_rows(patient_id=patient.pk, until=until)),
    )


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
    return reports_from_data(patient_progress_data(patient=patient, until=today), today=today)


def chart_weeks(reports: Iterable[CourseReport]) -> dict[str, int | None]:
    """Kind -> the last week since day 0 the charts of ``reports`` show (the week of their last plotted day)."""
    wanted: dict[str, int | None] = {}
    for report in reports:
        days = [(point.day - report.day_zero).days for trend in report.pain for point in trend.series]
        last_day = max(days, default=-1)
        last = last_day // 7 + 1 if last_day >= 0 else 0
        wanted[report.kind] = max(wanted.get(report.kind) or 0, last)
    return wanted


@dataclass(frozen=True)
class CourseChart:
    """One course on a progress page: its report and its chart (``tracker.progress.chart.chart_payload``)."""

    course: Course
    report: CourseReport
    chart: ChartPayload
    chart_id: str  # the chart's element id on the page: "chart-1", "chart-2"...
    # The first course only, when ``course_charts`` was given FAAM days: the clinic's band of the FAAM daily
    # activities score on this course's kind, by week since its day 0 (``tracker.progress.cohort.function_week``).
    function_band: tuple[BandPoint, ...] | None = None


def course_charts(*, patient: User, today: date, function_days: Sequence[date] = ()) -> list[CourseChart]:
    """Every course of ``patient`` judged on ``today`` (their local date), active first, each with its chart.

    The one builder for the patient's /progress/ page and the physiotherapist's patient page, so both draw the
    same chart: the course's sessions are those the report counts (``sessions_for_course``: a session logged
    without a course is drawn on the course it counts towards), and the cohort band of the course's kind.
    ``function_days``: the dates of the patient's scored FAAM daily activities responses; with them, the first
    course's chart also carries the FAAM daily activities band of its kind for the weeks of those days
    (``CourseChart.function_band``), read with the pain bands.
    Queries: the 3 of ``patient_reports``, then one for the bands of every kind and both measures
    (``measure_bands``, cached; only the weeks the charts and the scores show).
    """
    data = patient_progress_data(patient=patient, until=today)
    reports = reports_from_data(data, today=today)
    courses = {course.pk: course for course in data.courses}
    wanted: dict[str, dict[str, int | None]] = {CohortMeasure.PAIN: chart_weeks(reports)}
    first = reports[0] if reports else None
    if first is not None and function_days:
        last_week = max(function_week(day, day_zero=first.day_zero) for day in function_days)
        wanted[CohortMeasure.FAAM_ADL] = {first.kind: last_week}
    bands = measure_bands(wanted, exclude_patient_id=patient.pk)
    pain = bands.get(CohortMeasure.PAIN, {})
    charts = []
    for number, report in enumerate(reports, start=1):
        course = courses[report.course_id]
        sessions = sessions_for_course(course, data.sessions, data.courses)
        function_band = None
        if number == 1 and CohortMeasure.FAAM_ADL in bands:
            function_band = bands[CohortMeasure.FAAM_ADL][report.kind]
        charts.append(
            CourseChart(
                course=course,
                report=report,
                chart=chart_payload(report=report, band=pain[report.kind], sessions=sessions),
                chart_id=f"chart-{number}",
                function_band=function_band,
            )
        )
    return charts
