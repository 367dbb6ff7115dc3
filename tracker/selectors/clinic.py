"""Reads for the physiotherapist's pages: the caseload sorted by need, the open alerts, one patient's story.

Every read starts from ``tracker.permissions.patients_in_care_of`` (the one scoping definition). Each owns
its select_related, prefetch and annotations, so a page runs a fixed number of queries whatever the number
of patients, courses or days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, TypedDict, cast

from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from ..models import (
    RED_FLAG_FIELDS,
    Alert,
    AlertKind,
    AlertStatus,
    ClinicalNote,
    Course,
    CourseStatus,
    DailyLog,
    Session,
    Severity,
    User,
)
from ..permissions import patients_in_care_of
from ..progress import wording
from ..progress.calculate import RECENT_DAYS, SILENT_AFTER_DAYS, days_without_log, first_loggable_day
from ..progress.report import CourseReport, OverallStatus
from ..selectors.history import Edit, log_edits
from ..selectors.progress import CourseChart, course_charts, progress_data_for_patients, reports_from_data

if TYPE_CHECKING:
    from django.utils.safestring import SafeString
    from django_stubs_ext import WithAnnotations  # django-stubs' companion: typing only, not installed in production

TREND_DAYS = 7


class CaseloadColumns(TypedDict):
    """The columns ``_caseload_queryset`` annotates on each patient."""

    last_logged_on: date | None
    latest_first_step_pain: int | None
    open_alerts: int
    top_severity: int | None  # a Severity value
    top_alert: str | None  # the message of the most severe open alert
    # The red flag handled last (an acknowledged red-flag alert raised in the last 7 days): when, and by whom
    # (first and last name, may be blank). Shown on a red-flag row with no open critical alert left.
    red_flag_ack_at: datetime | None
    red_flag_ack_by: str | None


class CaseloadPatientColumns(CaseloadColumns):
    """A caseload row's patient: the annotated columns, and the one ``caseload_rows`` counts on their own date."""

    days_logged_7: int


if TYPE_CHECKING:
    AnnotatedPatient = WithAnnotations[User, CaseloadColumns]
    CaseloadPatient = WithAnnotations[User, CaseloadPatientColumns]


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


@dataclass
class CaseloadRow:
    patient: CaseloadPatient
    reports: list[CourseReport]  # active courses, most urgent first
    need: Need
    reason: str  # for the physiotherapist: the report's clinician_reason, the silence, or the open critical alert
    today: date  # the patient's own local date, on which this row is judged
    trend: list[int | None] = field(default_factory=list)  # first-step pain, the last 7 days, oldest first
    # Set by the caseload view for the page it shows: the trend drawn, and in words.
    sparkline: SafeString | None = None
    trend_words: str = ""

    @property
    def days_since_log(self) -> int | None:
        last = self.patient.last_logged_on
        return None if last is None else (self.today - last).days


def _caseload_queryset(*, physio: User, q: str = "", kind: str = "") -> QuerySet[AnnotatedPatient]:
    """The patients in ``physio``'s care with the caseload's date-free columns annotated, in one query.

    Columns that depend on "today" (days logged of the last 7) are counted in Python, on each patient's own date.
    """
    logs = DailyLog.objects.filter(patient=OuterRef("pk")).order_by()
    open_alerts = Alert.objects.filter(patient=OuterRef("pk"), status=AlertStatus.OPEN).order_by()
    handled_red_flags = Alert.objects.filter(
        patient=OuterRef("pk"),
        kind=AlertKind.RED_FLAG,
        status=AlertStatus.ACKNOWLEDGED,
        created_at__gte=timezone.now() - timedelta(days=RECENT_DAYS),
    ).order_by("-acknowledged_at", "-pk")
    patients = patients_in_care_of(physio).filter(is_active=True)  # a closed record leaves the caseload
    for word in q.split()[:5]:
        patients = patients.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(username__icontains=word)
        )
    if kind:
        patients = patients.filter(
            Exists(Course.objects.filter(patient=OuterRef("pk"), kind=kind, status=CourseStatus.ACTIVE))
        )
    return patients.annotate(
        last_logged_on=Subquery(logs.values("patient").annotate(m=Max("date")).values("m")[:1]),
        latest_first_step_pain=Subquery(logs.order_by("-date", "-first_step_pain").values("first_step_pain")[:1]),
        open_alerts=Coalesce(
            Subquery(
                open_alerts.values("patient").annotate(c=Count("pk")).values("c")[:1], output_field=IntegerField()
            ),
            0,
        ),
        top_severity=Subquery(open_alerts.order_by("-severity").values("severity")[:1]),
        top_alert=Subquery(open_alerts.order_by("-severity", "-created_at").values("message")[:1]),
        red_flag_ack_at=Subquery(handled_red_flags.values("acknowledged_at")[:1]),
        red_flag_ack_by=Subquery(
            handled_red_flags.annotate(
                by=Concat("acknowledged_by__first_name", Value(" "), "acknowledged_by__last_name")
            ).values("by")[:1]
        ),
    ).order_by("last_name", "first_name", "pk")


