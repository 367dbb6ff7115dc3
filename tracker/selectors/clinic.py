"""Reads for the physiotherapist's pages: the caseload sorted by need, the open alerts, one patient's story.

Every read starts from ``tracker.permissions.patients_in_care_of`` (the one scoping definition). Each owns
its select_related, prefetch and annotations, so a page runs a fixed number of queries whatever the number
of patients, courses or days.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Concat, Least, Lower, RowNumber
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
from ..progress.calculate import RECENT_DAYS
from ..progress.caseload import NEED_ORDER, Need, with_alerts  # Need: re-exported for the forms
from ..progress.wording import caseload_faam_adl_change
from ..selectors.history import Edit, log_edits
from ..selectors.progress import CourseChart, course_charts
from ..services.progress_cache import not_fresh_q, snapshots_refresh

if TYPE_CHECKING:
    from django.utils.safestring import SafeString
    from django_stubs_ext import WithAnnotations  # django-stubs' companion: typing only, not installed in production

CASELOAD_FRESH_ATTEMPTS = 3  # recompute, then check again, while concurrent writes keep rows stale


class CaseloadColumns(TypedDict):
    """The live columns ``caseload_queryset`` annotates on each patient (the rest comes from the snapshot)."""

    open_alerts: int
    top_severity: int | None  # a Severity value
    top_alert: str | None  # the message of the most severe open alert
    caseload_need_rank: int  # the snapshot's need, or 0 (critical) with an open critical alert
    # The red flag handled last (an acknowledged red-flag alert raised in the last 7 days): when, and by whom
    # (first and last name, may be blank). Shown on a red-flag row with no open critical alert left.
    red_flag_ack_at: datetime | None
    red_flag_ack_by: str | None


if TYPE_CHECKING:
    CaseloadPatient = WithAnnotations[User, CaseloadColumns]


@dataclass(frozen=True)
class CaseloadCourse:
    """An active course as its caseload row shows it."""

    kind: str
    kind_label: str
    foot: str
    day: int


@dataclass
class CaseloadRow:
    """One caseload row, built from the patient's ``CaseloadSnapshot`` and their open alerts (no log read)."""

    patient: CaseloadPatient
    courses: list[CaseloadCourse]  # active courses, most urgent first
    need: Need
    reason: str  # for the physiotherapist: the report's clinician_reason, the silence, or the open critical alert
    today: date  # the patient's own local date, on which this row is judged
    last_logged_on: date | None
    latest_first_step_pain: int | None
    days_logged_7: int
    trend: list[int | None] = field(default_factory=list)  # first-step pain, the last 7 days, oldest first
    faam_adl: float | None = None  # the latest completed FAAM ADL score (issue 13)
    faam_adl_change: float | None = None  # since the baseline
    faam_adl_direction: str = ""  # the MCID's verdict on the change; blank with no baseline
    # Set by the caseload view for the page it shows: the trend drawn, and in words.
    sparkline: SafeString | None = None
    trend_words: str = ""

    @property
    def faam_adl_change_words(self) -> str:
        if self.faam_adl_change is None or not self.faam_adl_direction:
            return ""
        return caseload_faam_adl_change(self.faam_adl_change, self.faam_adl_direction)

    @property
    def days_since_log(self) -> int | None:
        last = self.last_logged_on
        return None if last is None else (self.today - last).days


def caseload_patients(*, physio: User, q: str = "", kind: str = "") -> QuerySet[User]:
    """The active patients in ``physio``'s care, narrowed by ``q`` (words in the name) and ``kind`` (has an active
    course of that kind). Not yet evaluated."""
    patients = patients_in_care_of(physio).filter(is_active=True)  # a closed record leaves the caseload
    for word in q.split()[:5]:
        patients = patients.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(username__icontains=word)
        )
    if kind:
        patients = patients.filter(
            Exists(Course.objects.filter(patient=OuterRef("pk"), kind=kind, status=CourseStatus.ACTIVE))
        )
    return patients


