"""Mastodon entities (Account, Status, MediaAttachment, Notification, Tag, Relationship, Translation,
Report, Admin::Report) from our models: every Mastodon entity the API answers is built here.

A note is a status; a comment is a status that replies to its note (or to the comment it answers).
The viewer-independent part of a note's status is cached under a key that includes everything it is
built from (counts, edit time, the author's counts and update time), so a changed note simply misses
the cache; the per-viewer flags (favourited, bookmarked) are added per request in one batch.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import escape, linebreaks

from accounts.models import User
from api.mastodon.content import comment_url, linkify, note_html, note_url, paragraphs, profile_url, site_url, tag_url
from core import languages
from core.geo import viewer_country
from core.images import LARGE_MAX_SIDE, THUMB_WIDTH
from core.text import extract_mentions
from notes.models import Comment, Note, Photo, Tag, Video, VideoState, Visibility
from notes.selectors import liked_comment_ids, viewer_state, with_counts_seen_from
from review.models import ItemStatus, Report, ReviewItem

STATUS_CACHE_SECONDS = 600
# A status's cached JSON is named by everything it shows (``_status_key``), so a copy kept in the process
# in front of a shared cache (Redis) is the same text: where ``STATUS_LOCAL_CACHE`` is on (by default
# with Redis) a warm page reads its statuses from the process, not in a 20-key MGET (about 30 KB over the
# wire and a round trip a page). Kept at most ``LOCAL_STATUS_SECONDS``, well inside the shared entry's
# ``STATUS_CACHE_SECONDS``, and at most ``LOCAL_STATUS_MAX`` (past that the copy starts again).
LOCAL_STATUS_SECONDS = 60.0
LOCAL_STATUS_MAX = 10_000
_local_statuses: dict[str, tuple[float, str]] = {}
VISIBILITY_OUT: dict[str, str] = {
    Visibility.PUBLIC.value: "public",
    Visibility.UNLISTED.value: "unlisted",
    Visibility.FOLLOWERS.value: "private",
}


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    value = value.astimezone(UTC) if timezone.is_aware(value) else value
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _day(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def _media_url(field: Any) -> str | None:
    return site_url(field.url) if field and field.name else None


def _default_image(name: str) -> str:
    return site_url(static(f"api/{name}"))


def mastodon_language(code: str) -> str | None:
    """Mastodon clients expect ISO 639-1 ("zh"); the full tag ("zh-Hans") is in ``notebridge``."""
    return code.split("-", 1)[0] if code else None


# --- accounts -----------------------------------------------------------------------------------


def accounts(users: Iterable[User], *, country: str | None) -> list[dict[str, Any]]:
    """Accounts in order, each ``statuses_count`` leaving out notes withheld in the viewer's ``country``
    (one grouped query for the list where anything is withheld there, none elsewhere)."""
    return [_account(u, u.notes_seen) for u in with_counts_seen_from(users, country)]  # type: ignore[attr-defined]


def account(user: User, *, country: str | None) -> dict[str, Any]:
    return accounts([user], country=country)[0]


def _account(user: User, statuses_count: int) -> dict[str, Any]:
    avatar = _media_url(user.avatar) or _default_image("avatar.png")
    header = _default_image("header.png")
    return {
        "id": str(user.pk),
        "username": user.username,
        "acct": user.username,
        "display_name": user.display_name,
        "locked": user.locked,
        "bot": user.is_bot,
        "discoverable": True,
        "indexable": True,
        "group": False,
        "created_at": iso(datetime.combine(user.date_joined.date(), datetime.min.time(), tzinfo=UTC)),
        "note": "".join(paragraphs(user.bio)),
        "url": profile_url(user.username),
        "uri": profile_url(user.username),
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": user.followers_count,
        "following_count": user.following_count,
        "statuses_count": statuses_count,
        "last_status_at": _day(user.last_note_at),
        "hide_collections": False,
        "noindex": False,
        "emojis": [],
        "roles": [],
        "fields": _verified_fields(user),
        # Extension (docs/trust.md): Mastodon has no verified flag on accounts; clients that know
        # Notebridge read this, the others see the verified profile field below.
        "verified": user.verified_at is not None,
    }


def _verified_fields(user: User) -> list[dict[str, Any]]:
    """An admin-granted badge as a Mastodon profile field with ``verified_at``: stock clients show a
    verified field with a check mark."""
    if user.verified_at is None:
        return []
    return [
        {
            "name": "Verified",
            "value": escape(f"{settings.INSTANCE_DOMAIN} official account"),
            "verified_at": iso(user.verified_at),
        }
    ]


def credential_account(user: User, *, country: str | None) -> dict[str, Any]:
    data = account(user, country=country)
    data["source"] = {
        "privacy": "public",
        "sensitive": False,
        "language": mastodon_language(user.preferred_language) or "",
        "note": user.bio,
        "fields": [],
        "follow_requests_count": 0,
        "hide_collections": False,
        "discoverable": True,
        "indexable": True,
    }
    data["role"] = {"id": "0", "name": "", "color": "", "permissions": "0", "highlighted": False}
    data["notebridge"] = {
        "languages": user.languages,
        "region": user.region,
        "interests": user.interests,
        "ui_language": user.ui_language,
    }
    return data


def relationship(pk: int, rel: dict[str, bool]) -> dict[str, Any]:
    return {
        "id": str(pk),
        "following": rel["following"],
        "showing_reblogs": rel["following"],
        "notifying": False,
        "languages": None,
        "followed_by": rel["followed_by"],
        "blocking": rel["blocking"],
        "blocked_by": rel["blocked_by"],
        "muting": rel["muting"],
        "muting_notifications": rel["muting"],
        "requested": False,
        "requested_by": False,
        "domain_blocking": False,
        "endorsed": False,
        "note": "",
    }


# --- media ---------------------------------------------------------------------------------------


def _fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _meta(width: int, height: int) -> dict[str, Any]:
    return {"width": width, "height": height, "size": f"{width}x{height}", "aspect": round(width / max(height, 1), 6)}


def media(photo: Photo) -> dict[str, Any]:
    """An ``image`` attachment; while its renditions are being made ``url``, ``preview_url`` and ``meta``
    are null, as Mastodon gives media it is still processing (the upload itself is never served)."""
    if not photo.is_ready:
        return {
            "id": str(photo.pk),
            "type": "image",
            "url": None,
            "preview_url": None,
            "remote_url": None,
            "preview_remote_url": None,
            "text_url": None,
            "meta": None,
            "description": photo.alt_text or None,
            "blurhash": None,
        }
    large = _fit(photo.width, photo.height, LARGE_MAX_SIDE)
    small = (
        (THUMB_WIDTH, max(1, round(photo.height * THUMB_WIDTH / photo.width)))
        if photo.width > THUMB_WIDTH
        else (
            photo.width,
            photo.height,
        )
    )
    return {
        "id": str(photo.pk),
        "type": "image",
        "url": _media_url(photo.large) or _media_url(photo.original),
        "preview_url": _media_url(photo.thumb) or _media_url(photo.original),
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": {"original": _meta(*large), "small": _meta(*small)},
        "description": photo.alt_text or None,
        "blurhash": photo.blurhash or None,
    }


def _length(seconds: float) -> str:
    """Mastodon's ``meta.length``: "0:01:28.65"."""
    hundredths = round(seconds * 100)
    whole, part = divmod(hundredths, 100)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}.{part:02d}"


