"""Where a request comes from, as rate limits, the sign-up defence and the IP-location label see it
(one reading of ``X-Forwarded-For`` for all of them).

The client address is ``REMOTE_ADDR`` (the peer that opened the connection), unless that peer is one of
the proxies named in ``TRUSTED_PROXIES`` (addresses or CIDR ranges). Behind a trusted proxy the address
is read from ``X-Forwarded-For`` right to left: the first entry that is not itself a trusted proxy is
the client. A forged ``X-Forwarded-For`` sent straight to the server is ignored, and so are the entries a
client prepends in front of a trusted proxy's own (a proxy appends the peer it saw; whatever the client
wrote comes before it).

IPv4-mapped IPv6 addresses (``::ffff:192.0.2.1``, what a dual-stack socket reports for IPv4 peers) are
read as the IPv4 address they carry, so the same client has one key whichever way it connects.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

SUBNET_V4 = 24
SUBNET_V6 = 64


def parse_ip(value: str | None) -> IPAddress | None:
    """An address from text (IPv4-mapped IPv6 unwrapped, zone id and brackets dropped), or None."""
    if not value:
        return None
    text = value.strip().strip("[]").split("%", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    out = []
    for item in spec:
        try:
            out.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            continue
    return tuple(out)


def trusted_proxies() -> tuple[IPNetwork, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def in_networks(address: IPAddress | None, networks: tuple[IPNetwork, ...]) -> bool:
    return address is not None and any(address.version == n.version and address in n for n in networks)


def client_ip(request: Any) -> str:
    """The client's address as text ("" when the request has none that parses)."""
    peer = parse_ip(request.META.get("REMOTE_ADDR", ""))
    proxies = trusted_proxies()
    if peer is None or not in_networks(peer, proxies):
        return str(peer) if peer is not None else ""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [h for h in (x.strip() for x in forwarded.split(",")) if h]
    for hop in reversed(hops):
        address = parse_ip(hop)
        if address is None:
            return str(peer)  # a malformed entry: trust nothing before it
        if not in_networks(address, proxies):
            return str(address)
    return str(peer)


def subnet_of(ip: str) -> str:
    """The /24 of an IPv4 address or the /64 of an IPv6 one, as text: one household, office or host."""
    address = parse_ip(ip)
    if address is None:
        return ""
    prefix = SUBNET_V4 if address.version == 4 else SUBNET_V6
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
