"""The country a request comes from, for regional withholding, readable wherever a viewer is known.

``web.middleware.CountryMiddleware`` resolves the client IP to a country once per request
(``country_for_ip(client_ip(request))``) and keeps it here for the request's duration.
``viewer_country(user)`` is the one answer to "whose rules apply to this viewer": that IP country, or
the viewer's profile region when the IP says nothing (loopback, private ranges, unknown blocks). Pages
and both APIs call it with the user they know (from the session or a bearer token).

IP to country: ``iptocc`` (RIR delegation data embedded in the wheel, MIT/Apache-2.0, refreshed with
each release; version pinned in requirements.txt). RIR data names where a block was assigned, which
agrees with commercial databases for about 95% of IPv4 addresses.
"""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar, Token
from typing import Any

import iptocc

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


def country_for_ip(ip: str | None) -> str:
    """The ISO code of the country an address was assigned to, or "" (private, unknown, malformed)."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ""
    if address.is_private or address.is_loopback or address.is_reserved or address.is_link_local:
        return ""
    try:
        code = iptocc.country_code(str(address))
    except Exception:  # the data set has no answer for some blocks; unknown is the answer then
        return ""
    return code.upper() if isinstance(code, str) and len(code) == 2 else ""
