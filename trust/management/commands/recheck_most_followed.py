"""Re-check impersonation for accounts that entered the most-followed set, from a terminal, cron or a
service loop (follows also schedule it themselves)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from trust import most_followed


class Command(BaseCommand):
    help = "Compare the most-followed set with its snapshot and re-check the accounts that resemble newcomers."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", type=float, default=0, help="repeat every this many seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            done = most_followed.refresh()
            self.stdout.write(
                f"{len(done.entered)} entered the most-followed set, {len(done.left)} left it, "
                f"{done.findings} new impersonation findings"
            )
            if not options["loop"]:
                return
            time.sleep(options["loop"])
