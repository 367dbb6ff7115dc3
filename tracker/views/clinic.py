"""The physiotherapist's pages (DESIGN.md section 7): caseload, alerts, one patient, reports, import.

Thin views: the role is checked by ``clinician_required`` (403 for a patient), every patient is looked up
through ``get_patient_in_care_or_404`` (404 outside the care team, for every method, before the method is
checked), changes are POST-only and go through ``tracker.services.clinic``. Reads of a patient's data write
an audit event here; changes write theirs in the service.
"""

from __future__ import annotations

from functools import partial, wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from .. import csv_format
from ..forms.clinic import (
    AlertAcknowledgeForm,
    CaseloadFilterForm,
    CourseFinishForm,
    CourseStartForm,
    DiaryImportForm,
    NeedlingSessionForm,
    NoteForm,
    PlannedSessionsForm,
)
from ..forms.errors import add_validation_error, validation_message
from ..models import Alert, AlertStatus, AuditAction, Course, CourseKind, CourseStatus, Severity
from ..permissions import RECORD_CLOSED, clinician_required, get_patient_in_care_or_404
from ..progress.questionnaires import report_with_function
from ..progress.wording import trend_words
from ..reports.pdf import report_filename, report_pdf_document
from ..reports.questionnaire_panel import function_days, questionnaire_panel, with_function_band
from ..reports.svg_chart import sparkline_svg
from ..selectors.clinic import (
    caseload_counted,
    caseload_page_rows,
    open_alerts_for,
    patient_logs_for_export,
    patient_notes,
    patient_sessions,
    patient_story,
)
from ..selectors.history import last_edited, log_edits
from ..services import clinic as services
from ..services.audit import AuditContext, audit_record
from .redirects import safe_next

CASELOAD_PER_PAGE = 25
ALERTS_PER_PAGE = 50
RECORDS_PER_PAGE = 50  # a patient's sessions or notes, on their own pages


def patient_view(*methods: str, closed_record_ok: bool = False):
    """A view of one patient in the signed-in clinician's care: scope first (404), then the method (405).

    A closed patient's record is read-only: a change to it is refused (403), unless ``closed_record_ok`` (an
    alert raised before the account was closed can still be acknowledged).
    """

    def decorator(view):
        @clinician_required
        @wraps(view)
        def wrapper(request, public_id, *args, **kwargs):
            patient = get_patient_in_care_or_404(request.user, public_id)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            if request.method not in ("GET", "HEAD") and not patient.is_active and not closed_record_ok:
                raise PermissionDenied(RECORD_CLOSED)
            return view(request, patient, *args, **kwargs)

        return wrapper

    return decorator


def _today(request):
    return request.user.local_today()


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# ---------------------------------------------------------------------------------------------------------
# Caseload and alerts
# ---------------------------------------------------------------------------------------------------------


@clinician_required
@require_safe
def caseload(request):
    today = _today(request)
    filters = CaseloadFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    patients, count = caseload_counted(
        physio=request.user,
        q=data.get("q", ""),
        kind=data.get("kind", ""),
        need=data.get("need", ""),
        sort=data.get("sort", ""),
    )
    paginator = Paginator(patients, CASELOAD_PER_PAGE)
    if count is not None:
        paginator.count = count  # counted by the freshness check: no COUNT query of its own
    patients_page = paginator.get_page(request.GET.get("page"))
    # The same page, its patients as rows (built from their snapshots: no further query).
    rows: list[Any] = caseload_page_rows(patients_page.object_list)
    page = Page(rows, patients_page.number, patients_page.paginator)
    for row in page:
        row.sparkline = sparkline_svg(row.trend) if row.trend else None
        row.trend_words = trend_words(row.trend) if row.trend else "No active course."
    # One event for the page: which patients' clinical data was shown.
    audit_record(
        audit=AuditContext.from_request(request),
        action=AuditAction.VIEW,
        target=f"caseload page {page.number}",
        detail={"patients": [str(r.patient.public_id) for r in page]},
    )
    return render(
        request,
        "tracker/caseload.html",
        {
            "page": page,
            "filters": filters,
            "filtered": bool(data and any(data.values())),
            "query": _query_without_page(request),
            "today": today,
            "critical": Severity.CRITICAL,
        },
    )


def _alerts_page(request, *, page_number, query: str, bound: tuple | None = None, status: int = 200):
    """The open alerts; ``bound`` (alert id, form) shows a refused acknowledgement's errors on its alert."""
    page = Paginator(open_alerts_for(physio=request.user), ALERTS_PER_PAGE).get_page(page_number)
    audit_record(
        audit=AuditContext.from_request(request),
        action=AuditAction.VIEW,
        target=f"open alerts page {page.number}",
        detail={"alerts": [a.pk for a in page]},
    )
    context = {"page": page, "form": AlertAcknowledgeForm(), "query": query, "bound": bound}
    return render(request, "tracker/clinic_alerts.html", context, status=status)


