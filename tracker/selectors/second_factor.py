"""Who needs a second factor, and what they have set up (the writes are ``tracker.services.second_factor``)."""

from __future__ import annotations

from django_otp.plugins.otp_static.models import StaticToken

from ..models import Role, User

STAFF_ROLES = frozenset({Role.PHYSIO, Role.ADMIN})


def must_keep_second_factor(user: User) -> bool:
    """Staff (physiotherapists, admins, and anyone who can open Django's admin) always need one."""
    return user.role in STAFF_ROLES or user.is_staff or user.is_superuser


def requires_second_factor(user: User) -> bool:
    """Whether every sign-in of ``user`` must pass a second factor: staff always, a patient once they turn it
    on. Reads no table: the role and ``second_factor_enabled`` are on the account, so the check on every
    request (``tracker.middleware.SecondFactorMiddleware``) costs no query."""
    return must_keep_second_factor(user) or user.second_factor_enabled


def is_verified(user: User) -> bool:
    """Whether this request's session passed the second factor (django-otp's middleware adds ``is_verified``)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if check is not None else False


def recovery_codes_left(*, user: User) -> int:
    """How many unused recovery codes ``user`` has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
