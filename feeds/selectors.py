"""Reads of feeds: home timeline, public and tag timelines, Discover."""

from __future__ import annotations

from accounts.models import User
from core.errors import ServiceError
from feeds.timelines import store
from notes.models import Note
from notes.selectors import discover_ranking, tag_note_ids, visible_notes

MAX_LIMIT = 40


def clamp_limit(limit: int | None, default: int = 20) -> int:
    if limit is None:
        return default
    return max(1, min(int(limit), MAX_LIMIT))


def home_timeline(
    viewer: User,
    *,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
    country: str | None = None,
) -> list[Note]:
    """A page of the viewer's home timeline, newest first, with hidden notes dropped.

    Filtering can leave a page short; fetch a little extra and, rarely, a second batch.
    """
    s = store()
    out: list[Note] = []
    cursor_max = max_id
    for _ in range(3):
        ids = s.page(viewer.pk, max_id=cursor_max, since_id=since_id, min_id=min_id, limit=limit + 5)
        if not ids:
            break
        out.extend(visible_notes(ids, viewer, country=country))
        if len(out) >= limit or len(ids) < limit + 5 or min_id is not None:
            break
        cursor_max = ids[-1]
    if min_id is not None:
        # The page just above min_id: the oldest ``limit`` of what was fetched, still newest first.
        return out[-limit:]
    return out[:limit]


def public_timeline(
    viewer: User | None,
    *,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
    country: str | None = None,
) -> list[Note]:
    qs = Note.objects.public()
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    if since_id is not None:
        qs = qs.filter(pk__gt=since_id)
    if min_id is not None:
        ids = list(qs.filter(pk__gt=min_id).order_by("id").values_list("id", flat=True)[:limit])[::-1]
    else:
        ids = list(qs.order_by("-id").values_list("id", flat=True)[:limit])
    return visible_notes(ids, viewer, country=country)


def tag_timeline(
    tag_name: str,
    viewer: User | None,
    *,
    max_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
    country: str | None = None,
) -> list[Note]:
    return visible_notes(tag_note_ids(tag_name, max_id=max_id, min_id=min_id, limit=limit), viewer, country=country)


def parse_offset_cursor(cursor: str | None) -> int:
    if cursor in (None, ""):
        return 0
    if not isinstance(cursor, str) or not cursor.isdigit() or len(cursor) > 6:
        raise ServiceError("Invalid cursor", field="cursor", code="bad_cursor")
    return int(cursor)


def discover(
    viewer: User | None, *, cursor: str | None = None, limit: int = 30, country: str | None = None
) -> tuple[list[Note], str | None]:
    """A page of Discover and the cursor of the next page (None at the end)."""
    offset = parse_offset_cursor(cursor)
    ranking = discover_ranking()
    ids = ranking[offset : offset + limit]
    notes = visible_notes(ids, viewer, country=country)
    next_offset = offset + limit
    return notes, (str(next_offset) if next_offset < len(ranking) else None)
