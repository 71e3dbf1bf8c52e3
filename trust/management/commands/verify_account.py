"""Grant (or with --revoke take back) the verified badge of an account."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.errors import NotFound
from trust.verification import revoke_verification, verify_account


class Command(BaseCommand):
    help = "Grant the verified badge to an account, or take it back with --revoke."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="take the badge back")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["revoke"]:
                user = revoke_verification(username=options["username"])
                self.stdout.write(self.style.SUCCESS(f"{user.username} is no longer verified."))
            else:
                user = verify_account(username=options["username"])
                self.stdout.write(self.style.SUCCESS(f"{user.username} is verified since {user.verified_at:%Y-%m-%d}."))
        except NotFound as exc:
            raise CommandError(str(exc)) from exc
