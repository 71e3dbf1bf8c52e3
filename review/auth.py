"""Who is calling a review endpoint with a bearer token: the api app's token lookup and scope rules."""

from __future__ import annotations

from typing import Any


def user_for_bearer(request: Any, scope: str = "read") -> Any | None:
    from api.auth import bearer_token, cached_user, lookup_token
    from api.oauth import token_allows

    raw = bearer_token(request)
    if not raw or len(raw) > 255:
        return None
    info = lookup_token(raw)
    if info is None or info.user_id is None or not token_allows(info.scopes, scope):
        return None
    return cached_user(info.user_id)
