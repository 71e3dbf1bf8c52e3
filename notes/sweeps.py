"""Sweeps for media work that was lost (core/sweeper.py): photos and videos still ``processing`` long
after upload get their task again, and a note still waiting in ``processing`` whose media are all done
(the release was lost with its worker) goes on to screening."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from notes.models import Note, NoteState, Photo, PhotoState, Video, VideoState
from notes.photos import release_note_if_media_ready
from notes.tasks import make_photo_renditions_task, process_video_task


def lost_photos(cutoff: datetime, limit: int) -> int:
    ids = list(
        Photo.objects.filter(state=PhotoState.PROCESSING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        make_photo_renditions_task.enqueue(pk)
    return len(ids)


def lost_videos(cutoff: datetime, limit: int) -> int:
    ids = list(
        Video.objects.filter(state=VideoState.PROCESSING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        process_video_task.enqueue(pk)
    return len(ids)


def notes_left_waiting(cutoff: datetime, limit: int) -> int:
    ids = list(
        Note.objects.filter(state=NoteState.PROCESSING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    released = 0
    for pk in ids:
        with transaction.atomic():
            released += release_note_if_media_ready(pk)
    return released
