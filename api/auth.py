"""Who is calling: the one authentication path for OAuth bearer tokens, used by both APIs.

A client sends ``Authorization: Bearer <token>``. ``authenticate(request, auth=..., scope=...)`` finds
the token (cached briefly, so a feed read costs no token query), its user (refused when the account is
disabled) and checks the scope the endpoint needs (``api.oauth.token_allows``). The Mastodon API calls it
from ``api.http.endpoint`` (each endpoint declares ``auth`` and ``scope``); the native API from
``api.nb.common.NativeAuth`` (reads need ``read``, writes ``write``), which falls back to the web session
only when no token is sent. A token is never combined with the session, so a request that carries one
is judged by the token alone, and CSRF is checked for sessions only.

Changes take effect on the next request in every worker. A revoked token, a changed password, a
deactivated or suspended account (``accounts.events.AccessChanged``, handled in ``api.subscribers``)
delete the cached entries; on the embedded default, where each gunicorn worker has its own in-process
cache, the cache keys also carry the ``auth`` generation (``core.generations``), which those changes bump,
so every worker's next look-up misses and reads the database. With Redis the keys are shared and
deleting them is enough.

What ``auth`` asks for: ``AUTH_USER`` a user's token; ``AUTH_OPTIONAL`` anonymous allowed, but a token
that is sent must be valid; ``AUTH_APP`` any valid token, app-only (client credentials) included;
``AUTH_NONE`` the token is looked at only if valid (the OAuth endpoints, which authenticate by other means).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connections, router
from django.http import HttpRequest
from django.utils import timezone
from oauth2_provider.models import AccessToken, RefreshToken, get_application_model

from accounts.models import User
from accounts.selectors import hidden_authors_key
from api.oauth import token_allows
from core import generations, request_reads, rows

AUTH_USER = "user"
AUTH_OPTIONAL = "optional"
AUTH_APP = "app"
AUTH_NONE = "none"

TOKEN_CACHE_SECONDS = 30
USER_CACHE_SECONDS = 30
MAX_TOKEN_LENGTH = 255  # longer than any token we issue: refused without a query

# Whose a token is never changes, so each process remembers it (by checksum) once it has seen the token:
# the token's cache entry and its user's are then read together, one round trip to Redis instead of two
# on every authenticated request. Whether the token is still valid and the user still active is read
# from the cache as before; this only says which user entry to ask for beside it.
_token_owners: dict[str, int] = {}
TOKEN_OWNERS_KEPT = 50_000


class AuthFailed(Exception):
    """The request may not go on: ``status`` 401 (no or bad token), 403 (disabled, out of scope) or 422
    (an app-only token where a user is needed, as Mastodon answers)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class TokenInfo:
    user_id: int | None
    scopes: list[str]
    application_id: int | None
    application_name: str
    expires: float


@dataclass(frozen=True)
class Caller:
    """Who asks: the token's user (None for anonymous and app-only callers) and the token."""

    user: User | None = None
    token: TokenInfo | None = None
    raw_token: str | None = None

    @property
    def app_name(self) -> str:
        return self.token.application_name if self.token else ""


ANONYMOUS = Caller()


