"""Embed public notes that have no embedding yet (backfill: notes published before embedding on
publish, or while the encoder was unavailable), with a progress bar."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from notes.models import Note
from recommend import candidates, embeddings


class Command(BaseCommand):
    help = "Embed public notes without an embedding (multilingual sentence encoder) for For you and related notes."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=None, help="only notes of the last DAYS (default: all)")
        parser.add_argument("--limit", type=int, default=None, help="at most LIMIT notes, newest first")

    def handle(self, *args: Any, **options: Any) -> None:
        days, limit = options["days"], options["limit"]
        if (days is not None and days <= 0) or (limit is not None and limit <= 0):
            raise CommandError("--days and --limit must be positive")
        notes = Note.objects.public().order_by("-id")
        if days is not None:
            notes = notes.filter(created_at__gte=timezone.now() - timedelta(days=days))
        ids = list(notes.values_list("id", flat=True)[:limit] if limit else notes.values_list("id", flat=True))
        with tqdm(total=len(ids), desc="embed", unit="notes", disable=options["verbosity"] == 0) as bar:
            done = embeddings.embed_notes(ids, progress=bar.update)
        candidates.rebuild_pool()
        self.stdout.write(f"embedded {done} notes ({len(ids) - done} of {len(ids)} already had an embedding)")
