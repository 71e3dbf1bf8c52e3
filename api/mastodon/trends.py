"""/api/v1/trends: trending notes (Discover's ranking), trending tags with their history, no links.

Offset-paginated as Mastodon's trends are: ``offset`` and ``limit``, and a Link header with the next
offset. Only public notes count; each viewer sees the notes they may see from their country.
"""

from __future__ import annotations

from typing import Any

from api.auth import AUTH_OPTIONAL
from api.http import Ctx, Page, endpoint
from api.mastodon import entities
from core.geo import viewer_country
from notes.selectors import discover_ranking, followed_tag_ids, tag_history, trending_tags, visible_notes

MAX_OFFSET = 10_000


def _bounds(ctx: Ctx, *, default: int, high: int) -> tuple[int, int]:
    limit = ctx.params.integer("limit", default, low=1, high=high) or default
    offset = ctx.params.integer("offset", 0, low=0, high=MAX_OFFSET) or 0
    return offset, limit


@endpoint(auth=AUTH_OPTIONAL)
def statuses(ctx: Ctx) -> Page:
    """Discover's ranking (recent public notes by engagement decayed with age), less what the viewer
    may not see (blocked or muted authors, notes withheld in their country)."""
    offset, limit = _bounds(ctx, default=20, high=40)
    ranking = discover_ranking()
    page_ids = ranking[offset : offset + limit]
    notes = visible_notes(page_ids, ctx.user, country=viewer_country(ctx.user))
    end = offset + limit
    return Page(
        entities.statuses(notes, ctx.user),
        next_offset=end if end < len(ranking) else None,
        prev_offset=max(0, offset - limit) if offset > 0 else None,
    )


@endpoint(auth=AUTH_OPTIONAL)
def tags(ctx: Ctx) -> Page:
    """Tags most used in public notes over the last week, with Mastodon's seven-day ``history``."""
    offset, limit = _bounds(ctx, default=10, high=20)
    found = trending_tags(limit=limit, offset=offset)
    history = tag_history([t.pk for t in found], country=viewer_country(ctx.user))
    followed = followed_tag_ids(ctx.user)
    items = [entities.tag(t, following=t.pk in followed, history=history[t.pk]) for t in found]
    return Page(
        items,
        next_offset=offset + limit if len(found) == limit else None,
        prev_offset=max(0, offset - limit) if offset > 0 else None,
    )


@endpoint(auth=AUTH_OPTIONAL)
def links(ctx: Ctx) -> list[Any]:
    """No link previews are made here, so no links trend."""
    _bounds(ctx, default=10, high=20)
    return []
