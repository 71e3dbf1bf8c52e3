from typing import Any

from django.core.management.base import BaseCommand

from notes.search import rebuild


class Command(BaseCommand):
    help = "Rebuild the full-text search index of notes."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{rebuild()} notes indexed")
