"""The physiotherapist's pages (DESIGN.md section 7)."""

from django.shortcuts import render

from ..permissions import clinician_required


@clinician_required
def caseload(request):
    return render(request, "tracker/caseload.html")
