"""Writes about notes, photos, comments, likes and boards.

Each function validates, writes in one transaction, and schedules side effects (fan-out, search
indexing, notifications) with ``transaction.on_commit`` so nothing half-written is ever seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import SUPPORTED_LANGUAGES
from core import events
from core.errors import Forbidden, NotFound, ServiceError
from core.geo import posting_country, viewer_country
from core.ids import id_for_time, new_id
from core.language_detection import detect_language
from core.text import clean_user_text, extract_mentions, extract_tags, is_tag_name, normalize_tag
from notes.events import (
    CommentCreated,
    CommentLiked,
    NoteCollected,
    NoteDeleted,
    NoteEdited,
    NoteHidden,
    NoteLiked,
    NotePublished,
    NoteSubmitted,
    PhotoDescribed,
    TagFollowed,
    TagUnfollowed,
    UsersMentioned,
)
from notes.models import (
    MAX_BOARD_NAME,
    MAX_BODY,
    MAX_COMMENT,
    MAX_TAGS,
    MAX_TITLE,
    Board,
    Collect,
    Comment,
    CommentLike,
    Like,
    Mention,
    Note,
    NoteState,
    NoteTag,
    Photo,
    PhotoState,
    Place,
    Tag,
    TagFollow,
    Video,
    Visibility,
    clean_alt_text,
)
from notes.photos import check_photos_ready, receive_photo, upload_photo
from notes.selectors import forget_note, get_visible_comment, get_visible_note
from notes.selectors import hydrated as hydrated_note
from notes.videos import attach_video, delete_video_files

__all__ = ["receive_photo", "upload_photo"]  # photo intake lives in notes/photos.py; callers keep this name

MAX_PHOTOS = 9
DEFAULT_BOARD_NAME = "Saved"


# --- photos -----------------------------------------------------------------------------------


def update_photo(*, owner: User, photo_id: int, alt_text: str) -> Photo:
    photo = Photo.objects.filter(pk=photo_id, owner=owner).first()
    if photo is None:
        raise NotFound()
    alt_text = clean_alt_text(alt_text)
    changed = alt_text != photo.alt_text
    photo.alt_text, photo.alt_language = alt_text, detect_language(alt_text)
    photo.save(update_fields=["alt_text", "alt_language"])
    if changed:
        events.emit(PhotoDescribed(photo_id=photo.pk))
    return photo


# --- notes ------------------------------------------------------------------------------------


def _clean_note_fields(title: str, body: str) -> tuple[str, str]:
    title = clean_user_text(title or "").replace("\n", " ")
    body = clean_user_text(body or "")
    if len(title) > MAX_TITLE:
        raise ServiceError(_("The title is too long (at most %(n)s characters).") % {"n": MAX_TITLE}, field="title")
    if len(body) > MAX_BODY:
        raise ServiceError(_("The text is too long (at most %(n)s characters).") % {"n": MAX_BODY}, field="body")
    if not title and not body:
        raise ServiceError(_("Write a title or some text."), field="body")
    return title, body


def _tag_names(explicit: Sequence[str] | None, title: str, body: str) -> dict[str, str]:
    """The note's tags as {key: display}, in order: the explicit ones, then the hashtags of its text."""
    keys: list[str] = []
    displays: dict[str, str] = {}
    for raw in list(explicit or []):
        if not isinstance(raw, str):
            raise ServiceError(_("Tags must be text."), field="tags")
        key = normalize_tag(raw)
        if key:
            keys.append(key)
            displays.setdefault(key, raw.strip().lstrip("#")[:50])
    for key in extract_tags(f"{title}\n{body}"):
        keys.append(key)
        displays.setdefault(key, key)
    keys = list(dict.fromkeys(keys))
    if len(keys) > MAX_TAGS:
        raise ServiceError(_("At most %(n)s tags.") % {"n": MAX_TAGS}, field="tags")
    return {key: displays[key] for key in keys}


