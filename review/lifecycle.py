"""The only places review changes an item's state. Publishing a note goes through the notes app's
``publish_note`` (fan-out, indexing); hiding one through its ``set_note_state`` (unindexing)."""

from __future__ import annotations

from notes.models import Comment, Note, NoteState


def publish(note: Note) -> None:
    from notes.services import publish_note

    if note.state != NoteState.PUBLISHED:
        publish_note(note=note)


def set_note_state(note: Note, state: str) -> None:
    from notes.services import set_note_state as notes_set_state

    notes_set_state(note=note, state=state)


def set_comment_state(comment: Comment, state: str) -> None:
    from notes.selectors import forget_note

    Comment.objects.filter(pk=comment.pk).update(state=state)
    comment.state = state
    forget_note(comment.note_id)
