"""Helpers for API tests: apps and tokens made through the real services, a client that sends them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.review.fixtures import admin_user, held, post, reviewer  # noqa: F401  (review fixtures)


class ApiClient:
    """Django's test client with a Bearer token; ``body`` is sent as JSON unless ``form=True``."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.token = token

    def _headers(self) -> dict[str, Any]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {}, **self._headers())

    def post(self, path: str, body: Any = None, *, form: bool = False, **extra: Any) -> Any:
        if form:
            return self.client.post(path, body or {}, **self._headers(), **extra)
        return self.client.post(
            path, json.dumps(body or {}), content_type="application/json", **self._headers(), **extra
        )

    def put(self, path: str, body: Any = None) -> Any:
        return self.client.put(path, json.dumps(body or {}), content_type="application/json", **self._headers())

    def patch(self, path: str, body: Any = None) -> Any:
        return self.client.patch(path, json.dumps(body or {}), content_type="application/json", **self._headers())

    def delete(self, path: str) -> Any:
        return self.client.delete(path, **self._headers())

    def raw(self, method: str, path: str, data: bytes | str, content_type: str) -> Any:
        return self.client.generic(method, path, data, content_type=content_type, **self._headers())


@pytest.fixture
def app(db):
    from api.services import register_app

    application, _secret = register_app(
        name="Test client", redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes="read write follow push"
    )
    return application


@pytest.fixture
def token_for(app):
    from api.services import issue_token

    def make(user, scopes: str = "read write follow push") -> str:
        _token, raw = issue_token(user=user, application=app, scopes=scopes.split())
        return raw

    return make


@pytest.fixture
def client_for(token_for):
    def make(user=None, scopes: str = "read write follow push") -> ApiClient:
        return ApiClient(token_for(user, scopes) if user is not None else None)

    return make
