"""The native API (/api/nb/v1, OpenAPI docs at /api/nb/v1/docs) for what Mastodon's API lacks.

Adding a router is a module in ``api/nb/`` and one line in ``ROUTERS``. A router is a ``ninja.Router``
whose handlers call services and selectors; ``api.nb.common.viewer(request)`` gives the signed-in user
(or None), ``require_user(request)`` the user or a 401, and a raised ``ServiceError`` becomes
``{"error": ..., "field": ..., "code": ...}`` with its status. Auth (``api.nb.common.NativeAuth``) is a
Bearer token (reads need ``read``, writes ``write``) or the web session (writes need the CSRF token);
routes marked ``auth=OPTIONAL`` also serve anonymous readers. The OpenAPI schema (``api/nb/openapi.py``)
documents every route's errors and whether it serves anonymous readers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.errors import AuthenticationError, HttpError, ValidationError

from api.nb import (
    boards,
    comments,
    discover,
    mentions,
    note_translations,
    notes,
    photos,
    places,
    profiles,
    recommend,
    review,
    search,
    translation,
)
from api.nb.common import REQUIRED
from api.nb.openapi import NativeAPI
from core.errors import RateLimited, ServiceError
from trust.limits import headers as rate_limit_headers

api = NativeAPI(
    title="Notebridge native API",
    version="1",
    description="Notes with titles, boards, places, discover, search, profiles, translation and content review. "
    "Authenticate with `Authorization: Bearer <token>` (OAuth, scopes read/write) or a web session.",
    urls_namespace="nb",
    auth=REQUIRED,
    docs_url="/docs",
)

ROUTERS: list[tuple[str, Router]] = [
    ("/notes", notes.router),
    ("/notes", note_translations.router),
    ("/photos", photos.router),
    ("/boards", boards.router),
    ("/places", places.router),
    ("/discover", discover.router),
    ("/search", search.router),
    ("/profiles", profiles.router),
    ("/review", review.router),
    ("/translation", translation.router),
    ("/recommend", recommend.router),
    ("/comments", comments.router),
    ("/mentions", mentions.router),
]
for prefix, router in ROUTERS:
    api.add_router(prefix, router)


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    response = api.create_response(
        request, {"error": exc.message, "field": exc.field, "code": exc.code}, status=exc.status
    )
    if isinstance(exc, RateLimited):
        for name, value in rate_limit_headers(None, exc).items():
            response[name] = value
    return response


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"error": "Invalid input", "detail": exc.errors}, status=422)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"error": "Authentication required"}, status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"error": str(exc.message)}, status=exc.status_code)
