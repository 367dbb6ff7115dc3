"""Who may see which patient: the one definition.

A patient sees only themselves. Anyone else sees a patient's clinical data only while they are on that
patient's care team (``CareTeamMembership``), whatever their role: a clinic admin manages accounts but
reads no clinical data unless also on the care team. Out of scope is a 404, so a URL does not reveal that a
patient exists; the wrong role on a page is a 403.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from .models import Role, User


def patients_in_care_of(user: User | AnonymousUser) -> QuerySet[User]:
    """The patients whose clinical data ``user`` may read as a member of their care team.

    Closed (deactivated) patients are included: their record stays readable by their care team, read-only
    (``RECORD_CLOSED``); the caseload shows active patients only.
    """
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    return User.objects.filter(role=Role.PATIENT, care_team_links__physio=user)


RECORD_CLOSED = "This patient's account is closed: their record can be read but not changed."


def get_patient_in_care_or_404(user: User, public_id) -> User:
    """The patient ``public_id`` if ``user`` is on their care team; otherwise 404, never 403."""
    try:
        return patients_in_care_of(user).get(public_id=public_id)
    except (User.DoesNotExist, ValueError):
        raise Http404("No such patient.") from None


def role_required(*roles: str):
    """Signed in, and one of ``roles``; another role gets 403 (it may see the page exists)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied("This page is not for your role.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


patient_required = role_required(Role.PATIENT)
# Clinical pages: physiotherapists, and admins who are on a care team; every patient is still scoped by
# ``get_patient_in_care_or_404``.
clinician_required = role_required(Role.PHYSIO, Role.ADMIN)
admin_required = role_required(Role.ADMIN)