def _existing_tags(names: dict[str, str]) -> dict[str, Tag]:
    """The tags among ``names`` that exist (read only; tags are never deleted, so this can be read before
    the transaction that writes the note, and ``_tags_for`` makes only the missing ones in it)."""
    return {t.name: t for t in Tag.objects.filter(name__in=list(names))} if names else {}


def _tags_for(names: dict[str, str], existing: dict[str, Tag]) -> list[Tag]:
    """``names`` as tags, in order, making the ones not in ``existing``."""
    for key, display in names.items():
        if key not in existing:
            tag, _created = Tag.objects.get_or_create(name=key, defaults={"display": display})
            existing[key] = tag
    return [existing[k] for k in names]


def _resolve_tags(explicit: Sequence[str] | None, title: str, body: str) -> list[Tag]:
    names = _tag_names(explicit, title, body)
    return _tags_for(names, _existing_tags(names))


def _resolve_place(place: dict | str | None) -> Place | None:
    if not place:
        return None
    if isinstance(place, str):
        place = {"name": place}
    if not isinstance(place, dict):
        raise ServiceError(_("Invalid place."), field="place")
    name = clean_user_text(str(place.get("name") or ""))[:120]
    if not name:
        return None
    country = str(place.get("country") or "").upper()[:2]
    lat, lng = place.get("latitude"), place.get("longitude")
    try:
        lat = float(lat) if lat is not None else None
        lng = float(lng) if lng is not None else None
    except (TypeError, ValueError) as exc:
        raise ServiceError(_("Invalid coordinates."), field="place") from exc
    if (lat is not None and not -90 <= lat <= 90) or (lng is not None and not -180 <= lng <= 180):
        raise ServiceError(_("Invalid coordinates."), field="place")
    obj, _created = Place.objects.get_or_create(
        name=name, country=country, defaults={"latitude": lat, "longitude": lng}
    )
    return obj


def _attach_photos(
    note: Note, author: User, photo_ids: Sequence[int], *, allow_existing: bool, require_ready: bool = False
) -> list[Photo]:
    """Attach the author's photos to ``note`` in this order; returns them as attached."""
    if len(photo_ids) > MAX_PHOTOS:
        raise ServiceError(_("At most %(n)s photos.") % {"n": MAX_PHOTOS}, field="photos")
    if len(set(photo_ids)) != len(photo_ids):
        raise ServiceError(_("The same photo was given twice."), field="photos")
    if not photo_ids and not allow_existing:  # a new note without photos: nothing to read or move
        return []
    photos = {p.pk: p for p in Photo.objects.select_for_update().filter(pk__in=photo_ids, owner=author)}
    for pk in photo_ids:
        photo = photos.get(pk)
        if photo is None or (photo.note_id is not None and not (allow_existing and photo.note_id == note.pk)):
            raise ServiceError(_("Photo %(id)s cannot be used.") % {"id": pk}, field="photos", code="bad_photo")
        if photo.state == PhotoState.FAILED:
            raise ServiceError(photo.error or _("The photo could not be processed."), field="photos", code="bad_photo")
    if require_ready:
        check_photos_ready([photos[pk] for pk in photo_ids if photos[pk].note_id != note.pk])
    if allow_existing:  # (a new note has no photos to drop)
        Photo.objects.filter(note=note).exclude(pk__in=photo_ids).delete()
    for position, pk in enumerate(photo_ids):
        Photo.objects.filter(pk=pk).update(note=note, position=position)
        photos[pk].note_id, photos[pk].position = note.pk, position
    return [photos[pk] for pk in photo_ids]


