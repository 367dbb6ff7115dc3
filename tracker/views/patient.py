"""The patient's pages (DESIGN.md section 7)."""

from django.shortcuts import render

from ..permissions import patient_required


@patient_required
def today(request):
    return render(request, "tracker/today.html")
