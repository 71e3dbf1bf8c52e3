from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Rebuild the full-text search index of notes."

    def handle(self, *args: Any, **options: Any) -> None:
        from notes.search import rebuild

        self.stdout.write(f"{rebuild()} notes indexed")
