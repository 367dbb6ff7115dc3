"""The clinic admin's pages (DESIGN.md section 7): accounts, care teams, the audit trail.

Admin role only (403 for other roles), checked on every view. Nothing here shows clinical data: an admin
reads a patient's logs, sessions, notes or progress only through the clinic pages, and only while on that
patient's care team. Changes are POST-only and go through ``tracker.services.accounts``.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..csv_format import csv_lines
from ..forms.errors import validation_message
from ..forms.manage import (
    AuditFilterForm,
    CareTeamChangeForm,
    CareTeamFilterForm,
    InvitationForm,
    RoleForm,
    UserSearchForm,
)
from ..models import AuditAction, Invitation, User
from ..permissions import admin_required
from ..selectors import accounts as selectors
from ..services import accounts as services
from ..services.audit import AuditContext, audit_record
from ..services.second_factor import second_factor_reset
from .redirects import is_local_path

USERS_PER_PAGE = 25
PATIENTS_PER_PAGE = 50
EVENTS_PER_PAGE = 50
# Refusals of an invitation that are about the whole form, not the e-mail address.
INVITATION_FORM_ERRORS = {
    services.ERROR_PATIENT_ONLY,
    services.ERROR_COURSE_INCOMPLETE,
    services.ERROR_SELF_ASSIGN,
    services.ERROR_NOT_CLINICIAN,
}


def _site_url(request) -> str:
    """The address the admin is using, for the links in the e-mails they send (an invitation, a reset)."""
    return request.build_absolute_uri("/").rstrip("/")


# Accounts ---------------------------------------------------------------------------------------------


@require_GET
@admin_required
def index(request):
    return redirect("manage:users")


@require_GET
@admin_required
def users(request):
    search = UserSearchForm(request.GET or None)
    page = Paginator(selectors.user_list(**search.filters()), USERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "tracker/manage_users.html",
        {
            "search": search,
            "page": page,
            "invitations": selectors.invitation_pending_list(),
            "approvals": selectors.approval_pending_list(),
            "now": timezone.now(),
        },
    )


@require_http_methods(["GET", "POST"])
@admin_required
def invite(request):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                audit=AuditContext.from_request(request), site_url=_site_url(request), **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None if exc.message in INVITATION_FORM_ERRORS else "email", exc)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. The link works for {settings.INVITATION_VALID_DAYS} days.",
            )
            return redirect("manage:users")
    return render(request, "tracker/manage_invite.html", {"form": form, "valid_days": settings.INVITATION_VALID_DAYS})


def _invitation_action(request, pk: int, service, done: str, **kwargs):
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        service(invitation=invitation, audit=AuditContext.from_request(request), **kwargs)
    except ValidationError as exc:
        messages.error(request, validation_message(exc))
    else:
        messages.success(request, done.format(email=invitation.email))
    return redirect("manage:users")


@require_POST
@admin_required
def invitation_resend(request, pk: int):
    return _invitation_action(
        request,
        pk,
        services.invitation_resend,
        "A new link was sent to {email}; the old link no longer works.",
        site_url=_site_url(request),
    )


@require_POST
@admin_required
def invitation_revoke(request, pk: int):
    return _invitation_action(request, pk, services.invitation_revoke, "The invitation for {email} was revoked.")


@require_GET
@admin_required
def user_detail(request, public_id):
    account = get_object_or_404(User, public_id=public_id)
    return render(
        request,
        "tracker/manage_user_detail.html",
        {
            "account": account,
            "is_self": account.pk == request.user.pk,
            "role_form": RoleForm(initial={"role": account.role}),
            "lockouts": selectors.user_lockouts(user=account),
            "care_team_links": selectors.user_care_team_links(user=account),
        },
    )


def _user_action(request, public_id, service, done: str, **kwargs):
    account = get_object_or_404(User, public_id=public_id)
    try:
        service(user=account, audit=AuditContext.from_request(request), **kwargs)
    except ValidationError as exc:
        messages.error(request, validation_message(exc))
    else:
        messages.success(request, done.format(name=account.display_name))
    return redirect("manage:user_detail", public_id=account.public_id)


@require_POST
@admin_required
def user_role(request, public_id):
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles in the list.")
        return redirect("manage:user_detail", public_id=public_id)
    return _user_action(
        request, public_id, services.user_change_role, "{name}'s role is changed.", role=form.cleaned_data["role"]
    )


@require_http_methods(["GET", "POST"])
@admin_required
def user_deactivate(request, public_id):
    """GET: the confirmation step (what deactivating does, and a button); POST: deactivate."""
    if request.method == "GET":
        account = get_object_or_404(User, public_id=public_id)
        return render(
            request,
            "tracker/manage_user_deactivate.html",
            {"account": account, "is_self": account.pk == request.user.pk},
        )
    return _user_action(
        request, public_id, services.user_deactivate, "{name}'s account is deactivated: they can no longer sign in."
    )


@require_POST
@admin_required
def user_reactivate(request, public_id):
    return _user_action(request, public_id, services.user_reactivate, "{name}'s account is active again.")


@require_POST
@admin_required
def user_password_reset(request, public_id):
    return _user_action(
        request,
        public_id,
        services.user_send_password_reset,
        "A password reset link was e-mailed to {name}.",
        site_url=_site_url(request),
    )


@require_POST
@admin_required
def user_approve(request, public_id):
    return _user_action(
        request, public_id, services.user_approve, "{name}'s account is approved: it can be put on a care team."
    )


@require_POST
@admin_required
def user_unlock(request, public_id):
    return _user_action(request, public_id, services.user_unlock, "{name} can sign in again.")


@require_POST
@admin_required
def user_second_factor_reset(request, public_id):
    return _user_action(
        request,
        public_id,
        second_factor_reset,
        "{name}'s authenticator and recovery codes are removed. They set up a new authenticator at their next sign-in.",
    )


# Care teams -------------------------------------------------------------------------------------------


@require_GET
@admin_required
def care_teams(request):
    filters = CareTeamFilterForm(request.GET or None)
    physio = show = query = None
    if filters.is_valid():
        physio = filters.cleaned_data["physio"]
        show = filters.cleaned_data["show"]
        query = filters.cleaned_data["q"].strip()
    patients = selectors.care_team_patients(
        query=query or "",
        physio=physio,
        only_unassigned=show == CareTeamFilterForm.SHOW_UNASSIGNED,
        only_on_team=show == CareTeamFilterForm.SHOW_TEAM and physio is not None,
    )
    page = Paginator(patients, PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "tracker/manage_care_teams.html",
        {"filters": filters, "physio": physio, "page": page, "show": show or "", "query": query or ""},
    )


def _care_teams_back(request) -> str:
    """Where to go after a change: a local ``next`` (the user's page), or the care-team page as it was."""
    next_url = request.POST.get("next", "")
    if next_url and is_local_path(next_url, request):
        return next_url
    params = {k: request.POST.get(k, "") for k in ("q", "show", "page")}
    params["physio"] = request.POST.get("physio", "")
    return f"{reverse('manage:care_teams')}?{urlencode({k: v for k, v in params.items() if v})}"


def _patients(count: int) -> str:
    return f"{count} patient{pluralize(count)}"


@require_POST
@admin_required
def care_teams_change(request):
    form = CareTeamChangeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                # An ErrorList yields its messages (str); django-stubs types its items as ValidationError | str.
                messages.error(request, error)  # type: ignore[arg-type]
        return redirect(_care_teams_back(request))
    physio, patients = form.cleaned_data["physio"], list(form.cleaned_data["patients"])
    audit = AuditContext.from_request(request)
    try:
        if form.cleaned_data["action"] == CareTeamChangeForm.ASSIGN:
            created = services.care_team_assign(physio=physio, patients=patients, audit=audit)
            messages.success(request, f"{_patients(len(created))} added to {physio.display_name}'s caseload.")
        else:
            removed = services.care_team_remove(physio=physio, patients=patients, audit=audit)
            messages.success(request, f"{_patients(removed)} taken off {physio.display_name}'s caseload.")
    except ValidationError as exc:
        messages.error(request, validation_message(exc))
    return redirect(_care_teams_back(request))


# Audit trail ------------------------------------------------------------------------------------------


@require_GET
@admin_required
def audit(request):
    filters = AuditFilterForm(request.GET or None)
    applied = filters.filters()
    events = selectors.audit_event_list(**applied)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    export_query = request.GET.copy()
    export_query.pop("page", None)
    response = render(
        request,
        "tracker/manage_audit.html",
        {
            "filters": filters,
            "page": page,
            "details": selectors.audit_detail_words(page.object_list),
            "export_query": export_query.urlencode(),
            "time_zone": timezone.get_current_timezone_name(),
        },
    )
    # Reading the trail is itself audited, after the page is made (so it does not list its own reading):
    # which page, with which filters (their names, not their values).
    audit_record(
        audit=AuditContext.from_request(request),
        action=AuditAction.VIEW,
        target=f"audit trail page {page.number}",
        detail={"page": page.number, "filters": sorted(applied)},
    )
    return response


AUDIT_CSV_HEADER = ["at", "who", "action", "patient", "patient name", "target", "ip address", "detail"]


def _audit_rows(events):
    for event in events.iterator(chunk_size=2000):
        yield (
            timezone.localtime(event.at).isoformat(timespec="seconds"),
            event.actor_username,
            event.get_action_display(),
            event.patient.username if event.patient else "",
            event.patient.get_full_name() if event.patient else "",
            event.target,
            event.ip_address or "",
            json.dumps(event.detail, sort_keys=True) if event.detail else "",
        )


@require_GET
@admin_required
def audit_export(request):
    filters = AuditFilterForm(request.GET or None)
    applied = filters.filters()
    audit_record(
        audit=AuditContext.from_request(request),
        action=AuditAction.EXPORT,
        target="audit trail (CSV)",
        detail={"filters": sorted(applied)},
    )
    events = selectors.audit_event_list(**applied)
    response = StreamingHttpResponse(
        csv_lines(_audit_rows(events), AUDIT_CSV_HEADER), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
