"""Landing and the invitation link: each role goes to its own page. (The lockout page is django-axes'
AXES_LOCKOUT_TEMPLATE.)"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from ..forms.errors import add_validation_error
from ..forms.manage import InvitationAcceptForm
from ..models import Role
from ..selectors.accounts import invitation_get_by_token, invitation_is_usable
from ..services import throttle
from ..services.accounts import invitation_accept as accept_invitation
from ..services.audit import AuditContext, client_ip
from .redirects import is_local_path

# The throttle counting failed sign-ins per client address (tracker.signals.count_failed_sign_in).
SIGN_IN_FAILED = "sign-in-failed"

HOME_BY_ROLE = {
    Role.PATIENT: "patient:today",
    Role.PHYSIO: "clinic:caseload",
    Role.ADMIN: "manage:users",
}


class SignInView(auth_views.LoginView):
    """Django's sign-in, following ``next`` only to a local path (``tracker.views.redirects``).

    A client address with ``SIGN_IN_FAILURES_PER_CLIENT`` failed sign-ins in the window, whatever the user
    names, gets the lockout page (django-axes counts per user name and address; this caps the names tried).
    """

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        address = client_ip(request) or ""
        if throttle.count(SIGN_IN_FAILED, address) >= settings.SIGN_IN_FAILURES_PER_CLIENT:
            return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
        return super().post(request, *args, **kwargs)

    def get_redirect_url(self) -> str:
        target = self.request.POST.get(self.redirect_field_name, self.request.GET.get(self.redirect_field_name, ""))
        return target if is_local_path(target, self.request) else ""


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, sending at most ``PASSWORD_RESET_PER_ADDRESS`` e-mails to one address and
    answering at most ``PASSWORD_RESET_PER_CLIENT`` requests of one client per window. Over either limit it
    answers exactly as usual and sends nothing, so the page tells nobody whether an account exists."""

    def form_valid(self, form):
        window = settings.PASSWORD_RESET_WINDOW_SECONDS
        per_address = throttle.allow(
            "password-reset-address",
            form.cleaned_data["email"].strip().lower(),
            limit=settings.PASSWORD_RESET_PER_ADDRESS,
            window_seconds=window,
        )
        per_client = throttle.allow(
            "password-reset-client",
            client_ip(self.request) or "",
            limit=settings.PASSWORD_RESET_PER_CLIENT,
            window_seconds=window,
        )
        if per_address and per_client:
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


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
