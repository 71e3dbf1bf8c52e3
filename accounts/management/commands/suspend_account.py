"""Suspend an account (sign-in and every app token refused from the next request on), or lift it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import reinstate_account, suspend_account
from core.errors import ServiceError


class Command(BaseCommand):
    help = "Suspend an account, or reinstate it with --lift."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--lift", action="store_true", help="reinstate the account")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username__iexact=options["username"]).first()
        if user is None:
            raise CommandError(f"No account named {options['username']!r}.")
        try:
            if options["lift"]:
                reinstate_account(user=user)
            else:
                suspend_account(user=user)
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{user.username}: {'reinstated' if options['lift'] else 'suspended'}.")
