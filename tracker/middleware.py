"""Automatic sign-out after inactivity (staff after 30 minutes, patients after 14 days), the second factor
required before any page of the app, and no caching of signed-in pages.

The idle check runs in ``process_view``, that is after every middleware's request phase: the message
framework (listed after this middleware) must be ready to carry the "you were signed out" notice, and
the redirect then passes back through every middleware's response phase like any other response.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import urlencode

from .models import Role
from .selectors.second_factor import is_verified, requires_second_factor


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is larger than ``MAX_REQUEST_BODY_BYTES`` with a 413, before any
    of it is read: an upload is not read in full before its size is checked. First in ``MIDDLEWARE``.

    (A body with no Content-Length is not read by Django's WSGI handler at all; ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    and ``FILE_UPLOAD_MAX_MEMORY_SIZE`` bound what a form reads in memory.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.headers.get("content-length") or 0)
        except ValueError:
            return HttpResponseBadRequest("The request's length is not a number.", content_type="text/plain")
        if length > settings.MAX_REQUEST_BODY_BYTES:
            limit_kb = settings.MAX_REQUEST_BODY_BYTES // 1024
            return HttpResponse(
                f"The request is too large: at most {limit_kb} KB can be sent.", status=413, content_type="text/plain"
            )
        return self.get_response(request)


SESSION_KEY = "last_activity"
# Copied into the session at sign-in (tracker.signals.stamp_session).
GENERATION_KEY = "session_generation"
SIGNED_IN_KEY = "signed_in_at"
IDLE_MESSAGE = "You were signed out after a period of inactivity. Please sign in again."
ENDED_MESSAGE = "You were signed out because your account was changed. Please sign in again."
MAX_AGE_MESSAGE = "You were signed out because you have been signed in for {hours} hours. Please sign in again."


def idle_limit(role: str) -> timedelta:
    """How long a session of ``role`` may stay unused: patients in days, everyone else in minutes."""
    if role == Role.PATIENT:
        return timedelta(days=settings.PATIENT_IDLE_TIMEOUT_DAYS)
    return timedelta(minutes=settings.STAFF_IDLE_TIMEOUT_MINUTES)


class IdleTimeoutMiddleware:
    """Ends a session that has ended for one of three reasons, checked in this order:

    1. the account changed since the session began (deactivated, closed, another role: ``session_generation``);
    2. a staff session is older than ``STAFF_SESSION_MAX_HOURS`` (an absolute limit, however active);
    3. it stayed unused longer than the role's idle limit (``idle_limit``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        now = time.time()
        session = request.session
        if session.get(GENERATION_KEY) != user.session_generation:
            return self._signed_out(request, ENDED_MESSAGE)
        if user.role != Role.PATIENT:
            hours = settings.STAFF_SESSION_MAX_HOURS
            signed_in = session.get(SIGNED_IN_KEY)
            if signed_in is None or now - signed_in > hours * 3600:
                return self._signed_out(request, MAX_AGE_MESSAGE.format(hours=hours))
        last = session.get(SESSION_KEY)
        if last is not None and now - last > idle_limit(user.role).total_seconds():
            return self._signed_out(request, IDLE_MESSAGE)
        # Stamped on every request, so the session is saved every time: that is the activity clock.
        request.session[SESSION_KEY] = now
        return None

    @staticmethod
    def _signed_out(request, message: str):
        logout(request)
        messages.info(request, message)
        return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")


# The pages a signed-in user who has not yet passed the second factor may still open: the second factor's own
# two, signing in and out, password reset, the invitation link and the public sources page.
SECOND_FACTOR_EXEMPT = frozenset(
    {
        "second_factor_verify",
        "second_factor_setup",
        "login",
        "logout",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "invitation_accept",
        "public:sources",
    }
)


class SecondFactorMiddleware:
    """The one place the second factor is enforced: staff (and patients who turned it on) reach no other page,
    Django's /admin/ included, until their session has passed it (django-otp's ``is_verified``).

    Such a user is sent to enter a code, or to set up an authenticator when they have none yet (a new staff
    account, or one whose device an admin reset). A GET keeps its address in ``next``. Runs in
    ``process_view``, after the idle check, so an idle session is signed out first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not requires_second_factor(user):
            return None
        if is_verified(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in SECOND_FACTOR_EXEMPT:
            return None
        step = "second_factor_verify" if user.second_factor_enabled else "second_factor_setup"
        if request.method in ("GET", "HEAD"):
            return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return redirect(step)


class NoStoreForSignedInMiddleware:
    """Every response to a signed-in user carries ``Cache-Control: no-store, private``.

    The pages and files hold health information: after signing out on a shared computer, neither the
    browser's cache nor its Back button nor a proxy may show them again (HIPAA access control, ASVS 8.2.1).
    Public pages (sign-in aside, which Django already marks) keep their default caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
