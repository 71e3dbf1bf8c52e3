"""Instance information, search, and the small endpoints clients call at start-up."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import User
from api.auth import AUTH_NONE, AUTH_OPTIONAL
from api.http import ApiError, Ctx, endpoint
from api.mastodon import entities
from api.mastodon.content import site_url
from api.oauth import token_allows
from core import video
from core.geo import viewer_country
from notes.search import search_note_ids
from notes.selectors import followed_tag_ids, search_tags, tag_history, visible_notes
from notifications import services as notification_services
from translation.engines import registry
from translation.query import expand_query

VERSION = "4.3.0 (compatible; Notebridge 0.1.0)"
MIME_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"]
VIDEO_MIME_TYPES = ["video/mp4", "video/quicktime", "video/webm", "video/x-matroska", "video/x-msvideo"]


def _languages() -> list[str]:
    return list(settings.CONTENT_LANGUAGES)


def _media_config() -> dict[str, Any]:
    return {
        "supported_mime_types": MIME_TYPES + (VIDEO_MIME_TYPES if video.available() else []),
        "description_limit": 1500,
        "image_size_limit": settings.PHOTO_MAX_BYTES,
        "image_matrix_limit": settings.PHOTO_MAX_PIXELS,
        "video_size_limit": settings.VIDEO_MAX_BYTES if video.available() else 0,
        "video_frame_rate_limit": video.MAX_FPS if video.available() else 0,
        "video_matrix_limit": settings.VIDEO_MAX_PIXELS if video.available() else 0,
    }


def _polls() -> dict[str, Any]:
    return {"max_options": 0, "max_characters_per_option": 0, "min_expiration": 0, "max_expiration": 0}


@endpoint(auth=AUTH_NONE)
def instance_v1(ctx: Ctx) -> dict[str, Any]:
    return {
        "uri": settings.INSTANCE_DOMAIN,
        "title": settings.INSTANCE_NAME,
        "short_description": "A lifestyle note-sharing community that reads across languages.",
        "description": "Photo notes with titles, boards and translation built in.",
        "email": settings.ADMIN_EMAIL,
        "version": VERSION,
        "urls": {"streaming_api": None},
        "stats": {
            "user_count": User.objects.filter(is_active=True).count(),
            "status_count": 0,
            "domain_count": 0,
        },
        "thumbnail": None,
        "languages": _languages(),
        "registrations": True,
        "approval_required": False,
        "invites_enabled": False,
        "configuration": {
            "accounts": {"max_featured_tags": 0},
            "statuses": entities.instance_limits(),
            "media_attachments": _media_config(),
            "polls": _polls(),
        },
        "contact_account": None,
        "rules": [],
    }


@endpoint(auth=AUTH_NONE)
def instance_v2(ctx: Ctx) -> dict[str, Any]:
    return {
        "domain": settings.INSTANCE_DOMAIN,
        "title": settings.INSTANCE_NAME,
        "version": VERSION,
        "source_url": site_url("/source"),
        "description": "A lifestyle note-sharing community that reads across languages.",
        "usage": {"users": {"active_month": User.objects.filter(is_active=True).count()}},
        "thumbnail": {"url": site_url("/static/api/header.png")},
        "icon": [],
        "languages": _languages(),
        "configuration": {
            "urls": {"streaming": None, "status": None},
            "vapid": {"public_key": ""},
            "accounts": {"max_featured_tags": 0, "max_pinned_statuses": 0},
            "statuses": entities.instance_limits(),
            "media_attachments": _media_config(),
            "polls": _polls(),
            "translation": {"enabled": _translation_enabled()},
        },
        "registrations": {"enabled": True, "approval_required": False, "message": None},
        "api_versions": {"mastodon": 2},
        "contact": {"email": settings.ADMIN_EMAIL, "account": None},
        "rules": [],
    }


def _translation_enabled() -> bool:
    """True when some engine other than the word gloss translates at least one language pair."""
    return bool(registry.supported_pairs())


@endpoint(auth=AUTH_NONE)
def empty_list(ctx: Ctx) -> list[Any]:
    """custom_emojis, filters, lists, announcements...: features this server does not have."""
    return []


@endpoint(auth=AUTH_NONE)
def instance_languages(ctx: Ctx) -> list[dict[str, str]]:
    names = {"en": "English", "zh-Hans": "简体中文", "zh-Hant": "繁體中文", "th": "ไทย", "ja": "日本語", "ko": "한국어"}
    return [{"code": code, "name": names.get(code, code)} for code in _languages()]


@endpoint(scope="read:accounts")
def preferences(ctx: Ctx) -> dict[str, Any]:
    user = ctx.require_user()
    return {
        "posting:default:visibility": "public",
        "posting:default:sensitive": False,
        "posting:default:language": entities.mastodon_language(user.preferred_language),
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }


@endpoint(scope="read:statuses", allow=("GET", "POST"))
def markers(ctx: Ctx) -> dict[str, Any]:
    """Minimal: positions are not stored, except that a notifications marker marks them read."""
    user = ctx.require_user()
    if ctx.request.method != "POST":
        return {}
    if ctx.token is None or not token_allows(ctx.token.scopes, "write:statuses"):
        raise ApiError("This action is outside the authorized scopes", 403)
    out: dict[str, Any] = {}
    for timeline in ("home", "notifications"):
        last = ctx.params.opt_string(f"{timeline}[last_read_id]", max_length=30)
        if last is None and isinstance(ctx.params.raw(timeline), dict):
            last = str(ctx.params.raw(timeline).get("last_read_id", ""))
        if not last:
            continue
        if not last.isdigit():
            raise ApiError("Validation failed: last_read_id is not a valid id")
        if timeline == "notifications":
            notification_services.mark_read(user_id=user.pk, up_to_id=int(last))
        out[timeline] = {"last_read_id": last, "version": 1, "updated_at": entities.iso(timezone.now())}
    return out


@endpoint(auth=AUTH_OPTIONAL, scope="read:search")
def search_v2(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    q = p.string("q", max_length=500).strip()
    kind = p.string("type", max_length=20)
    if kind and kind not in {"accounts", "statuses", "hashtags"}:
        raise ApiError("Validation failed: type is not included in the list")
    limit = p.integer("limit", 20, low=1, high=40) or 20
    offset = p.integer("offset", 0, low=0, high=10_000) or 0
    result: dict[str, Any] = {"accounts": [], "statuses": [], "hashtags": []}
    if not q:
        return result
    if kind in ("", "accounts") and not q.startswith("#"):
        people = list(account_selectors.search_people(q, limit=offset + limit))[offset:]
        hidden = account_selectors.hidden_author_ids(ctx.user)
        result["accounts"] = entities.accounts(
            [u for u in people if u.pk not in hidden], country=viewer_country(ctx.user)
        )
    if kind in ("", "statuses"):
        ids = search_note_ids(q, groups=expand_query(q).groups, limit=limit, offset=offset)
        notes = visible_notes(ids, ctx.user, country=viewer_country(ctx.user))
        result["statuses"] = entities.statuses(notes, ctx.user)
    if kind in ("", "hashtags"):
        found = search_tags(q, limit=limit, offset=offset)
        history = tag_history([t.pk for t in found], country=viewer_country(ctx.user))
        followed = followed_tag_ids(ctx.user)
        result["hashtags"] = [entities.tag(t, following=t.pk in followed, history=history[t.pk]) for t in found]
    return result
