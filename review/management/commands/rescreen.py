from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from review import rescreen
from review.packs import PACK_CODES


class Command(BaseCommand):
    help = (
        "Screen recent notes and comments again with the current policy packs (what a pack edit does in the "
        "background). Only tightens: never publishes what is held or rejected; see docs/review.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=float, default=None, help="days back (default REVIEW_RESCREEN_DAYS)")
        parser.add_argument("--pack", default=None, help=f"the edited pack: one of {', '.join(PACK_CODES)}")

    def handle(self, *args: Any, **options: Any) -> None:
        pack, days = options["pack"], options["since"]
        if pack is not None and pack not in PACK_CODES:
            raise CommandError(f"Unknown pack {pack!r}; choose one of {', '.join(PACK_CODES)}.")
        if days is not None and days < 0:
            raise CommandError("--since takes a number of days, 0 or more.")

        def progress(kind: str, counts: Any) -> None:
            if counts:
                self.stdout.write(f"{kind}s: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))

        total = rescreen.run(pack=pack, days=days, on_batch=progress)
        done = ", ".join(f"{k} {v}" for k, v in sorted(total.items())) or "nothing in the window"
        self.stdout.write(self.style.SUCCESS(f"rescreened ({pack or 'all packs'}): {done}"))
