"""What happens to notes, comments, likes and collects, announced to the apps above (core/events.py)."""

from __future__ import annotations

from dataclasses import dataclass

from core.events import Event


@dataclass(frozen=True)
class NoteSubmitted(Event):
    """A note was created, or its text changed: it is pending until screening decides."""

    note_id: int
    author_id: int
    edit: bool = False


@dataclass(frozen=True)
class NotePublished(Event):
    """A note became visible; ``first_time`` is False when it comes back after a re-screen."""

    note_id: int
    author_id: int
    first_time: bool


@dataclass(frozen=True)
class NoteHidden(Event):
    """A note left view (pending again, held, rejected or removed)."""

    note_id: int
    state: str


@dataclass(frozen=True)
class VideoFailed(Event):
    """The worker found an uploaded video unusable; ``reason`` is written in the owner's interface
    language (the worker writes it so), ``note_id`` the note waiting for it, if any."""

    video_id: int
    owner_id: int
    note_id: int | None
    reason: str


@dataclass(frozen=True)
class NoteEdited(Event):
    note_id: int
    text_changed: bool


@dataclass(frozen=True)
class NoteDeleted(Event):
    note_id: int
    author_id: int


@dataclass(frozen=True)
class PhotoDescribed(Event):
    """A photo's alt text changed."""

    photo_id: int


@dataclass(frozen=True)
class UsersMentioned(Event):
    actor_id: int
    user_ids: tuple[int, ...]
    note_id: int
    comment_id: int | None = None


@dataclass(frozen=True)
class CommentCreated(Event):
    comment_id: int
    note_id: int
    author_id: int
    note_author_id: int
    reply_to_id: int | None = None


@dataclass(frozen=True)
class NoteLiked(Event):
    note_id: int
    user_id: int
    note_author_id: int


@dataclass(frozen=True)
class CommentLiked(Event):
    comment_id: int
    note_id: int
    user_id: int
    comment_author_id: int


@dataclass(frozen=True)
class NoteCollected(Event):
    note_id: int
    user_id: int
    note_author_id: int
    board_id: int


@dataclass(frozen=True)
class TagFollowed(Event):
    user_id: int
    tag_id: int


@dataclass(frozen=True)
class TagUnfollowed(Event):
    user_id: int
    tag_id: int


@dataclass(frozen=True)
class NoteTranslationSaved(Event):
    """The author's own translation of a note into ``language`` was saved (typed by the author, or a
    reader's suggestion the author approved: ``suggestion_id``)."""

    note_id: int
    language: str
    suggestion_id: int | None = None


@dataclass(frozen=True)
class TranslationSuggested(Event):
    """A reader suggested a translation of someone's note: pending until screened."""

    suggestion_id: int
    note_id: int
    suggester_id: int


@dataclass(frozen=True)
class TranslationSuggestionOpened(Event):
    """A suggested translation passed screening: the note's author may now approve or decline it."""

    suggestion_id: int
    note_id: int
    note_author_id: int
    suggester_id: int


@dataclass(frozen=True)
class TranslationSuggestionDecided(Event):
    suggestion_id: int
    note_id: int
    note_author_id: int
    suggester_id: int
    approved: bool