def _trend(report: CourseReport | None, today: date) -> list[int | None]:
    """The worst foot's first-step pain on each of the last 7 days (None: not logged)."""
    if report is None or not report.pain:
        return []
    trend = next((t for t in report.pain if t.foot == report.worst_foot), None)
    if trend is None:
        trend = max(report.pain, key=lambda t: -1 if t.mean_7d is None else t.mean_7d)
    by_day = {p.day: p.first_step_pain for p in trend.series}
    return [by_day.get(today - timedelta(days=i)) for i in range(TREND_DAYS - 1, -1, -1)]


def _need(
    patient: AnnotatedPatient, reports: list[CourseReport], courses: list[Course], today: date
) -> tuple[Need, str]:
    if patient.top_severity == Severity.CRITICAL and not any(r.status == OverallStatus.RED_FLAG for r in reports):
        return Need.CRITICAL, patient.top_alert or "An open critical alert."
    if not reports:
        return Need.NO_COURSE, "No active course."
    main = reports[0]
    need = _NEED_FROM_STATUS[main.status]
    since = first_loggable_day(courses=courses, joined_at=patient.date_joined, zone=patient.zone)
    if NEED_ORDER[need] > NEED_ORDER[Need.SILENT] and since is not None:
        # The one definition of silent, as the no-log alerts use it.
        last = patient.last_logged_on
        missed = days_without_log(last_logged_on=last, since=since, today=today)
        if missed >= SILENT_AFTER_DAYS:
            return Need.SILENT, wording.silence_team(missed=missed, last_logged_on=last)
    return need, main.clinician_reason


def caseload_rows(
    *,
    physio: User,
    now: datetime | None = None,
    q: str = "",
    kind: str = "",
    need: str = "",
) -> list[CaseloadRow]:
    """``physio``'s caseload sorted by need: red flags and critical alerts, worsening, behind, silent, on track,
    ahead, then patients without an active course; within a group, the most severe open alert, the most
    open alerts, the longest silence, then the name.

    Each patient is judged on their own local date at ``now`` (default: the current time), as their own pages
    judge them (DESIGN.md section 3: "today is the patient's local date"): with patients on both sides of the
    date line, no one physiotherapist's date is right for all of them.

    Filters: ``q`` (words in the name), ``kind`` (has an active course of that kind), ``need`` (a ``Need``).
    Queries: 1 for the patients with their columns, then 3 (courses, logs, sessions:
    ``progress_data_for_patients``), whatever the number of patients.
    """
    now = now or timezone.now()
    patients = list(_caseload_queryset(physio=physio, q=q, kind=kind))
    data = progress_data_for_patients(patient_ids=[p.pk for p in patients])
    rows = []
    # Each patient gains days_logged_7 first thing in the loop.
    for patient in cast("list[CaseloadPatient]", patients):
        local = patient.local_today(now)
        item = data[patient.pk]
        week_from = local - timedelta(days=TREND_DAYS - 1)
        patient.days_logged_7 = len({log.date for log in item.logs if week_from <= log.date <= local})
        mine = sorted(reports_from_data(item, today=local, active_only=True), key=lambda r: (r.urgency, r.day_zero))
        row_need, reason = _need(patient, mine, item.courses, local)
        rows.append(
            CaseloadRow(
                patient=patient,
                reports=mine,
                need=row_need,
                reason=reason,
                today=local,
                trend=_trend(mine[0] if mine else None, local),
            )
        )
    if need:
        rows = [r for r in rows if r.need == need]
    rows.sort(
        key=lambda r: (
            NEED_ORDER[r.need],
            -(r.patient.top_severity or 0),
            -r.patient.open_alerts,
            -(r.days_since_log if r.days_since_log is not None else 10_000),
            r.patient.last_name.lower(),
            r.patient.first_name.lower(),
            r.patient.pk,
        )
    )
    return rows


