"""/api/v1/tags and /api/v1/followed_tags: a tag, following and unfollowing it, the tags one follows.

A tag is named in the URL (``/api/v1/tags/火锅/follow``). A name that is not one whole tag name
(empty, over 50 characters, spaces or punctuation) is refused: 404 for reading it, 422 for following.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from api.auth import AUTH_OPTIONAL
from api.http import ApiError, Ctx, Page, endpoint
from api.mastodon import entities
from core.geo import viewer_country
from core.text import is_tag_name, normalize_tag
from notes import services as note_services
from notes.models import Tag
from notes.selectors import followed_tag_ids, followed_tags_page, tag_for_viewer, tag_history


def tag_entity(tag: Tag, viewer: User | None) -> dict[str, Any]:
    """A Tag with its last week's history (as the viewer's country sees it) and ``following``."""
    key = tag.pk or 0  # an unsaved tag (never used) matches no note: seven days of nothing
    history = tag_history([key], country=viewer_country(viewer))[key]
    following = tag.pk is not None and tag.pk in followed_tag_ids(viewer)
    return entities.tag(tag, following=following, history=history)


@endpoint(auth=AUTH_OPTIONAL)
def show(ctx: Ctx, name: str) -> dict[str, Any]:
    key = normalize_tag(name) if is_tag_name(name) else ""
    if not key:
        raise ApiError("Record not found", 404)
    return tag_entity(tag_for_viewer(key, ctx.user), ctx.user)


@endpoint(scope="write:follows", allow=("POST",))
def follow(ctx: Ctx, name: str) -> dict[str, Any]:
    viewer = ctx.require_user()
    tag, _created = note_services.follow_tag(user=viewer, name=name)
    return tag_entity(tag_for_viewer(tag.name, viewer), viewer)


@endpoint(scope="write:follows", allow=("POST",))
def unfollow(ctx: Ctx, name: str) -> dict[str, Any]:
    viewer = ctx.require_user()
    tag, _ended = note_services.unfollow_tag(user=viewer, name=name)
    key = tag.name if tag is not None else note_services.tag_key(name)
    return tag_entity(tag_for_viewer(key, viewer), viewer)


@endpoint(scope="read:follows")
def followed(ctx: Ctx) -> Page:
    """The viewer's followed tags, newest follow first; Link headers page by the follow's id."""
    viewer = ctx.require_user()
    p = ctx.params
    limit = p.integer("limit", 100, low=1, high=200) or 100
    p.id("since_id")
    follows = followed_tags_page(viewer, max_id=p.id("max_id"), min_id=p.id("min_id"), limit=limit)
    tags = [f.tag for f in follows]
    history = tag_history([t.pk for t in tags], country=viewer_country(viewer))
    items = [entities.tag(t, following=True, history=history[t.pk]) for t in tags]
    if not follows:
        return Page(items)
    return Page(
        items,
        next_max_id=follows[-1].pk if len(follows) == limit else None,
        prev_min_id=follows[0].pk,
    )
