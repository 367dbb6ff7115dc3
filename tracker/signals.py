"""Sign-ins, failed sign-ins and lockouts go to the audit trail."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuditAction, User
from .services.audit import audit_record


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit_record(actor=user, action=AuditAction.LOGIN, target=f"account {user.username}", request=request)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=AuditAction.LOGOUT, target=f"account {user.username}", request=request)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")[:150]
    audit_record(
        actor=None,
        actor_username=username,
        action=AuditAction.LOGIN_FAILED,
        target=f"account {username}",
        request=request,
    )


@receiver(user_locked_out)
def audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    actor = User.objects.filter(username=username).first() if username else None
    audit_record(
        actor=None,
        actor_username=username or "",
        action=AuditAction.LOCKOUT,
        target=f"account {username}",
        patient=actor if actor is not None and actor.is_patient else None,
        request=request,
        detail={"ip_address": ip_address},
    )