@clinician_required
@require_safe
def alerts(request):
    return _alerts_page(request, page_number=request.GET.get("page"), query=_query_without_page(request))


@patient_view("POST", closed_record_ok=True)
def alert_acknowledge(request, patient, alert_id: int):
    alert = get_object_or_404(Alert, pk=alert_id, patient=patient)
    form = AlertAcknowledgeForm(request.POST)
    target = safe_next(request, reverse("clinic:patient", args=[patient.public_id]))
    if form.is_valid():
        try:
            services.alert_acknowledge(
                alert=alert, note=form.cleaned_data["note"], audit=AuditContext.from_request(request)
            )
        except ValidationError as exc:
            messages.error(request, validation_message(exc))
        else:
            messages.success(request, f"Alert acknowledged for {patient.display_name}.")
        return redirect(target)
    if target.startswith(reverse("clinic:alerts")):
        return _alerts_page(request, page_number=1, query="", bound=(alert.pk, form), status=400)
    return _patient_page(request, patient, bound={"ack": (alert.pk, form)}, status=400)


# ---------------------------------------------------------------------------------------------------------
# One patient
# ---------------------------------------------------------------------------------------------------------


def _patient_page(request, patient, *, bound: dict | None = None, status: int = 200):
    """The patient page; ``bound`` replaces one blank form with a submitted one to show its errors."""
    bound = bound or {}
    today = patient.local_today()
    questionnaires = questionnaire_panel(patient=patient)
    story = patient_story(patient=patient, today=today, function_days=function_days(questionnaires))
    if story.charts:
        first = story.charts[0]
        questionnaires = with_function_band(questionnaires, report=first.report, band=first.function_band)
    course_blocks = []
    for item in story.charts:
        course = item.course
        key = str(course.public_id)
        course_blocks.append(
            {
                "course": course,
                "report": report_with_function(item.report, questionnaires["decline_changes"]),
                "chart": item.chart,
                "chart_id": item.chart_id,
                "finish_form": _bound_or(bound, "finish", key)
                or CourseFinishForm(
                    prefix=f"finish-{key}", initial={"ended_on": today, "outcome": CourseStatus.COMPLETED}
                ),
                "planned_form": _bound_or(bound, "planned", key)
                or PlannedSessionsForm(prefix=f"planned-{key}", initial={"planned_sessions": course.planned_sessions}),
                "needling_form": _bound_or(bound, "needling", key)
                or NeedlingSessionForm(prefix=f"needling-{key}", initial={"date": today, "minutes": 20}),
            }
        )
    # Shown again with a refused form's errors (400), the page still shows the patient's whole record: a read.
    audit_record(
        audit=AuditContext.from_request(request), action=AuditAction.VIEW, target="clinic patient page", patient=patient
    )
    return render(
        request,
        "tracker/clinic_patient.html",
        {
            "patient": patient,
            "today": today,
            "story": story,
            "course_blocks": course_blocks,
            "open_alerts": [a for a in story.alerts if a.status == AlertStatus.OPEN],
            "closed_alerts": [a for a in story.alerts if a.status != AlertStatus.OPEN],
            "ack_bound": bound.get("ack"),
            "ack_form": AlertAcknowledgeForm(),
            "note_form": bound.get("note") or NoteForm(),
            "course_form": bound.get("course")
            or CourseStartForm(today=today, prefix="course", initial={"day_zero": today}),
            "import_form": bound.get("import") or DiaryImportForm(prefix="import"),
            "needling": CourseKind.NEEDLING,
            "questionnaires": questionnaires,
        },
        status=status,
    )


def _bound_or(bound: dict, name: str, key: str):
    value = bound.get(name)
    return value[1] if value and value[0] == key else None


@patient_view("GET", "HEAD")
def patient_detail(request, patient):
    return _patient_page(request, patient)


