"""Influx detection from a terminal, cron or a service loop (sign-ups also schedule it themselves)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from trust import influx


class Command(BaseCommand):
    help = "Compare sign-ups of the last hour with their baseline and switch influx mode on or off."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", type=float, default=0, help="repeat every this many seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            changed = influx.check()
            state = "on" if influx.active() else "off"
            self.stdout.write(f"influx mode {state}" + (f" (switched {changed})" if changed else ""))
            if not options["loop"]:
                return
            time.sleep(options["loop"])
