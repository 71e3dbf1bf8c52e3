"""How notes react to their own events and to accounts' (subscribed in ``NotesConfig.ready``):
the search index follows what is published, and every new account gets its default board."""

from __future__ import annotations

from accounts.events import UserRegistered
from accounts.models import User
from notes import search
from notes.events import NoteDeleted, NoteEdited, NoteHidden, NotePublished
from notes.models import Note, NoteState
from notes.services import ensure_default_board


def default_board(event: UserRegistered) -> None:
    user = User.objects.filter(pk=event.user_id).first()
    if user is not None:
        ensure_default_board(user)


def index_published(event: NotePublished) -> None:
    search.index_note(event.note_id)


def reindex_edited(event: NoteEdited) -> None:
    """Tags or place changed on a published note. Changed text goes back to screening (pending, so
    out of the index) and is indexed again when published."""
    if not event.text_changed and Note.objects.filter(pk=event.note_id, state=NoteState.PUBLISHED).exists():
        search.index_note(event.note_id)


def unindex_hidden(event: NoteHidden) -> None:
    search.unindex_note(event.note_id)


def unindex_deleted(event: NoteDeleted) -> None:
    search.unindex_note(event.note_id)