def open_alerts_for(*, physio: User) -> QuerySet[Alert]:
    """The open alerts of ``physio``'s caseload, most severe first, then newest (1 query with the patient)."""
    return (
        Alert.objects.filter(status=AlertStatus.OPEN, patient__in=patients_in_care_of(physio))
        .select_related("patient", "course")
        .order_by("-severity", "-created_at", "-id")
    )


@dataclass
class LogRow:
    """A log on the patient page, with its edits (oldest first; empty if never changed after it was saved)."""

    log: DailyLog
    edits: list[Edit]


@dataclass
class PatientStory:
    """Everything on one patient's page."""

    charts: list[CourseChart]  # every course with its report and chart, active first
    logs: list[LogRow]  # newest first, at most ``log_limit``
    logs_total: int
    sessions: list[Session]  # newest first
    alerts: list[Alert]  # open first, then the most recently raised
    notes: list[ClinicalNote]  # newest first


def patient_story(*, patient: User, today: date, log_limit: int = 60, alert_limit: int = 30) -> PatientStory:
    """One patient's page: every course with its report and chart (``course_charts``: 3 queries and one per
    kind of course), recent logs with their edits (one query for every version), sessions, alerts, notes."""
    charts = course_charts(patient=patient, today=today)
    logs_qs = DailyLog.objects.filter(patient=patient).order_by("-date", "foot")
    recent = list(logs_qs[:log_limit])
    # Every version of those logs in one query (the ids as a subquery, so it runs even for a patient with none).
    edits = log_edits(patient=patient, log_ids=logs_qs.values("pk")[:log_limit])
    logs = [LogRow(log=log, edits=edits.get(log.pk, [])) for log in recent]
    sessions = list(
        Session.objects.filter(patient=patient).select_related("performed_by", "course").order_by("-date", "-id")
    )
    alerts = list(
        Alert.objects.filter(patient=patient)
        .select_related("acknowledged_by", "course")
        .order_by("-status", "-severity", "-created_at")[:alert_limit]  # "open" sorts before "acknowledged"
    )
    notes = list(ClinicalNote.objects.filter(patient=patient).select_related("author"))
    return PatientStory(
        charts=charts,
        logs=logs,
        logs_total=logs_qs.count(),
        sessions=sessions,
        alerts=alerts,
        notes=notes,
    )


def patient_logs_for_export(*, patient: User) -> QuerySet[DailyLog]:
    """All of ``patient``'s logs, oldest first, for logs.csv."""
    return DailyLog.objects.filter(patient=patient).order_by("date", "foot")


@dataclass
class ReportRecords:
    red_flag_logs: list[DailyLog]  # newest first
    sessions: list[Session]  # newest first
    sessions_total: int
    alerts: list[Alert]  # open first, then most severe, newest
    open_alerts: int
    notes: list[ClinicalNote]  # newest first


def report_records(
    *, patient: User, red_flag_limit: int, session_limit: int, alert_limit: int, note_limit: int
) -> ReportRecords:
    """The latest of each kind of record for the PDF report, each bounded (6 queries)."""
    any_flag = Q()
    for name, _ in RED_FLAG_FIELDS:
        any_flag |= Q(**{name: True})
    sessions = Session.objects.filter(patient=patient).select_related("performed_by").order_by("-date", "-id")
    alerts = (
        Alert.objects.filter(patient=patient)
        .select_related("acknowledged_by")
        .order_by("-status", "-severity", "-created_at")
    )
    return ReportRecords(
        red_flag_logs=list(
            DailyLog.objects.filter(any_flag, patient=patient).order_by("-date", "foot")[:red_flag_limit]
        ),
        sessions=list(sessions[:session_limit]),
        sessions_total=sessions.count(),
        alerts=list(alerts[:alert_limit]),
        open_alerts=alerts.filter(status=AlertStatus.OPEN).count(),
        notes=list(ClinicalNote.objects.filter(patient=patient).select_related("author")[:note_limit]),
    )
