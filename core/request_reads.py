"""Instance-wide cache entries read once per request, all in one round trip.

A few entries do not depend on the viewer but are read by most requests, each by a different app: the
operator's settings (every rate-limit check), the regional policy packs' version (every native answer's
``where``) and the countries with withholdings (every access gate and every count, twice a page). With
Redis each read was a round trip of its own, five on a cold For-you page.
A page may also read ahead, with its own keys, an entry another module reads later in the request (For
you reads the viewer's hidden authors with the viewer's list: ``get_many(keys, also=[...])``).

Each app registers its key here (``shared``). Inside a request (``RequestReadsMiddleware``, near the top
of the middleware), the first ``get`` of any registered key reads all of them with one ``get_many`` and
keeps what it found for the rest of that request only, so every request still sees what was stored
when it started: a withholding, a block or an operator's change still applies on the next request, in
every process. A process that writes one of these entries tells this memo too (``put``, ``forget``), so
its own request reads what it wrote. Outside a request (tasks, the shell) ``get`` is ``cache.get``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

_KEYS: list[str | Callable[[], str]] = []  # a key, or a function giving it (one that carries a generation)
_memo: ContextVar[dict[str, Any] | None] = ContextVar("request_reads", default=None)
# Functions giving keys of the request itself (its bearer token's entries), read with the shared ones.
_REQUEST_KEYS: list[Callable[[HttpRequest], list[str]]] = []
_request: ContextVar[HttpRequest | None] = ContextVar("request_reads_request", default=None)


def shared(key: str) -> str:
    """Register ``key`` (a cache key, as passed to ``cache.get``) to be read with the others; returns it."""
    if key not in _KEYS:
        _KEYS.append(key)
    return key


def shared_key(key_of: Callable[[], str]) -> Callable[[], str]:
    """Register a function giving a key that changes (one carrying a generation, core/generations.py),
    called when the registered keys are read; returns it."""
    if key_of not in _KEYS:
        _KEYS.append(key_of)
    return key_of


def of_request(keys_of: Callable[[HttpRequest], list[str]]) -> Callable[[HttpRequest], list[str]]:
    """Register a function giving keys that depend on the request (a bearer token's entry and its user's),
    read in the same round trip as the shared ones; returns it. Whoever reads them later in the request
    with ``get_many`` is answered from that read."""
    if keys_of not in _REQUEST_KEYS:
        _REQUEST_KEYS.append(keys_of)
    return keys_of


def _registered() -> list[str]:
    keys = [k() if callable(k) else k for k in _KEYS]
    request = _request.get()
    if request is not None:
        for keys_of in _REQUEST_KEYS:
            keys.extend(keys_of(request))
    return keys


def in_request() -> bool:
    """Whether this runs inside a request (so ``get`` answers from the request's single read)."""
    return _memo.get() is not None


def get(key: str) -> Any:
    """``cache.get(key)``, answered from this request's single read of the registered keys."""
    memo = _memo.get()
    if memo is None:
        return cache.get(key)
    if key not in memo:
        wanted = [k for k in _registered() if k not in memo]
        if key not in wanted:
            wanted.append(key)
        found = cache.get_many(wanted)
        for k in wanted:
            memo[k] = found.get(k)
    return memo[key]


def get_many(keys: list[str], *, also: list[str] | None = None) -> dict[str, Any]:
    """``cache.get_many(keys)``; inside a request the same round trip also reads ``also`` (keys that
    another module reads later in this request with ``get``, e.g. the viewer's hidden authors) and the
    registered keys not read yet, and keeps those for the rest of the request (``keys`` are not kept:
    the caller has them)."""
    memo = _memo.get()
    if memo is None:
        return cache.get_many(keys)
    asked = set(keys)
    known = {k: memo[k] for k in keys if k in memo}  # read ahead in this request (``of_request``)
    missing = [k for k in keys if k not in known]
    if not missing:
        return {k: v for k, v in known.items() if v is not None}
    kept = list(dict.fromkeys(k for k in (also or []) + _registered() if k not in memo and k not in asked))
    found = cache.get_many(missing + kept)
    for k in kept:
        memo[k] = found.get(k)
    return {k: v for k, v in known.items() if v is not None} | {k: v for k, v in found.items() if k in asked}


def put(key: str, value: Any) -> None:
    """After ``cache.set(key, value)``: the rest of this request reads ``value``."""
    memo = _memo.get()
    if memo is not None:
        memo[key] = value


def forget(key: str) -> None:
    """After ``cache.delete(key)``: the next ``get`` in this request reads the cache again."""
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)


class RequestReadsMiddleware:
    """Opens each request's memo and drops it when the response is made."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _memo.set({})
        request_token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(request_token)
            _memo.reset(token)