def bearer_token(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


def _checksum(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()  # as django-oauth-toolkit's token_checksum


def _token_key(checksum: str) -> str:
    return f"apitok:{generations.current('auth')}:{checksum}"


def lookup_token(raw: str) -> TokenInfo | None:
    """The token's owner, scopes and app, or None when unknown or expired."""
    return _lookup(raw)[0]


def _lookup(raw: str) -> tuple[TokenInfo | None, User | None]:
    """``lookup_token``, and the token's user where it came with it (else None, for ``cached_user``): on
    a cache miss one query reads the token, its app and its user, and both go into the cache; on a hit
    for a token this process has seen, its user's entry is read in the same round trip."""
    if len(raw) > MAX_TOKEN_LENGTH:
        return None, None
    checksum = _checksum(raw)
    key = _token_key(checksum)
    owner = _token_owners.get(checksum)
    user = None
    # Inside a request both entries were read with the request's first cache read (``_request_keys``).
    if owner is None:
        info = request_reads.get_many([key]).get(key)
    else:
        found = request_reads.get_many([key, _user_key(owner)])
        info, user = found.get(key), found.get(_user_key(owner))
    if info is None:
        read = _read_token(checksum)
        if read is None:
            return None, None
        info, user = read
        entries: dict[str, object] = {key: info}
        if user is not None:
            entries[_user_key(user.pk)] = user
        cache.set_many(entries, TOKEN_CACHE_SECONDS)
    if info.expires <= timezone.now().timestamp():
        return None, None
    if owner is None and info.user_id is not None:
        if len(_token_owners) >= TOKEN_OWNERS_KEPT:
            _token_owners.clear()
        _token_owners[checksum] = info.user_id
    return info, user


def _read_token(checksum: str) -> tuple[TokenInfo, User | None] | None:
    """The token with this checksum, its app's name and its user, by one hand-written SELECT: every new
    reader's first request reads it, and building the ORM's query with two joins cost more than running
    it. The token's and the user's values are converted as the ORM converts them (``core.rows``), so the
    user cached here is the user a database read gives. Only table and column names are formatted in."""
    db = router.db_for_read(AccessToken)
    token, user = rows.columns(AccessToken, "tok", db), rows.columns(User, "u", db)
    app = get_application_model()
    quote = connections[db].ops.quote_name
    app_id, app_name = (f"{quote('app')}.{quote(name)}" for name in ("id", "name"))
    sql = (
        f"SELECT {token.sql}, {user.sql}, {app_name} "  # noqa: S608
        f"FROM {quote(AccessToken._meta.db_table)} tok "
        f"LEFT OUTER JOIN {quote(app._meta.db_table)} app ON {app_id} = {token.column('application')} "
        f"LEFT OUTER JOIN {quote(User._meta.db_table)} u ON {user.column('id')} = {token.column('user')} "
        f"WHERE {token.column('token_checksum')} = %s"
    )
    with connections[db].cursor() as cursor:
        cursor.execute(sql, [checksum])
        raw = cursor.fetchone()
    if raw is None:
        return None
    values = dict(zip(token.attnames, token.values(raw), strict=True))
    user_values = user.values(raw, token.width)
    owner = rows.instance(User, user_values, db) if values["user_id"] is not None else None
    info = TokenInfo(
        user_id=values["user_id"],
        scopes=str(values["scope"]).split(),
        application_id=values["application_id"],
        application_name=(raw[-1] or "") if values["application_id"] is not None else "",
        expires=values["expires"].timestamp(),
    )
    return info, owner


@request_reads.of_request
def _request_keys(request: HttpRequest) -> list[str]:
    """A bearer request's token entry (and its user's and the accounts hidden from that user, where this
    process knows the owner), read in the request's first cache round trip (the rate limit's,
    core/request_reads.py) instead of rounds of their own: every page of notes filters by the hidden
    accounts, a round trip of its own on each warm home page before."""
    raw = bearer_token(request)
    if raw is None or len(raw) > MAX_TOKEN_LENGTH:
        return []
    checksum = _checksum(raw)
    owner = _token_owners.get(checksum)
    if owner is None:
        return [_token_key(checksum)]
    return [_token_key(checksum), _user_key(owner), hidden_authors_key(owner)]


def forget_token(raw: str) -> None:
    """A token was revoked: no worker may accept it from the next request on."""
    cache.delete(_token_key(_checksum(raw)))
    generations.bump("auth")


def _user_key(user_id: int) -> str:
    # v2: last_ip_country (a new key never meets an old pickle)
    return f"apiuser:v2:{generations.current('auth')}:{user_id}"


def cached_user(user_id: int, *, read: User | None = None) -> User | None:
    """The token's user, cached briefly; None when the account is gone or disabled. ``read``: the user
    as the token's query has just read it (and cached it)."""
    user = read if read is not None and read.pk == user_id else cache.get(_user_key(user_id))
    if user is None:
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            return None
        cache.set(_user_key(user_id), user, USER_CACHE_SECONDS)
    return user if user.is_active else None


def forget_user(user_id: int) -> None:
    """The account changed (profile, password, deactivation, suspension): every worker reads it afresh."""
    cache.delete(_user_key(user_id))
    generations.bump("auth")


def revoke_tokens_of(user_id: int) -> int:
    """Sign every app of the account out (its password changed); returns how many tokens were revoked."""
    checksums = list(AccessToken.objects.filter(user_id=user_id).values_list("token_checksum", flat=True))
    RefreshToken.objects.filter(user_id=user_id, revoked__isnull=True).update(revoked=timezone.now())
    AccessToken.objects.filter(user_id=user_id).delete()
    cache.delete_many([_token_key(c) for c in checksums])
    generations.bump("auth")
    return len(checksums)


def authenticate(request: HttpRequest, *, auth: str, scope: str | None) -> Caller:
    """The caller of an endpoint that needs ``auth`` (see the module's docstring) and ``scope``."""
    raw = bearer_token(request)
    if raw is None:
        if auth in (AUTH_USER, AUTH_APP):
            raise AuthFailed("The access token is invalid", 401)
        return ANONYMOUS
    info, read = _lookup(raw)
    if info is None:
        if auth == AUTH_NONE:
            return ANONYMOUS
        raise AuthFailed("The access token is invalid", 401)
    user = None
    if info.user_id is not None:
        user = cached_user(info.user_id, read=read)
        if user is None:
            raise AuthFailed("Your login is currently disabled", 403)
    if auth == AUTH_USER and user is None:
        raise AuthFailed("This method requires an authenticated user", 422)
    if scope and not token_allows(info.scopes, scope):
        raise AuthFailed("This action is outside the authorized scopes", 403)
    return Caller(user=user, token=info, raw_token=raw)
