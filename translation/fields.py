"""What of an object a reader may want in their language: the one list of translatable texts.

Every reader of translations (the pages, the native API, the Mastodon API, ahead-of-time translation)
asks this module which texts an object has, under which names, and in which source language, so a
new translatable text is added here once.

Names are the keys clients see: a note has "title", "body", "alt:<photo id>" for each photo with an
alt text and "tag:<tag name>" for each tag (clients know a note's tags by name); a comment has
"body", a profile "bio", a photo "alt_text" and a tag "display".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from accounts.models import User
from core.language_detection import detect_language_cached
from notes.models import Comment, Note, Photo, Tag
from translation import services  # the module, not its names: services -> tasks -> ahead -> fields
from translation.models import ObjectKind

if TYPE_CHECKING:
    from translation.services import TranslationView

MAIN, ALT, TAG = "main", "alt", "tag"


@dataclass(frozen=True)
class TranslatableField:
    """One text of one object. ``field`` names it in translation jobs; ``role`` says how it is shown:
    "main" (the object's text), "alt" (a photo's alt text) or "tag" (a tag's name, ``link`` its key)."""

    name: str
    obj_kind: str
    obj_id: int
    field: str
    text: str
    source: str
    role: str = MAIN
    link: str = ""

    def translation(self, target: str, *, reason: str = "reader", enqueue: bool = True) -> TranslationView:
        """The stored translation into ``target``, or the original with a status (never waits)."""
        return services.get_or_request_translation(
            obj_kind=self.obj_kind,
            obj_id=self.obj_id,
            field=self.field,
            text=self.text,
            source=self.source,
            target=target,
            reason=reason,
            enqueue=enqueue,
        )


def tag_language(tag: Tag) -> str:
    """Tags carry no language of their own: it is detected from the name (cached)."""
    return detect_language_cached(tag.display)


def note_fields(note: Note, *, alts: bool = True, tags: bool = True) -> list[TranslatableField]:
    """A note's title and body, then its photos' alt texts and its tags (in the note's order)."""
    source = note.language or ""
    fields = [
        TranslatableField("title", ObjectKind.NOTE, note.pk, "title", note.title, source),
        TranslatableField("body", ObjectKind.NOTE, note.pk, "body", note.body, source),
    ]
    if alts:
        fields += [
            TranslatableField(
                f"alt:{p.pk}", ObjectKind.ALT, p.pk, "alt_text", p.alt_text, p.alt_language or "", role=ALT
            )
            for p in note.photos.all()
            if p.alt_text
        ]
    if tags:
        fields += [
            TranslatableField(
                f"tag:{t.name}", ObjectKind.TAG, t.pk, "display", t.display, tag_language(t), role=TAG, link=t.name
            )
            for t in note.tags.all()
        ]
    return fields


def card_field(note: Note) -> TranslatableField:
    """What a note's card shows as its title: the title, else the text."""
    title, body = note_fields(note, alts=False, tags=False)
    return title if note.title else body


def comment_fields(comment: Comment) -> list[TranslatableField]:
    return [TranslatableField("body", ObjectKind.COMMENT, comment.pk, "body", comment.body, comment.language or "")]


def bio_fields(user: User) -> list[TranslatableField]:
    return [TranslatableField("bio", ObjectKind.BIO, user.pk, "bio", user.bio, user.bio_language or "")]


def alt_fields(photo: Photo) -> list[TranslatableField]:
    return [
        TranslatableField("alt_text", ObjectKind.ALT, photo.pk, "alt_text", photo.alt_text, photo.alt_language or "")
    ]


def tag_fields(tag: Tag) -> list[TranslatableField]:
    return [
        TranslatableField("display", ObjectKind.TAG, tag.pk, "display", tag.display, tag_language(tag), link=tag.name)
    ]