def caseload_make_fresh(patients: QuerySet[User], *, now: datetime) -> int:
    """Recompute the snapshot of every patient in ``patients`` whose row is missing or not fresh at ``now``;
    return how many patients ``patients`` holds (the caseload page's count, so it needs no COUNT of its own).

    1 query when all are fresh (the patients due, and how many patients there are: window functions over the
    whole caseload, the rows filtered after them); otherwise 1 more to add missing rows, 5 to read the data, 1 to
    store (``snapshots_refresh``), and again only if a concurrent write made a row stale meanwhile.
    """
    not_fresh = Q(caseload_snapshot__isnull=True) | not_fresh_q(now, "caseload_snapshot__")
    total = 0
    for _ in range(CASELOAD_FRESH_ATTEMPTS):
        found = list(
            patients.annotate(
                snapshot_generation=F("caseload_snapshot__generation"),
                caseload_due=ExpressionWrapper(not_fresh, output_field=BooleanField()),
                caseload_total=Window(Count("pk")),
                caseload_row_number=Window(RowNumber()),
            )
            # The patients due, and one row whatever it is to carry the total when none is.
            .filter(Q(caseload_due=True) | Q(caseload_row_number=1))
            .order_by()
        )
        total = found[0].caseload_total if found else 0
        due = [p for p in found if p.caseload_due]
        if not due:
            return total
        generations = {p.pk: p.snapshot_generation for p in due}
        if snapshots_refresh(due, now=now, generations=generations) == len(due):
            return total
    return total


# The caseload's sort choices besides "who needs you first" (the default): FAAM ADL lowest first, its change since
# the baseline largest decline first; patients without a score last, then by need as the default.
SORT_FAAM_ADL = "faam_adl"
SORT_FAAM_ADL_CHANGE = "faam_adl_change"


def caseload_queryset(
    *, physio: User, now: datetime | None = None, q: str = "", kind: str = "", need: str = "", sort: str = ""
) -> QuerySet[CaseloadPatient]:
    """``caseload_counted``'s query alone."""
    return caseload_counted(physio=physio, now=now, q=q, kind=kind, need=need, sort=sort)[0]


