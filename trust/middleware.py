"""Rate limits at the door: which request is which action, who makes it, and the 429 answer.

``ROUTES`` is the one place that says which requests count as which action, for the web pages and both
APIs alike (a path added for an action there is limited everywhere it is served). The middleware runs
after authentication and the interface language are known and before the view reads an upload, so a
refused request costs a counter and no parsing, hashing or writing. Every API response carries
Mastodon's ``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset``: those of the action's tightest limit on
an action's route, else those of the per-caller ``api.caller`` limit. Log-ins run under the sign-up
defence's bounded password-hashing slots (``trust.signup.hashing_slot``). A refused request gets ``429``
with ``Retry-After``: the API's JSON error (``{"error": ...}``; the native API also names the code) or a
page in the viewer's language. A ``RateLimited`` raised by a view (the sign-up defence) is answered the
same way.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from oauth2_provider.models import AccessToken

from core import request_reads
from core.errors import RateLimited
from core.network import client_ip, subnet_of
from trust import limits
from trust.signup import hashing_slot

API_PREFIXES = ("/api/", "/oauth/")
TOKEN_OWNER_SECONDS = 60


@dataclass(frozen=True)
class Route:
    methods: tuple[str, ...]
    pattern: re.Pattern[str]
    action: str


def _r(methods: str, pattern: str, action: str) -> Route:
    return Route(tuple(methods.split()), re.compile(pattern), action)


ROUTES: tuple[Route, ...] = (
    # sign-up and log-in
    _r("POST", r"^/api/v1/accounts/?$", "signup"),
    _r("POST", r"^/signup/$", "signup"),
    _r("POST", r"^/login/$", "login"),
    _r("POST", r"^/oauth/token/?$", "login"),
    # posting (a Mastodon status with in_reply_to_id is a comment: see _action)
    _r("POST", r"^/api/v1/statuses/?$", "post"),
    _r("POST", r"^/api/nb/v1/notes/?$", "post"),
    _r("POST", r"^/compose/$", "post"),
    # commenting
    _r("POST", r"^/api/nb/v1/notes/[^/]+/comments/?$", "comment"),
    _r("POST", r"^/n/\d+/comments/$", "comment"),
    # liking
    _r("POST", r"^/api/v1/statuses/[^/]+/favourite/?$", "like"),
    _r("POST", r"^/api/nb/v1/notes/[^/]+/like/?$", "like"),
    _r("POST", r"^/n/\d+/like/$", "like"),
    _r("POST", r"^/comments/\d+/like/$", "like"),
    _r("POST", r"^/api/nb/v1/comments/[^/]+/like/?$", "like"),
    # following
    _r("POST", r"^/api/v1/accounts/[^/]+/follow/?$", "follow"),
    _r("POST", r"^/u/[^/]+/follow/$", "follow"),
    # reporting
    _r("POST", r"^/api/v1/reports/?$", "report"),
    _r("POST", r"^/api/nb/v1/review/reports/?$", "report"),
    _r("POST", r"^/review/report/[^/]+/[^/]+/$", "report"),
    # media upload
    _r("POST", r"^/api/v[12]/media/?$", "upload"),
    _r("POST", r"^/api/nb/v1/photos/?$", "upload"),
    _r("POST", r"^/compose/photos/$", "upload"),
    # suggested translations (before "translation requests": the native API's path is under /notes/)
    _r("POST", r"^/api/nb/v1/notes/[^/]+/translations/suggestions/?$", "suggest"),
    _r("POST", r"^/n/\d+/suggest/$", "suggest"),
    # translation requests
    _r("POST", r"^/api/v1/statuses/[^/]+/translate/?$", "translate"),
    _r("POST", r"^/api/nb/v1/translation/[^/]+/[^/]+/?$", "translate"),
    # (not the drafts a pending block reads every 250 ms: a read of what a worker wrote, like a page view)
    _r("GET POST", r"^/translate/(?![^/]+/\d+/partial/$)", "translate"),
    # look-ups as one types
    _r("GET", r"^/mentions/suggest/$", "lookup"),
    _r("GET", r"^/api/nb/v1/mentions/suggest/?$", "lookup"),
)


def route_for(request: HttpRequest) -> Route | None:
    for route in ROUTES:
        if request.method in route.methods and route.pattern.match(request.path_info):
            return route
    return None


@dataclass(frozen=True)
class Caller:
    user_id: int | None
    joined: datetime | None
    exempt: bool  # staff: operators and reviewers at work are not limited


def _bearer(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


def _owner_key(checksum: str) -> str:
    return f"rl:tok:{checksum}"


@request_reads.of_request
def _request_keys(request: HttpRequest) -> list[str]:
    """A bearer request's owner entry, read with the request's first cache read (core/request_reads.py)."""
    raw = _bearer(request)
    if raw is None or len(raw) > 255:
        return []
    return [_owner_key(hashlib.sha256(raw.encode()).hexdigest())]


def _token_owner(raw: str) -> Caller | None:
    checksum = hashlib.sha256(raw.encode()).hexdigest()
    key = _owner_key(checksum)
    found = request_reads.get_many([key]).get(key)
    if found is None:
        row = (
            AccessToken.objects.filter(token_checksum=checksum)
            .values_list("user_id", "user__date_joined", "user__is_staff")
            .first()
        )
        found = Caller(row[0], row[1], bool(row[2])) if row and row[0] is not None else Caller(None, None, False)
        cache.set(key, found, TOKEN_OWNER_SECONDS)
    return found if found.user_id is not None else None


def caller_of(request: HttpRequest) -> Caller | None:
    """The account making the request: a bearer token's owner (tokens win, as in ``api.auth``), else the
    session's user; None for anonymous and app-only callers."""
    raw = _bearer(request)
    if raw is not None:
        return _token_owner(raw) if len(raw) <= 255 else None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Caller(user.pk, user.date_joined, bool(user.is_staff))
    return None