def _set_tags(note: Note, tags: list[Tag], *, new_note: bool = False) -> None:
    """The note's tags, in this order. A ``new_note`` has none yet: nothing is read, dropped or moved."""
    old = set() if new_note else set(NoteTag.objects.filter(note=note).values_list("tag_id", flat=True))
    new = {t.pk for t in tags}
    if old - new:
        NoteTag.objects.filter(note=note, tag_id__in=old - new).delete()
    NoteTag.objects.bulk_create([NoteTag(note=note, tag=t, position=i) for i, t in enumerate(tags) if t.pk not in old])
    for i, t in enumerate(tags):
        if t.pk in old:  # (the ones just created have their position)
            NoteTag.objects.filter(note=note, tag=t).update(position=i)
    Tag.objects.filter(pk__in=new - old).update(notes_count=F("notes_count") + 1)
    Tag.objects.filter(pk__in=old - new, notes_count__gt=0).update(notes_count=F("notes_count") - 1)


def _set_mentions(
    *, note: Note | None = None, comment: Comment | None = None, text: str, new_note: bool = False
) -> list[User]:
    usernames = extract_mentions(text)[:20]
    users = list(User.objects.filter(username__in=usernames, is_active=True)) if usernames else []
    if note is not None and not new_note:  # (a new note has no mentions to drop)
        Mention.objects.filter(note=note).delete()
    Mention.objects.bulk_create([Mention(note=note, comment=comment, user=u) for u in users])
    return users


def _check_language(language: str | None) -> str:
    if not language:
        return ""
    aliases = {
        "zh": "zh-Hans",
        "zh-cn": "zh-Hans",
        "zh-tw": "zh-Hant",
        "zh-hk": "zh-Hant",
        "zh-hans": "zh-Hans",
        "zh-hant": "zh-Hant",
    }
    language = aliases.get(language.lower(), language)
    if language not in SUPPORTED_LANGUAGES:
        raise ServiceError(_("Unsupported language: %(code)s") % {"code": language}, field="language")
    return language


