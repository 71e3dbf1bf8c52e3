"""Build For you's candidate pool now and store it for the web processes (what the low queue's
``build_pool`` task does about once a minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from recommend import candidates


class Command(BaseCommand):
    help = "Build and store the For-you candidate pool (var/recommend/pool-<version>.npz)."

    def handle(self, *args: Any, **options: Any) -> None:
        path = candidates.build_pool()
        self.stdout.write(f"candidate pool at {path}")
