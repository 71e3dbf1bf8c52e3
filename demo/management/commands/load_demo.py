"""``manage.py load_demo [--if-empty] [--users N] [--notes M] [--seed S]``: demo content through the services."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.loader import DEFAULT_PASSWORD, DEFAULT_SEED, demo_present, load_demo, login_usernames, site_has_content


class Command(BaseCommand):
    help = "Load demo users, notes with photos, follows, likes, comments and boards (English and Chinese)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the site already has notes or demo accounts."
        )
        parser.add_argument("--users", type=int, default=None, help="How many demo users (default: all).")
        parser.add_argument("--notes", type=int, default=None, help="How many demo notes (default: all).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed; same seed, same demo.")
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help="Password of the demo accounts that can log in."
        )
        parser.add_argument(
            "--all-logins",
            action="store_true",
            help="Give every demo account the password (slower: Argon2 for each), not only the first few.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("users", "notes"):
            if options[name] is not None and options[name] < 1:
                raise CommandError(f"--{name} must be at least 1.")
        if options["if_empty"] and site_has_content():
            self.stdout.write("The site already has content; demo not loaded.")
            return
        if demo_present():
            raise CommandError("Demo content is already loaded (use --if-empty to skip quietly).")
        self.stdout.write("Loading demo content...")
        summary = load_demo(
            users=options["users"],
            notes=options["notes"],
            seed=options["seed"],
            password=options["password"],
            all_logins=options["all_logins"],
            log=self.stdout.write,
        )
        self.stdout.write(self.style.SUCCESS(f"Demo loaded: {summary.line()}"))
        logins = login_usernames(options["users"], options["all_logins"])
        shown = ", ".join(logins[:4]) + (f" and {len(logins) - 4} more" if len(logins) > 4 else "")
        self.stdout.write(f"Demo logins: {shown}; password {options['password']!r}.")
        if summary.reviewers:
            self.stdout.write(f"Demo reviewers (they open /review/): {', '.join(summary.reviewers)}.")
