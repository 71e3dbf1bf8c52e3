"""Re-enqueue the work of rows stuck waiting for longer than a lease (core/sweeper.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core import sweeper


class Command(BaseCommand):
    help = "Send notes, photos and videos whose task was lost back to work (run it every few minutes)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--older-than", type=float, default=None, help="seconds (default SWEEP_LOST_WORK_AFTER_S)")
        parser.add_argument("--limit", type=int, default=500, help="at most this many rows per sweep and run")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = sweeper.sweep(older_than_s=options["older_than"], limit=options["limit"])
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