def create_note(
    *,
    author: User,
    title: str = "",
    body: str = "",
    photo_ids: Sequence[int] = (),
    tags: Sequence[str] | None = None,
    place: dict | str | None = None,
    visibility: str = Visibility.PUBLIC,
    language: str | None = None,
    application_name: str = "",
    require_photo: bool = False,
    created_at: datetime | None = None,
    video_id: int | None = None,
    require_processed_video: bool = False,
    require_processed_photos: bool = False,
    hydrated: bool = False,
) -> Note:
    """Create a note. It is committed before this returns, whatever later fails.

    ``hydrated``: the note comes back as its transaction leaves it, with its author read after the
    author's counts moved and its photos, tags and video in memory, as ``notes.selectors.notes_by_ids``
    gives notes (for rendering it at once without reading it again: ``get_own_new_note``).

    A note has photos or one video. With a video still processing the note waits, seen only by its
    author, until the worker has the video ready (notes/videos.py); ``require_processed_video`` (the
    Mastodon API) refuses such a video instead, as Mastodon does. Photos still processing make the note
    wait the same way (notes/photos.py), or are refused with ``require_processed_photos``.

    Checking the input, detecting its language and reading its existing tags happen before the write
    transaction opens, so that it is held (on SQLite: the database's one write lock) only for the writes.
    """
    title, body = _clean_note_fields(title, body)
    if visibility not in Visibility.values:
        raise ServiceError(_("Unknown visibility."), field="visibility")
    if video_id is not None and photo_ids:
        raise ServiceError(_("A note has photos or one video, not both."), field="video", code="photos_and_video")
    if require_photo and not photo_ids and video_id is None:
        raise ServiceError(_("Add at least one photo."), field="photos")
    language = _check_language(language)
    tag_names = _tag_names(tags, title, body)
    known_tags = _existing_tags(tag_names)
    note = Note(
        author=author,
        title=title,
        body=body,
        visibility=visibility,
        language=language or detect_language(f"{title}\n{body}"),
        language_set_by_author=bool(language),
        application_name=application_name[:100],
        state=NoteState.PENDING,
        ip_country=posting_country(author),
    )
    with transaction.atomic():
        note.place = _resolve_place(place)
        if created_at is not None:
            note.id = id_for_time(created_at, new_id() & 0xFFFF)
        note.save(force_insert=True)
        if created_at is not None:
            Note.objects.filter(pk=note.pk).update(created_at=created_at)
            note.created_at = created_at
        photos = _attach_photos(
            note, author, list(photo_ids), allow_existing=False, require_ready=require_processed_photos
        )
        video = (
            attach_video(note, author, video_id, require_ready=require_processed_video)
            if video_id is not None
            else None
        )
        note_tags = _tags_for(tag_names, known_tags)
        _set_tags(note, note_tags, new_note=True)
        mentioned = _set_mentions(note=note, text=f"{title}\n{body}", new_note=True)
        User.objects.filter(pk=author.pk).update(
            notes_count=F("notes_count") + 1, last_note_at=timezone.now(), last_ip_country=note.ip_country
        )
        if (video is not None and not video.is_ready) or (
            photo_ids and Photo.objects.filter(note=note, state=PhotoState.PROCESSING).exists()
        ):
            # Screening waits for the video's frames and the photos' renditions: the worker submits the note
            # when the last of them is ready (notes/photos.py, release_note_if_media_ready).
            Note.objects.filter(pk=note.pk).update(state=NoteState.PROCESSING)
        else:
            # The note stays pending until screening (review app, on commit) publishes, holds or rejects it;
            # with settings.REVIEW_SCREENING off it is published here and now.
            events.emit(NoteSubmitted(note_id=note.pk, author_id=author.pk))
        if mentioned:
            events.emit(UsersMentioned(actor_id=author.pk, user_ids=tuple(u.pk for u in mentioned), note_id=note.pk))
    # Screening may have decided already (screening off, or inline for bulk loads): return what is stored,
    # read once the write transaction is closed (read-only; on SQLite, with the write lock released).
    if hydrated:
        # With the author as stored now (its notes_count moved), in the same one query.
        stored = Note.objects.select_related("author").only("state", "published_at", "author").get(pk=note.pk)
        note.state, note.published_at, note.author = stored.state, stored.published_at, stored.author
        return hydrated_note(note, photos, note_tags, video)
    note.refresh_from_db(fields=["state", "published_at"])
    return note


def publish_note(*, note: Note) -> None:
    """The only way into ``published``: make the note visible; search indexing, fan-out and
    translate-ahead react to the event."""
    first_time = note.published_at is None
    note.state = NoteState.PUBLISHED
    note.published_at = note.published_at or timezone.now()
    Note.objects.filter(pk=note.pk).update(state=note.state, published_at=note.published_at)
    forget_note(note.pk)
    events.emit(NotePublished(note_id=note.pk, author_id=note.author_id, first_time=first_time))


def set_note_state(*, note: Note, state: str) -> None:
    """Move a note out of view (held, rejected, removed). Publishing goes through ``publish_note``."""
    if state == NoteState.PUBLISHED:
        publish_note(note=note)
        return
    note.state = state
    Note.objects.filter(pk=note.pk).update(state=state)
    forget_note(note.pk)
    events.emit(NoteHidden(note_id=note.pk, state=state))


def get_own_note(*, author: User, note_id: int) -> Note:
    note = Note.objects.select_for_update().filter(pk=note_id).first()
    if note is None or note.state == NoteState.REMOVED:
        raise NotFound()
    if note.author_id != author.pk:
        raise Forbidden(_("Only the author can change this note."))
    return note


