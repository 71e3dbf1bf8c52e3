"""The country a request comes from, for regional withholding, readable wherever a viewer is known.

``review.middleware.CountryMiddleware`` resolves the client IP to a country once per request and keeps
it here for the request's duration. ``viewer_country`` answers with that, or with the viewer's profile
region when the IP says nothing (loopback, private ranges, unknown blocks). Delivery layers whose user
is only known after the middleware ran (bearer tokens) call ``viewer_country(user)`` and still get
both.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Any

_ip_country: ContextVar[str] = ContextVar("notebridge_ip_country", default="")


def set_ip_country(code: str) -> Token[str]:
    return _ip_country.set(code)


def reset_ip_country(token: Token[str]) -> None:
    _ip_country.reset(token)


def viewer_country(user: Any | None) -> str | None:
    code = _ip_country.get()
    if code:
        return code
    region = getattr(user, "region", "") if user is not None and getattr(user, "is_authenticated", False) else ""
    return region.upper() if isinstance(region, str) and len(region) == 2 else None


def posting_country(user: Any) -> str:
    """Where a note or comment is posted from, kept with it for "IP location" labels: the request IP's
    country, else the author's profile region, else "" (a country code only; never the address)."""
    return viewer_country(user) or ""
