"""Shared pieces of the native API: authentication, viewer helpers, ids, serialisation."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer, SessionAuth

from accounts.models import User
from api.http import cached_user, country_of, lookup_token
from api.mastodon.content import note_url, profile_url, site_url
from api.mastodon.entities import iso
from api.oauth import token_allows
from core.ids import parse_id
from notes.models import Board, Note, Photo
from notes.selectors import viewer_state

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class BearerAuth(HttpBearer):
    """An OAuth token; reads need the ``read`` scope and writes ``write``. A bad token is a 401."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        info = lookup_token(token)
        if info is None or info.user_id is None:
            raise AuthenticationError()
        user = cached_user(info.user_id)
        if user is None:
            raise AuthenticationError()
        needed = "read" if request.method in SAFE_METHODS else "write"
        if not token_allows(info.scopes, needed):
            raise HttpError(403, "This action is outside the authorized scopes")
        return user


class Session(SessionAuth):
    """The web session; ninja checks the CSRF token on writes."""


def _anonymous(request: HttpRequest) -> AnonymousUser:
    return AnonymousUser()


REQUIRED: list[Any] = [BearerAuth(), Session()]
OPTIONAL: list[Any] = [BearerAuth(), Session(), _anonymous]


def viewer(request: HttpRequest) -> User | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, User) else None


def country(request: HttpRequest) -> str | None:
    """The viewer's country, for regional withholding (see ``api.http.country_of``)."""
    return country_of(viewer(request))


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


def profile(user: User) -> dict[str, Any]:
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
        "notes_count": user.notes_count,
        "url": profile_url(user.username),
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
    }


def note(n: Note, *, liked: bool = False, collected: bool = False) -> dict[str, Any]:
    place = n.place
    return {
        "id": str(n.pk),
        "author": profile(n.author),
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
    }


def notes(items: list[Note], user: User | None) -> list[dict[str, Any]]:
    liked, collected = viewer_state(user, [n.pk for n in items])
    return [note(n, liked=n.pk in liked, collected=n.pk in collected) for n in items]


def board(b: Board) -> dict[str, Any]:
    return {
        "id": str(b.pk),
        "owner_id": str(b.owner_id),
        "name": b.name,
        "description": b.description,
        "is_private": b.is_private,
        "is_default": b.is_default,
        "notes_count": b.notes_count,
        "created_at": iso(b.created_at),
    }
