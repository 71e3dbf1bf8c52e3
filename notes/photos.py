"""Writes about photos: receive an upload, make its renditions on the media worker, attach it.

A photo arrives in a request (Mastodon's ``POST /api/v2/media``, the compose form, the native API): only
the cheap checks run then (``core.images.check_photo``: size, type, pixel count from the header) and the
upload is stored as the photo's private ``source`` (an unguessable name; it still has its metadata, so it
is never served). The answer goes out at once with the photo ``processing``; ``make_renditions``
(notes/tasks.py, ``media`` queue) decodes it, makes the original (2048 px, metadata stripped), large and
thumb renditions, blurhash and perceptual hash, deletes the source and marks it ``ready``, or ``failed``
with the reason when the file cannot be decoded (every file deleted). Until then nothing of it is shown:
the Mastodon entity has ``url: null`` (as Mastodon's for media it is processing) and a page shows a
placeholder.

A note posted from the web with photos still processing waits in ``NoteState.PROCESSING`` (only its
author sees it) and goes on to screening (``NoteSubmitted``) when the last of its media is ready
(``release_note_if_media_ready``, also called by notes/videos.py). A failed photo leaves the note: the
note goes on with the others. The Mastodon API refuses such photos instead, as Mastodon does (422).

``upload_photo`` does both steps in the caller's process: for bulk loads (the demo loader, benchmarks)
and data set up by tests, where nobody waits on an answer.
"""

from __future__ import annotations

import logging
import secrets
from typing import IO

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import events
from core.errors import ServiceError
from core.images import PhotoRejected, check_photo, process_photo
from core.language_detection import detect_language
from core.tasks import enqueue_on_commit
from notes.events import NoteSubmitted
from notes.models import Note, NoteState, Photo, PhotoState, Video, VideoState, clean_alt_text
from notes.selectors import forget_note
from notes.tasks import make_photo_renditions_task

logger = logging.getLogger("notebridge.photos")


def receive_photo(*, owner: User, file: IO[bytes] | bytes, alt_text: str = "", enqueue: bool = True) -> Photo:
    """Check and store an upload as a ``processing`` photo; its renditions are made after commit."""
    alt_text = clean_alt_text(alt_text)
    data = check_photo(file)
    photo = Photo(
        owner=owner,
        state=PhotoState.PROCESSING,
        alt_text=alt_text,
        alt_language=detect_language(alt_text),
    )
    photo.source.save(f"{photo.pk}-{secrets.token_hex(16)}", ContentFile(data), save=False)
    try:
        photo.save(force_insert=True)
    except Exception:
        photo.source.storage.delete(photo.source.name or "")
        raise
    if enqueue:
        enqueue_on_commit(make_photo_renditions_task, photo.pk)
    return photo


def upload_photo(*, owner: User, file: IO[bytes] | bytes, alt_text: str = "") -> Photo:
    """Receive a photo and make its renditions now, in this process (bulk loads; see the module doc)."""
    photo = receive_photo(owner=owner, file=file, alt_text=alt_text, enqueue=False)
    made = make_renditions(photo_id=photo.pk)
    if made is None or made.state == PhotoState.FAILED:
        raise PhotoRejected(
            made.error if made is not None else _("The photo could not be processed."), field="file", code="damaged"
        )
    return made


def make_renditions(*, photo_id: int) -> Photo | None:
    """Make a processing photo's renditions (worker). Idempotent: a photo no longer processing is left
    alone, and renditions made by a run that lost the race are deleted again."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None or photo.state != PhotoState.PROCESSING:
        return photo
    try:
        with photo.source.open("rb") as src:
            data = src.read()
    except (FileNotFoundError, ValueError):
        return _fail(photo_id, _("The uploaded file is missing; please upload the photo again."))
    try:
        made = process_photo(data)
    except PhotoRejected as exc:
        return _fail(photo_id, exc.message)
    storage = photo.source.storage
    saved: list[str] = []
    try:
        for field, content in ((photo.original, made.original), (photo.large, made.large), (photo.thumb, made.thumb)):
            field.save(f"{photo.pk}.jpg", content, save=False)
            saved.append(field.name or "")
        with transaction.atomic():
            locked = Photo.objects.select_for_update().filter(pk=photo_id).first()
            if locked is None or locked.state != PhotoState.PROCESSING:
                _delete_names(storage, saved)
                return locked
            old_source = locked.source.name or ""
            locked.original.name, locked.large.name, locked.thumb.name = saved
            locked.source.name = ""
            locked.width, locked.height = made.width, made.height
            locked.blurhash, locked.phash = made.blurhash, made.phash
            locked.state, locked.processed_at = PhotoState.READY, timezone.now()
            locked.save()
            if locked.note_id is not None:
                forget_note(locked.note_id)
                release_note_if_media_ready(locked.note_id)
            transaction.on_commit(lambda: _delete_names(storage, [old_source]))
    except Exception:
        _delete_names(storage, saved)
        raise
    return locked


def _fail(photo_id: int, message: str) -> Photo | None:
    """The file cannot be made into a photo: keep the reason, delete every file, let its note go on."""
    with transaction.atomic():
        photo = Photo.objects.select_for_update().filter(pk=photo_id).first()
        if photo is None or photo.state != PhotoState.PROCESSING:
            return photo
        names = photo.stored_names()
        storage = photo.source.storage
        note_id = photo.note_id
        photo.state, photo.error = PhotoState.FAILED, message[:300]
        photo.source.name = photo.original.name = photo.large.name = photo.thumb.name = ""
        photo.note = None
        photo.processed_at = timezone.now()
        photo.save()
        if note_id is not None:
            forget_note(note_id)
            release_note_if_media_ready(note_id)
        transaction.on_commit(lambda: _delete_names(storage, names))
    logger.info("photo %s failed: %s", photo_id, message)
    return photo


def _delete_names(storage: object, names: list[str]) -> None:
    for name in names:
        if name:
            storage.delete(name)  # type: ignore[attr-defined]


def media_processing(note_id: int) -> bool:
    """Whether the note still waits for a photo or its video (a failed video keeps it waiting: the
    author is told on the note, notes/videos.py)."""
    if Photo.objects.filter(note_id=note_id, state=PhotoState.PROCESSING).exists():
        return True
    return Video.objects.filter(note_id=note_id).exclude(state=VideoState.READY).exists()


def release_note_if_media_ready(note_id: int) -> bool:
    """A note waiting in ``processing`` goes on to screening once none of its media is processing (in the
    caller's transaction). Safe to call any number of times: only the call that moves it emits."""
    note = Note.objects.select_for_update().filter(pk=note_id).first()
    if note is None or note.state != NoteState.PROCESSING or media_processing(note_id):
        return False
    if not Note.objects.filter(pk=note_id, state=NoteState.PROCESSING).update(state=NoteState.PENDING):
        return False
    forget_note(note_id)
    events.emit(NoteSubmitted(note_id=note_id, author_id=note.author_id))
    return True


def check_photos_ready(photos: list[Photo]) -> None:
    """The Mastodon API's rule: photos still processing cannot be posted yet (422, Mastodon's words)."""
    if any(p.state == PhotoState.PROCESSING for p in photos):
        raise ServiceError(
            _("Cannot attach files that have not finished processing. Try again in a moment!"),
            field="photos",
            code="processing",
        )
