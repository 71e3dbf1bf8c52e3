"""The small HTTP layer under the Mastodon-compatible API: parameters, token auth, errors, JSON.

Mastodon clients send parameters as a query string, a form (``media_ids[]=1&media_ids[]=2``), a
multipart form or a JSON body; ``Params`` reads them all the same way. ``endpoint`` wraps a view: it
authenticates the Bearer token (cached briefly), enforces the OAuth scope the endpoint needs, turns
``ServiceError`` / ``ApiError`` into Mastodon's ``{"error": "..."}`` with the right 4xx, and renders
the returned value as JSON.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt

from accounts.models import User
from api.auth import ANONYMOUS, AUTH_USER, AuthFailed, Caller, TokenInfo, authenticate
from core.errors import RateLimited, ServiceError
from core.ids import parse_id
from trust.limits import headers as rate_limit_headers

logger = logging.getLogger("notebridge.api")

MAX_TEXT_PARAM = 20_000


class ApiError(Exception):
    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def error_response(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def rate_limited_response(exc: RateLimited) -> JsonResponse:
    """429 with ``Retry-After`` and the ``X-RateLimit-*`` headers (trust.limits)."""
    response = error_response(exc.message, exc.status)
    for name, value in rate_limit_headers(None, exc).items():
        response[name] = value
    return response


def parse_json(body: bytes) -> Any:
    """A request's JSON body; 400 when it is not JSON, or nested too deep to read (RecursionError)."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError("Malformed JSON body", 400) from exc


# --- parameters --------------------------------------------------------------------------------


class Params:
    """Query string, form, multipart and JSON parameters read through one interface."""

    def __init__(self, request: HttpRequest) -> None:
        self.query = request.GET
        self.json: dict[str, Any] = {}
        self.form: QueryDict | MultiValueDict = QueryDict()
        self.files: MultiValueDict = MultiValueDict()
        if request.method in ("GET", "HEAD"):
            return
        content_type = (request.content_type or "").lower()
        if content_type == "application/json":
            if request.body.strip():
                data = parse_json(request.body)
                if not isinstance(data, dict):
                    raise ApiError("The JSON body must be an object", 400)
                self.json = data
        elif content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            if request.method != "POST":
                # Django parses forms for POST only; PUT and PATCH forms (media, credentials) too.
                method = request.method
                request.method = "POST"
                try:
                    request._load_post_and_files()  # type: ignore[attr-defined]
                finally:
                    request.method = method
            self.form = request.POST
            self.files = request.FILES

    def has(self, name: str) -> bool:
        return any(key in source for key in (name, f"{name}[]") for source in (self.json, self.form, self.query))

    def raw(self, name: str) -> Any:
        if name in self.json:
            return self.json[name]
        if name in self.form:
            return self.form.get(name)
        return self.query.get(name)

    def string(self, name: str, default: str = "", *, max_length: int = MAX_TEXT_PARAM) -> str:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ApiError(f"Validation failed: {name} must be a string")
        text = str(value)
        if len(text) > max_length:
            raise ApiError(f"Validation failed: {name} is too long")
        return text

    def opt_string(self, name: str, *, max_length: int = MAX_TEXT_PARAM) -> str | None:
        return self.string(name, max_length=max_length) if self.raw(name) is not None else None

    def integer(self, name: str, default: int | None = None, *, low: int = 0, high: int = 1 << 31) -> int | None:
        value = self.raw(name)
        if value in (None, ""):
            return default
        if isinstance(value, bool):
            raise ApiError(f"Validation failed: {name} must be a number")
        try:
            number = int(value)
        except (TypeError, ValueError) as exc:
            raise ApiError(f"Validation failed: {name} must be a number") from exc
        return max(low, min(high, number))

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.raw(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "on", "yes"}:
            return True
        if text in {"0", "false", "off", "no"}:
            return False
        raise ApiError(f"Validation failed: {name} must be a boolean")

    def id(self, name: str) -> int | None:
        """An id parameter (cursor or reference). Present but not an id: 422."""
        value = self.raw(name)
        if value in (None, ""):
            return None
        parsed = None if isinstance(value, bool) else parse_id(value)
        if parsed is None:
            raise ApiError(f"Validation failed: {name} is not a valid id")
        return parsed

    def strings(self, name: str, *, max_items: int = 100) -> list[str]:
        if name in self.json or f"{name}[]" in self.json:
            value = self.json.get(name, self.json.get(f"{name}[]"))
            if value is None:
                return []
            if not isinstance(value, list):
                value = [value]
            items = value
        else:
            items = self.form.getlist(f"{name}[]") or self.form.getlist(name)
            if not items:
                items = self.query.getlist(f"{name}[]") or self.query.getlist(name)
        if len(items) > max_items:
            raise ApiError(f"Validation failed: too many {name}")
        out = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int):
                raise ApiError(f"Validation failed: {name} must be a list of strings")
            out.append(str(item))
        return out

    def ids(self, name: str, *, max_items: int = 100) -> list[int]:
        out = []
        for raw in self.strings(name, max_items=max_items):
            parsed = parse_id(raw)
            if parsed is None:
                raise ApiError(f"Validation failed: {name} contains an invalid id")
            out.append(parsed)
        return out

    def file(self, name: str) -> Any:
        return self.files.get(name)


