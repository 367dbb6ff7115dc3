"""The audit trail: every read and change of a patient's clinical data, and account events."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from ..models import AuditEvent, User


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: the one definition for the audit trail and for django-axes' lockout.

    Behind ``TRUSTED_PROXY_COUNT`` proxies, each appending to X-Forwarded-For, the client is the entry that
    many places from the right; entries further left are whatever the client sent and are not trusted.
    With no trusted proxy (the default) it is the connecting address.
    """
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


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
