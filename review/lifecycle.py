"""The only places review changes an item's state. Publishing a note goes through the notes app's
``publish_note`` (fan-out, indexing); hiding one through its ``set_note_state`` (unindexing)."""

from __future__ import annotations

from notes import services as note_services
from notes.models import Comment, Note, NoteState
from notes.selectors import forget_note


def publish(note: Note) -> None:
    if note.state != NoteState.PUBLISHED:
        note_services.publish_note(note=note)


def set_note_state(note: Note, state: str) -> None:
    note_services.set_note_state(note=note, state=state)


def set_comment_state(comment: Comment, state: str) -> None:
    Comment.objects.filter(pk=comment.pk).update(state=state)
    comment.state = state
    forget_note(comment.note_id)
