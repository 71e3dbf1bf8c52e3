"""/api/v1/accounts: registration, credentials, profiles, their notes, and the social graph."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from oauth2_provider.models import Application

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts import suggestions as suggestion_services
from accounts.models import User
from api.auth import AUTH_APP, AUTH_OPTIONAL
from api.http import ApiError, Ctx, Page, endpoint, render, url_id
from api.mastodon import entities
from api.services import register_account_via_app
from core.errors import RateLimited, ServiceError
from core.geo import viewer_country
from core.network import client_ip
from notes.selectors import author_note_ids, visible_notes

REGISTRATION_ERRORS = {
    "taken": "ERR_TAKEN",
    "invalid_username": "ERR_INVALID",
    "weak_password": "ERR_TOO_SHORT",
    "accepted": "ERR_ACCEPTED",
    "blank": "ERR_BLANK",
    "blocked": "ERR_BLOCKED",
    "invite": "ERR_INVALID",
}


def _account_or_404(account_id: str) -> User:
    """The account an action names (follow, block, mute ...): any active account."""
    user = User.objects.filter(pk=url_id(account_id), is_active=True).first()
    if user is None:
        raise ApiError("Record not found", 404)
    return user


def _visible_account_or_404(ctx: Ctx, account_id: str) -> User:
    """The account whose profile is read, through its access gate (blocks either way look missing)."""
    user = account_selectors.get_visible_profile(viewer=ctx.user, user_id=url_id(account_id))
    if user is None:
        raise ApiError("Record not found", 404)
    return user


@endpoint(auth=AUTH_APP, scope="write:accounts")
def register(ctx: Ctx) -> Any:
    """Mastodon's sign-up through an app token. Errors carry per-field ``details`` as Mastodon's do."""
    assert ctx.token is not None
    if ctx.user is not None:
        raise ApiError("This method requires an app token, not a user token", 403)
    p = ctx.params
    application = Application.objects.filter(pk=ctx.token.application_id).first()
    if application is None:
        raise ApiError("The access token is invalid", 401)
    try:
        _user, raw, token = register_account_via_app(
            application=application,
            scopes=ctx.token.scopes,
            username=p.string("username", max_length=100),
            password=p.string("password", max_length=200),
            email=p.string("email", max_length=254),
            agreement=p.flag("agreement"),
            locale=p.string("locale", max_length=16),
            ip=client_ip(ctx.request),
            invite_code=p.string("invite_code", max_length=64),
        )
    except RateLimited:
        raise  # 429 with Retry-After (api.http.endpoint)
    except ServiceError as exc:
        details = {
            exc.field or "base": [
                {"error": REGISTRATION_ERRORS.get(exc.code, "ERR_INVALID"), "description": exc.message}
            ]
        }
        message = exc.message if exc.message.startswith("Validation failed") else f"Validation failed: {exc.message}"
        return render(ctx.request, {"error": message, "details": details}, exc.status)
    return {
        "access_token": raw,
        "token_type": "Bearer",
        "scope": token.scope,
        "created_at": int(token.created.timestamp()),
    }


@endpoint(scope="read:accounts")
def verify_credentials(ctx: Ctx) -> dict[str, Any]:
    user = User.objects.get(pk=ctx.require_user().pk)  # fresh: counts change, the token cache holds a copy
    return entities.credential_account(user, country=viewer_country(ctx.user))


LANGUAGE_ALIASES = {"zh": "zh-Hans", "zh-cn": "zh-Hans", "zh-tw": "zh-Hant", "zh-hk": "zh-Hant"}
_UPDATE_FIELDS = {"display_name": "display_name", "note": "bio", "locked": "locked"}


@endpoint(scope="write:accounts")
def update_credentials(ctx: Ctx) -> dict[str, Any]:
    user = User.objects.get(pk=ctx.require_user().pk)
    p = ctx.params
    changes: dict[str, Any] = {}
    for name, field in _UPDATE_FIELDS.items():
        if p.has(name):
            changes[field] = p.flag(name) if field == "locked" else p.string(name, max_length=2000)
    language = p.opt_string("source[language]", max_length=16)
    if language is None and isinstance(p.raw("source"), dict):
        language = p.raw("source").get("language")
    if language:
        code = LANGUAGE_ALIASES.get(str(language).lower(), str(language))
        changes["languages"] = list(dict.fromkeys([code, *user.languages]))
    avatar = p.file("avatar")
    if avatar is not None:
        changes["avatar"] = avatar
    user = account_services.update_profile(user=user, **changes)
    return entities.credential_account(user, country=viewer_country(ctx.user))


@endpoint(auth=AUTH_OPTIONAL, scope="read:accounts")
def show(ctx: Ctx, account_id: str) -> dict[str, Any]:
    return entities.account(_visible_account_or_404(ctx, account_id), country=viewer_country(ctx.user))


@endpoint(auth=AUTH_OPTIONAL, scope="read:accounts")
def lookup(ctx: Ctx) -> dict[str, Any]:
    acct = ctx.params.string("acct", max_length=300).strip().lstrip("@")
    username, _sep, domain = acct.partition("@")
    if domain and domain.lower() != settings.INSTANCE_DOMAIN.lower():
        raise ApiError("Record not found", 404)
    user = account_selectors.get_visible_profile(viewer=ctx.user, username=username) if username else None
    if user is None:
        raise ApiError("Record not found", 404)
    return entities.account(user, country=viewer_country(ctx.user))


@endpoint(auth=AUTH_OPTIONAL, scope="read:accounts")
def search(ctx: Ctx) -> list[dict[str, Any]]:
    q = ctx.params.string("q", max_length=200)
    limit = ctx.params.integer("limit", 40, low=1, high=80) or 40
    return entities.accounts(account_selectors.search_people(q, limit=limit), country=viewer_country(ctx.user))


@endpoint(auth=AUTH_OPTIONAL, scope="read:statuses")
def statuses(ctx: Ctx, account_id: str) -> Page:
    author = _account_or_404(account_id)
    p = ctx.params
    limit = p.integer("limit", 20, low=1, high=40) or 20
    max_id = p.id("max_id")
    # min_id and since_id are validated but not used: profile pages paginate backwards only.
    p.id("min_id")
    p.id("since_id")
    if p.flag("pinned"):
        return Page([])  # notes cannot be pinned
    ids = author_note_ids(author, ctx.user, max_id=max_id, limit=limit)
    notes = visible_notes(ids, ctx.user, for_feed=False, country=viewer_country(ctx.user))
    if p.flag("only_media"):
        notes = [n for n in notes if n.photos.all() or n.ready_video]
    if p.has("tagged"):
        wanted = p.string("tagged", max_length=60).lstrip("#").casefold()
        notes = [n for n in notes if any(t.name == wanted for t in n.tags.all())]
    items = entities.statuses(notes, ctx.user)
    return Page(items, next_max_id=ids[-1] if len(ids) == limit else None, prev_min_id=ids[0] if ids else None)


def _follow_list(ctx: Ctx, account_id: str, *, followers: bool) -> Page:
    user = _account_or_404(account_id)
    p = ctx.params
    limit = p.integer("limit", 40, low=1, high=80) or 40
    rows = account_selectors.follow_page(user.pk, followers=followers, max_id=p.id("max_id"), limit=limit)
    hidden = account_selectors.hidden_author_ids(ctx.user)
    items = entities.accounts([u for _pk, u in rows if u.pk not in hidden], country=viewer_country(ctx.user))
    return Page(items, next_max_id=rows[-1][0] if len(rows) == limit else None)


@endpoint(auth=AUTH_OPTIONAL, scope="read:accounts")
def followers(ctx: Ctx, account_id: str) -> Page:
    return _follow_list(ctx, account_id, followers=True)


@endpoint(auth=AUTH_OPTIONAL, scope="read:accounts")
def following(ctx: Ctx, account_id: str) -> Page:
    return _follow_list(ctx, account_id, followers=False)


def _relationship(viewer: User, other: User) -> dict[str, Any]:
    return entities.relationship(other.pk, account_selectors.relationships(viewer, [other.pk])[other.pk])


@endpoint(scope="read:follows")
def relationships(ctx: Ctx) -> list[dict[str, Any]]:
    viewer = ctx.require_user()
    ids = ctx.params.ids("id", max_items=80)
    existing = list(User.objects.filter(pk__in=ids).values_list("pk", flat=True))
    rels = account_selectors.relationships(viewer, existing)
    return [entities.relationship(pk, rels[pk]) for pk in ids if pk in rels]


@endpoint(scope="write:follows")
def follow(ctx: Ctx, account_id: str) -> dict[str, Any]:
    viewer, other = ctx.require_user(), _account_or_404(account_id)
    account_services.follow(follower=viewer, followee=other)
    return _relationship(viewer, other)


@endpoint(scope="write:follows")
def unfollow(ctx: Ctx, account_id: str) -> dict[str, Any]:
    viewer, other = ctx.require_user(), _account_or_404(account_id)
    account_services.unfollow(follower=viewer, followee=other)
    return _relationship(viewer, other)


@endpoint(scope="write:blocks")
def block(ctx: Ctx, account_id: str) -> dict[str, Any]:
    viewer, other = ctx.require_user(), _account_or_404(account_id)
    account_services.block(blocker=viewer, blocked=other)
    return _relationship(viewer, other)


@endpoint(scope="write:blocks")
def unblock(ctx: Ctx, account_id: str) -> dict[str, Any]:
    viewer, other = ctx.require_user(), _account_or_404(account_id)
    account_services.unblock(blocker=viewer, blocked=other)
    return _relationship(viewer, other)


@endpoint(scope="write:mutes")
def mute(ctx: Ctx, account_id: str) -> dict[str, Any]:
    viewer, other = ctx.require_user(), _account_or_404(account_id)
    account_services.mute(muter=viewer, muted=other)
    return _relationship(viewer, other)


@endpoint(scope="write:mutes")
def unmute(ctx: Ctx, account_id: str) -> dict[str, Any]:
    viewer, other = ctx.require_user(), _account_or_404(account_id)
    account_services.unmute(muter=viewer, muted=other)
    return _relationship(viewer, other)


@endpoint(auth=AUTH_OPTIONAL, scope="read:accounts")
def show_many(ctx: Ctx) -> list[dict[str, Any]]:
    ids = ctx.params.ids("id", max_items=40)
    hidden = account_selectors.blocked_ids(ctx.user)
    found = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True) if u.pk not in hidden}
    return entities.accounts([found[pk] for pk in ids if pk in found], country=viewer_country(ctx.user))


def _own_list(ctx: Ctx, rows: list[tuple[int, User]], limit: int) -> Page:
    return Page(
        entities.accounts([u for _pk, u in rows], country=viewer_country(ctx.user)),
        next_max_id=rows[-1][0] if len(rows) == limit else None,
    )


@endpoint(scope="read:blocks")
def blocks(ctx: Ctx) -> Page:
    limit = ctx.params.integer("limit", 40, low=1, high=80) or 40
    rows = account_selectors.blocked_page(ctx.require_user(), max_id=ctx.params.id("max_id"), limit=limit)
    return _own_list(ctx, rows, limit)


@endpoint(scope="read:mutes")
def mutes(ctx: Ctx) -> Page:
    limit = ctx.params.integer("limit", 40, low=1, high=80) or 40
    rows = account_selectors.muted_page(ctx.require_user(), max_id=ctx.params.id("max_id"), limit=limit)
    return _own_list(ctx, rows, limit)


# Mastodon 4.3's deprecated ``source`` for each of its ``sources``.
SUGGESTION_SOURCE = {
    account_selectors.FRIENDS_OF_FRIENDS: "past_interactions",
    account_selectors.MOST_FOLLOWED: "global",
}


@endpoint(scope="read:accounts")
def suggestions_v1(ctx: Ctx) -> list[dict[str, Any]]:
    limit = ctx.params.integer("limit", 40, low=1, high=80) or 40
    return entities.accounts(
        account_selectors.suggested_accounts(ctx.require_user(), limit=limit), country=viewer_country(ctx.user)
    )


@endpoint(scope="read:accounts")
def suggestions_v2(ctx: Ctx) -> list[dict[str, Any]]:
    """Whom to follow, each with why: ``sources`` (Mastodon 4.3) and the older ``source``."""
    limit = ctx.params.integer("limit", 40, low=1, high=80) or 40
    found = account_selectors.account_suggestions(ctx.require_user(), limit=limit)
    data = entities.accounts([u for u, _why in found], country=viewer_country(ctx.user))
    return [
        {"source": SUGGESTION_SOURCE[why[0]], "sources": why, "account": account}
        for (_u, why), account in zip(found, data, strict=True)
    ]


@endpoint(scope="write:accounts", allow=("DELETE",))
def dismiss_suggestion(ctx: Ctx, account_id: str) -> dict[str, Any]:
    """Never suggest this account again (kept). Answers ``{}`` as Mastodon does. An account blocked
    either way looks missing (404), as through every other gate (it is never suggested anyway)."""
    viewer = ctx.require_user()
    account = account_selectors.get_visible_profile(viewer=viewer, user_id=url_id(account_id))
    if account is None:
        raise ApiError("Record not found", 404)
    suggestion_services.dismiss_suggestion(user=viewer, account=account)
    return {}