def video_media(video: Video) -> dict[str, Any]:
    """A ``video`` attachment as Mastodon gives it: ``url`` and ``preview_url`` are null until the
    worker has transcoded it; ``meta`` carries the length and the poster's size as ``small``."""
    ready = video.state == VideoState.READY
    poster = _fit(video.width, video.height, THUMB_WIDTH)
    meta: dict[str, Any] = {}
    if video.width and video.height:
        meta = {
            "length": _length(video.duration),
            "duration": round(video.duration, 3),
            **_meta(video.width, video.height),
            "original": {
                "width": video.width,
                "height": video.height,
                "duration": round(video.duration, 3),
            },
            "small": _meta(*poster),
        }
    return {
        "id": str(video.pk),
        "type": "video",
        "url": _media_url(video.large) if ready else None,
        "preview_url": _media_url(video.poster) if ready else None,
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": meta,
        "description": video.alt_text or None,
        "blurhash": video.blurhash or None,
    }


def media_attachments(note: Note) -> list[dict[str, Any]]:
    video = note.ready_video
    return [media(p) for p in note.photos.all()] + ([video_media(video)] if video is not None else [])


def tag(t: Tag, *, following: bool = False, history: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Mastodon's Tag; ``history`` as ``notes.selectors.tag_history`` gives it (day, uses, accounts),
    written as Mastodon writes it: strings, the day as a Unix time at midnight UTC."""
    return {
        "id": str(t.pk) if t.pk else None,
        "name": t.name,
        "url": tag_url(t.name),
        "history": [
            {"day": str(int(h["day"].timestamp())), "uses": str(h["uses"]), "accounts": str(h["accounts"])}
            for h in history or []
        ],
        "following": following,
    }


# --- statuses ------------------------------------------------------------------------------------


def _status_key(note: Note, statuses_count: int) -> str:
    # The author's statuses_count as the viewer sees it (withheld notes left out) is part of the key.
    a = note.author
    stamp = note.edited_at.timestamp() if note.edited_at else 0
    video = note.attached_video  # its attachment appears once it is ready
    return (
        f"mst:{note.id}:{note.like_count}:{note.collect_count}:{note.comment_count}:{stamp}:{note.visibility}"
        f":{a.updated_at.timestamp()}:{a.followers_count}:{a.following_count}:{statuses_count}"
        f":{video.state if video is not None else '-'}"
    )


def _mention(user: User) -> dict[str, Any]:
    return {"id": str(user.pk), "username": user.username, "acct": user.username, "url": profile_url(user.username)}


def _mentioned_users(texts: Iterable[str]) -> dict[str, User]:
    names = {name for text in texts for name in extract_mentions(text)}
    if not names:
        return {}
    return {u.username.lower(): u for u in User.objects.filter(username__in=names, is_active=True)}


def _application(name: str) -> dict[str, Any] | None:
    return {"name": name, "website": None} if name else None


def _note_base(note: Note, mentioned: dict[str, User], statuses_count: int) -> dict[str, Any]:
    text = f"{note.title}\n{note.body}"
    place = note.place
    return {
        "id": str(note.pk),
        "created_at": iso(note.created_at),
        "edited_at": iso(note.edited_at),
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": VISIBILITY_OUT.get(note.visibility, "public"),
        "language": mastodon_language(note.language),
        "uri": note_url(note.pk),
        "url": note_url(note.pk),
        "replies_count": note.comment_count,
        "reblogs_count": 0,
        "favourites_count": note.like_count,
        "quotes_count": 0,
        "content": note_html(note.title, note.body),
        "reblog": None,
        "application": _application(note.application_name),
        "account": _account(note.author, statuses_count),
        "media_attachments": media_attachments(note),
        "mentions": [_mention(mentioned[n]) for n in extract_mentions(text) if n in mentioned],
        "tags": [tag(t) for t in note.tags.all()],
        "emojis": [],
        "card": None,
        "poll": None,
        "notebridge": {
            "kind": "note",
            "title": note.title,
            "body": note.body,
            "language": note.language,
            "place": (
                {"name": place.name, "country": place.country, "latitude": place.latitude, "longitude": place.longitude}
                if place is not None
                else None
            ),
            "boards_count": note.collect_count,
        },
    }


def _viewer_flags(favourited: bool, bookmarked: bool) -> dict[str, Any]:
    return {
        "favourited": favourited,
        "bookmarked": bookmarked,
        "reblogged": False,
        "muted": False,
        "pinned": False,
        "filtered": [],
    }


def _flags_json(favourited: bool, bookmarked: bool) -> str:
    return (
        f',"favourited":{"true" if favourited else "false"},"bookmarked":{"true" if bookmarked else "false"}'
        ',"reblogged":false,"muted":false,"pinned":false,"filtered":[]}'
    )


# The four endings a status can have, made once: (favourited, bookmarked) -> JSON text.
_FLAGS_JSON = {(f, b): _flags_json(f, b) for f in (False, True) for b in (False, True)}


def _counts_seen(users: Iterable[User], country: str | None) -> dict[int, int]:
    unique = list({u.id: u for u in users}.values())
    return {u.id: u.notes_seen for u in with_counts_seen_from(unique, country)}  # type: ignore[attr-defined]


def statuses_json(notes: list[Note], viewer: User | None, *, just_made: bool = False) -> list[str]:
    """Statuses as JSON texts, for notes the viewer may see (already filtered), in order.

    Authors' ``statuses_count`` leaves out notes withheld where the viewer is (``viewer_country``: the
    request's IP country, else the viewer's profile region), the same country the read path filtered by.

    The viewer-independent part is cached as JSON text without its closing brace; the viewer's flags
    are appended, so a warm page costs no serialisation and two queries (likes, collects). Notes
    ``just_made`` (committed a moment ago, rendered as their transaction left them) have neither, and
    nothing cached yet: they are serialised without asking the cache (a round trip to Redis that could
    only miss), and cached for the reads that follow.
    """
    if not notes:
        return []
    seen = _counts_seen((note.author for note in notes), viewer_country(viewer))
    # In the order of ``notes`` (``.id``, not ``.pk``: this loop runs for every status of every page).
    keys = [_status_key(note, seen[note.author_id]) for note in notes]
    local = settings.STATUS_LOCAL_CACHE
    cached: dict[str, str] = {}
    if not just_made:
        if local:
            now = time.monotonic()
            for key in keys:
                kept = _local_statuses.get(key)
                if kept is not None and kept[0] > now:
                    cached[key] = kept[1]
        unread = [key for key in keys if key not in cached] if cached else keys
        if unread:
            found = cache.get_many(unread)
            cached.update(found)
            if local:
                _keep_locally(found)
    missing = {key: n for n, key in zip(notes, keys, strict=True) if key not in cached}
    if missing:
        mentioned = _mentioned_users(f"{n.title}\n{n.body}" for n in missing.values())
        fresh = {
            key: json.dumps(_note_base(n, mentioned, seen[n.author_id]), ensure_ascii=False, separators=(",", ":"))[:-1]
            for key, n in missing.items()
        }
        cache.set_many(fresh, STATUS_CACHE_SECONDS)
        cached.update(fresh)
        if local:
            _keep_locally(fresh)
    liked, collected = (set(), set()) if just_made else viewer_state(viewer, [n.id for n in notes])
    flags = _FLAGS_JSON
    return [cached[key] + flags[n.id in liked, n.id in collected] for n, key in zip(notes, keys, strict=True)]


def forget_local_statuses() -> None:
    """Drop this process's copy of statuses' JSON (tests, after clearing the shared cache)."""
    _local_statuses.clear()


def _keep_locally(entries: dict[str, str]) -> None:
    if not entries:
        return
    if len(_local_statuses) + len(entries) > LOCAL_STATUS_MAX:
        _local_statuses.clear()
    until = time.monotonic() + LOCAL_STATUS_SECONDS
    for key, text in entries.items():
        _local_statuses[key] = (until, text)


def statuses(notes: list[Note], viewer: User | None) -> list[dict[str, Any]]:
    """Statuses as dicts (for embedding in other entities); see ``statuses_json``."""
    return [json.loads(text) for text in statuses_json(notes, viewer)]


def status(note: Note, viewer: User | None) -> dict[str, Any]:
    return statuses([note], viewer)[0]


def new_status(note: Note, viewer: User) -> dict[str, Any]:
    """The status of a note the viewer has just made (``notes.selectors.get_own_new_note``): no one has
    liked or collected it yet, as of the transaction it is rendered from."""
    return json.loads(statuses_json([note], viewer, just_made=True)[0])


def comment_statuses(
    comments: list[Comment],
    note: Note,
    *,
    country: str | None,
    viewer: User | None = None,
    liked: set[int] | None = None,
) -> list[dict[str, Any]]:
    """Comments of one note as statuses replying to the note (or to the comment they answer);
    ``favourited`` says whether ``viewer`` liked each (``liked``: those ids, when the caller has them)."""
    if liked is None:
        liked = liked_comment_ids(viewer, [c.pk for c in comments])
    mentioned = _mentioned_users(c.body for c in comments)
    seen = _counts_seen((c.author for c in comments), country)
    out = []
    for c in comments:
        replying_to_comment = c.parent_id is not None
        out.append(
            {
                "id": str(c.pk),
                "created_at": iso(c.created_at),
                "edited_at": iso(c.edited_at),
                "in_reply_to_id": str(c.parent_id if replying_to_comment else note.pk),
                "in_reply_to_account_id": str(
                    c.reply_to_id if replying_to_comment and c.reply_to_id else note.author_id
                ),
                "sensitive": False,
                "spoiler_text": "",
                "visibility": VISIBILITY_OUT.get(note.visibility, "public"),
                "language": mastodon_language(c.language),
                "uri": comment_url(note.pk, c.pk),
                "url": comment_url(note.pk, c.pk),
                "replies_count": c.reply_count,
                "reblogs_count": 0,
                "favourites_count": c.like_count,
                "quotes_count": 0,
                "content": "".join(paragraphs(c.body)) or f"<p>{linkify(c.body)}</p>",
                "reblog": None,
                "application": None,
                "account": _account(c.author, seen[c.author_id]),
                "media_attachments": [],
                "mentions": [_mention(mentioned[n]) for n in extract_mentions(c.body) if n in mentioned],
                "tags": [],
                "emojis": [],
                "card": None,
                "poll": None,
                "notebridge": {"kind": "comment", "note_id": str(note.pk), "body": c.body, "language": c.language},
                **_viewer_flags(c.pk in liked, False),
            }
        )
    return out


# --- notifications -------------------------------------------------------------------------------

NOTIFICATION_TYPE_OUT = {
    "follow": "follow",
    "like": "favourite",
    "collect": "collect",
    "comment": "mention",
    "reply": "mention",
    "mention": "mention",
    "comment_like": "favourite",
    "moderation": "moderation_warning",
}

# A review decision as Mastodon's AccountWarning action: a rejected or removed note or comment is what
# Mastodon calls deleted statuses; anything else (kept, withheld in some countries) leaves the account
# as it was.
WARNING_ACTIONS = {
    ("note", "reject"): "delete_statuses",
    ("note", "remove"): "delete_statuses",
    ("comment", "reject"): "delete_statuses",
    ("comment", "remove"): "delete_statuses",
}
APPEAL_STATES = {"open": "pending", "upheld": "rejected", "reversed": "approved"}


def account_warning(
    *,
    warning_id: int,
    text: str,
    target_account: dict[str, Any],
    created_at: datetime,
    target_type: str = "",
    target_id: int | None = None,
    decision_action: str = "",
    appeal: tuple[str, str] | None = None,
    about_recipient: bool = True,
) -> dict[str, Any]:
    """Mastodon 4.3's AccountWarning for a moderation notice. ``about_recipient`` is false for the
    notices a reporter gets: their statuses are not what was moderated, so ``status_ids`` is null.
    ``appeal`` is (text, our appeal status)."""
    own_status = about_recipient and target_type in ("note", "comment") and target_id is not None
    return {
        "id": str(warning_id),
        "action": WARNING_ACTIONS.get((target_type, decision_action), "none"),
        "text": text,
        "status_ids": [str(target_id)] if own_status else None,
        "target_account": target_account,
        "appeal": {"text": appeal[0], "state": APPEAL_STATES.get(appeal[1], "pending")} if appeal else None,
        "created_at": iso(created_at),
    }


def notification_types_in(names: list[str]) -> list[str]:
    """Mastodon notification type names to ours (unknown names match nothing)."""
    out = [ours for ours, theirs in NOTIFICATION_TYPE_OUT.items() if theirs in names]
    return out


def instance_limits() -> dict[str, Any]:
    return {
        "max_characters": 5000,
        "max_media_attachments": settings.PHOTO_MAX_PER_NOTE,
        "characters_reserved_per_url": 23,
    }


# --- translations --------------------------------------------------------------------------------

TRANSLATION_PROVIDER = "Notebridge"


def translation(
    *,
    title: str,
    body: str,
    target: str,
    detected: str,
    engines: Iterable[str],
    descriptions: dict[int, str],
    is_gloss: bool,
) -> dict[str, Any]:
    """Mastodon's Translation entity: a status's text (``title`` as a first bold paragraph, as statuses
    show notes) and its attachments' ``descriptions`` (photo id -> text) in ``target``."""
    html = f"<p><strong>{escape(title)}</strong></p>" if title else ""
    html += linebreaks(escape(body)) if body else ""
    names = sorted(set(engines))
    return {
        "content": html,
        "spoiler_text": "",
        "language": languages.mastodon_code(target),
        "detected_source_language": languages.mastodon_code(detected),
        "provider": f"{TRANSLATION_PROVIDER} ({', '.join(names)})" if names else TRANSLATION_PROVIDER,
        "media_attachments": [{"id": str(pk), "description": text} for pk, text in descriptions.items()],
        "poll": None,
        "is_gloss": is_gloss,
    }


