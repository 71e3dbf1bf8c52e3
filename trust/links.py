"""``rel="me"`` verification of the links in a profile (Mastodon's way of verifying a website).

When a bio changes, ``verify_links_task`` fetches each http(s) link in it and looks for an ``<a>`` or
``<link>`` with ``rel="me"`` whose ``href`` is this person's profile here (``SITE_URL/u/<name>/`` or
``SITE_URL/@<name>``). A link that links back is verified (``ProfileLink.verified_at``).

Fetching a URL a user typed is a server-side request forgery risk, so ``fetch`` only goes where the
public could: http and https on their usual ports, no user names in URLs; the host is resolved once and
every address must be global (no private, loopback, link-local, shared, reserved or multicast address),
and the connection goes to the address that was checked (a second DNS answer cannot swap it). Redirects
are followed by hand, at most ``max_redirects``, each checked the same way. Every socket operation has a
timeout, the whole fetch a deadline, and at most ``max_bytes`` are read (``TRUST_LINKS``, over
``DEFAULTS``). ``TRUST_LINKS_ALLOW_LOOPBACK`` (tests only) lets loopback through, so the tests can serve
a page from 127.0.0.1; every other private range stays refused.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import time
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from trust.models import ProfileLink

MAX_LINKS = 5
DEFAULTS: dict[str, Any] = {
    "max_bytes": 512 * 1024,  # of the page read, at most
    "max_redirects": 3,
    "timeout_s": 5.0,  # per socket operation
    "deadline_s": 10.0,  # for the whole fetch, redirects included
}
URL = re.compile(r"https?://[^\s<>\"'()]{1,490}", re.IGNORECASE)


def config() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "TRUST_LINKS", {})}


class Refused(Exception):
    """The fetch was not attempted or was stopped: the reason is a short English phrase."""


def allowed_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback and getattr(settings, "TRUST_LINKS_ALLOW_LOOPBACK", False):
        return True
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int) -> str:
    """The first address of ``host``, once every address it resolves to is allowed; else ``Refused``."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"cannot resolve {host}") from exc
    addresses = [str(info[4][0]).split("%", 1)[0] for info in infos]
    if not addresses:
        raise Refused(f"cannot resolve {host}")
    for text in addresses:
        if not allowed_address(ipaddress.ip_address(text)):
            raise Refused(f"{host} is a private or local address")
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever DNS says now."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def _open(url: str, deadline: float) -> tuple[http.client.HTTPResponse, http.client.HTTPConnection]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise Refused("only http and https links are checked")
    if parts.username or parts.password:
        raise Refused("links with a user name are not checked")
    host = parts.hostname
    if not host:
        raise Refused("no host")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise Refused("bad port") from exc
    address = resolve(host, port)
    timeout = max(0.05, min(float(config()["timeout_s"]), deadline - time.monotonic()))
    conn_class = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    conn = conn_class(host, port, address, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn.request("GET", path, headers={"User-Agent": "Notebridge rel=me check", "Accept": "text/html"})
    return conn.getresponse(), conn


def fetch(url: str) -> str:
    """The page at ``url`` as text, under the defences in the module's docstring; ``Refused`` or
    ``OSError`` / ``http.client.HTTPException`` when it cannot be had."""
    cfg = config()
    max_bytes = int(cfg["max_bytes"])
    deadline = time.monotonic() + float(cfg["deadline_s"])
    for _hop in range(int(cfg["max_redirects"]) + 1):
        response, conn = _open(url, deadline)
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location", "")
                if not location:
                    raise Refused("redirect without a location")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise Refused(f"answered {response.status}")
            length = response.getheader("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise Refused("page too large")
            body = b""
            while len(body) <= max_bytes:
                if time.monotonic() > deadline:
                    raise Refused("too slow")
                chunk = response.read(16384)
                if not chunk:
                    break
                body += chunk
            if len(body) > max_bytes:
                raise Refused("page too large")
            charset = response.headers.get_content_charset() or "utf-8"
            try:
                return body.decode(charset, errors="replace")
            except LookupError:
                return body.decode("utf-8", errors="replace")
        finally:
            conn.close()
    raise Refused("too many redirects")


class _RelMe(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("a", "link"):
            return
        values = dict(attrs)
        rel = (values.get("rel") or "").lower().split()
        if "me" in rel and values.get("href"):
            self.hrefs.append(str(values["href"]))


def rel_me_links(html: str) -> list[str]:
    parser = _RelMe()
    parser.feed(html)
    return parser.hrefs


def _key(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}{parts.path.rstrip('/')}"


def own_profile_urls(user: User) -> set[str]:
    site = str(settings.SITE_URL).rstrip("/")
    return {_key(f"{site}/u/{user.username}/"), _key(f"{site}/@{user.username}")}


def profile_urls(bio: str) -> list[str]:
    """The distinct http(s) links in a bio, at most ``MAX_LINKS``, without trailing punctuation."""
    found: list[str] = []
    for match in URL.finditer(bio or ""):
        url = match.group(0).rstrip(".,;:!?")
        if url not in found:
            found.append(url)
    return found[:MAX_LINKS]


def links_back(url: str, user: User) -> bool:
    own = own_profile_urls(user)
    return any(_key(urljoin(url, href)) in own for href in rel_me_links(fetch(url)))


def verify_profile_links(*, user_id: int) -> int:
    """Check every link in the user's bio (idempotent); returns how many link back."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return 0
    urls = profile_urls(user.bio)
    results: dict[str, tuple[bool, str]] = {}
    for url in urls:  # network work outside any transaction
        try:
            results[url] = (links_back(url, user), "")
        except Refused as exc:
            results[url] = (False, str(exc)[:200])
        except (OSError, http.client.HTTPException, ValueError) as exc:
            results[url] = (False, f"{exc.__class__.__name__}"[:200])
    now = timezone.now()
    with transaction.atomic():
        ProfileLink.objects.filter(user=user).exclude(url__in=urls).delete()
        for url, (verified, error) in results.items():
            link, _created = ProfileLink.objects.get_or_create(user=user, url=url)
            link.verified_at = (link.verified_at or now) if verified else None
            link.checked_at = now
            link.error = "" if verified else (error or "no rel=me link back")
            link.save()
    return sum(1 for verified, _e in results.values() if verified)


def verified_links(user: Any) -> list[ProfileLink]:
    return list(ProfileLink.objects.filter(user=user, verified_at__isnull=False).order_by("id"))