@transaction.atomic
def edit_note(
    *,
    author: User,
    note_id: int,
    title: str | None = None,
    body: str | None = None,
    photo_ids: Sequence[int] | None = None,
    tags: Sequence[str] | None = None,
    place: dict | str | None = None,
    visibility: str | None = None,
    language: str | None = None,
    require_processed_photos: bool = False,
) -> Note:
    """Edit the author's note. New photos still processing are attached and shown once ready (the web's
    edit form); ``require_processed_photos`` (the Mastodon API) refuses them, as Mastodon does."""
    note = get_own_note(author=author, note_id=note_id)
    new_title, new_body = _clean_note_fields(
        note.title if title is None else title, note.body if body is None else body
    )
    text_changed = (new_title, new_body) != (note.title, note.body)
    note.title, note.body = new_title, new_body
    if visibility is not None:
        if visibility not in Visibility.values:
            raise ServiceError(_("Unknown visibility."), field="visibility")
        note.visibility = visibility
    if language is not None:
        note.language = _check_language(language)
        note.language_set_by_author = bool(note.language)
    if text_changed and not note.language_set_by_author:
        note.language = detect_language(f"{note.title}\n{note.body}")
    if place is not None:
        note.place = _resolve_place(place)
    note.edited_at = timezone.now()
    note.save()
    if photo_ids is not None:
        if not photo_ids and note.photos.exists() and not (note.title or note.body):
            raise ServiceError(_("A note needs text or photos."), field="photos")
        if photo_ids and Video.objects.filter(note=note).exists():
            raise ServiceError(_("A note has photos or one video, not both."), field="photos", code="photos_and_video")
        _attach_photos(note, author, list(photo_ids), allow_existing=True, require_ready=require_processed_photos)
    if tags is not None or text_changed:
        _set_tags(note, _resolve_tags(tags, note.title, note.body))
    if text_changed:
        _set_mentions(note=note, text=f"{note.title}\n{note.body}")
    events.emit(NoteEdited(note_id=note.pk, text_changed=text_changed))
    if text_changed and note.state in (NoteState.PUBLISHED, NoteState.HELD):
        # Changed text is screened again: out of view (pending) until review publishes it again.
        set_note_state(note=note, state=NoteState.PENDING)
        events.emit(NoteSubmitted(note_id=note.pk, author_id=author.pk, edit=True))
        note.refresh_from_db(fields=["state", "published_at"])
    forget_note(note.pk)
    return note


@transaction.atomic
def delete_note(*, author: User, note_id: int) -> None:
    note = get_own_note(author=author, note_id=note_id)
    tag_ids = list(NoteTag.objects.filter(note=note).values_list("tag_id", flat=True))
    board_ids = list(Collect.objects.filter(note=note).values_list("board_id", flat=True))
    Tag.objects.filter(pk__in=tag_ids, notes_count__gt=0).update(notes_count=F("notes_count") - 1)
    for board_id in board_ids:
        Board.objects.filter(pk=board_id, notes_count__gt=0).update(notes_count=F("notes_count") - 1)
    User.objects.filter(pk=author.pk, notes_count__gt=0).update(notes_count=F("notes_count") - 1)
    events.emit(NoteDeleted(note_id=note.pk, author_id=author.pk))
    photos = list(note.photos.all())
    videos = list(Video.objects.filter(note=note))
    note.delete()
    transaction.on_commit(lambda: _delete_note_files(photos, videos))
    forget_note(note_id)


def _delete_note_files(photos: list[Photo], videos: list[Video]) -> None:
    _delete_photo_files(photos)
    delete_video_files(videos)


def _delete_photo_files(photos: list[Photo]) -> None:
    for photo in photos:
        for name in photo.stored_names():
            photo.original.storage.delete(name)


# --- comments ---------------------------------------------------------------------------------


def _visible_note_for(viewer: User, note_id: int) -> Note:
    """The note an action names, through the access gate, withholding in the viewer's country included
    (a note withheld there cannot be liked, collected or commented on from there either)."""
    note = get_visible_note(viewer=viewer, note_id=note_id, country=viewer_country(viewer))
    if note is None:
        raise NotFound()
    return note


