"""Writes about videos: upload (probed before anything is stored), processing on the worker, attaching.

A video is uploaded first, like a photo (Mastodon's media flow, or the compose form), and is
``processing`` until ``process_video`` (notes/tasks.py, ``media`` queue) has transcoded it. A note
posted with a video that is still processing waits in ``NoteState.PROCESSING`` (only its author sees it,
as "processing"); when the video is ready the note goes on to screening as any new note does
(``NoteSubmitted``), which publishes it. A video that turns out to be unusable is ``failed``: every file
it made and its source are deleted, and the author is told why on the note.

Nothing is half-stored: a refused upload leaves no file and no row; a file saved to storage is deleted
again when the row that names it is not written; the worker deletes what it saved when it cannot finish.
"""

from __future__ import annotations

import functools
import logging
import shutil
import tempfile
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core import events
from core.errors import NotFound, ServiceError
from core.tasks import enqueue_on_commit
from core.video import VideoRejected, probe, require_available, transcode
from notes.events import VideoFailed
from notes.models import Note, Video, VideoState, clean_alt_text
from notes.photos import release_note_if_media_ready
from notes.selectors import forget_note
from notes.tasks import process_video_task

logger = logging.getLogger("notebridge.video")

CHUNK = 1024 * 1024


def _copy_capped(upload: IO[bytes] | bytes, target: Path, limit: int) -> None:
    """Write the upload to ``target``, refusing it once it passes ``limit`` bytes (never read past that)."""
    too_large = VideoRejected(
        _("The video is too large (at most %(mb)s MB).") % {"mb": limit // (1024 * 1024)},
        field="video",
        code="file_too_large",
    )
    written = 0
    with target.open("wb") as out:
        if isinstance(upload, bytes | bytearray):
            if len(upload) > limit:
                raise too_large
            out.write(upload)
            written = len(upload)
        else:
            if hasattr(upload, "seek"):
                upload.seek(0)
            while chunk := upload.read(CHUNK):
                written += len(chunk)
                if written > limit:
                    raise too_large
                out.write(chunk)
    if written == 0:
        raise VideoRejected(_("The file is empty."), field="video", code="empty_file")


def upload_video(*, owner: User, file: IO[bytes] | bytes, alt_text: str = "") -> Video:
    """Check and store a video not yet attached to a note; the worker transcodes it after commit."""
    require_available()
    alt_text = clean_alt_text(alt_text)
    with tempfile.TemporaryDirectory(prefix="notebridge-upload-") as tmp:
        source = Path(tmp) / "source"
        _copy_capped(file, source, settings.VIDEO_MAX_BYTES)
        found = probe(source)
        video = Video(
            owner=owner,
            width=found.width,
            height=found.height,
            duration=found.duration,
            has_audio=found.has_audio,
            alt_text=alt_text,
        )
        with source.open("rb") as handle:
            video.source.save(f"{video.pk}", File(handle), save=False)
    try:
        video.save(force_insert=True)
    except Exception:
        video.source.storage.delete(video.source.name or "")
        raise
    enqueue_on_commit(process_video_task, video.pk)
    return video


def process_video(*, video_id: int) -> Video | None:
    """Transcode an uploaded video (worker). Idempotent: a video no longer processing is left alone.

    Refusals (a damaged stream, a video that runs past the time limit) fail the video for good; any
    other error (storage, a killed worker) is raised so the task is retried, with nothing kept.
    """
    video = Video.objects.filter(pk=video_id).select_related("owner").first()
    if video is None or video.state != VideoState.PROCESSING:
        return video
    # Refusals are written for the owner (the note page shows them, the notification carries them),
    # in their interface language, not the worker's.
    with translation.override(video.owner.interface_language):
        return _process(video)


def _process(video: Video) -> Video | None:
    video_id = video.pk
    storage = video.source.storage
    saved: list[str] = []
    with tempfile.TemporaryDirectory(prefix="notebridge-video-") as tmp:
        work = Path(tmp)
        source = work / "source"
        try:
            with video.source.open("rb") as src, source.open("wb") as out:
                shutil.copyfileobj(src, out, CHUNK)
        except (FileNotFoundError, ValueError):
            return _fail(video_id, _("The uploaded file is missing; please upload the video again."))
        try:
            made = transcode(source, work)
        except VideoRejected as exc:
            return _fail(video_id, exc.message)
        try:
            large = _save(storage, video.large.field.generate_filename(video, f"{video.pk}.mp4"), made.large, saved)
            small = (
                _save(storage, video.small.field.generate_filename(video, f"{video.pk}.mp4"), made.small, saved)
                if made.small
                else ""
            )
            poster = _save(storage, video.poster.field.generate_filename(video, f"{video.pk}.jpg"), made.poster, saved)
            frames = [_save(storage, f"videos/f/{video.pk}-{i}.jpg", path, saved) for i, path in enumerate(made.frames)]
            with transaction.atomic():
                locked = Video.objects.select_for_update().filter(pk=video_id).first()
                if locked is None or locked.state != VideoState.PROCESSING:
                    _delete_names(storage, saved)
                    return locked
                old_source = locked.source.name or ""
                locked.large.name, locked.small.name, locked.poster.name = large, small, poster
                locked.frames = frames
                locked.source.name = ""
                locked.width, locked.height, locked.duration = made.width, made.height, made.duration
                locked.blurhash, locked.phash = made.blurhash, made.phash
                locked.state, locked.processed_at = VideoState.READY, timezone.now()
                locked.save()
                _note_ready(locked)
                transaction.on_commit(lambda: _delete_names(storage, [old_source]))
        except Exception:
            _delete_names(storage, saved)
            raise
    return locked


def _save(storage: Storage, name: str, path: Path, saved: list[str]) -> str:
    with path.open("rb") as handle:
        stored = storage.save(name, File(handle))
    saved.append(stored)
    return stored


def _delete_names(storage: Storage, names: Iterable[str]) -> None:
    for name in names:
        if name:
            storage.delete(name)


def _note_ready(video: Video) -> None:
    """The note waiting for this video goes on to screening, as a new note does."""
    if video.note_id is not None:
        release_note_if_media_ready(video.note_id)


def _fail(video_id: int, message: str) -> Video | None:
    with transaction.atomic():
        video = Video.objects.select_for_update().filter(pk=video_id).first()
        if video is None or video.state != VideoState.PROCESSING:
            return video
        names = video.stored_names()
        storage = video.source.storage
        video.state, video.error = VideoState.FAILED, message[:300]
        video.source.name = ""
        video.frames = []
        video.processed_at = timezone.now()
        video.save()
        if video.note_id is not None:
            forget_note(video.note_id)
        transaction.on_commit(lambda: _delete_names(storage, names))
        events.emit(VideoFailed(video_id=video.pk, owner_id=video.owner_id, note_id=video.note_id, reason=video.error))
    logger.info("video %s failed: %s", video_id, message)
    return video


def attach_video(note: Note, author: User, video_id: int, *, require_ready: bool) -> Video:
    """Attach the author's unattached video to ``note`` (in the caller's transaction). With
    ``require_ready`` (the Mastodon API) a video still processing is refused, as Mastodon does."""
    video = Video.objects.select_for_update().filter(pk=video_id, owner=author).first()
    if video is None or (video.note_id is not None and video.note_id != note.pk):
        raise ServiceError(_("Video %(id)s cannot be used.") % {"id": video_id}, field="video", code="bad_video")
    if video.state == VideoState.FAILED:
        raise ServiceError(video.error or _("The video could not be processed."), field="video", code="bad_video")
    if require_ready and video.state != VideoState.READY:
        raise ServiceError(
            _("Cannot attach files that have not finished processing. Try again in a moment!"),
            field="video",
            code="processing",
        )
    video.note = note
    video.save(update_fields=["note"])
    return video


def own_video_ids(owner: User, ids: Iterable[int]) -> set[int]:
    """Which of these media ids are the owner's videos (photos and videos share one id space)."""
    ids = list(ids)
    return set(Video.objects.filter(owner=owner, pk__in=ids).values_list("pk", flat=True)) if ids else set()


def delete_video_files(videos: Iterable[Video]) -> None:
    for video in videos:
        _delete_names(video.source.storage, video.stored_names())


def describe_video(*, owner: User, video_id: int, alt_text: str) -> Video:
    video = Video.objects.filter(pk=video_id, owner=owner).first()
    if video is None:
        raise NotFound()
    alt_text = clean_alt_text(alt_text)
    video.alt_text = alt_text
    video.save(update_fields=["alt_text"])
    if video.note_id is not None:
        forget_note(video.note_id)
    return video


def sweep_unposted_videos(*, older_than_hours: float | None = None, batch: int = 200) -> int:
    """Delete videos uploaded more than ``older_than_hours`` (``VIDEO_UNPOSTED_HOURS``) ago and never
    posted with a note: their rows, then their files once that commits. Idempotent. A video attached
    meanwhile is skipped (the row lock is the one ``attach_video`` takes). Returns how many went."""
    hours = settings.VIDEO_UNPOSTED_HOURS if older_than_hours is None else older_than_hours
    cutoff = timezone.now() - timedelta(hours=hours)
    swept = 0
    while True:
        ids = list(
            Video.objects.filter(note__isnull=True, created_at__lt=cutoff)
            .order_by("id")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return swept
        with transaction.atomic():
            videos = list(Video.objects.select_for_update().filter(pk__in=ids, note__isnull=True))
            names = [name for video in videos for name in video.stored_names()]
            Video.objects.filter(pk__in=[v.pk for v in videos]).delete()
            if videos:
                transaction.on_commit(functools.partial(_delete_names, videos[0].source.storage, names))
        swept += len(videos)
        logger.info("swept %s unposted video(s)", len(videos))
        if len(ids) < batch:
            return swept