def caseload_counted(
    *, physio: User, now: datetime | None = None, q: str = "", kind: str = "", need: str = "", sort: str = ""
) -> tuple[QuerySet[CaseloadPatient], int | None]:
    """``physio``'s caseload sorted by need in SQL: red flags and critical alerts, worsening, behind, silent, on
    track, ahead, then patients without an active course; within a group, the most severe open alert, the most
    open alerts, the longest silence (never logged first), then the name.

    Each patient is judged on their own local date at ``now`` (default: the current time), as their own pages
    judge them (DESIGN.md section 3): the snapshots not fresh at ``now`` are recomputed first
    (``caseload_make_fresh``). Returns a query over the patients with their snapshot and their open alerts,
    for the caller to paginate (``caseload_page_rows`` turns a page of it into rows), and how many patients it
    holds: known from the freshness check without ``need``, None with it (the paginator counts them).

    Filters: ``q`` (words in the name), ``kind`` (has an active course of that kind), ``need`` (a ``Need``).
    ``sort``: ``SORT_FAAM_ADL`` or ``SORT_FAAM_ADL_CHANGE`` first (nulls last), then the order above.
    """
    now = now or timezone.now()
    patients = caseload_patients(physio=physio, q=q, kind=kind)
    total: int | None = caseload_make_fresh(patients, now=now)
    open_alerts = Alert.objects.filter(patient=OuterRef("pk"), status=AlertStatus.OPEN).order_by()
    handled_red_flags = Alert.objects.filter(
        patient=OuterRef("pk"),
        kind=AlertKind.RED_FLAG,
        status=AlertStatus.ACKNOWLEDGED,
        created_at__gte=now - timedelta(days=RECENT_DAYS),
    ).order_by("-acknowledged_at", "-pk")
    rows = (
        patients.select_related("caseload_snapshot")
        .annotate(caseload_sort_key=_alert_sort_key(open_alerts))
        .annotate(
            # Shown on the page's rows only: PostgreSQL works these out after the sort and the LIMIT (they are
            # not sort keys), so for 25 patients, not the whole caseload.
            caseload_need_rank=F("caseload_sort_key") / SORT_KEY_RANK,
            open_alerts=Coalesce(
                Subquery(
                    open_alerts.values("patient").annotate(c=Count("pk")).values("c")[:1],
                    output_field=IntegerField(),
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
        )
    )
    if need:
        total = None  # the need is the snapshot's or an open alert's: only the filtered query can count it
        rank = NEED_ORDER[Need(need)]
        rows = rows.filter(
            caseload_sort_key__gte=rank * SORT_KEY_RANK, caseload_sort_key__lt=(rank + 1) * SORT_KEY_RANK
        )
    first = {
        SORT_FAAM_ADL: [F("caseload_snapshot__faam_adl").asc(nulls_last=True)],
        SORT_FAAM_ADL_CHANGE: [F("caseload_snapshot__faam_adl_change").asc(nulls_last=True)],
    }.get(sort, [])
    ordered = rows.order_by(
        *first,
        "caseload_sort_key",  # need (an open critical alert first), most severe open alert, most open alerts
        Coalesce("caseload_snapshot__days_since_log", NEVER_LOGGED).desc(),
        Lower("last_name"),
        Lower("first_name"),
        "pk",
    )
    return ordered, total


# The caseload's first sort keys in one number, so that the database reads a patient's open alerts once for the
# sort (three correlated subqueries per patient were a third of the page's SQL): ascending, it orders by the need
# rank (0, critical, when an alert is open at critical severity; else the snapshot's), then the most severe open
# alert first, then the most open alerts first. key = rank * SORT_KEY_RANK + (4 - top severity, 0 with none) *
# SORT_KEY_COUNT + (SORT_KEY_COUNT - 1 - open alerts).
SORT_KEY_COUNT = 1_000_000  # more open alerts than this for one patient would tie, not mis-sort the need
SORT_KEY_RANK = (int(Severity.CRITICAL) + 1) * SORT_KEY_COUNT


def _alert_sort_key(open_alerts: QuerySet[Alert]) -> Coalesce:
    """The caseload's sort key of the outer query's patient (see ``SORT_KEY_RANK``): one correlated subquery."""
    # 0 (critical) when any open alert is critical, else the snapshot's rank: an aggregate of the alerts (not a
    # CASE on their maximum), so the outer column is not added to the subquery's GROUP BY (SQLite refuses that).
    need_rank = Min(
        Case(
            When(severity=Severity.CRITICAL, then=Value(NEED_ORDER[Need.CRITICAL])),
            default=OuterRef("caseload_snapshot__need_rank"),
            output_field=IntegerField(),
        )
    )
    with_alerts = (
        open_alerts.values("patient")
        .annotate(rank=need_rank, top=Max("severity"), n=Count("pk"))
        .annotate(
            key=F("rank") * SORT_KEY_RANK
            + (int(Severity.CRITICAL) - F("top")) * SORT_KEY_COUNT
            + Least(F("n"), SORT_KEY_COUNT - 1) * -1
            + (SORT_KEY_COUNT - 1)
        )
        .values("key")[:1]
    )
    none_open = F("caseload_snapshot__need_rank") * SORT_KEY_RANK + int(Severity.CRITICAL) * SORT_KEY_COUNT
    return Coalesce(Subquery(with_alerts, output_field=IntegerField()), none_open + (SORT_KEY_COUNT - 1))


NEVER_LOGGED = 10_000  # sorts a patient who never logged before the longest silence


def caseload_row(patient: CaseloadPatient) -> CaseloadRow:
    """A caseload row from a patient of ``caseload_queryset`` (no query)."""
    snapshot = patient.caseload_snapshot
    need, reason = with_alerts(
        need=Need(snapshot.need),
        reason=snapshot.reason,
        red_flag=snapshot.red_flag,
        top_severity_critical=patient.top_severity == Severity.CRITICAL,
        top_alert=patient.top_alert,
    )
    return CaseloadRow(
        patient=patient,
        courses=[CaseloadCourse(**course) for course in snapshot.courses or []],
        need=need,
        reason=reason,
        today=cast("date", snapshot.computed_for),
        last_logged_on=snapshot.last_logged_on,
        latest_first_step_pain=snapshot.latest_first_step_pain,
        days_logged_7=snapshot.days_logged_7,
        trend=list(snapshot.trend or []),
        faam_adl=snapshot.faam_adl,
        faam_adl_change=snapshot.faam_adl_change,
        faam_adl_direction=snapshot.faam_adl_direction,
    )


def caseload_page_rows(patients: Iterable[CaseloadPatient]) -> list[CaseloadRow]:
    return [caseload_row(p) for p in patients]


def caseload_rows(
    *,
    physio: User,
    now: datetime | None = None,
    q: str = "",
    kind: str = "",
    need: str = "",
    sort: str = "",
) -> list[CaseloadRow]:
    """The whole caseload as rows, in order (``caseload_queryset``; the page itself shows 25 at a time)."""
    return caseload_page_rows(caseload_queryset(physio=physio, now=now, q=q, kind=kind, need=need, sort=sort))


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
    sessions: list[Session]  # newest first, at most ``record_limit``
    alerts: list[Alert]  # open first, then the most recently raised
    notes: list[ClinicalNote]  # newest first, at most ``record_limit``
    sessions_total: int = 0
    notes_total: int = 0


STORY_RECORDS = 20  # sessions and notes on the patient page; the rest on their own pages


def patient_sessions(*, patient: User) -> QuerySet[Session]:
    """All of ``patient``'s sessions, newest first, with who performed them and the course (for a paginator)."""
    return Session.objects.filter(patient=patient).select_related("performed_by", "course").order_by("-date", "-id")


def patient_notes(*, patient: User) -> QuerySet[ClinicalNote]:
    """All of ``patient``'s clinical notes, newest first, with their author (for a paginator)."""
    return ClinicalNote.objects.filter(patient=patient).select_related("author").order_by("-created_at", "-id")


def _count_of(model: type[Any]) -> Coalesce:
    """How many rows of ``model`` belong to the patient of the outer query (a subquery)."""
    rows = model.objects.filter(patient=OuterRef("pk")).order_by().values("patient").annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n")), 0)


def _record_totals(*, patient: User) -> tuple[int, int, int]:
    """How many logs, sessions and notes ``patient`` has: one query."""
    totals = User.objects.filter(pk=patient.pk).values_list(
        _count_of(DailyLog), _count_of(Session), _count_of(ClinicalNote)
    )
    return totals.get()


def patient_story(
    *,
    patient: User,
    today: date,
    log_limit: int = 60,
    alert_limit: int = 30,
    record_limit: int = STORY_RECORDS,
    function_days: Sequence[date] = (),
) -> PatientStory:
    """One patient's page: every course with its report and chart (``course_charts``: 3 queries and one per
    kind of course), recent logs with their edits (one query for every version of those logs only), the latest
    sessions and notes with their totals, alerts. A fixed number of queries whatever the length of history.
    ``function_days``: the dates of the patient's FAAM daily activities scores, for the band the first chart
    carries (``course_charts``, read in the same query as the pain bands)."""
    charts = course_charts(patient=patient, today=today, function_days=function_days)
    logs_qs = DailyLog.objects.filter(patient=patient).order_by("-date", "foot")
    recent = list(logs_qs[:log_limit])
    # Every version of those logs in one query (the ids as a subquery, so it runs even for a patient with none).
    edits = log_edits(patient=patient, log_ids=logs_qs.values("pk")[:log_limit])
    logs = [LogRow(log=log, edits=edits.get(log.pk, [])) for log in recent]
    sessions = patient_sessions(patient=patient)
    alerts = list(
        Alert.objects.filter(patient=patient)
        .select_related("acknowledged_by", "course")
        .order_by("-status", "-severity", "-created_at")[:alert_limit]  # "open" sorts before "acknowledged"
    )
    notes = patient_notes(patient=patient)
    logs_total, sessions_total, notes_total = _record_totals(patient=patient)
    return PatientStory(
        charts=charts,
        logs=logs,
        logs_total=logs_total,
        sessions=list(sessions[:record_limit]),
        alerts=alerts,
        notes=list(notes[:record_limit]),
        sessions_total=sessions_total,
        notes_total=notes_total,
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
