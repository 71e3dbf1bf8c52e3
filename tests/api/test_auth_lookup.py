"""api.auth: a bearer token's first look-up reads the token, its app and its user in one query and
caches both; later ones read both cache entries in one call (one round trip to Redis); a suspension or
a revocation still refuses the token on the next request."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from accounts.services import suspend_account
from api.auth import AUTH_USER, AuthFailed, authenticate, revoke_tokens_of
from core.cache_backends import LocMemCache


class CountingCache(LocMemCache):
    """The in-process cache, noting each read call (a test backend: every call to Redis is a round trip)."""

    reads: list[str] = []
    keys: list[list[str]] = []  # the keys of each get_many

    def get(self, key, default=None, version=None):
        self.reads.append("get")
        return super().get(key, default, version)

    def get_many(self, keys, version=None):
        self.reads.append("get_many")
        self.keys.append(list(keys))
        return super().get_many(keys, version)


def test_a_cold_token_costs_one_query_and_a_warm_one_none(make_user, token_for, on_commit):
    user = make_user("reader")
    raw = token_for(user)
    request = RequestFactory().get("/api/nb/v1/recommend/for-you", HTTP_AUTHORIZATION=f"Bearer {raw}")
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        caller = authenticate(request, auth=AUTH_USER, scope="read")
    assert caller.user is not None and caller.user.pk == user.pk and caller.token is not None
    assert len(cold.captured_queries) == 1  # token, application and user together
    with CaptureQueriesContext(connection) as warm:
        again = authenticate(request, auth=AUTH_USER, scope="read")
    assert len(warm.captured_queries) == 0 and again.user is not None and again.user.pk == user.pk

    with on_commit():
        suspend_account(user=user)  # forgets the cached user (accounts.events.AccessChanged)
    with pytest.raises(AuthFailed) as refused:
        authenticate(request, auth=AUTH_USER, scope="read")
    assert refused.value.status == 403


def test_the_token_read_by_hand_is_the_orm_read(make_user, token_for, app):
    """``_read_token`` (one hand-written SELECT, values converted by ``core.rows``) gives what the ORM's
    read of the token, its app and its user gives; an app-only token has no user; an unknown checksum
    reads nothing."""
    from oauth2_provider.models import AccessToken

    from accounts.models import User
    from api.auth import _checksum, _read_token
    from api.services import issue_token

    def fields(obj):
        return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}

    user = make_user("reader", languages=["en", "th"], interests=["food"], display_name="Ree")
    raw = token_for(user, "read write")
    found = _read_token(_checksum(raw))
    assert found is not None
    info, owner = found
    orm = AccessToken.objects.select_related("application", "user").get(token_checksum=_checksum(raw))
    assert owner is not None and fields(owner) == fields(User.objects.get(pk=user.pk))
    assert not owner._state.adding and owner._state.db == "default"
    assert (info.user_id, info.scopes, info.application_id) == (user.pk, ["read", "write"], app.pk)
    assert info.application_name == "Test client" and info.expires == orm.expires.timestamp()

    _token, app_only = issue_token(user=None, application=app, scopes=["read"])  # type: ignore[arg-type]
    app_found = _read_token(_checksum(app_only))
    assert app_found is not None and app_found[1] is None
    assert app_found[0].user_id is None and app_found[0].application_name == "Test client"
    assert _read_token(_checksum("no such token")) is None


def test_a_warm_token_and_its_user_are_read_in_one_cache_call(settings, make_user, token_for, on_commit):
    settings.CACHES = {"default": {"BACKEND": "tests.api.test_auth_lookup.CountingCache", "LOCATION": "counted"}}
    user = make_user("counted")
    raw = token_for(user)
    request = RequestFactory().get("/api/v1/timelines/home", HTTP_AUTHORIZATION=f"Bearer {raw}")
    authenticate(request, auth=AUTH_USER, scope="read")  # read from the database and cached
    CountingCache.reads.clear()
    caller = authenticate(request, auth=AUTH_USER, scope="read")
    assert caller.user is not None and caller.user.pk == user.pk
    assert CountingCache.reads == ["get_many"]  # the token's entry and its user's, together

    revoke_tokens_of(user.pk)  # the token and its entry go; its user's entry stays
    with pytest.raises(AuthFailed) as revoked:
        authenticate(request, auth=AUTH_USER, scope="read")
    assert revoked.value.status == 401


def test_a_suspended_user_of_a_token_seen_before_is_refused(settings, make_user, token_for, on_commit):
    settings.CACHES = {"default": {"BACKEND": "tests.api.test_auth_lookup.CountingCache", "LOCATION": "counted"}}
    user = make_user("soon_suspended")
    request = RequestFactory().get("/api/v1/timelines/home", HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    authenticate(request, auth=AUTH_USER, scope="read")
    authenticate(request, auth=AUTH_USER, scope="read")
    with on_commit():
        suspend_account(user=user)
    with pytest.raises(AuthFailed) as refused:
        authenticate(request, auth=AUTH_USER, scope="read")
    assert refused.value.status == 403


def test_a_bearer_requests_token_is_read_with_the_requests_first_cache_read(settings, make_user, token_for, client):
    """Through the whole middleware: the rate limit's look-up of the caller, the instance-wide entries
    (core/request_reads.py) and the API's token entry and its user's come in one round trip, and the API's
    authentication makes none of its own."""
    settings.CACHES = {"default": {"BACKEND": "tests.api.test_auth_lookup.CountingCache", "LOCATION": "counted"}}
    from api.auth import _checksum, _token_key, _user_key  # (the entries' names, to find them in the read)
    from trust.operator import CACHE_KEY as OPERATOR_KEY  # (an instance-wide entry)

    user = make_user("reads_once")
    raw = token_for(user)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/timelines/home", **headers).status_code == 200  # the token is cached
    CountingCache.reads.clear()
    CountingCache.keys.clear()
    assert client.get("/api/v1/timelines/home", **headers).status_code == 200
    first = CountingCache.keys[0]
    for key in (f"rl:tok:{_checksum(raw)}", OPERATOR_KEY, _token_key(_checksum(raw)), _user_key(user.pk)):
        assert key in first, key
    later = [k for keys in CountingCache.keys[1:] for k in keys]
    assert _token_key(_checksum(raw)) not in later, "the API read its token again"
    # A revoked token is refused on the next request all the same.
    revoke_tokens_of(user.pk)
    assert client.get("/api/v1/timelines/home", **headers).status_code == 401
