"""/api/v1/timelines: home (fan-out table or Redis), public, and tag timelines, with Link headers."""

from __future__ import annotations

from accounts.models import User
from api.auth import AUTH_OPTIONAL
from api.http import Ctx, Page, endpoint, page_bounds
from api.mastodon import entities
from core.geo import viewer_country
from core.text import normalize_tag
from feeds import selectors as feeds
from notes.models import Note


def _page(notes: list[Note], viewer: User | None) -> Page:
    """Statuses as cached JSON texts; the cursors are the first and last note ids."""
    if not notes:
        return Page([])
    return Page(entities.statuses_json(notes, viewer), next_max_id=notes[-1].pk, prev_min_id=notes[0].pk, raw=True)


@endpoint(scope="read:statuses")
def home(ctx: Ctx) -> Page:
    viewer = ctx.require_user()
    notes = feeds.home_timeline(viewer, **page_bounds(ctx), country=viewer_country(viewer))
    return _page(notes, viewer)


@endpoint(auth=AUTH_OPTIONAL, scope="read:statuses")
def public(ctx: Ctx) -> Page:
    bounds = page_bounds(ctx)
    if ctx.params.flag("remote"):
        return Page([])  # no federation: nothing is remote
    notes = feeds.public_timeline(ctx.user, **bounds, country=viewer_country(ctx.user))
    if ctx.params.flag("only_media"):
        notes = [n for n in notes if n.photos.all() or n.ready_video]
    return _page(notes, ctx.user)


@endpoint(auth=AUTH_OPTIONAL, scope="read:statuses")
def tag(ctx: Ctx, hashtag: str) -> Page:
    bounds = page_bounds(ctx)
    name = normalize_tag(hashtag)
    if not name:
        return Page([])
    notes = feeds.tag_timeline(
        name,
        ctx.user,
        max_id=bounds["max_id"],
        min_id=bounds["min_id"] or bounds["since_id"],
        limit=bounds["limit"],
        country=viewer_country(ctx.user),
    )
    return _page(notes, ctx.user)