def _is_reply(request: HttpRequest) -> bool:
    """Whether a Mastodon ``POST /api/v1/statuses`` is a reply (a comment here)."""
    try:
        if (request.content_type or "") == "application/json":
            data = json.loads(request.body or b"{}")
            return isinstance(data, dict) and bool(data.get("in_reply_to_id"))
        return bool(request.POST.get("in_reply_to_id") or request.GET.get("in_reply_to_id"))
    except Exception:  # a malformed body: the view answers it; count the request as a post
        return False


def _action(request: HttpRequest, route: Route) -> str:
    if route.action == "post" and request.path_info.startswith("/api/v1/statuses") and _is_reply(request):
        return "comment"
    return route.action


def _login_name(request: HttpRequest) -> str:
    try:
        if request.path_info.startswith("/oauth/"):
            if request.POST.get("grant_type") != "password":
                return ""
        return limits.normalise_name(request.POST.get("username", ""))[:150]
    except Exception:  # an unreadable body: only the address counts
        return ""


def subjects_for(action: str, request: HttpRequest, ip: str, caller: Caller | None) -> dict[str, str]:
    if action == "signup":
        return {"ip": ip, "subnet": subnet_of(ip)}
    if action == "login":
        return {"ip": ip, "account": _login_name(request)}
    return {"user": str(caller.user_id) if caller else "", "ip": ip}


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIXES)


def refusal(request: HttpRequest, error: RateLimited) -> HttpResponse:
    """The 429 answer: the API's JSON error, or a page in the viewer's language."""
    response: HttpResponse
    if _is_api(request):
        body: dict[str, object] = {"error": error.message}
        if request.path_info.startswith("/api/nb/"):
            body.update({"field": None, "code": error.code})
        response = JsonResponse(body, status=429)
    else:
        minutes = max(1, -(-error.retry_after // 60))
        response = render(
            request, "trust/rate_limited.html", {"retry_after": error.retry_after, "minutes": minutes}, status=429
        )
    for name, value in limits.headers(None, error).items():
        response[name] = value
    return response


class RateLimitMiddleware:
    """Counts each request against its action's limits (``ROUTES``) and each API request against
    ``api.caller``; answers 429 when one is exceeded and adds the ``X-RateLimit-*`` headers to API
    responses."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not limits.enabled():
            return self.get_response(request)
        is_api = _is_api(request)
        route = route_for(request)
        if not is_api and route is None:
            return self.get_response(request)
        ip = client_ip(request)
        with limits.counting():  # a "busy" answer gives its counts back (trust.signup.hashing_slot)
            return self._limited(request, is_api, route, ip)

    def _limited(self, request: HttpRequest, is_api: bool, route: Route | None, ip: str) -> HttpResponse:
        action = ""
        outcome: limits.Outcome | None = None
        try:
            caller = caller_of(request) if route is not None else None
            if is_api:
                raw = _bearer(request)
                # Per token; but an app-only token (no account: Mastodon's sign-up goes through one, shared
                # by every newcomer using that app) counts per address, as an anonymous caller does,
                # else one app's newcomers would share one allowance.
                shared_app_token = route is not None and caller is None
                who = "t" + hashlib.sha256(raw.encode()).hexdigest()[:32] if raw and not shared_app_token else ip
                outcome = limits.check("api", {"caller": who})
            if route is not None:
                if caller is None or not caller.exempt:
                    action = _action(request, route)
                    found = limits.check(
                        action,
                        subjects_for(action, request, ip, caller),
                        new_account=caller is not None and limits.is_new_account(caller.joined),
                    )
                    if found is not None and (outcome is None or found.remaining <= outcome.remaining):
                        outcome = found
            if action == "login":
                # Checking a password (or a client secret) is the costly part of a log-in.
                with hashing_slot():
                    response = self.get_response(request)
            else:
                response = self.get_response(request)
        except RateLimited as exc:
            return refusal(request, exc)
        if is_api and "X-RateLimit-Limit" not in response:
            for name, value in limits.headers(outcome).items():
                response[name] = value
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RateLimited):
            return refusal(request, exception)
        return None
