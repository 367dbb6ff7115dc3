"""The audit trail: every read and change of a patient's clinical data, and account events."""

from __future__ import annotations

from django.http import HttpRequest

from ..models import AuditEvent, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: str,
    patient: User | None = None,
    request: HttpRequest | None = None,
    detail: dict | None = None,
    actor_username: str | None = None,
) -> AuditEvent:
    """Write one audit event. ``target`` says what was touched in words ("daily log 2026-11-20")."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        actor_username=actor_username if actor_username is not None else (actor.username if actor else ""),
        action=action,
        patient=patient,
        target=target[:200],
        ip_address=client_ip(request),
        detail=detail or {},
    )
