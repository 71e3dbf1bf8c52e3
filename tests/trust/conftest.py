"""Helpers for the trust tests: an app token that signs people up, tokens for users, signed-in clients."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.review.fixtures import admin_user, reviewer  # noqa: F401  (review fixtures: the console shows findings)


@pytest.fixture
def app(db):
    from api.services import register_app

    application, _secret = register_app(
        name="Trust tests", redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes="read write follow push"
    )
    return application


@pytest.fixture
def app_token(app):
    """An app-only token (as the client-credentials grant gives) for POST /api/v1/accounts."""
    from api.services import issue_token

    _token, raw = issue_token(user=None, application=app, scopes=["read", "write"])  # type: ignore[arg-type]
    return raw


@pytest.fixture
def token_for(app):
    from api.services import issue_token

    def make(user) -> str:
        _token, raw = issue_token(user=user, application=app, scopes=["read", "write", "follow"])
        return raw

    return make


def api_post(path: str, body: dict[str, Any], token: str | None = None, **meta: Any) -> Any:
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().post(path, json.dumps(body), content_type="application/json", **headers, **meta)


def sign_up(app_token: str, username: str, *, email: str = "", **meta: Any) -> Any:
    body = {"username": username, "password": "a long passphrase 9", "agreement": True, "locale": "en"}
    if email:
        body["email"] = email
    return api_post("/api/v1/accounts", body, app_token, **meta)
