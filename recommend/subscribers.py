"""How the recommender learns from what readers do elsewhere (subscribed in ``RecommendConfig.ready``):
likes, collects, comments and follows become interactions, in the same transaction as the action; a
published note is embedded by a low-priority task after commit."""

from __future__ import annotations

from django.conf import settings

from accounts.events import Followed
from notes.events import CommentCreated, NoteCollected, NoteLiked, NotePublished
from recommend import services, tasks
from recommend.models import Kind


def record_like(event: NoteLiked) -> None:
    services.record_interaction(
        user_id=event.user_id, note_id=event.note_id, author_id=event.note_author_id, kind=Kind.LIKE
    )


def record_collect(event: NoteCollected) -> None:
    services.record_interaction(
        user_id=event.user_id, note_id=event.note_id, author_id=event.note_author_id, kind=Kind.COLLECT
    )


def record_comment(event: CommentCreated) -> None:
    if event.author_id != event.note_author_id:  # an author answering on their own note says nothing of taste
        services.record_interaction(
            user_id=event.author_id, note_id=event.note_id, author_id=event.note_author_id, kind=Kind.COMMENT
        )


def record_follow(event: Followed) -> None:
    """A follow is kept against the followee's latest note (every interaction points at a note)."""
    note = services.latest_note_of(event.followee_id)
    if note is not None:
        services.record_interaction(
            user_id=event.follower_id, note_id=note.pk, author_id=event.followee_id, kind=Kind.FOLLOW
        )


def embed_published(event: NotePublished) -> None:
    """Queue the note's embedding (a note back after an edit is re-embedded: its text may have changed).
    ``RECOMMEND_EMBED_ON_PUBLISH`` off leaves it to ``embed_notes`` and training."""
    if getattr(settings, "RECOMMEND_EMBED_ON_PUBLISH", True):
        tasks.embed_note.enqueue(event.note_id, not event.first_time)
