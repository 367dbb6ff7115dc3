"""The second factor: a TOTP authenticator app, and one-time recovery codes (django-otp).

Physiotherapists and admins must use one (``selectors.second_factor.requires_second_factor``); a patient may turn it on. Enrolment
confirms a code from the new authenticator before anything is saved; the account then gets
``RECOVERY_CODE_COUNT`` recovery codes, each usable once, shown once. Every sign-in asks for a code
(``second_factor_verify``): a wrong one makes the device wait 1, 2, 4, 8... seconds before it checks the next
(django-otp's throttling, stored on the device, so signing in again with the password does not reset it).

Audited, never with a code or a secret in the event: enrolment, a refused code, a recovery code used, new
recovery codes, a reset by an admin (or a command), a patient turning it off.
"""

from __future__ import annotations

import binascii
import re
from base64 import b32decode, b32encode
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from ..models import AuditAction, User
from ..selectors.second_factor import must_keep_second_factor
from .audit import AuditContext, audit_record

TOTP_DIGITS = 6
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"

# The demo staff's authenticator secret (seed_demo, printed by `make run`). Codes from it are accepted only
# with DEBUG on: a demo database served with DEBUG off cannot be entered with a published secret.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - published demo credential, DEBUG only

ERROR_CODE_WRONG = "That code is not right. Check the time on your phone and try the newest code."
ERROR_CODE_FORMAT = "Enter the 6-digit code from your authenticator app, or one of your recovery codes."
ERROR_THROTTLED = "Too many wrong codes. Wait {wait}, then try again."
ERROR_DEMO_DEVICE = "This is the demo authenticator: it works only on a development server."
ERROR_NO_DEVICE = "No authenticator is set up for this account. Ask a clinic admin to reset your second factor."
ERROR_ALREADY_ENROLLED = "An authenticator is already set up for this account."
ERROR_NOT_ENROLLED = "Set up an authenticator first."
ERROR_STAFF_CANNOT_DISABLE = "Staff accounts must keep a second factor. A clinic admin can reset a lost one."
ERROR_RESET_OWN = "You cannot reset your own second factor. Ask another clinic admin."
ERROR_RESET_SUPERUSER = "Only a superuser can reset a superuser's second factor."
ERROR_NOTHING_TO_RESET = "This account has no second factor to reset."

_SEPARATORS = re.compile(r"[\s-]+")


def new_secret() -> str:
    """A fresh authenticator secret (20 random bytes, base32, as authenticator apps take it)."""
    return b32encode(binascii.unhexlify(random_hex(20))).decode("ascii")


def secret_hex(secret: str) -> str:
    """A base32 secret (spaces and case ignored) as the hex key django-otp stores; ValueError if malformed."""
    cleaned = _SEPARATORS.sub("", secret).upper()
    try:
        return b32decode(cleaned + "=" * (-len(cleaned) % 8)).hex()
    except binascii.Error:
        raise ValueError("not a base32 secret") from None


def grouped(secret: str) -> str:
    """``ABCDEFGH...`` as ``ABCD EFGH ...``: easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(*, user: User, secret: str) -> str:
    """The ``otpauth://`` address the QR code holds (issuer ``OTP_TOTP_ISSUER``, the user name as label)."""
    device = TOTPDevice(user=user, key=secret_hex(secret), digits=TOTP_DIGITS)
    return str(device.config_url)


def _normalised(code: str) -> str:
    return _SEPARATORS.sub("", code or "").lower()


def _is_demo(device: TOTPDevice) -> bool:
    return bool(device.key.lower() == secret_hex(DEMO_TOTP_SECRET))


def _second_factor_audit(*, user: User, audit: AuditContext, event: str, **detail: Any) -> None:
    audit_record(
        audit=audit,
        action=AuditAction.SECOND_FACTOR,
        target=f"account {user.username}",
        patient=user if user.is_patient else None,
        detail={"event": event, **detail},
    )


def _new_recovery_codes(device: StaticDevice) -> list[str]:
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


# ---------------------------------------------------------------------------------------------------------
# Enrolment
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    recovery_codes: list[str]


def second_factor_enrol(*, user: User, secret: str, code: str, audit: AuditContext) -> Enrolment:
    """Confirm the authenticator that holds ``secret`` with a ``code`` it shows, then save it.

    Nothing is saved until the code matches, so a mistyped secret never locks anyone out. The account gets
    its recovery codes (returned once, to be shown once) and ``second_factor_enabled``.
    """
    token = _normalised(code)
    if not (token.isdigit() and len(token) == TOTP_DIGITS):
        raise ValidationError({"code": ERROR_CODE_FORMAT})
    key = secret_hex(secret)
    totp = TOTP(binascii.unhexlify(key), digits=TOTP_DIGITS)
    totp.time = timezone.now().timestamp()
    if not totp.verify(int(token), tolerance=1):
        raise ValidationError({"code": ERROR_CODE_WRONG})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.second_factor_enabled:
            raise ValidationError(ERROR_ALREADY_ENROLLED)
        # Whatever an earlier reset or half-finished setup left is replaced.
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user, name=AUTHENTICATOR_NAME, key=key, digits=TOTP_DIGITS, confirmed=True, last_t=totp.t()
        )
        codes = _new_recovery_codes(StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True))
        user.second_factor_enabled = True
        user.save(update_fields=["second_factor_enabled"])
        _second_factor_audit(user=user, audit=audit, event="enrolled", recovery_codes=len(codes))
    return Enrolment(device=device, recovery_codes=codes)


# ---------------------------------------------------------------------------------------------------------
# Sign-in
# ---------------------------------------------------------------------------------------------------------


