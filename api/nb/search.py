"""Search notes (English and Chinese, across scripts and languages: "hot pot" also finds 火锅), people and tags."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from accounts.selectors import hidden_author_ids, search_people
from api.nb import common
from api.nb.common import OPTIONAL
from api.nb.schemas import SearchOut
from notes.search import search_note_ids
from notes.selectors import search_tags, visible_notes
from translation.query import expand_query

router = Router(tags=["search"])


@router.get("", response=SearchOut, auth=OPTIONAL)
def search(request: HttpRequest, q: str, type: str = "", limit: int = 20, offset: int = 0) -> dict[str, Any]:
    if type not in ("", "notes", "people", "tags"):
        raise HttpError(422, "type must be notes, people or tags")
    if len(q) > 500:
        raise HttpError(422, "The query is too long")
    if offset < 0 or offset > 10_000:
        raise HttpError(422, "Invalid offset")
    me = common.viewer(request)
    limit = max(1, min(limit, 40))
    out: dict[str, Any] = {"notes": [], "people": [], "tags": []}
    w = common.where(request)
    expanded = expand_query(q)
    if type in ("", "notes"):
        ids = search_note_ids(q, groups=expanded.groups, limit=limit, offset=offset)
        out["notes"] = common.notes(visible_notes(ids, me, country=w.country), me, w)
    if type in ("", "people"):
        hidden = hidden_author_ids(me)
        out["people"] = common.profiles([u for u in search_people(q, limit=limit) if u.pk not in hidden], w)
    if type in ("", "tags"):
        also = expanded.also if len(expanded.groups) == 1 else []
        out["tags"] = [t.name for t in search_tags(q, limit=limit, offset=offset, also=also)]
    return out