@transaction.atomic
def create_comment(*, author: User, note_id: int, body: str, parent_id: int | None = None) -> Comment:
    note = _visible_note_for(author, note_id)
    body = clean_user_text(body or "")
    if not body:
        raise ServiceError(_("Write something first."), field="body")
    if len(body) > MAX_COMMENT:
        raise ServiceError(_("The comment is too long (at most %(n)s characters).") % {"n": MAX_COMMENT}, field="body")
    parent = None
    reply_to = None
    if parent_id is not None:
        replied = Comment.objects.filter(pk=parent_id, note=note, state=NoteState.PUBLISHED).first()
        if replied is None:
            raise NotFound(_("The comment you reply to does not exist."))
        # One level of threads: a reply to a reply joins the top-level comment's thread.
        parent = replied if replied.parent_id is None else replied.parent
        reply_to = replied.author
    comment = Comment(
        note=note,
        author=author,
        parent=parent,
        reply_to=reply_to,
        body=body,
        language=detect_language(body),
        ip_country=posting_country(author),
    )
    comment.save(force_insert=True)
    User.objects.filter(pk=author.pk).exclude(last_ip_country=comment.ip_country).update(
        last_ip_country=comment.ip_country
    )
    Note.objects.filter(pk=note.pk).update(comment_count=F("comment_count") + 1)
    if parent is not None:
        Comment.objects.filter(pk=parent.pk).update(reply_count=F("reply_count") + 1)
    mentioned = _set_mentions(comment=comment, text=body)
    # Notifications, and screening on commit (a risky comment is hidden and queued).
    events.emit(
        CommentCreated(
            comment_id=comment.pk,
            note_id=note.pk,
            author_id=author.pk,
            note_author_id=note.author_id,
            reply_to_id=reply_to.pk if reply_to is not None else None,
        )
    )
    if mentioned:
        events.emit(
            UsersMentioned(
                actor_id=author.pk, user_ids=tuple(u.pk for u in mentioned), note_id=note.pk, comment_id=comment.pk
            )
        )
    forget_note(note.pk)
    return comment


@transaction.atomic
def delete_comment(*, user: User, comment_id: int) -> None:
    comment = Comment.objects.select_related("note").filter(pk=comment_id).first()
    if comment is None:
        raise NotFound()
    # The comment's author, or the note's author tidying their own comments.
    if user.pk not in (comment.author_id, comment.note.author_id):
        raise Forbidden(_("You cannot delete this comment."))
    removed = 1 + (comment.replies.count() if comment.parent_id is None else 0)
    if comment.parent_id is not None:
        Comment.objects.filter(pk=comment.parent_id, reply_count__gt=0).update(reply_count=F("reply_count") - 1)
    Note.objects.filter(pk=comment.note_id).update(comment_count=F("comment_count") - removed)
    comment.delete()
    forget_note(comment.note_id)


# --- likes and boards -------------------------------------------------------------------------


@transaction.atomic
def like_note(*, user: User, note_id: int) -> bool:
    note = _visible_note_for(user, note_id)
    try:
        with transaction.atomic():
            Like.objects.create(user=user, note=note)
    except IntegrityError:
        return False
    Note.objects.filter(pk=note.pk).update(like_count=F("like_count") + 1)
    events.emit(NoteLiked(note_id=note.pk, user_id=user.pk, note_author_id=note.author_id))
    forget_note(note.pk)
    return True


@transaction.atomic
def unlike_note(*, user: User, note_id: int) -> bool:
    deleted, _count = Like.objects.filter(user=user, note_id=note_id).delete()
    if deleted:
        Note.objects.filter(pk=note_id, like_count__gt=0).update(like_count=F("like_count") - 1)
        forget_note(note_id)
    return bool(deleted)


def _visible_comment_for(viewer: User, comment_id: int) -> Comment:
    """The comment an action names, through its access gate (its note's gate, the viewer's country
    included): a comment the viewer cannot see cannot be liked either, and looks missing."""
    comment = get_visible_comment(viewer=viewer, comment_id=comment_id, country=viewer_country(viewer))
    if comment is None:
        raise NotFound()
    return comment


