"""The patient's pages (DESIGN.md section 7). Thin: read through selectors, write through services.

Every page reads only the signed-in patient's own rows (there is no patient id in any URL), and every view of
their clinical pages writes one audit event.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ..forms.errors import add_validation_error, validation_message
from ..forms.patient import (
    WHOLE_BODY_RED_FLAGS,
    AccountCloseForm,
    AccountSettingsForm,
    DailyLogForm,
    SessionForm,
    changed_answers,
    log_initial,
)
from ..models import EMERGENCY_RED_FLAGS, RED_FLAG_FIELDS, AuditAction, CourseKind, CourseStatus, SessionKind
from ..permissions import patient_required
from ..progress.chart import ChartPayload
from ..progress.questionnaires import report_with_function
from ..progress.report import CourseReport
from ..progress.timelines import (
    MASSAGE_CAUTION_CITATION,
    MASSAGE_PREPARATION_CITATION,
    NEEDLING_SORENESS_CITATION,
)
from ..progress.wording import trend_sentences
from ..progress.words import access_what, access_who
from ..reports.questionnaire_panel import function_days, questionnaire_panel, with_function_band
from ..selectors.patient import (
    EDITABLE_DAYS_BACK,
    NEEDLING_FOLLOW_UP_DAYS,
    active_course_of_kind,
    editable_window,
    log_day_data,
    patient_history,
    recent_sessions,
    record_access_list,
    session_of_patient,
    weekly_history,
)
from ..selectors.progress import course_charts, patient_reports
from ..selectors.questionnaires import function_declines_for_patients, questionnaires_due
from ..services.audit import AuditContext, audit_record
from ..services.logs import LogConflict, daily_log_save, day_window_error, log_version
from ..services.patient_account import account_close, account_settings_update, export_data, export_logs_csv
from ..services.sessions import session_create

_RED_FLAG_NAMES = {name for name, _ in RED_FLAG_FIELDS}
ACCESSES_PER_PAGE = 25


def _audit_view(request, target: str) -> None:
    audit_record(audit=AuditContext.from_request(request), action=AuditAction.VIEW, patient=request.user, target=target)


# ---------------------------------------------------------------------------------------------------------
# The daily log: /today/ and /log/YYYY-MM-DD/
# ---------------------------------------------------------------------------------------------------------


def _status_lines(reports: list[CourseReport]) -> list[dict]:
    lines = []
    for report in reports:
        if report.course_status != CourseStatus.ACTIVE:
            continue
        lines.append(
            {
                "title": report.kind_label,
                "status": report.status,
                "reason": report.reason,
                "trends": trend_sentences(report),
            }
        )
    return lines


def _red_flags_shown(forms: list[DailyLogForm], saved_logs) -> tuple[list[str], bool]:
    """The red flags to give guidance on: those ticked in the submitted forms, else those of the saved day."""
    flags: set[str] = set()
    if forms and forms[0].is_bound:
        for form in forms:
            flags |= {name for name in _RED_FLAG_NAMES if name in form.fields and form[name].value()}
    else:
        for log in saved_logs:
            flags |= set(log.red_flags)
    return sorted(flags), bool(flags & EMERGENCY_RED_FLAGS)


def _conflict(forms: list[DailyLogForm], saved: dict, post) -> tuple[list[dict], list[DailyLogForm]]:
    """The answers saved elsewhere beside the patient's own, and the forms again with the patient's answers and
    the newer version: submitting them ("Keep mine") saves over it knowingly."""
    conflict = [
        {"foot": form.foot_label, "rows": changed_answers(form, saved[form.foot])}
        for form in forms
        if form.foot in saved
    ]
    data = post.copy()
    for foot, log in saved.items():
        data[f"{foot}-version"] = log_version(log)
    again = [
        DailyLogForm(
            data,
            foot=form.foot,
            surgical=form.surgical,
            needling=form.needling,
            past=form.past,
            whole_body=form.whole_body,
            several=form.several,
            initial=form.initial,
        )
        for form in forms
    ]
    return conflict, again


def _with_whole_body_flags(data: list[dict], forms: list[DailyLogForm]) -> dict[str, dict]:
    """Each foot's values, with the whole-body warning signs (asked once, on the first card) on every foot's log."""
    body = {name: data[0][name] for name in WHOLE_BODY_RED_FLAGS if name in data[0]}
    return {form.foot: {**values, **body} for form, values in zip(forms, data, strict=True)}


def _log_page(request, *, day: date, today: date):
    patient = request.user
    data = log_day_data(patient=patient, day=day)
    is_today = day == today
    here = reverse("patient:today") if is_today else reverse("patient:log_day", args=[day.isoformat()])
    needling = data.asks_about_needling or any(log.needling_soreness is not None for log in data.logs.values())
    post = request.POST if request.method == "POST" else None
    forms = [
        DailyLogForm(
            post,
            foot=foot,
            surgical=foot in data.surgical_feet,
            needling=needling,
            past=not is_today,
            whole_body=number == 0,
            several=len(data.feet) > 1,
            initial=log_initial(data.logs.get(foot), previous=data.previous.get(foot))
            | {"version": log_version(data.logs.get(foot))},
        )
        for number, foot in enumerate(data.feet)
    ]
    window_error = None
    conflict: list[dict] = []
    if post is not None and forms:
        if all(form.is_valid() for form in forms):
            try:
                daily_log_save(
                    patient=patient,
                    day=day,
                    data_by_foot=_with_whole_body_flags([form.model_data() for form in forms], forms),
                    today=today,
                    audit=AuditContext.from_request(request),
                    opened_on={
                        form.foot: form.cleaned_data["version"] for form in forms if form.cleaned_data["version"]
                    },
                )
            except LogConflict as exc:
                conflict, forms = _conflict(forms, exc.saved, post)
            except ValidationError as exc:
                window_error = validation_message(exc)
            else:
                return redirect(f"{here}?saved=1")
    else:
        _audit_view(request, "daily log form")

    saved = request.GET.get("saved") == "1" and data.saved and post is None
    status_lines = []
    if saved:
        # A meaningful function-score decline is never "ahead", as on /progress/ (2 queries).
        declines = function_declines_for_patients(patient_ids=[patient.pk]).get(patient.pk, [])
        reports = patient_reports(patient=patient, today=today)
        status_lines = _status_lines([report_with_function(r, declines) for r in reports])
    red_flags, emergency = _red_flags_shown(forms, data.logs.values())
    first, _ = editable_window(today=today)
    # A new patient's first days: nothing logged this past week, and every active course set up in it.
    active = [c for c in data.courses if c.status == CourseStatus.ACTIVE]
    new_here = (
        is_today
        and bool(active)
        and not data.saved
        and not data.previous
        and all(c.created_at.astimezone(patient.zone).date() > today - timedelta(days=7) for c in active)
    )
    context = {
        "new_here": new_here,
        "active_courses": active,
        "day": day,
        "today": today,
        "is_today": is_today,
        "forms": forms,
        "has_course": bool(data.feet),
        "already_saved": data.saved,
        "saved": saved,
        "status_lines": status_lines,
        "needling_sessions": data.needling_sessions if needling else [],
        "soreness_citation": NEEDLING_SORENESS_CITATION,
        "soreness_days": NEEDLING_FOLLOW_UP_DAYS,
        "red_flags": red_flags,
        "emergency": emergency,
        "window_error": window_error,
        "conflict": conflict,
        "has_errors": any(form.errors for form in forms) or window_error,
        "action": here,
        "first_editable": first,
        "editable_until": day + timedelta(days=EDITABLE_DAYS_BACK),
        "several": len(forms) > 1,
        "questionnaires_due": questionnaires_due(patient=patient, today=today) if is_today else [],
    }
    return render(request, "tracker/today.html", context)


@patient_required
@require_http_methods(["GET", "POST"])
def today(request):
    today_ = request.user.local_today()
    return _log_page(request, day=today_, today=today_)


@patient_required
@require_http_methods(["GET", "POST"])
def log_day(request, day: str):
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        raise Http404("No such date.") from None
    today_ = request.user.local_today()
    problem = day_window_error(day=chosen, today=today_)
    if problem:
        first, last = editable_window(today=today_)
        return render(
            request,
            "tracker/log_refused.html",
            {"day": chosen, "problem": problem, "first": first, "last": last},
            status=400,
        )
    return _log_page(request, day=chosen, today=today_)


@patient_required
@require_http_methods(["GET"])
def history(request):
    today_ = request.user.local_today()
    result = patient_history(patient=request.user, today=today_, page=request.GET.get("page"))
    _audit_view(request, "history of daily logs")
    return render(request, "tracker/history.html", {"history": result, "today": today_, "page": result.page})


@patient_required
@require_http_methods(["GET"])
def history_weeks(request):
    today_ = request.user.local_today()
    result = weekly_history(patient=request.user, today=today_, page=request.GET.get("page"))
    _audit_view(request, "weekly history of daily logs")
    return render(request, "tracker/history_weeks.html", {"history": result, "today": today_, "page": result.page})


# ---------------------------------------------------------------------------------------------------------
# Progress
# ---------------------------------------------------------------------------------------------------------


def _sessions_bar(report: CourseReport, chart: ChartPayload) -> dict:
    """The sessions paragraph: the plan's bar counts the course's own kind (as the report does); "logged" counts
    every session the chart draws, by kind, so the sentence and the triangles on the chart agree."""
    s = report.sessions
    maximum = s.planned or s.typical_high
    by_kind = Counter(mark["label"] for mark in chart["sessions"])
    return {
        "logged": len(chart["sessions"]),
        "by_kind": [(label.lower(), n) for label, n in by_kind.items()],
        "done": s.done,
        "planned": s.planned,
        "max": maximum,
        "percent": min(100, round(100 * s.done / maximum)) if maximum else None,
        "typical_low": s.typical_low,
        "typical_high": s.typical_high,
        "citation": s.citation,
    }


@patient_required
@require_http_methods(["GET"])
def progress(request):
    patient = request.user
    today_ = patient.local_today()
    questionnaires = questionnaire_panel(patient=patient)
    declines = questionnaires["decline_changes"]
    charts = course_charts(patient=patient, today=today_, function_days=function_days(questionnaires))
    items = [
        {
            "report": report_with_function(item.report, declines),
            "chart": item.chart,
            "chart_id": item.chart_id,
            "sessions_bar": _sessions_bar(item.report, item.chart),
            "trends": trend_sentences(item.report),
        }
        for item in charts
    ]
    if charts:
        questionnaires = with_function_band(questionnaires, report=charts[0].report, band=charts[0].function_band)
    _audit_view(request, "progress")
    return render(
        request,
        "tracker/progress.html",
        {
            "items": items,
            "today": today_,
            "questionnaires": questionnaires,
        },
    )


# ---------------------------------------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------------------------------------


@patient_required
@require_http_methods(["GET", "POST"])
def session_new(request):
    patient = request.user
    today_ = patient.local_today()
    if request.method == "POST":
        form = SessionForm(request.POST)
        if form.is_valid():
            try:
                session = session_create(
                    patient=patient, data=form.session_data(), today=today_, audit=AuditContext.from_request(request)
                )
            except ValidationError as exc:
                add_validation_error(form, exc)
            else:
                return redirect(f"{reverse('patient:session_new')}?saved={session.pk}")
    else:
        # Opens on the patient's own kind: home massage for a massage course, "something else" otherwise (needling
        # and surgery are recorded by the care team).
        has_massage = active_course_of_kind(patient=patient, kind=CourseKind.MASSAGE) is not None
        form = SessionForm(initial={"date": today_, "kind": SessionKind.MASSAGE if has_massage else SessionKind.OTHER})
        _audit_view(request, "sessions")
    saved = session_of_patient(patient=patient, pk=request.GET.get("saved")) if request.GET.get("saved") else None
    first, _ = editable_window(today=today_)
    return render(
        request,
        "tracker/session_new.html",
        {
            "form": form,
            "saved": saved,
            "recent": recent_sessions(patient=patient),
            "today": today_,
            "first_editable": first,
            "caution": MASSAGE_CAUTION_CITATION,
            "preparation": MASSAGE_PREPARATION_CITATION,
        },
    )


# ---------------------------------------------------------------------------------------------------------
# Account
# ---------------------------------------------------------------------------------------------------------


@patient_required
@require_http_methods(["GET", "POST"])
def account(request):
    patient = request.user
    if request.method == "POST":
        form = AccountSettingsForm(request.POST)
        if form.is_valid():
            try:
                account_settings_update(patient=patient, audit=AuditContext.from_request(request), **form.cleaned_data)
            except ValidationError as exc:
                add_validation_error(form, exc)
            else:
                messages.success(request, "Saved. Your settings are up to date.")
                return redirect("patient:account")
        patient.refresh_from_db(fields=["time_zone", "reminder_enabled", "reminder_hour", "phone"])
    else:
        form = AccountSettingsForm(
            initial={
                "time_zone": patient.time_zone,
                "reminder_enabled": patient.reminder_enabled,
                "reminder_hour": patient.reminder_hour,
                "phone": patient.phone,
            }
        )
    accesses = Paginator(record_access_list(patient=patient), ACCESSES_PER_PAGE).get_page(
        request.GET.get("access_page")
    )
    return render(
        request,
        "tracker/account.html",
        {
            "form": form,
            "today": patient.local_today(),
            "accesses": accesses,
            "access_rows": [
                {"at": event.at, "who": access_who(event, patient), "what": access_what(event.action)}
                for event in accesses
            ],
        },
    )


@patient_required
@require_http_methods(["GET"])
def export_csv(request):
    patient = request.user
    text = export_logs_csv(patient=patient, audit=AuditContext.from_request(request))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="heel-logs-{patient.local_today().isoformat()}.csv"'
    return response


@patient_required
@require_http_methods(["GET"])
def export_json(request):
    patient = request.user
    data = export_data(patient=patient, audit=AuditContext.from_request(request))
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="heel-data-{patient.local_today().isoformat()}.json"'
    return response


@patient_required
@require_http_methods(["GET", "POST"])
def account_close_view(request):
    form = AccountCloseForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        account_close(patient=request.user, audit=AuditContext.from_request(request))
        logout(request)
        messages.info(request, "Your account is closed. Your records stay with your clinic; contact them to reopen it.")
        return redirect("login")
    return render(request, "tracker/account_close.html", {"form": form})