# --- who asks ------------------------------------------------------------------------------


@dataclass
class Ctx:
    """Who asks (``api.auth.Caller``) and the request's parameters."""

    request: HttpRequest
    params: Params
    caller: Caller = ANONYMOUS

    @property
    def user(self) -> User | None:
        return self.caller.user

    @property
    def token(self) -> TokenInfo | None:
        return self.caller.token

    @property
    def raw_token(self) -> str | None:
        return self.caller.raw_token

    @property
    def app_name(self) -> str:
        return self.caller.app_name

    def require_user(self) -> User:
        if self.user is None:
            raise ApiError("This method requires an authenticated user", 401)
        return self.user


# --- the endpoint wrapper -------------------------------------------------------------------


@dataclass
class Page:
    """A list response with Mastodon's Link header built from the first and last ids."""

    items: list[Any]  # JSON-ready values, or JSON texts when ``raw``
    next_max_id: int | str | None = None
    prev_min_id: int | str | None = None
    raw: bool = False
    # Offset-paginated lists (trends): Link headers carry ``offset`` instead of ids.
    next_offset: int | None = None
    prev_offset: int | None = None


def _link_header(request: HttpRequest, page: Page) -> str:
    base = request.build_absolute_uri(request.path)
    keep = {k: v for k, v in request.GET.lists() if k not in {"max_id", "min_id", "since_id", "offset"}}
    links = []

    def url(extra: dict[str, Any]) -> str:
        query = urlencode({**keep, **extra}, doseq=True)
        return f"{base}?{query}"

    if page.next_max_id is not None:
        links.append(f'<{url({"max_id": page.next_max_id})}>; rel="next"')
    if page.prev_min_id is not None:
        links.append(f'<{url({"min_id": page.prev_min_id})}>; rel="prev"')
    if page.next_offset is not None:
        links.append(f'<{url({"offset": page.next_offset})}>; rel="next"')
    if page.prev_offset is not None:
        links.append(f'<{url({"offset": page.prev_offset})}>; rel="prev"')
    return ", ".join(links)


def render(request: HttpRequest, result: Any, status: int = 200) -> HttpResponse:
    if isinstance(result, HttpResponse):
        return result
    if isinstance(result, Page):
        if result.raw:
            body = "[" + ",".join(result.items) + "]"
            response = HttpResponse(body.encode(), status=status, content_type="application/json")
        else:
            response = JsonResponse(result.items, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
        link = _link_header(request, result)
        if link:
            response["Link"] = link
        return response
    return JsonResponse(result, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


READ_METHODS = ("GET", "HEAD")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def endpoint(
    *,
    auth: str = AUTH_USER,
    scope: str | None = None,
    status: int = 200,
    allow: tuple[str, ...] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., HttpResponse]]:
    """Wrap ``view(ctx, **url_kwargs)``: authenticate, check the scope, map errors, render JSON.

    Methods: a ``write:`` scope means POST, PUT, PATCH or DELETE; anything else GET (or ``allow``).
    """
    allowed = allow or (WRITE_METHODS if scope and scope.startswith("write") else READ_METHODS)

    def decorate(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
        def wrapped(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                response = error_response("Method not allowed", 405)
                response["Allow"] = ", ".join(allowed)
                return response
            try:
                caller = authenticate(request, auth=auth, scope=scope)
                ctx = Ctx(request=request, params=Params(request), caller=caller)
                return render(request, view(ctx, **kwargs), status)
            except AuthFailed as exc:
                return error_response(exc.message, exc.status)
            except ApiError as exc:
                return error_response(exc.message, exc.status)
            except RateLimited as exc:
                return rate_limited_response(exc)
            except ServiceError as exc:
                return error_response(exc.message, exc.status)
            except Http404:
                return error_response("Record not found", 404)
            except RequestDataTooBig:
                return error_response("The request is too large", 413)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return csrf_exempt(wrapped)

    return decorate


def methods(**handlers: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """One URL, several methods: ``methods(GET=show, DELETE=destroy)``; others get 405."""

    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        handler = handlers.get(request.method or "GET")
        if handler is None:
            if request.method == "HEAD" and "GET" in handlers:
                return handlers["GET"](request, **kwargs)
            response = error_response("Method not allowed", 405)
            response["Allow"] = ", ".join(handlers)
            return response
        return handler(request, **kwargs)

    return csrf_exempt(view)


def page_bounds(ctx: Ctx, *, default_limit: int = 20, max_limit: int = 40) -> dict[str, Any]:
    p = ctx.params
    return {
        "max_id": p.id("max_id"),
        "since_id": p.id("since_id"),
        "min_id": p.id("min_id"),
        "limit": p.integer("limit", default_limit, low=1, high=max_limit) or default_limit,
    }


def id_page(items: list[dict[str, Any]], *, key: str = "id") -> Page:
    """A page whose cursors are the items' own ids (statuses, notifications)."""
    if not items:
        return Page(items)
    return Page(items, next_max_id=items[-1][key], prev_min_id=items[0][key])


def url_id(value: str) -> int:
    parsed = parse_id(value)
    if parsed is None:
        raise ApiError("Record not found", 404)
    return parsed
