"""Writes to feeds: fan-out on write, backfill on follow, rebuild."""

from __future__ import annotations

import logging

from django.conf import settings

from accounts.models import Follow, User
from feeds.timelines import store
from notes.models import Note, NoteState

logger = logging.getLogger("notebridge.feeds")
BACKFILL_NOTES = 20


def fan_out(*, note_id: int) -> int:
    """Insert a published note into the author's and every follower's home timeline. Idempotent."""
    note = Note.objects.filter(pk=note_id).values("author_id", "state", "visibility").first()
    if note is None or note["state"] != NoteState.PUBLISHED:
        return 0
    author_id = note["author_id"]
    recipients = [author_id, *Follow.objects.filter(followee_id=author_id).values_list("follower_id", flat=True)]
    inserted = 0
    for start in range(0, len(recipients), 1000):
        inserted += store().add(recipients[start : start + 1000], note_id, author_id)
    return inserted


def backfill(*, follower_id: int, followee_id: int) -> int:
    recent = (
        Note.objects.filter(author_id=followee_id, state=NoteState.PUBLISHED)
        .order_by("-id")
        .values_list("id", flat=True)[:BACKFILL_NOTES]
    )
    if not Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).exists():
        return 0
    return store().add_many(follower_id, [(n, followee_id) for n in recent])


def remove_author_from_timeline(*, user_id: int, author_id: int) -> None:
    store().remove_author(user_id, author_id)


def rebuild_timeline(*, user_id: int) -> int:
    """Rebuild one home timeline from the follow graph (derived data)."""
    s = store()
    s.clear(user_id)
    authors = [user_id, *Follow.objects.filter(follower_id=user_id).values_list("followee_id", flat=True)]
    rows = list(
        Note.objects.filter(author_id__in=authors, state=NoteState.PUBLISHED)
        .order_by("-id")
        .values_list("id", "author_id")[: settings.TIMELINE_MAX_LENGTH]
    )
    return s.add_many(user_id, rows)


def rebuild_all() -> int:
    total = 0
    for user_id in User.objects.filter(is_active=True).values_list("id", flat=True).iterator():
        total += rebuild_timeline(user_id=user_id)
    return total