def _records_page(request, patient, *, records, template: str, target: str):
    """One page of a patient's records of one kind (all their sessions, or all their notes), newest first;
    out of range is the last page. The read is audited with the ids shown."""
    page = Paginator(records, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    audit_record(
        audit=AuditContext.from_request(request),
        action=AuditAction.VIEW,
        target=target,
        patient=patient,
        detail={"page": page.number, "records": [r.pk for r in page]},
    )
    return render(request, template, {"patient": patient, "page": page})


@patient_view("GET", "HEAD")
def patient_sessions_all(request, patient):
    return _records_page(
        request,
        patient,
        records=patient_sessions(patient=patient),
        template="tracker/clinic_patient_sessions.html",
        target="clinic patient sessions",
    )


@patient_view("GET", "HEAD")
def patient_notes_all(request, patient):
    return _records_page(
        request,
        patient,
        records=patient_notes(patient=patient),
        template="tracker/clinic_patient_notes.html",
        target="clinic patient notes",
    )


def _course_of(patient, course_id) -> Course:
    return get_object_or_404(Course, public_id=course_id, patient=patient)


def _submit(request, patient, form, save, *, bound: dict, done, anchor: str):
    """One of the patient page's forms, posted: ``save`` (a service, given the form's values and the audit
    context) then back to the page at ``anchor`` with ``done`` (a message, or a function of what ``save``
    returned); refused by the form or the service, the page again with the form's errors (400)."""
    if form.is_valid():
        try:
            saved = save(audit=AuditContext.from_request(request), **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, done(saved) if callable(done) else done)
            return redirect(reverse("clinic:patient", args=[patient.public_id]) + anchor)
    return _patient_page(request, patient, bound=bound, status=400)


@patient_view("POST")
def note_add(request, patient):
    form = NoteForm(request.POST)
    save = partial(services.note_add, patient=patient)
    return _submit(request, patient, form, save, bound={"note": form}, done="Note saved.", anchor="#notes")


@patient_view("POST")
def course_start(request, patient):
    form = CourseStartForm(request.POST, today=patient.local_today(), prefix="course")
    save = partial(services.course_start, patient=patient)
    return _submit(request, patient, form, save, bound={"course": form}, done="Course started.", anchor="#courses")


@patient_view("POST")
def course_finish(request, patient, course_id):
    course = _course_of(patient, course_id)
    key = str(course.public_id)
    form = CourseFinishForm(request.POST, prefix=f"finish-{key}")
    return _submit(
        request,
        patient,
        form,
        partial(services.course_finish, course=course, today=patient.local_today()),
        bound={"finish": (key, form)},
        done=lambda finished: f"Course marked {finished.get_status_display().lower()}.",
        anchor="#courses",
    )


@patient_view("POST")
def course_planned_sessions(request, patient, course_id):
    course = _course_of(patient, course_id)
    key = str(course.public_id)
    form = PlannedSessionsForm(request.POST, prefix=f"planned-{key}")
    return _submit(
        request,
        patient,
        form,
        partial(services.course_planned_sessions_set, course=course),
        bound={"planned": (key, form)},
        done="Planned sessions saved.",
        anchor="#courses",
    )


@patient_view("POST")
def needling_session_record(request, patient, course_id):
    course = _course_of(patient, course_id)
    key = str(course.public_id)
    form = NeedlingSessionForm(request.POST, prefix=f"needling-{key}")
    return _submit(
        request,
        patient,
        form,
        partial(services.needling_session_record, course=course, today=patient.local_today()),
        bound={"needling": (key, form)},
        done="Needling session recorded.",
        anchor="#sessions",
    )


@patient_view("POST")
def diary_import(request, patient):
    form = DiaryImportForm(request.POST, request.FILES, prefix="import")
    if not form.is_valid():
        return _patient_page(request, patient, bound={"import": form}, status=400)
    upload = form.cleaned_data["file"]
    report = services.diary_import(
        patient=patient,
        data=upload.read(),
        filename=upload.name,
        today=patient.local_today(),
        audit=AuditContext.from_request(request),
    )
    return render(
        request,
        "tracker/clinic_import_result.html",
        {
            "patient": patient,
            "report": report,
            "nothing_imported": services.IMPORT_NOTHING_IMPORTED,
        },
        status=200 if report.saved else 400,
    )


# ---------------------------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------------------------


@patient_view("GET", "HEAD")
def report_pdf(request, patient):
    today = patient.local_today()
    document = report_pdf_document(patient=patient, today=today, prepared_by=request.user)
    audit_record(
        audit=AuditContext.from_request(request),
        action=AuditAction.EXPORT,
        target="progress report PDF",
        patient=patient,
        detail={"pages": len(document.pages)},
    )
    response = HttpResponse(document.write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(patient=patient, today=today)}"'
    response["Cache-Control"] = "no-store"
    return response


@patient_view("GET", "HEAD")
def logs_csv(request, patient):
    audit_record(
        audit=AuditContext.from_request(request), action=AuditAction.EXPORT, target="daily logs CSV", patient=patient
    )
    response = HttpResponse(
        csv_format.logs_csv(
            patient_logs_for_export(patient=patient),
            edited=last_edited(log_edits(patient=patient)),
            zone=patient.zone,
        ),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="logs-{patient.local_today():%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response
