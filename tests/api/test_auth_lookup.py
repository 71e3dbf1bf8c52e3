"""api.auth: a bearer token's first look-up reads the token, its app and its user in one query and
caches both; a suspension still refuses the token on the next request."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from accounts.services import suspend_account
from api.auth import AUTH_USER, AuthFailed, authenticate


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
