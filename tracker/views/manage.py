"""The clinic admin's pages (DESIGN.md section 7)."""

from django.shortcuts import render

from ..permissions import admin_required


@admin_required
def users(request):
    return render(request, "tracker/manage_users.html")
