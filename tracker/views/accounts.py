"""Landing and sign-in: each role goes to its own page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from ..models import Role

HOME_BY_ROLE = {
    Role.PATIENT: "patient:today",
    Role.PHYSIO: "clinic:caseload",
    Role.ADMIN: "manage:users",
}


@login_required
def home(request):
    """``/`` and the sign-in's default destination: the signed-in role's own page."""
    return redirect(HOME_BY_ROLE[request.user.role])


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this when a user name and address are locked out."""
    return render(request, "registration/locked_out.html", status=403)
