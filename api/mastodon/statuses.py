"""/api/v1/statuses: notes as statuses, comments as replies, favourites (likes) and bookmarks (collects).

Mapping (see docs/api.md):
- ``POST /statuses`` without ``in_reply_to_id`` creates a note. The first line becomes the title when
  it is at most 100 characters and more text follows (hashtags closing it move to the end of the body:
  they are tags, not words of the title); a non-standard ``title`` parameter sets it.
- ``POST /statuses`` with ``in_reply_to_id`` creates a comment: on the note, or (one level of
  threads) in the thread of the comment replied to. Comments take no media.
- A status id is a note id or a comment id (both 64-bit ids from one generator).
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from accounts.selectors import hidden_author_ids
from api import idempotency
from api.auth import AUTH_OPTIONAL
from api.http import ApiError, Ctx, Page, endpoint, url_id
from api.mastodon import entities
from api.mastodon.content import split_status_text
from core.geo import viewer_country
from notes import services as note_services
from notes.models import Comment, Note, Visibility
from notes.selectors import (
    collected_page,
    comment_likers_page,
    comments_for,
    get_own_new_note,
    get_visible_comment,
    get_visible_note,
    liked_page,
    likers_page,
    visible_notes,
)
from notes.videos import own_video_ids

VISIBILITY_IN = {"public": Visibility.PUBLIC, "unlisted": Visibility.UNLISTED, "private": Visibility.FOLLOWERS}
MAX_IDEMPOTENCY_KEY = 500
MAX_STATUS_PARAM = 10_000


def _note(viewer: User | None, status_id: int) -> Note | None:
    return get_visible_note(viewer=viewer, note_id=status_id, country=viewer_country(viewer))


def find_status(viewer: User | None, status_id: str) -> Note | Comment:
    """The note or comment a status id names, if the viewer may see it; else 404."""
    pk = url_id(status_id)
    note = _note(viewer, pk)
    if note is not None:
        return note
    comment = get_visible_comment(viewer=viewer, comment_id=pk, country=viewer_country(viewer))
    if comment is None:
        raise ApiError("Record not found", 404)
    return comment


def _find_note(viewer: User | None, status_id: str, action: str) -> Note:
    found = find_status(viewer, status_id)
    if isinstance(found, Comment):
        raise ApiError(f"Comments cannot be {action}", 422)
    return found


def _comment_status(comment: Comment, viewer: User | None) -> dict[str, Any]:
    note = _note(viewer, comment.note_id)
    if note is None:
        raise ApiError("Record not found", 404)
    return entities.comment_statuses([comment], note, country=viewer_country(viewer), viewer=viewer)[0]


def _render(found: Note | Comment, viewer: User | None) -> dict[str, Any]:
    if isinstance(found, Comment):
        return _comment_status(found, viewer)
    return entities.status(found, viewer)


def _fresh_status(viewer: User, note_id: int) -> dict[str, Any]:
    note = _note(viewer, note_id)
    if note is None:
        raise ApiError("Record not found", 404)
    return entities.status(note, viewer)


@endpoint(scope="write:statuses")
def create(ctx: Ctx) -> dict[str, Any]:
    """Post a note or a reply. With an ``Idempotency-Key`` header a retry answers with the status the first
    request made, kept in the database (api/idempotency.py) so that it holds while Redis is down."""
    user = ctx.require_user()
    key = ctx.request.META.get("HTTP_IDEMPOTENCY_KEY", "")
    if not key:
        return _render_created(_create(ctx, user), user)
    if len(key) > MAX_IDEMPOTENCY_KEY:
        raise ApiError("Idempotency-Key is too long", 422)
    made: list[Note | Comment] = []

    def write() -> int:
        made.append(_create(ctx, user))
        return made[0].pk

    status_id, _first = idempotency.once(account=user, key=key, write=write)
    if made:
        return _render_created(made[0], user)
    return _render(find_status(user, str(status_id)), user)


def _create(ctx: Ctx, user: User) -> Note | Comment:
    p = ctx.params
    if p.has("poll") or p.has("poll[options]"):
        raise ApiError("Polls are not supported", 422)
    if p.raw("scheduled_at"):
        raise ApiError("Scheduled posts are not supported", 422)
    text = p.string("status", max_length=MAX_STATUS_PARAM)
    media_ids = p.ids("media_ids", max_items=20)
    visibility_name = p.string("visibility", "public", max_length=20) or "public"
    if visibility_name == "direct":
        raise ApiError("Direct messages are not supported", 422)
    if visibility_name not in VISIBILITY_IN:
        raise ApiError("Validation failed: Visibility is not included in the list", 422)
    language = p.opt_string("language", max_length=16)
    reply_to = p.id("in_reply_to_id")
    if reply_to is not None:
        return _reply(user, reply_to, text, media_ids)
    explicit_title = p.opt_string("title", max_length=1000)
    title, body = (explicit_title, text) if explicit_title is not None else split_status_text(text)
    videos = own_video_ids(user, media_ids)
    if len(videos) > 1:
        raise ApiError("A note can have one video", 422)
    return note_services.create_note(
        author=user,
        title=title,
        body=body,
        photo_ids=[i for i in media_ids if i not in videos],
        video_id=next((i for i in media_ids if i in videos), None),
        require_processed_video=True,
        require_processed_photos=True,
        tags=p.strings("tags", max_items=40) or None,
        visibility=VISIBILITY_IN[visibility_name],
        language=language or None,
        application_name=ctx.app_name,
        hydrated=True,
    )


def _render_created(created: Note | Comment, user: User) -> dict[str, Any]:
    """The status just made, rendered once its transaction has committed. A note is rendered from what
    its creation has in hand, as its transaction left it (``get_own_new_note``): the same status
    ``GET /api/v1/statuses/:id`` then gives (tests/api/test_statuses_create.py)."""
    if isinstance(created, Comment):
        comment = Comment.objects.select_related("author", "reply_to").get(pk=created.pk)
        return _comment_status(comment, user)
    note = get_own_new_note(viewer=user, note=created, country=viewer_country(user))
    if note is None:
        raise ApiError("Record not found", 404)
    return entities.new_status(note, user)


def _reply(user: User, reply_to: int, text: str, media_ids: list[int]) -> Comment:
    if media_ids:
        raise ApiError("Comments cannot have media attachments", 422)
    note = _note(user, reply_to)
    if note is not None:
        return note_services.create_comment(author=user, note_id=note.pk, body=text)
    replied = get_visible_comment(viewer=user, comment_id=reply_to, country=viewer_country(user))
    if replied is None:
        raise ApiError("Record not found", 404)
    return note_services.create_comment(author=user, note_id=replied.note_id, body=text, parent_id=replied.pk)


@endpoint(scope="write:statuses")
def update(ctx: Ctx, status_id: str) -> dict[str, Any]:
    """Edit a note: the text is split into title and body as when posting; media_ids replace the photos."""
    user = ctx.require_user()
    found = _find_note(user, status_id, "edited")
    p = ctx.params
    text = p.string("status", max_length=MAX_STATUS_PARAM)
    explicit_title = p.opt_string("title", max_length=1000)
    title, body = (explicit_title, text) if explicit_title is not None else split_status_text(text)
    media_ids = p.ids("media_ids", max_items=20) if p.has("media_ids") else None
    if media_ids is not None:
        # The video of a video note stays with it (it cannot be swapped by an edit); photos are replaced.
        videos = own_video_ids(user, media_ids)
        media_ids = [i for i in media_ids if i not in videos]
    note = note_services.edit_note(
        author=user,
        note_id=found.pk,
        title=title,
        body=body,
        photo_ids=media_ids,
        language=p.opt_string("language", max_length=16) or None,
        require_processed_photos=True,
    )
    return _fresh_status(user, note.pk)


@endpoint(scope="read:statuses")
def source(ctx: Ctx, status_id: str) -> dict[str, Any]:
    found = find_status(ctx.require_user(), status_id)
    text = found.body if isinstance(found, Comment) else "\n".join(x for x in (found.title, found.body) if x)
    return {"id": str(found.pk), "text": text, "spoiler_text": ""}


@endpoint(auth=AUTH_OPTIONAL, scope="read:statuses")
def show(ctx: Ctx, status_id: str) -> dict[str, Any]:
    return _render(find_status(ctx.user, status_id), ctx.user)


@endpoint(auth=AUTH_OPTIONAL, scope="read:statuses")
def show_many(ctx: Ctx) -> list[dict[str, Any]]:
    ids = ctx.params.ids("id", max_items=40)
    return entities.statuses(visible_notes(ids, ctx.user, for_feed=False, country=viewer_country(ctx.user)), ctx.user)


@endpoint(scope="write:statuses")
def delete(ctx: Ctx, status_id: str) -> dict[str, Any]:
    user = ctx.require_user()
    found = find_status(user, status_id)
    data = _render(found, user)
    if isinstance(found, Comment):
        note_services.delete_comment(user=user, comment_id=found.pk)
        data["text"] = found.body
    else:
        note_services.delete_note(author=user, note_id=found.pk)
        data["text"] = "\n".join(x for x in (found.title, found.body) if x)
    return data


@endpoint(auth=AUTH_OPTIONAL, scope="read:statuses")
def context(ctx: Ctx, status_id: str) -> dict[str, Any]:
    found = find_status(ctx.user, status_id)
    if isinstance(found, Note):
        threads = comments_for(found, ctx.user)
        flat: list[Comment] = []
        for top in threads:
            flat.append(top)
            flat.extend(top.thread_replies)  # type: ignore[attr-defined]
        return {
            "ancestors": [],
            "descendants": entities.comment_statuses(flat, found, country=viewer_country(ctx.user), viewer=ctx.user),
        }
    note = _note(ctx.user, found.note_id)
    if note is None:
        raise ApiError("Record not found", 404)
    ancestors: list[dict[str, Any]] = [entities.status(note, ctx.user)]
    descendants: list[Comment] = []
    threads = comments_for(note, ctx.user)
    for top in threads:
        if found.parent_id == top.pk:
            ancestors.extend(entities.comment_statuses([top], note, country=viewer_country(ctx.user), viewer=ctx.user))
        if top.pk == found.pk:
            descendants = list(top.thread_replies)  # type: ignore[attr-defined]
    return {
        "ancestors": ancestors,
        "descendants": entities.comment_statuses(descendants, note, country=viewer_country(ctx.user), viewer=ctx.user),
    }


def _fresh_comment_status(viewer: User, comment_id: int) -> dict[str, Any]:
    comment = get_visible_comment(viewer=viewer, comment_id=comment_id, country=viewer_country(viewer))
    if comment is None:
        raise ApiError("Record not found", 404)
    return _comment_status(comment, viewer)


@endpoint(scope="write:favourites")
def favourite(ctx: Ctx, status_id: str) -> dict[str, Any]:
    """Favouriting a note likes it; a comment is a status too, so favouriting one likes the comment."""
    user = ctx.require_user()
    found = find_status(user, status_id)
    if isinstance(found, Comment):
        note_services.like_comment(user=user, comment_id=found.pk)
        return _fresh_comment_status(user, found.pk)
    note_services.like_note(user=user, note_id=found.pk)
    return _fresh_status(user, found.pk)


@endpoint(scope="write:favourites")
def unfavourite(ctx: Ctx, status_id: str) -> dict[str, Any]:
    user = ctx.require_user()
    found = find_status(user, status_id)
    if isinstance(found, Comment):
        note_services.unlike_comment(user=user, comment_id=found.pk)
        return _fresh_comment_status(user, found.pk)
    note_services.unlike_note(user=user, note_id=found.pk)
    return _fresh_status(user, found.pk)


@endpoint(scope="write:bookmarks")
def bookmark(ctx: Ctx, status_id: str) -> dict[str, Any]:
    """Bookmarking collects the note into the default board ("Saved")."""
    user = ctx.require_user()
    note = _find_note(user, status_id, "bookmarked")
    note_services.collect_note(user=user, note_id=note.pk)
    return _fresh_status(user, note.pk)


@endpoint(scope="write:bookmarks")
def unbookmark(ctx: Ctx, status_id: str) -> dict[str, Any]:
    """Removes the note from every board of the user, so ``bookmarked`` turns false."""
    user = ctx.require_user()
    note = _find_note(user, status_id, "bookmarked")
    note_services.uncollect_note(user=user, note_id=note.pk)
    return _fresh_status(user, note.pk)


@endpoint(scope="write:statuses")
def reblog(ctx: Ctx, status_id: str) -> dict[str, Any]:
    find_status(ctx.require_user(), status_id)
    raise ApiError("Boosts are not supported on this server", 422)


@endpoint(auth=AUTH_OPTIONAL, scope="read:accounts")
def favourited_by(ctx: Ctx, status_id: str) -> Page:
    found = find_status(ctx.user, status_id)
    limit = ctx.params.integer("limit", 40, low=1, high=80) or 40
    likes: list[Any]
    if isinstance(found, Comment):
        likes = comment_likers_page(found.pk, max_id=ctx.params.id("max_id"), limit=limit)
    else:
        likes = likers_page(found.pk, max_id=ctx.params.id("max_id"), limit=limit)
    hidden = hidden_author_ids(ctx.user)
    items = entities.accounts(
        [like.user for like in likes if like.user_id not in hidden], country=viewer_country(ctx.user)
    )
    return Page(items, next_max_id=likes[-1].pk if len(likes) == limit else None)


@endpoint(auth=AUTH_OPTIONAL, scope="read:accounts")
def reblogged_by(ctx: Ctx, status_id: str) -> list[Any]:
    find_status(ctx.user, status_id)
    return []


def _own_list(ctx: Ctx, rows: list[Any], limit: int) -> Page:
    user = ctx.require_user()
    notes = visible_notes([r.note_id for r in rows], user, for_feed=False, country=viewer_country(user))
    unique = list({n.pk: n for n in notes}.values())  # a note collected into two boards appears once
    return Page(
        entities.statuses(unique, user),
        next_max_id=rows[-1].pk if len(rows) == limit else None,
        prev_min_id=rows[0].pk if rows else None,
    )


@endpoint(scope="read:favourites")
def favourites(ctx: Ctx) -> Page:
    p = ctx.params
    limit = p.integer("limit", 20, low=1, high=40) or 20
    rows = liked_page(ctx.require_user(), max_id=p.id("max_id"), min_id=p.id("min_id"), limit=limit)
    return _own_list(ctx, rows, limit)


@endpoint(scope="read:bookmarks")
def bookmarks(ctx: Ctx) -> Page:
    p = ctx.params
    limit = p.integer("limit", 20, low=1, high=40) or 20
    rows = collected_page(ctx.require_user(), max_id=p.id("max_id"), min_id=p.id("min_id"), limit=limit)
    return _own_list(ctx, rows, limit)