# --- reports -------------------------------------------------------------------------------------


def _reported_account(user: User) -> dict[str, Any]:
    """The account a moderator's report entity names (Mastodon's Admin::Account, its essentials)."""
    return {
        "id": str(user.pk),
        "username": user.username,
        "acct": user.username,
        "display_name": user.display_name or user.username,
    }


def report(filed: Report, *, status_ids: list[int], target: User, country: str | None) -> dict[str, Any]:
    """Mastodon's Report entity: what the reporter filed, as it stands."""
    item = filed.item
    return {
        "id": str(filed.pk),
        "action_taken": item.status == ItemStatus.RESOLVED,
        "action_taken_at": item.resolved_at.isoformat() if item.resolved_at else None,
        "category": filed.category,
        "comment": filed.explanation,
        "forwarded": False,
        "created_at": filed.created_at.isoformat(),
        "status_ids": [str(i) for i in status_ids],
        "rule_ids": [],
        "target_account": account(target, country=country),
    }


def admin_report(item: ReviewItem) -> dict[str, Any]:
    """Mastodon's Admin::Report for a review item that reports opened (one per reported note or profile;
    several reports merge into it: ``report_count``)."""
    first = item.reports.select_related("reporter").order_by("id").first()
    return {
        "id": str(item.pk),
        "action_taken": item.status == ItemStatus.RESOLVED,
        "action_taken_at": item.resolved_at.isoformat() if item.resolved_at else None,
        "category": item.category,
        "comment": first.explanation if first else "",
        "forwarded": False,
        "created_at": item.created_at.isoformat(),
        "updated_at": (item.resolved_at or item.created_at).isoformat(),
        "account": _reported_account(first.reporter) if first else None,
        "target_account": _reported_account(item.author),
        "assigned_account": {"id": str(item.claimed_by_id)} if item.claimed_by_id else None,
        "action_taken_by_account": None,
        "statuses": [{"id": str(item.target_id)}] if item.target_type == "note" else [],
        "rules": [],
        "report_count": item.report_count,
        "language": item.language,
        "severity": item.severity,
    }
