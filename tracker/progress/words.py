"""How numbers read on the pages, in the reports' sentences and in the drawn charts."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import AuditEvent, User


def format_number(value: float) -> str:
    """``value`` to one decimal, without a trailing zero: 2.0 is "2", 1.25 is "1.2", 6.75 is "6.8"."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


# "Who looked at my record" on /account/ (issue 12): each audit event about the patient, in plain words.
_ACCESS_VERBS = {
    "view": "looked at your record",
    "create": "added to your record",
    "update": "changed your record",
    "delete": "deleted part of your record",
    "export": "downloaded a copy of your record",
    "import": "imported an earlier diary into your record",
    "care_team_add": "put someone on your care team",
    "care_team_remove": "took someone off your care team",
    "role_change": "changed your account's role",
    "account": "changed your account",
    "invite": "invited you or used your invitation",
    "second_factor": "changed your sign-in code settings",
    "unlock": "unlocked your account",
}
_ROLE_WORDS = {"patient": "", "physio": "physiotherapist", "admin": "clinic admin"}


def access_who(event: AuditEvent, patient: User) -> str:
    """Who acted, in words: "You", "Bob Baker (physiotherapist)", or the clinic's system for a job."""
    actor = event.actor
    if actor is not None and actor.pk == patient.pk:
        return "You"
    if actor is None:
        return "The clinic's system" if event.actor_username.startswith("system") else "Someone not signed in"
    role = _ROLE_WORDS.get(actor.role, "")
    return f"{actor.display_name} ({role})" if role else actor.display_name


def access_what(action: str) -> str:
    """What they did, in words."""
    return _ACCESS_VERBS.get(action, "used your record")
