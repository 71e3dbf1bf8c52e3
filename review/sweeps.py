"""The sweep for screening that was lost (core/sweeper.py): a note or comment still ``pending`` a lease
after it was submitted gets its screening task again. Screening is idempotent (review/intake.py: only a
pending item is screened, and its outcome is applied under a lock), so a note is published once."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q

from notes.models import Comment, Note, NoteState, Photo, Video
from review import intake
from review.tasks import screen_comment_task, screen_note_task


def lost_note_screenings(cutoff: datetime, limit: int) -> int:
    if not intake.screening_enabled():
        return 0
    # Submitted before the cutoff: created, edited and (for notes that waited on media) made ready then.
    recent_media = Q(Exists(Photo.objects.filter(note=OuterRef("pk"), processed_at__gte=cutoff))) | Q(
        Exists(Video.objects.filter(note=OuterRef("pk"), processed_at__gte=cutoff))
    )
    ids = list(
        Note.objects.filter(state=NoteState.PENDING, created_at__lt=cutoff)
        .filter(Q(edited_at__isnull=True) | Q(edited_at__lt=cutoff))
        .exclude(recent_media)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        screen_note_task.enqueue(pk)
    return len(ids)


def lost_comment_screenings(cutoff: datetime, limit: int) -> int:
    if not intake.screening_enabled():
        return 0
    ids = list(
        Comment.objects.filter(state=NoteState.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        screen_comment_task.enqueue(pk)
    return len(ids)
