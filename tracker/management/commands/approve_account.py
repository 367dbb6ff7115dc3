"""``manage.py approve_account USERNAME --by SUPERUSER``: a superuser approves a staff account.

For a clinic with one admin, where no second admin can approve on /manage/ an account that admin invited.
Audited like an approval on /manage/, with the superuser as the actor.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.forms.errors import validation_message
from tracker.models import User
from tracker.services.accounts import user_approve
from tracker.services.audit import AuditContext


class Command(BaseCommand):
    help = "Approve a staff account made from an invitation, as a superuser, so it can join care teams."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--by", required=True, help="The superuser's user name.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No account with the user name {options['username']!r}.")
        superuser = User.objects.filter(username=options["by"], is_superuser=True, is_active=True).first()
        if superuser is None:
            raise CommandError(f"No active superuser with the user name {options['by']!r}.")
        try:
            user_approve(user=user, audit=AuditContext.for_command("approve_account", actor=superuser))
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from None
        self.stdout.write(f"{user.username}'s account is approved: it can be put on a care team.")
