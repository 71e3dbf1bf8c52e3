"""Per-note stats for the author: views by where readers came from, and reads in translation.

A view of a note's page by anyone but its author adds one to a counter row (note, day, source); the
same reader (a hashed token: user id, session or address, never stored) counts once per
``REPEAT_SECONDS``. A read in translation (the page shown translated, or the reader's "Translate" that
came back translated) adds one to the same row's ``translated``. That one upsert is the only write a
page view makes; nothing is queued. Likes, collects and comments come from the note's own counters.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from accounts.models import User
from notes.models import Note, NoteState, NoteViewTally, ViewSource

REPEAT_SECONDS = 30 * 60
SOURCES = {s.value for s in ViewSource}


def _first_time(kind: str, note_id: int, reader_token: str) -> bool:
    digest = hashlib.sha256(f"{kind}\x00{note_id}\x00{reader_token}".encode()).hexdigest()[:32]
    return bool(cache.add(f"note-{kind}:{digest}", 1, REPEAT_SECONDS))


def _bump(note_id: int, source: str, field: str) -> None:
    where = {"note_id": note_id, "day": timezone.localdate(), "source": source}
    if NoteViewTally.objects.filter(**where).update(**{field: F(field) + 1}):
        return
    try:
        with transaction.atomic():
            NoteViewTally.objects.create(**where, **{field: 1})
    except IntegrityError:
        NoteViewTally.objects.filter(**where).update(**{field: F(field) + 1})


def record_note_view(
    *, note: Note, reader: User | None, source: str, reader_token: str, translated: bool = False
) -> bool:
    """Count a view of ``note`` from ``source`` (``ViewSource``; anything else counts as ``other``).
    The author's own views do not count. Returns whether it counted."""
    if reader is not None and reader.pk == note.author_id:
        return False
    source = source if source in SOURCES else ViewSource.OTHER
    if not _first_time("view", note.pk, reader_token):
        return False
    with transaction.atomic():
        _bump(note.pk, source, "views")
        if translated and _first_time("translated", note.pk, reader_token):
            _bump(note.pk, source, "translated")
    return True


def record_translated_read(*, note: Note, reader: User | None, reader_token: str) -> bool:
    """Count a read of ``note`` in translation that the reader asked for on the page (once per reader)."""
    if reader is not None and reader.pk == note.author_id:
        return False
    if not _first_time("translated", note.pk, reader_token):
        return False
    with transaction.atomic():
        _bump(note.pk, ViewSource.OTHER, "translated")
    return True


@dataclass(frozen=True)
class NoteStats:
    views: int
    translated: int
    likes: int
    collects: int
    comments: int
    sources: list[tuple[str, str, int]]  # (source, label, views), most first; sources with no views left out


def note_for_stats(*, viewer: User | None, note_id: int) -> Note | None:
    """The note whose stats ``viewer`` may read: their own (not removed), or any note for staff.
    Anyone else gets None, as for a note that does not exist."""
    if viewer is None or not viewer.is_authenticated:
        return None
    note = Note.objects.select_related("author").filter(pk=note_id).first()
    if note is None:
        return None
    if viewer.is_staff:
        return note
    if note.author_id != viewer.pk or note.state == NoteState.REMOVED:
        return None
    return note


def note_stats(note: Note) -> NoteStats:
    """One grouped query over the note's view counters."""
    rows = list(
        NoteViewTally.objects.filter(note=note)
        .values("source")
        .annotate(views=Sum("views"), translated=Sum("translated"))
        .values_list("source", "views", "translated")
    )
    labels = dict(ViewSource.choices)
    sources = sorted(
        ((source, str(labels.get(source, source)), int(views or 0)) for source, views, _t in rows if views),
        key=lambda row: (-row[2], row[0]),
    )
    return NoteStats(
        views=sum(int(v or 0) for _s, v, _t in rows),
        translated=sum(int(t or 0) for _s, _v, t in rows),
        likes=note.like_count,
        collects=note.collect_count,
        comments=note.comment_count,
        sources=sources,
    )
