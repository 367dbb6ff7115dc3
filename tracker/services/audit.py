"""The audit trail: every read and change of a patient's clinical data, and account events.

Every service that writes an audit event takes an ``AuditContext``: who is acting and from which address. A
view builds it from its request (``AuditContext.from_request``), a management command or a job with
``AuditContext.for_command``, so the services never see HTTP.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from django.conf import settings

from ..models import AuditEvent, User

if TYPE_CHECKING:
    from django.http import HttpRequest


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


@dataclass(frozen=True)
class AuditContext:
    """Who is acting, and from where, for the audit events a service writes.

    ``actor``: the signed-in user, or None (a signed-out visitor, a failed sign-in, a job). ``ip_address``: the
    client's address, None outside a request. ``actor_username``: the name recorded when there is no actor
    (the name tried at a failed sign-in, the command that ran); with an actor, the actor's own name is used.
    """

    actor: User | None
    ip_address: str | None = None
    actor_username: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> AuditContext:
        """The request's signed-in user (None when signed out) and the client's address (``client_ip``)."""
        user = getattr(request, "user", None)
        return cls(actor=user if user is not None and user.is_authenticated else None, ip_address=client_ip(request))

    @classmethod
    def for_command(cls, name: str, *, actor: User | None = None) -> AuditContext:
        """A management command or job: no address; ``actor`` when it acts for a person, else its ``name``."""
        return cls(actor=actor, actor_username=f"system: {name}"[:150])

    def with_actor(self, actor: User) -> AuditContext:
        """The same request, acted on by ``actor`` (a new account accepting its invitation signs its own event)."""
        return replace(self, actor=actor)

    def acting_user(self) -> User:
        """The person acting, for a change only a person makes (a clinician's, an admin's).

        Calling such a service with no actor is a programming error, not bad input.
        """
        if self.actor is None:
            raise ValueError("this change is made by a person: give the audit context an actor")
        return self.actor

    @property
    def username(self) -> str:
        return self.actor.username if self.actor is not None else self.actor_username


# The only detail an audit event may hold: ids, counts, field names, account events. Never a clinical value (a
# red flag, a course's kind or foot, planned sessions, an adverse reaction, a log's date, a note's text): an
# admin on no care team reads the trail. A key not listed here is dropped (and logged) rather than stored.
_ID = (int, str)
DETAIL_KEYS: dict[str, tuple[type, ...]] = {
    "event": (str,),  # an account or second-factor event's name ("deactivated", "code refused")
    "fields": (list,),  # the names of the fields written, never their values
    "records": (list,),  # the ids of the records touched
    "course": (str,),  # a course's public id
    "note_id": _ID,
    "alert_id": _ID,
    "session_id": _ID,
    "patients": (list,),  # public ids on a page viewed
    "alerts": (list,),  # alert ids on a page viewed
    "pages": (int,),
    "page": (int,),
    "imported": (int,),
    "refused": (int,),
    "role": (str,),
    "from": (str,),  # a role change: roles, not clinical
    "to": (str,),
    "physio": (str,),  # a user name
    "user": (str,),  # a user name (an approval)
    "records_cleared": (int,),
    "recovery_codes": (int,),
    "recovery_codes_left": (int,),
    "code_kind": (str,),  # "authenticator" or "recovery code"
    "failures": (int,),
    "demo_device": (bool,),
    "ip_address": (str,),
    "filters": (list,),  # the names of the filters applied to the audit trail, not their values
    "closed": (bool,),
    "reason": (str,),  # why a care-team link ended: "role change", "removed", set in code
}
_ITEM_TYPES = (int, str)
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,60}$")

logger = logging.getLogger(__name__)


def audit_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    """``detail`` keeping only the allowed keys with values of their type (field names checked as names)."""
    kept: dict[str, Any] = {}
    for key, value in (detail or {}).items():
        types = DETAIL_KEYS.get(key)
        if types is None or (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
            logger.warning("audit detail %r dropped: not an allowed key or type", key)
            continue
        if isinstance(value, list):
            if not all(isinstance(item, _ITEM_TYPES) and not isinstance(item, bool) for item in value):
                logger.warning("audit detail %r dropped: not a list of ids or names", key)
                continue
            if key in ("fields", "filters") and not all(_FIELD_NAME.match(str(item)) for item in value):
                logger.warning("audit detail %r dropped: not field names", key)
                continue
        kept[key] = value
    return kept


def record_target(kind: str, *ids: object) -> str:
    """An audit target: the kind of record and its id(s) ("daily log 12", "course 3f2a..."), nothing else."""
    return " ".join([kind, ",".join(str(i) for i in ids)]).strip()


def audit_record(
    *,
    audit: AuditContext,
    action: str,
    target: str,
    patient: User | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event.

    ``target`` names the kind of record and its id (``record_target``: "daily log 12"), or a page or account
    ("audit trail page 2"); ``detail`` holds ids, counts and field names only (``DETAIL_KEYS``). Neither ever
    holds a clinical value: no dates of logs, red flags, kinds of course, scores or notes.
    """
    return AuditEvent.objects.create(
        actor=audit.actor,
        actor_username=audit.username[:150],
        action=action,
        patient=patient,
        target=target[:200],
        ip_address=audit.ip_address,
        detail=audit_detail(detail),
    )