@transaction.atomic
def like_comment(*, user: User, comment_id: int) -> bool:
    """Like a comment; False when the user already liked it (nothing changes, nobody is told twice)."""
    comment = _visible_comment_for(user, comment_id)
    try:
        with transaction.atomic():
            CommentLike.objects.create(user=user, comment=comment)
    except IntegrityError:
        return False
    Comment.objects.filter(pk=comment.pk).update(like_count=F("like_count") + 1)
    events.emit(
        CommentLiked(
            comment_id=comment.pk, note_id=comment.note_id, user_id=user.pk, comment_author_id=comment.author_id
        )
    )
    return True


@transaction.atomic
def unlike_comment(*, user: User, comment_id: int) -> bool:
    """Take a like back. Only the user's own like goes, whatever they may see now."""
    deleted, _count = CommentLike.objects.filter(user=user, comment_id=comment_id).delete()
    if deleted:
        Comment.objects.filter(pk=comment_id, like_count__gt=0).update(like_count=F("like_count") - 1)
    return bool(deleted)


def ensure_default_board(user: User) -> Board:
    board = Board.objects.filter(owner=user, is_default=True).first()
    if board is None:
        board, _created = Board.objects.get_or_create(
            owner=user, is_default=True, defaults={"name": DEFAULT_BOARD_NAME, "is_private": True}
        )
    return board


def _clean_board_name(name: str) -> str:
    name = clean_user_text(name or "").replace("\n", " ")
    if not name:
        raise ServiceError(_("Give the board a name."), field="name")
    if len(name) > MAX_BOARD_NAME:
        raise ServiceError(_("The name is too long."), field="name")
    return name


def create_board(*, owner: User, name: str, description: str = "", is_private: bool = False) -> Board:
    name = _clean_board_name(name)
    if Board.objects.filter(owner=owner, name=name).exists():
        raise ServiceError(_("You already have a board with that name."), field="name", code="taken")
    try:
        with transaction.atomic():
            return Board.objects.create(
                owner=owner, name=name, description=clean_user_text(description)[:300], is_private=is_private
            )
    except IntegrityError as exc:
        raise ServiceError(_("You already have a board with that name."), field="name", code="taken") from exc


def _own_board(owner: User, board_id: int) -> Board:
    board = Board.objects.filter(pk=board_id, owner=owner).first()
    if board is None:
        raise NotFound()
    return board


def update_board(
    *,
    owner: User,
    board_id: int,
    name: str | None = None,
    description: str | None = None,
    is_private: bool | None = None,
) -> Board:
    board = _own_board(owner, board_id)
    if name is not None:
        name = _clean_board_name(name)
        if Board.objects.filter(owner=owner, name=name).exclude(pk=board.pk).exists():
            raise ServiceError(_("You already have a board with that name."), field="name", code="taken")
        board.name = name
    if description is not None:
        board.description = clean_user_text(description)[:300]
    if is_private is not None:
        board.is_private = is_private
    board.save()
    return board


@transaction.atomic
def delete_board(*, owner: User, board_id: int) -> None:
    board = _own_board(owner, board_id)
    if board.is_default:
        raise ServiceError(_("The default board cannot be deleted."))
    for note_id in list(board.collects.values_list("note_id", flat=True)):
        _uncollect(owner, board, note_id)
    board.delete()


