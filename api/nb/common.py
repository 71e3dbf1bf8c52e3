"""Shared pieces of the native API: authentication, viewer helpers, ids, serialisation."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import get_language
from ninja.errors import AuthenticationError, HttpError
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from accounts.models import User
from api.auth import AUTH_OPTIONAL, AuthFailed, authenticate, bearer_token
from api.mastodon.content import note_url, profile_url, site_url
from api.mastodon.entities import iso
from core.countries import country_name
from core.geo import viewer_country
from core.ids import parse_id
from notes.models import Board, Comment, Note, Photo
from notes.selectors import liked_comment_ids, note_rows, viewer_state, with_counts_seen_from
from review.selectors import ip_location_labels_shown

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class NativeAuth(AuthBase):
    """How the native API knows the caller: a bearer token through ``api.auth.authenticate`` (reads need
    ``read``, writes ``write``, unless a route names its ``scope``), else the web session, whose writes
    need the CSRF token. ``optional`` routes also serve anonymous readers."""

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __init__(self, *, optional: bool = False, scope: str | None = None) -> None:
        super().__init__()
        self.optional = optional
        self.scope = scope

    def __call__(self, request: HttpRequest) -> User | AnonymousUser | None:
        if bearer_token(request) is not None:
            scope = self.scope or ("read" if request.method in SAFE_METHODS else "write")
            try:
                caller = authenticate(request, auth=AUTH_OPTIONAL, scope=scope)
            except AuthFailed as exc:
                raise HttpError(exc.status, exc.message) from exc
            if caller.user is not None:
                return caller.user
            return AnonymousUser() if self.optional else None  # an app-only token reads as anonymous
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False):
                if check_csrf(request) is not None:
                    raise HttpError(403, "CSRF check failed: send the csrftoken cookie's value as X-CSRFToken")
            return user  # type: ignore[no-any-return]
        return AnonymousUser() if self.optional else None


REQUIRED = NativeAuth()
OPTIONAL = NativeAuth(optional=True)


def viewer(request: HttpRequest) -> User | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, User) else None


def require_user(request: HttpRequest) -> User:
    user = viewer(request)
    if user is None:
        raise AuthenticationError()
    return user


def fresh_user(request: HttpRequest) -> User:
    """The signed-in user re-read from the database (the auth cache holds a short-lived copy)."""
    return User.objects.get(pk=require_user(request).pk)


def to_id(value: Any, what: str = "id") -> int:
    parsed = parse_id(value)
    if parsed is None:
        raise HttpError(404 if what == "id" else 422, f"Invalid {what}")
    return parsed


def opt_cursor(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    parsed = parse_id(value)
    if parsed is None:
        raise HttpError(422, "Invalid cursor")
    return parsed


def _url(field: Any) -> str | None:
    return site_url(field.url) if field and field.name else None


def avatar_url(user: User) -> str | None:
    return _url(user.avatar)


@dataclass(frozen=True)
class Where:
    """What a response depends on where the viewer is: counts leave out notes withheld in their
    country, and "IP location" labels appear where their regional pack asks for them."""

    country: str | None
    labels: bool


def where(request: HttpRequest) -> Where:
    found = viewer_country(viewer(request))
    return Where(country=found, labels=ip_location_labels_shown(found))


def ip_location(code: str, w: Where) -> dict[str, str] | None:
    """The country something was posted from (a code and its name in the request's language), or
    None where the viewer's rules do not show one. Never an address."""
    return {"country": code, "name": country_name(code)} if w.labels else None


def profiles(users: list[User], w: Where) -> list[dict[str, Any]]:
    """Profiles in order; their notes counts (one query for the list, if any) as seen from ``w``."""
    return [_profile(u, w) for u in with_counts_seen_from(users, w.country)]


def profile(user: User, w: Where) -> dict[str, Any]:
    return profiles([user], w)[0]


def _profile(user: User, w: Where) -> dict[str, Any]:
    return {
        "id": str(user.pk),
        "username": user.username,
        "display_name": user.display_name,
        "bio": user.bio,
        "avatar": _url(user.avatar),
        "languages": user.languages,
        "region": user.region,
        "followers_count": user.followers_count,
        "following_count": user.following_count,
        "notes_count": user.notes_seen,  # type: ignore[attr-defined]
        "url": profile_url(user.username),
        "ip_location": ip_location(user.last_ip_country, w),
    }


def photo(p: Photo) -> dict[str, Any]:
    return {
        "id": str(p.pk),
        "url": _url(p.large) or _url(p.original),
        "thumb_url": _url(p.thumb),
        "width": p.width,
        "height": p.height,
        "blurhash": p.blurhash,
        "alt_text": p.alt_text,
        "state": p.state,  # processing (urls null until the worker is done), ready or failed
        "error": p.error,
    }


def note(n: Note, *, author: dict[str, Any], w: Where, liked: bool = False, collected: bool = False) -> dict[str, Any]:
    place = n.place
    return {
        "id": str(n.pk),
        "author": author,
        "title": n.title,
        "body": n.body,
        "language": n.language,
        "visibility": n.visibility,
        "state": n.state,
        "created_at": iso(n.created_at),
        "edited_at": iso(n.edited_at),
        "place": (
            {
                "id": str(place.pk),
                "name": place.name,
                "country": place.country,
                "latitude": place.latitude,
                "longitude": place.longitude,
            }
            if place is not None
            else None
        ),
        "tags": [t.name for t in n.tags.all()],
        "photos": [photo(p) for p in n.photos.all()],
        "like_count": n.like_count,
        "collect_count": n.collect_count,
        "comment_count": n.comment_count,
        "liked": liked,
        "collected": collected,
        "url": note_url(n.pk),
        "ip_location": ip_location(n.ip_country, w),
    }


NOTE_JSON_SECONDS = 600


def _note_key(n: Note, notes_seen: int, w: Where) -> str:
    """The cache key of a note's viewer-independent JSON: a digest of everything it is built from (the
    note's, author's, place's, photos', tags' and video's rows as the read gave them, the author's notes
    count as seen from the viewer's country, whether IP locations show and the language their country
    names are in). An edit, a new like count, a moderation decision, a processed photo or a profile
    change is a new key: nothing is deleted, a changed note simply misses."""
    digest = hashlib.blake2b(repr(note_rows(n)).encode(), digest_size=12).hexdigest()
    return f"nbnote:v1:{n.pk}:{digest}:{notes_seen}:{int(w.labels)}:{get_language() if w.labels else ''}"


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _shared(n: Note, *, author: dict[str, Any], w: Where) -> dict[str, Any]:
    """``note`` without the viewer's flags (they are appended per request)."""
    data = note(n, author=author, w=w)
    del data["liked"], data["collected"]
    return data


def notes_json(
    items: list[Note], user: User | None, w: Where, *, extra: list[dict[str, Any]] | None = None
) -> list[str]:
    """Notes as ``note`` gives them, each a JSON text, in order: the viewer-independent part cached
    (``NOTE_JSON_SECONDS``) as JSON text without its closing brace, shared by every viewer and every
    native endpoint that lists notes; the viewer's ``liked`` / ``collected`` (one query for the list)
    and ``extra``'s fields for each note (``extra[i]`` for ``items[i]``) are appended."""
    if not items:
        return []
    authors = list({n.author_id: n.author for n in items}.values())
    seen = {u.pk: u.notes_seen for u in with_counts_seen_from(authors, w.country)}  # type: ignore[attr-defined]
    keys = [_note_key(n, seen[n.author_id], w) for n in items]
    cached: dict[str, str] = cache.get_many(list(dict.fromkeys(keys)))
    missing = {k: n for k, n in zip(keys, items, strict=True) if k not in cached}
    if missing:
        by_author = {u.pk: _profile(u, w) for u in authors}
        fresh = {k: _dumps(_shared(n, author=by_author[n.author_id], w=w))[:-1] for k, n in missing.items()}
        cache.set_many(fresh, NOTE_JSON_SECONDS)
        cached.update(fresh)
    liked, collected = viewer_state(user, [n.pk for n in items])
    out = []
    for i, (k, n) in enumerate(zip(keys, items, strict=True)):
        tail = f',"liked":{"true" if n.pk in liked else "false"},"collected":{"true" if n.pk in collected else "false"}'
        if extra is not None:
            tail += "," + _dumps(extra[i])[1:-1]
        out.append(cached[k] + tail + "}")
    return out


def notes(items: list[Note], user: User | None, w: Where) -> list[dict[str, Any]]:
    """Notes as dicts (``notes_json``, parsed): the same cached text serves every native endpoint."""
    return [json.loads(text) for text in notes_json(items, user, w)]


def comment(
    c: Comment,
    w: Where,
    *,
    authors: dict[int, dict[str, Any]] | None = None,
    liked: set[int] | frozenset[int] = frozenset(),
) -> dict[str, Any]:
    """A comment with its thread replies (``thread_replies``, as ``comments_for`` attaches them);
    ``liked``: the ids of those the viewer liked."""
    authors = authors if authors is not None else {c.author_id: profile(c.author, w)}
    return {
        "id": str(c.pk),
        "author": authors[c.author_id],
        "body": c.body,
        "parent_id": str(c.parent_id) if c.parent_id else None,
        "created_at": iso(c.created_at),
        "ip_location": ip_location(c.ip_country, w),
        "like_count": c.like_count,
        "liked": c.pk in liked,
        "replies": [comment(r, w, authors=authors, liked=liked) for r in getattr(c, "thread_replies", [])],
    }


def comments(items: list[Comment], w: Where, viewer: User | None = None) -> list[dict[str, Any]]:
    everyone = [c for top in items for c in [top, *getattr(top, "thread_replies", [])]]
    users = list({c.author_id: c.author for c in everyone}.values())
    authors = {u.pk: data for u, data in zip(users, profiles(users, w), strict=True)}
    liked = liked_comment_ids(viewer, [c.pk for c in everyone])
    return [comment(c, w, authors=authors, liked=liked) for c in items]


def boards(items: list[Board], w: Where) -> list[dict[str, Any]]:
    return [board(b) for b in with_counts_seen_from(items, w.country)]


def board(b: Board) -> dict[str, Any]:
    return {
        "id": str(b.pk),
        "owner_id": str(b.owner_id),
        "name": b.name,
        "description": b.description,
        "is_private": b.is_private,
        "is_default": b.is_default,
        "notes_count": getattr(b, "notes_seen", b.notes_count),
        "created_at": iso(b.created_at),
    }
