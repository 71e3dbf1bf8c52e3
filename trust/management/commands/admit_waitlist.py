"""Admit waiting sign-ups as capacity frees (the same work the waitlist page's polls do)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from trust.waitlist import admit_due, waiting_count


class Command(BaseCommand):
    help = "Admit the oldest waiting sign-ups that fit in the capacity window; --loop keeps doing it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", type=float, default=0, help="repeat every this many seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            admitted = admit_due()
            self.stdout.write(f"admitted {admitted}; {waiting_count()} waiting")
            if not options["loop"]:
                return
            time.sleep(options["loop"])
