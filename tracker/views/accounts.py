"""Landing and the invitation link: each role goes to its own page. (The lockout page is django-axes'
AXES_LOCKOUT_TEMPLATE.)"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from ..forms.errors import add_validation_error
from ..forms.manage import InvitationAcceptForm
from ..models import Role
from ..selectors.accounts import invitation_get_by_token, invitation_is_usable
from ..services.accounts import invitation_accept as accept_invitation
from ..services.audit import AuditContext
from .redirects import is_local_path

HOME_BY_ROLE = {
    Role.PATIENT: "patient:today",
    Role.PHYSIO: "clinic:caseload",
    Role.ADMIN: "manage:users",
}


class SignInView(auth_views.LoginView):
    """Django's sign-in, following ``next`` only to a local path (``tracker.views.redirects``)."""

    redirect_authenticated_user = True

    def get_redirect_url(self) -> str:
        target = self.request.POST.get(self.redirect_field_name, self.request.GET.get(self.redirect_field_name, ""))
        return target if is_local_path(target, self.request) else ""


@login_required
def home(request):
    """``/`` and the sign-in's default destination: the signed-in role's own page."""
    return redirect(HOME_BY_ROLE[request.user.role])


@never_cache
@sensitive_post_parameters("password1", "password2")
def invitation_accept(request, token: str):
    """The one-time link from an invitation e-mail: choose a user name, name and password.

    An unknown, expired, revoked or used link gets the same page, so the link reveals nothing.
    """
    invitation = invitation_get_by_token(token=token)
    if invitation is None or not invitation_is_usable(invitation=invitation):
        response = render(request, "registration/invitation_invalid.html", status=404)
    elif request.user.is_authenticated:
        response = render(request, "registration/invitation_signed_in.html", status=409)
    else:
        form = InvitationAcceptForm(request.POST or None, invitation=invitation)
        if request.method == "POST" and form.is_valid():
            try:
                accept_invitation(
                    invitation=invitation,
                    username=form.cleaned_data["username"],
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password1"],
                    audit=AuditContext.from_request(request),
                )
            except ValidationError as exc:
                if not hasattr(exc, "error_dict"):
                    return render(request, "registration/invitation_invalid.html", status=404)
                add_validation_error(form, exc)
            else:
                messages.success(request, "Your account is ready. Sign in with your new user name and password.")
                return redirect("login")
        response = render(request, "registration/invitation_accept.html", {"form": form, "invitation": invitation})
    # The token is in the address. The site-wide Referrer-Policy (same-origin) keeps it from other sites;
    # "no-referrer" would be stricter but makes browsers send "Origin: null", which fails the CSRF check.
    return response
