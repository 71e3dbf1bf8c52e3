"""The only places review changes an item's state. Publishing a note goes through the notes app's
``publish_note`` service (fan-out, indexing); the others set the state and nothing else."""

from __future__ import annotations

from django.db import transaction

from notes.models import Comment, Note, NoteState


def _publish_service():  # type: ignore[no-untyped-def]
    try:
        from notes.services import publish_note  # type: ignore[attr-defined]
    except ImportError:
        return None
    return publish_note


def publish(note: Note) -> None:
    if note.state == NoteState.PUBLISHED:
        return
    service = _publish_service()
    if service is not None:
        service(note)
        return
    from django.utils import timezone

    note.state = NoteState.PUBLISHED
    note.published_at = note.published_at or timezone.now()
    note.save(update_fields=["state", "published_at"])


def set_note_state(note: Note, state: str) -> None:
    if state == NoteState.PUBLISHED:
        publish(note)
        return
    with transaction.atomic():
        Note.objects.filter(pk=note.pk).update(state=state)
        note.state = state


def set_comment_state(comment: Comment, state: str) -> None:
    Comment.objects.filter(pk=comment.pk).update(state=state)
    comment.state = state
