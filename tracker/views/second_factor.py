"""The second factor's pages: the code at sign-in, setting up an authenticator, recovery codes, turning it off.

``tracker.middleware.SecondFactorMiddleware`` sends a signed-in user who needs a second factor here until
their session is verified: to ``verify`` when they have an authenticator, to ``setup`` when they have none
yet (a new staff account, or one an admin reset). Writes go through ``tracker.services.second_factor``.
"""

from __future__ import annotations

import time
from typing import cast
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..forms.errors import add_validation_error, validation_message
from ..forms.second_factor import CodeForm, SetupForm
from ..models import User
from ..selectors.second_factor import is_verified, must_keep_second_factor, recovery_codes_left, requires_second_factor
from ..services import second_factor as services
from ..services.audit import AuditContext
from .redirects import safe_next

# Session keys: the secret being set up (until a code confirms it), recovery codes to show once, and when
# the password was last entered in this session (stamped at sign-in by tracker.signals).
SETUP_SECRET = "second_factor_setup_secret"  # noqa: S105 - a session key's name, not a secret
CODES_TO_SHOW = "second_factor_codes_to_show"
PASSWORD_SIGNED_IN_AT = "password_signed_in_at"  # noqa: S105 - a session key's name
# Setting up an authenticator within this long of entering the password needs no password again.
FRESH_SIGN_IN_SECONDS = 10 * 60


def _user(request: HttpRequest) -> User:
    """The signed-in account (every view here is ``login_required``)."""
    return cast(User, request.user)


def _with_next(name: str, target: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': target})}"


def _verified(request: HttpRequest, device: TOTPDevice | StaticDevice) -> None:
    """Mark the session as having passed the second factor, under a new session key (a raised privilege)."""
    request.session.cycle_key()
    otp_login(request, device)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: the code from the authenticator app, or a recovery code."""
    user = _user(request)
    target = safe_next(request)
    if not requires_second_factor(user) or is_verified(user):
        return redirect(target)
    if not user.second_factor_enabled:
        return redirect(_with_next("second_factor_setup", target))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = services.second_factor_verify(
            user=user, code=form.cleaned_data["code"], audit=AuditContext.from_request(request)
        )
        if check.ok and check.device is not None:
            _verified(request, check.device)
            if check.recovery_codes_left is not None:
                messages.warning(
                    request,
                    f"You signed in with a recovery code; it cannot be used again. You have "
                    f"{check.recovery_codes_left} left. If your phone is lost, ask a clinic admin to reset your "
                    "authenticator, or make new recovery codes on the sign-in security page.",
                )
            return redirect(target)
        form.add_error("code", check.message)
    return render(request, "registration/second_factor_verify.html", {"form": form, "next": target})


def _signed_in_recently(request: HttpRequest) -> bool:
    signed_in_at = request.session.get(PASSWORD_SIGNED_IN_AT)
    return isinstance(signed_in_at, int | float) and time.time() - signed_in_at <= FRESH_SIGN_IN_SECONDS


def _qr_data_uri(uri: str) -> str:
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=4))


@login_required
@never_cache
@sensitive_post_parameters("password", "code")
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the secret), then confirm with a code it shows.

    The secret stays in the session until a code confirms it. Long after the password was entered, the
    password is asked again (checked through django-axes, so wrong ones count towards the lockout).
    """
    user = _user(request)
    target = safe_next(request)
    if user.second_factor_enabled:
        return redirect(_with_next("second_factor_verify", target) if not is_verified(user) else target)
    secret = request.session.get(SETUP_SECRET)
    if not isinstance(secret, str):
        secret = services.new_secret()
        request.session[SETUP_SECRET] = secret
    ask_password = not _signed_in_recently(request)
    form = SetupForm(request.POST or None, ask_password=ask_password)
    if request.method == "POST" and form.is_valid():
        password_ok = not ask_password or (
            authenticate(request, username=user.username, password=form.cleaned_data["password"]) is not None
        )
        if not password_ok:
            form.add_error("password", "That is not your password.")
        else:
            try:
                enrolment = services.second_factor_enrol(
                    user=user, secret=secret, code=form.cleaned_data["code"], audit=AuditContext.from_request(request)
                )
            except ValidationError as exc:
                add_validation_error(form, exc)
            else:
                del request.session[SETUP_SECRET]
                _verified(request, enrolment.device)
                request.session[CODES_TO_SHOW] = enrolment.recovery_codes
                messages.success(request, "Your authenticator is set up. Every sign-in will now ask for a code.")
                return redirect(_with_next("second_factor_recovery_codes", target))
    context = {
        "form": form,
        "next": target,
        "secret": services.grouped(secret),
        "qr_code": _qr_data_uri(services.provisioning_uri(user=user, secret=secret)),
        "staff": must_keep_second_factor(user),
    }
    return render(request, "registration/second_factor_setup.html", context)


@login_required
@never_cache
@require_http_methods(["GET"])
def overview(request: HttpRequest) -> HttpResponse:
    """Sign-in security: whether a second factor is on, recovery codes left, new codes, turning it off."""
    user = _user(request)
    context = {
        "enabled": user.second_factor_enabled,
        "must_keep": must_keep_second_factor(user),
        "codes_left": recovery_codes_left(user=user) if user.second_factor_enabled else 0,
        "form": CodeForm(autofocus=False),
    }
    return render(request, "registration/second_factor.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """POST: new recovery codes (the old ones stop working). GET: the new codes, shown once."""
    user = _user(request)
    if request.method == "POST":
        try:
            codes = services.recovery_codes_replace(user=user, audit=AuditContext.from_request(request))
        except ValidationError as exc:
            messages.error(request, validation_message(exc))
            return redirect("second_factor")
        request.session[CODES_TO_SHOW] = codes
        messages.success(request, "New recovery codes are ready. The old ones no longer work.")
        return redirect("second_factor_recovery_codes")
    codes = request.session.pop(CODES_TO_SHOW, None)
    if not codes:
        messages.info(request, "Recovery codes are shown only once. Make new ones if you have lost them.")
        return redirect("second_factor")
    return render(
        request,
        "registration/second_factor_codes.html",
        {"codes": codes, "next": safe_next(request, "second_factor")},
    )


@login_required
@require_POST
@sensitive_post_parameters("code")
def disable(request: HttpRequest) -> HttpResponse:
    """A patient turns the second factor off with a current code."""
    user = _user(request)
    form = CodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a code from your authenticator app to turn it off.")
        return redirect("second_factor")
    try:
        check = services.second_factor_disable(
            user=user, code=form.cleaned_data["code"], audit=AuditContext.from_request(request)
        )
    except ValidationError as exc:
        messages.error(request, validation_message(exc))
        return redirect("second_factor")
    if not check.ok:
        messages.error(request, f"Nothing was changed. {check.message}")
        return redirect("second_factor")
    messages.success(request, "Two-step sign-in is off. Sign-ins ask only for your password.")
    return redirect("second_factor")
