"""The questionnaires' pages (issue 13): the patient answers the FAAM (one page per subscale) and the PSFS; a
physiotherapist asks for one now. Thin: forms, then services; the panels shown on other pages are built by
``questionnaire_panel``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ..forms.questionnaires import FaamSubscaleForm, PsfsForm
from ..models import AuditAction, QuestionnaireKind
from ..permissions import patient_required
from ..progress.questionnaires import (
    FAAM_INSTRUCTIONS,
    FAAM_STEM,
    PSFS_INSTRUCTIONS,
    SUBSCALE_TITLES,
    Subscale,
)
from ..progress.timelines import (
    FAAM_MIN_ANSWERED_CITATION,
    PSFS_SCORE_CITATION,
)
from ..selectors.questionnaires import (
    faam_response_today,
    psfs_activities,
)
from ..services.audit import AuditContext, audit_record
from ..services.patient_account import export_questionnaires_csv
from ..services.questionnaires import faam_save, psfs_save, questionnaire_request
from .clinic import patient_view

# ---------------------------------------------------------------------------------------------------------
# The patient's pages
# ---------------------------------------------------------------------------------------------------------

_SUBSCALE_SLUG = {"adl": Subscale.ADL, "sports": Subscale.SPORTS}


@patient_required
@require_http_methods(["GET", "POST"])
def faam(request, subscale: str):
    try:
        chosen = _SUBSCALE_SLUG[subscale]
    except KeyError:
        raise Http404("No such page.") from None
    patient = request.user
    today = patient.local_today()
    error = None
    if request.method == "POST":
        form = FaamSubscaleForm(request.POST, subscale=chosen)
        if form.is_valid():
            finish = chosen == Subscale.SPORTS and "later" not in request.POST
            try:
                faam_save(
                    patient=patient,
                    subscale=chosen,
                    answers=form.answers(),
                    finish=finish,
                    today=today,
                    audit=AuditContext.from_request(request),
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                if "later" in request.POST:
                    messages.success(request, "Saved. You can finish the questionnaire later today.")
                    return redirect("patient:today")
                if chosen == Subscale.ADL:
                    return redirect("patient:questionnaire_faam", subscale="sports")
                messages.success(request, "Thank you: your questionnaire is saved.")
                return redirect(reverse("patient:progress") + "#questionnaires")
    else:
        form = FaamSubscaleForm(
            subscale=chosen, initial=FaamSubscaleForm.initial_from(faam_response_today(patient=patient, today=today))
        )
        audit_record(
            audit=AuditContext.from_request(request),
            action=AuditAction.VIEW,
            patient=patient,
            target="FAAM questionnaire page",
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "tracker/questionnaire_faam.html",
        {
            "form": form,
            "subscale": chosen,
            "title": SUBSCALE_TITLES[chosen],
            "step": 1 if chosen == Subscale.ADL else 2,
            "instructions": FAAM_INSTRUCTIONS,
            "stem": FAAM_STEM,
            "error": error,
            "citation": FAAM_MIN_ANSWERED_CITATION,
        },
        status=status,
    )


@patient_required
@require_http_methods(["GET", "POST"])
def psfs(request):
    patient = request.user
    today = patient.local_today()
    activities, ratings = psfs_activities(patient=patient, today=today)
    error = None
    if request.method == "POST":
        form = PsfsForm(request.POST, activities=activities)
        if form.is_valid():
            try:
                psfs_save(
                    patient=patient, ratings=form.ratings(), today=today, audit=AuditContext.from_request(request)
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, "Thank you: your activities are saved.")
                return redirect(reverse("patient:progress") + "#questionnaires")
    else:
        form = PsfsForm(activities=activities, initial={f"rating_{k}": v for k, v in ratings.items()})
        audit_record(
            audit=AuditContext.from_request(request),
            action=AuditAction.VIEW,
            patient=patient,
            target="PSFS questionnaire page",
        )
    return render(
        request,
        "tracker/questionnaire_psfs.html",
        {"form": form, "instructions": PSFS_INSTRUCTIONS, "error": error, "citation": PSFS_SCORE_CITATION},
        status=400 if request.method == "POST" else 200,
    )


@patient_required
@require_http_methods(["GET"])
def export_csv(request):
    patient = request.user
    text = export_questionnaires_csv(patient=patient, audit=AuditContext.from_request(request))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    name = f"heel-questionnaires-{patient.local_today().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ---------------------------------------------------------------------------------------------------------
# The care team
# ---------------------------------------------------------------------------------------------------------


@patient_view("POST")
def request_now(request, patient):
    kind = request.POST.get("kind", "")
    if kind not in QuestionnaireKind.values:
        messages.error(request, "Choose the FAAM or the PSFS.")
    else:
        questionnaire_request(patient=patient, kind=kind, audit=AuditContext.from_request(request))
        messages.success(
            request, f"Asked for the {kind.upper()}: it shows on the patient's Today page until they answer it."
        )
    return redirect(reverse("clinic:patient", args=[patient.public_id]) + "#questionnaires")
