"""Reads for the clinic admin's pages: accounts, invitations, care teams, the audit trail.

Nothing here reads clinical data (logs, sessions, notes, alerts, courses): an admin manages accounts and
care teams only (DESIGN.md section 1). Each function returns a queryset with its joins decided here, so
every page runs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from ..models import AuditEvent, CareTeamMembership, Invitation, Role, User

# Roles that may be put on a patient's care team: physiotherapists, and admins who also treat.
CARE_TEAM_ROLES = (Role.PHYSIO, Role.ADMIN)


def token_hash(token: str) -> str:
    """The only form in which an invitation token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _words_q(text: str, fields: tuple[str, ...]) -> Q:
    """Every word of ``text`` appears in at least one of ``fields`` ("alice arch" finds Alice Archer)."""
    q = Q()
    for word in text.split():
        word_q = Q()
        for field in fields:
            word_q |= Q(**{f"{field}__icontains": word})
        q &= word_q
    return q


def _lockouts(username) -> QuerySet[AccessAttempt]:
    """django-axes' records that lock ``username`` (a name, or an ``OuterRef`` to one) out, one per address."""
    return AccessAttempt.objects.filter(username=username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT)


def user_list(*, query: str = "", role: str = "", active: bool | None = None) -> QuerySet[User]:
    """Accounts matching a search on user name, name and e-mail, with ``is_locked_out`` annotated."""
    users = User.objects.annotate(is_locked_out=Exists(_lockouts(OuterRef("username"))))
    if query:
        users = users.filter(_words_q(query, ("username", "first_name", "last_name", "email")))
    if role:
        users = users.filter(role=role)
    if active is not None:
        users = users.filter(is_active=active)
    return users.order_by("last_name", "first_name", "username", "pk")


def user_lockouts(*, user: User) -> QuerySet[AccessAttempt]:
    """The addresses from which ``user``'s name is locked out."""
    return _lockouts(user.username).order_by("-attempt_time")


def user_care_team_links(*, user: User) -> QuerySet[CareTeamMembership]:
    """Who looks after ``user`` (a patient), or whom ``user`` looks after (a clinician): names only."""
    return (
        CareTeamMembership.objects.filter(Q(patient=user) | Q(physio=user))
        .select_related("patient", "physio")
        .order_by("physio__last_name", "patient__last_name", "pk")
    )


def approval_pending_list() -> QuerySet[User]:
    """Staff accounts waiting for a second admin's approval before any care team, oldest first."""
    return User.objects.filter(approval_required=True, approved_at__isnull=True, is_active=True).order_by(
        "date_joined", "pk"
    )


def invitation_pending_list() -> QuerySet[Invitation]:
    """Invitations not yet accepted or revoked, expired ones included (they can be resent)."""
    return (
        Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )


def invitation_get_by_token(*, token: str) -> Invitation | None:
    """The invitation a link's token belongs to, whatever its state; ``None`` for an unknown token."""
    if not token or len(token) > 200:
        return None
    return Invitation.objects.filter(token_hash=token_hash(token)).first()


def invitation_is_usable(*, invitation: Invitation, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return invitation.accepted_at is None and invitation.revoked_at is None and invitation.expires_at > now


def care_team_members() -> QuerySet[User]:
    """Active accounts that can be put on a care team, physiotherapists first."""
    return User.objects.filter(role__in=CARE_TEAM_ROLES, is_active=True).order_by(
        "-role", "last_name", "first_name", "username"
    )


def care_team_patients(
    *, query: str = "", physio: User | None = None, only_unassigned: bool = False, only_on_team: bool = False
) -> QuerySet[User]:
    """Active patients, each with ``care_team`` (their clinicians, prefetched) and ``on_team`` annotated.

    ``on_team`` is whether ``physio`` already looks after the patient (always False without a physio).
    """
    patients = User.objects.filter(role=Role.PATIENT, is_active=True)
    if query:
        patients = patients.filter(_words_q(query, ("username", "first_name", "last_name", "email")))
    if only_unassigned:
        patients = patients.filter(~Exists(CareTeamMembership.objects.filter(patient=OuterRef("pk"))))
    if physio is not None:
        patients = patients.annotate(
            on_team=Exists(CareTeamMembership.objects.filter(patient=OuterRef("pk"), physio=physio))
        )
        if only_on_team:
            patients = patients.filter(on_team=True)
    links = CareTeamMembership.objects.select_related("physio").order_by("physio__last_name", "physio__username")
    return patients.prefetch_related(Prefetch("care_team_links", queryset=links, to_attr="care_team")).order_by(
        "last_name", "first_name", "username", "pk"
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_event_list(
    *,
    who: str = "",
    patient: str = "",
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events, newest first, filtered. Dates are whole days in the clinic's time zone, both included.

    ``who`` matches the recorded user name (kept even for failed sign-ins with no account) or the
    actor's name; ``patient`` matches the patient's user name or name.
    """
    events = AuditEvent.objects.select_related("actor", "patient")
    if who:
        events = events.filter(
            _words_q(who, ("actor_username", "actor__username", "actor__first_name", "actor__last_name"))
        )
    if patient:
        events = events.filter(_words_q(patient, ("patient__username", "patient__first_name", "patient__last_name")))
    if action:
        events = events.filter(action=action)
    if date_from:
        events = events.filter(at__gte=_day_start(date_from))
    if date_to:
        events = events.filter(at__lt=_day_start(date_to + timedelta(days=1)))
    return events.order_by("-at", "-pk")


_DETAIL_KEYS = {"physio": "physiotherapist", "note_id": "note", "alert_id": "alert", "session_id": "session"}


def audit_detail_words(events: Iterable[AuditEvent]) -> dict[int, list[str]]:
    """Each event's detail as short lines in words, by event id (also set on each event as ``detail_words``):
    accounts named rather than listed by id, lists joined. A course stays its id: its kind, feet and day 0 are
    clinical facts, which the trail never shows (issue 12). Queries: one for the accounts the events name, none
    when they name none."""
    events = list(events)
    account_ids = {
        str(v)
        for e in events
        if isinstance(e.detail, dict)
        for v in (e.detail.get("patients") or [])
        if isinstance(e.detail.get("patients"), list)
    }
    names = (
        {str(u.public_id): u.display_name for u in User.objects.filter(public_id__in=account_ids)}
        if account_ids
        else {}
    )
    words: dict[int, list[str]] = {}
    for event in events:
        lines = []
        for key, value in (event.detail or {}).items():
            if key == "patients" and isinstance(value, list):
                value = ", ".join(names.get(str(v), str(v)) for v in value) or "none"
            elif isinstance(value, list):
                value = ", ".join(str(v) for v in value) or "none"
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            lines.append(f"{_DETAIL_KEYS.get(key, key.replace('_', ' '))}: {value}")
        words[event.pk] = lines
        event.detail_words = lines  # type: ignore[attr-defined]  # read by the audit page's template
    return words
