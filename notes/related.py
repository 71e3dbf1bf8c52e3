"""Notes related to a note by what the notes app knows: shared tags and the same place.

The recommend app adds notes with similar text in any language (``recommend.selectors.related_notes``)
and passes the result through the access gate; this module only scores candidate ids, public notes
only, so no score ever depends on a note a reader may not see.
"""

from __future__ import annotations

from django.db.models import Count

from notes.models import Note, NoteState, NoteTag, Visibility
from notes.selectors import place_note_ids

CANDIDATES = 60
PLACE_WEIGHT = 0.8


def related_by_tags_and_place(note: Note, *, limit: int = CANDIDATES) -> dict[int, float]:
    """``{note id: score}`` for public notes sharing tags with ``note`` (the share of its tags they
    carry, up to 1) or its place (``PLACE_WEIGHT``); both add up. Two queries at most."""
    tag_ids = [t.pk for t in note.tags.all()]
    scores: dict[int, float] = {}
    if tag_ids:
        rows = (
            NoteTag.objects.filter(
                tag_id__in=tag_ids, note__state=NoteState.PUBLISHED, note__visibility=Visibility.PUBLIC
            )
            .exclude(note_id=note.pk)
            .values("note_id")
            .annotate(shared=Count("tag_id"))
            .order_by("-shared", "-note_id")
            .values_list("note_id", "shared")[:limit]
        )
        for note_id, shared in rows:
            scores[note_id] = shared / len(tag_ids)
    if note.place_id:
        for note_id in place_note_ids(note.place_id, limit=limit):
            if note_id != note.pk:
                scores[note_id] = scores.get(note_id, 0.0) + PLACE_WEIGHT
    return scores
