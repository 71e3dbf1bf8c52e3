"""How translation reacts to what is written (subscribed in ``TranslationConfig.ready``): new notes
are translated ahead for their readers, engagement keeps trending notes translated, and an edit drops
the stale translations of the text it changed. All after commit: nothing here may hold a write up."""

from __future__ import annotations

from accounts.events import ProfileChanged
from core.events import StackStarted
from notes.events import NoteCollected, NoteEdited, NoteLiked, NotePublished, NoteTranslationSaved, PhotoDescribed
from translation import ahead, preparation, services
from translation.models import ObjectKind


def translate_published(event: NotePublished) -> None:
    if event.first_time:
        ahead.request_ahead([event.note_id])


def keep_trending_translated(event: NoteLiked | NoteCollected) -> None:
    ahead.request_trending()


def note_text_changed(event: NoteEdited) -> None:
    if event.text_changed:
        services.source_changed(obj_kind=ObjectKind.NOTE, obj_id=event.note_id)


def alt_text_changed(event: PhotoDescribed) -> None:
    services.source_changed(obj_kind=ObjectKind.ALT, obj_id=event.photo_id)


def bio_changed(event: ProfileChanged) -> None:
    if "bio" in event.fields:
        services.source_changed(obj_kind=ObjectKind.BIO, obj_id=event.user_id)


def keep_author_translation(event: NoteTranslationSaved) -> None:
    """The author's own translation (or an approved suggestion) is a trusted pair for the memory."""
    services.remember_author_translation(note_id=event.note_id, language=event.language)


def announce_preparation(event: StackStarted) -> None:
    if event.background_preparation:
        preparation.announce()
