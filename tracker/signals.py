"""Sign-ins, failed sign-ins and lockouts go to the audit trail."""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from .models import AuditAction, User
from .services.audit import AuditContext, audit_record, client_ip


def _context(request: HttpRequest | None, *, actor: User | None = None, username: str = "") -> AuditContext:
    # The signal names the user: at sign-out the request's user is about to become anonymous.
    return AuditContext(actor=actor, ip_address=client_ip(request), actor_username=username)


@receiver(user_logged_in)
def audit_login(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    audit_record(audit=_context(request, actor=user), action=AuditAction.LOGIN, target=f"account {user.username}")


@receiver(user_logged_in)
def stamp_password_sign_in(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """When the password was entered: setting up an authenticator soon after needs no password again."""
    from .views.second_factor import PASSWORD_SIGNED_IN_AT

    if request is not None and hasattr(request, "session"):
        request.session[PASSWORD_SIGNED_IN_AT] = time.time()


@receiver(user_logged_in)
def stamp_session(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """The account's session generation and the sign-in time, for ``IdleTimeoutMiddleware``: a session ends
    when the account changes (deactivated, closed, another role) and, for staff, at an absolute limit.

    A receiver rather than the sign-in view, so every way in (the sign-in form, an invitation, ``force_login``
    in tests) starts a session the same way.
    """
    from .middleware import GENERATION_KEY, SIGNED_IN_KEY

    if request is not None and hasattr(request, "session"):
        request.session[GENERATION_KEY] = user.session_generation
        request.session[SIGNED_IN_KEY] = time.time()


@receiver(user_login_failed)
def count_failed_sign_in(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """One more failed sign-in from this client address, whatever the user name (``SignInView``'s cap)."""
    from django.conf import settings

    from .services import throttle
    from .views.accounts import SIGN_IN_FAILED

    if request is not None:
        throttle.hit(SIGN_IN_FAILED, client_ip(request) or "", window_seconds=settings.SIGN_IN_CLIENT_WINDOW_SECONDS)


@receiver(user_logged_out)
def audit_logout(sender: object, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit_record(audit=_context(request, actor=user), action=AuditAction.LOGOUT, target=f"account {user.username}")


@receiver(user_login_failed)
def audit_login_failed(
    sender: object, credentials: dict[str, Any] | None, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = (credentials or {}).get("username", "")[:150]
    audit_record(
        audit=_context(request, username=username), action=AuditAction.LOGIN_FAILED, target=f"account {username}"
    )


@receiver(user_locked_out)
def audit_lockout(
    sender: object,
    request: HttpRequest | None = None,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    account = User.objects.filter(username=username).first() if username else None
    audit_record(
        audit=_context(request, username=username or ""),
        action=AuditAction.LOCKOUT,
        target=f"account {username}",
        patient=account if account is not None and account.is_patient else None,
        detail={"ip_address": ip_address},
    )