@transaction.atomic
def collect_note(*, user: User, note_id: int, board_id: int | None = None) -> Collect:
    """Collect a note into a board (the default "Saved" board when none is named)."""
    note = _visible_note_for(user, note_id)
    board = _own_board(user, board_id) if board_id is not None else ensure_default_board(user)
    existing = Collect.objects.filter(board=board, note=note).first()
    if existing is not None:
        return existing
    first_for_user = not Collect.objects.filter(user=user, note=note).exists()
    collect = Collect.objects.create(board=board, note=note, user=user)
    Board.objects.filter(pk=board.pk).update(notes_count=F("notes_count") + 1)
    if first_for_user:
        Note.objects.filter(pk=note.pk).update(collect_count=F("collect_count") + 1)
        events.emit(NoteCollected(note_id=note.pk, user_id=user.pk, note_author_id=note.author_id, board_id=board.pk))
        forget_note(note.pk)
    return collect


def _uncollect(user: User, board: Board, note_id: int) -> bool:
    deleted, _count = Collect.objects.filter(board=board, note_id=note_id).delete()
    if not deleted:
        return False
    Board.objects.filter(pk=board.pk, notes_count__gt=0).update(notes_count=F("notes_count") - 1)
    if not Collect.objects.filter(user=user, note_id=note_id).exists():
        Note.objects.filter(pk=note_id, collect_count__gt=0).update(collect_count=F("collect_count") - 1)
        forget_note(note_id)
    return True


@transaction.atomic
def uncollect_note(*, user: User, note_id: int, board_id: int | None = None) -> bool:
    """Remove a note from one board, or from every board of the user when none is named."""
    if board_id is not None:
        return _uncollect(user, _own_board(user, board_id), note_id)
    removed = False
    for board in Board.objects.filter(owner=user, collects__note_id=note_id).distinct():
        removed = _uncollect(user, board, note_id) or removed
    return removed


@transaction.atomic
def move_collect(*, user: User, note_id: int, from_board_id: int, to_board_id: int) -> Collect:
    source = _own_board(user, from_board_id)
    target = _own_board(user, to_board_id)
    if not Collect.objects.filter(board=source, note_id=note_id).exists():
        raise NotFound()
    collect = collect_note(user=user, note_id=note_id, board_id=target.pk)
    _uncollect(user, source, note_id)
    return collect


# --- followed tags -------------------------------------------------------------------------------

MAX_FOLLOWED_TAGS = 500


def tag_key(name: str) -> str:
    """The stored key of a tag named in a request; a clear error for anything that is not one whole
    tag name (empty, over 50 characters, spaces, punctuation, control characters)."""
    if not is_tag_name(name):
        raise ServiceError(_("That is not a valid tag name."), field="name", code="invalid_tag")
    key = normalize_tag(name)
    if not key:
        raise ServiceError(_("That is not a valid tag name."), field="name", code="invalid_tag")
    return key


@transaction.atomic
def follow_tag(*, user: User, name: str) -> tuple[Tag, bool]:
    """Follow a tag by name, making the tag if no note has used it yet. Idempotent: (tag, created)."""
    key = tag_key(name)
    tag, _new = Tag.objects.get_or_create(name=key, defaults={"display": name.removeprefix("#")[:50]})
    if TagFollow.objects.filter(user=user, tag=tag).exists():
        return tag, False
    if TagFollow.objects.filter(user=user).count() >= MAX_FOLLOWED_TAGS:
        raise ServiceError(_("You follow too many tags already."), field="name", code="too_many")
    _follow, created = TagFollow.objects.get_or_create(user=user, tag=tag)
    if created:
        events.emit(TagFollowed(user_id=user.pk, tag_id=tag.pk))
    return tag, created


@transaction.atomic
def unfollow_tag(*, user: User, name: str) -> tuple[Tag | None, bool]:
    """Stop following a tag. Idempotent: (the tag or None when it does not exist, whether a follow ended)."""
    key = tag_key(name)
    tag = Tag.objects.filter(name=key).first()
    if tag is None:
        return None, False
    deleted, _count = TagFollow.objects.filter(user=user, tag=tag).delete()
    if deleted:
        events.emit(TagUnfollowed(user_id=user.pk, tag_id=tag.pk))
    return tag, bool(deleted)
