"""Template context every page gets."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def clinic_contact(request: HttpRequest) -> dict[str, str]:
    """The clinic's phone number and hours (settings CLINIC_PHONE, CLINIC_HOURS), for the red-flag guidance."""
    return {"clinic_phone": settings.CLINIC_PHONE, "clinic_hours": settings.CLINIC_HOURS}