class Outcome(Enum):
    VERIFIED = "verified"
    WRONG = "wrong"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class Verification:
    outcome: Outcome
    device: TOTPDevice | StaticDevice | None = None
    message: str = ""
    recovery_codes_left: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.VERIFIED


def _wait_seconds(locked_until: datetime) -> int:
    return max(1, int((locked_until - timezone.now()).total_seconds() + 0.999))


def second_factor_verify(*, user: User, code: str, audit: AuditContext) -> Verification:
    """Check a code at sign-in: 6 digits against the authenticator, anything else against the recovery codes.

    The device row is locked while it is checked, so two guesses at once are counted twice. A refused code
    (wrong, or sent while the device is still waiting after earlier wrong ones) is audited; a recovery code
    is used up, and its use audited with how many are left.
    """
    token = _normalised(code)
    use_totp = token.isdigit() and len(token) == TOTP_DIGITS
    kind = "authenticator" if use_totp else "recovery code"
    if not token or len(token) > 16:
        _second_factor_audit(user=user, audit=audit, event="code refused", code_kind=kind)
        return Verification(Outcome.WRONG, message=ERROR_CODE_FORMAT)
    with transaction.atomic():
        model: type[TOTPDevice] | type[StaticDevice] = TOTPDevice if use_totp else StaticDevice
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            _second_factor_audit(user=user, audit=audit, event="code refused", code_kind=kind)
            message = ERROR_NO_DEVICE if use_totp else ERROR_CODE_WRONG
            return Verification(Outcome.WRONG, message=message)
        if isinstance(device, TOTPDevice) and _is_demo(device) and not settings.DEBUG:
            _second_factor_audit(user=user, audit=audit, event="code refused", code_kind=kind, demo_device=True)
            return Verification(Outcome.WRONG, message=ERROR_DEMO_DEVICE)
        allowed, data = device.verify_is_allowed()
        if not allowed:
            _second_factor_audit(user=user, audit=audit, event="code refused while waiting", code_kind=kind)
            seconds = _wait_seconds(data["locked_until"])
            wait = f"{seconds} second{'' if seconds == 1 else 's'}"
            return Verification(Outcome.THROTTLED, message=ERROR_THROTTLED.format(wait=wait))
        if not device.verify_token(token):
            _second_factor_audit(
                user=user, audit=audit, event="code refused", code_kind=kind, failures=device.throttling_failure_count
            )
            return Verification(Outcome.WRONG, message=ERROR_CODE_WRONG)
        left = None
        if isinstance(device, StaticDevice):
            left = device.token_set.count()
            _second_factor_audit(user=user, audit=audit, event="recovery code used", recovery_codes_left=left)
    return Verification(Outcome.VERIFIED, device=device, recovery_codes_left=left)


# ---------------------------------------------------------------------------------------------------------
# Recovery codes, turning off, reset
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def recovery_codes_replace(*, user: User, audit: AuditContext) -> list[str]:
    """New recovery codes for the context's actor's own account; the old ones stop working at once."""
    if not user.second_factor_enabled:
        raise ValidationError(ERROR_NOT_ENROLLED)
    device, _ = StaticDevice.objects.select_for_update().get_or_create(
        user=user, defaults={"name": RECOVERY_NAME, "confirmed": True}
    )
    device.token_set.all().delete()
    codes = _new_recovery_codes(device)
    _second_factor_audit(user=user, audit=audit, event="recovery codes replaced", recovery_codes=len(codes))
    return codes


def _remove_devices(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.second_factor_enabled = False
    user.save(update_fields=["second_factor_enabled"])


def second_factor_disable(*, user: User, code: str, audit: AuditContext) -> Verification:
    """A patient turns their second factor off, proving it with a current code (or a recovery code).

    Staff cannot: their accounts must keep one. Returns the verification; nothing changes unless it passed.
    """
    if must_keep_second_factor(user):
        raise ValidationError(ERROR_STAFF_CANNOT_DISABLE)
    if not user.second_factor_enabled:
        raise ValidationError(ERROR_NOT_ENROLLED)
    check = second_factor_verify(user=user, code=code, audit=audit)
    if check.ok:
        with transaction.atomic():
            _remove_devices(user)
            _second_factor_audit(user=user, audit=audit, event="turned off")
    return check


@transaction.atomic
def second_factor_reset(*, user: User, audit: AuditContext) -> None:
    """Remove ``user``'s authenticator and recovery codes: a lost phone. They set up a new one at their next
    sign-in (staff) or may turn it on again (patients); a session verified with the old device is no longer
    verified from its next request.

    From /manage/: a clinic admin resets another account, never their own (another admin does that, or the
    ``reset_second_factor`` command on the server), and only a superuser resets a superuser's. A command
    (no actor in the context) may reset any account.
    """
    actor = audit.actor
    if actor is not None:
        if actor.pk == user.pk:
            raise ValidationError(ERROR_RESET_OWN)
        if user.is_superuser and not actor.is_superuser:
            raise ValidationError(ERROR_RESET_SUPERUSER)
        from .accounts import check_actor_approved

        check_actor_approved(actor)  # a reset lets the next person to sign in set up a new device
    user = User.objects.select_for_update().get(pk=user.pk)
    has_devices = TOTPDevice.objects.filter(user=user).exists() or StaticDevice.objects.filter(user=user).exists()
    if not user.second_factor_enabled and not has_devices:
        raise ValidationError(ERROR_NOTHING_TO_RESET)
    _remove_devices(user)
    _second_factor_audit(user=user, audit=audit, event="reset")
