"""``manage.py reset_second_factor USERNAME``: remove an account's authenticator and recovery codes.

For the server's operator when no other clinic admin can do it on /manage/ (a clinic whose only admin lost
their phone and their recovery codes). Audited like a reset from /manage/, with the command as the actor.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.forms.errors import validation_message
from tracker.models import User
from tracker.services.audit import AuditContext
from tracker.services.second_factor import second_factor_reset


class Command(BaseCommand):
    help = "Remove an account's authenticator and recovery codes; staff set up a new one at their next sign-in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"No account with the user name {options['username']!r}.") from None
        try:
            second_factor_reset(user=user, audit=AuditContext.for_command("reset_second_factor"))
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from None
        self.stdout.write(f"{user.username}'s second factor is reset: they set up a new authenticator at next sign-in.")
