"""Request and response shapes of the native API (they also document it in OpenAPI)."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import StrictInt, model_validator

Id = str  # 64-bit ids travel as strings


class Payload(Schema):
    """A request body (or an object inside one): it must be a JSON object. Ninja's schemas read fields
    as attributes of whatever they are given, so a bare JSON string's ``title`` method once became a
    note's title; anything but an object is now a 422."""

    @model_validator(mode="before")
    @classmethod
    def _json_object_only(cls, data: Any) -> Any:
        # Ninja's own validator runs first and wraps the value in a DjangoGetter; look at what it holds.
        found = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(found, dict):
            raise ValueError("must be a JSON object")
        return data


class PlaceIn(Payload):
    name: str = Field(max_length=200)
    country: str = Field("", max_length=2)
    latitude: float | None = None
    longitude: float | None = None


class NoteIn(Payload):
    title: str = Field("", max_length=1000)
    body: str = Field("", max_length=20000)
    tags: list[str] = Field(default_factory=list, max_length=50)
    place: PlaceIn | None = None
    photo_ids: list[Id] = Field(default_factory=list, max_length=20)
    visibility: str = Field("public", max_length=20)
    language: str | None = Field(None, max_length=16)


class NotePatch(Payload):
    title: str | None = Field(None, max_length=1000)
    body: str | None = Field(None, max_length=20000)
    tags: list[str] | None = Field(None, max_length=50)
    place: PlaceIn | None = None
    photo_ids: list[Id] | None = Field(None, max_length=20)
    visibility: str | None = Field(None, max_length=20)
    language: str | None = Field(None, max_length=16)


class CommentIn(Payload):
    body: str = Field(max_length=5000)
    parent_id: Id | None = None


class BoardIn(Payload):
    name: str = Field(max_length=200)
    description: str = Field("", max_length=1000)
    is_private: bool = False


class BoardPatch(Payload):
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=1000)
    is_private: bool | None = None


class CollectIn(Payload):
    note_id: Id


class MoveIn(Payload):
    to_board_id: Id


class AltIn(Payload):
    alt_text: str = Field(max_length=5000)


class ProfilePatch(Payload):
    display_name: str | None = Field(None, max_length=200)
    bio: str | None = Field(None, max_length=5000)
    languages: list[str] | None = Field(None, max_length=10)
    region: str | None = Field(None, max_length=10)
    interests: list[str] | None = Field(None, max_length=40)
    ui_language: str | None = Field(None, max_length=16)


class IpLocationOut(Schema):
    """Where something was posted from: a country code ("" when unknown) and its name; never an address."""

    country: str
    name: str


class ProfileOut(Schema):
    id: Id
    username: str
    display_name: str
    bio: str
    avatar: str | None
    languages: list[str]
    region: str
    followers_count: int
    following_count: int
    notes_count: int
    url: str
    ip_location: IpLocationOut | None = None


class PhotoOut(Schema):
    id: Id
    url: str | None
    thumb_url: str | None
    width: int
    height: int
    blurhash: str
    alt_text: str
    state: str
    error: str


class PlaceOut(Schema):
    id: Id
    name: str
    country: str
    latitude: float | None
    longitude: float | None


class NoteOut(Schema):
    id: Id
    author: ProfileOut
    title: str
    body: str
    language: str
    visibility: str
    state: str
    created_at: str | None
    edited_at: str | None
    place: PlaceOut | None
    tags: list[str]
    photos: list[PhotoOut]
    like_count: int
    collect_count: int
    comment_count: int
    liked: bool
    collected: bool
    url: str
    ip_location: IpLocationOut | None = None


class NotePage(Schema):
    items: list[NoteOut]
    next_cursor: str | None


class BoardOut(Schema):
    id: Id
    owner_id: Id
    name: str
    description: str
    is_private: bool
    is_default: bool
    notes_count: int
    created_at: str | None


class BoardDetail(BoardOut):
    notes: list[NoteOut]
    next_cursor: str | None


class CommentOut(Schema):
    id: Id
    author: ProfileOut
    body: str
    parent_id: Id | None
    created_at: str | None
    ip_location: IpLocationOut | None = None
    like_count: int = 0
    liked: bool = False
    replies: list[CommentOut] = Field(default_factory=list)


class MentionOut(Schema):
    id: Id
    username: str
    display_name: str
    avatar: str | None
    following: bool


class MentionsOut(Schema):
    accounts: list[MentionOut]


class SearchOut(Schema):
    notes: list[NoteOut]
    people: list[ProfileOut]
    tags: list[str]


class RelationshipOut(Schema):
    following: bool
    followed_by: bool
    blocking: bool
    blocked_by: bool
    muting: bool


class ProfileDetail(ProfileOut):
    relationship: RelationshipOut | None


class OkOut(Schema):
    ok: bool


class InteractionIn(Payload):
    """One thing a reader did with a note (recommend): ``kind`` is impression, open, dwell, share or
    hide; ``surface`` where (for_you, discover, following, search, tag, profile, note); ``position``
    the card's place in the list (required for impressions; on for_you it must be where it was served);
    ``dwell_ms`` for dwell; ``reason`` for a hide (not_interested, author, topic, seen)."""

    note_id: Id
    kind: str = Field(max_length=12)
    surface: str = Field("", max_length=12)
    position: StrictInt | None = None
    dwell_ms: StrictInt | None = None
    reason: str = Field("", max_length=16)


class InteractionBatchIn(Payload):
    events: list[InteractionIn] = Field(max_length=200)


class RecordedOut(Schema):
    recorded: int


class ForYouNoteOut(NoteOut):
    reason: str
    why: str
    position: int


class ForYouPage(Schema):
    items: list[ForYouNoteOut]
    next_cursor: str | None


class LanguageMixIn(Payload):
    """0 mostly my languages, 1 more in my languages, 2 a mix, 3 more from other languages, 4 show me the world."""

    language_mix: StrictInt = Field(ge=0, le=4)


class NoteTranslationIn(Payload):
    """The author's own translation of a note (the service refuses texts over the note's own limits)."""

    title: str = Field("", max_length=1000)
    body: str = Field("", max_length=20000)


class NoteTranslationOut(Schema):
    language: str
    title: str
    body: str
    # The reader whose suggestion the author approved, when it came from one.
    suggested_by: ProfileOut | None = None
    updated_at: str | None


class SuggestionIn(Payload):
    language: str = Field(max_length=16)
    title: str = Field("", max_length=1000)
    body: str = Field("", max_length=20000)


class SuggestionOut(Schema):
    id: Id
    note_id: Id
    language: str
    title: str
    body: str
    # pending (being screened), open (waiting for the author), approved, declined, refused (by screening)
    state: str
    suggester: ProfileOut
    created_at: str | None
    decided_at: str | None
