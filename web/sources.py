"""Where a reader came to a note from, for its author's stats (``notes.note_stats``).

Links this site renders to a note carry ``?src=`` naming the page they are on (``note_href``), so a view
is counted by where it came from even when the browser sends no Referer; without ``src`` (a link from
elsewhere, an older page, an app) the Referer's path on this site decides, else ``other``. An unknown
``src`` is ignored, as if absent. The note's canonical address never carries it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import Resolver404, resolve, reverse

from notes.models import ViewSource

# A page of this site -> the source its links to notes count as.
SOURCE_BY_VIEW = {
    "web:discover": ViewSource.DISCOVER,
    "web:following": ViewSource.FOLLOWING,
    "web:search": ViewSource.SEARCH,
    "web:tag": ViewSource.TAG,
    "web:profile": ViewSource.PROFILE,
    "web:profile_collects": ViewSource.PROFILE,
    "web:profile_liked": ViewSource.PROFILE,
    "web:place": ViewSource.PLACE,
    "web:note": ViewSource.RELATED,
    "web:board": ViewSource.BOARD,
    "web:notifications": ViewSource.INBOX,
}
SOURCES = frozenset(s.value for s in ViewSource)


def _for(view_name: str | None, request: HttpRequest) -> str:
    source = SOURCE_BY_VIEW.get(view_name or "", ViewSource.OTHER)
    if source == ViewSource.DISCOVER and request.user.is_authenticated:
        return ViewSource.FOR_YOU  # a signed-in reader's Discover is For you
    return source


def page_source(request: HttpRequest) -> str | None:
    """The source that links to notes on the page being rendered count as; None off the listed pages."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in SOURCE_BY_VIEW:
        return None
    return _for(match.view_name, request)


def note_href(request: HttpRequest | None, note_id: int) -> str:
    """A link to a note from the page being rendered, with ``?src=`` when the page is one we count."""
    url = reverse("web:note", args=[note_id])
    source = page_source(request) if request is not None else None
    return f"{url}?{urlencode({'src': source})}" if source else url


def _referer_source(request: HttpRequest) -> str:
    referer = request.headers.get("Referer", "")[:2000]
    host = request.get_host()
    for scheme in ("https://", "http://"):
        if referer.startswith(scheme + host + "/"):
            path = referer[len(scheme + host) :].split("?", 1)[0].split("#", 1)[0]
            break
    else:
        return ViewSource.OTHER
    try:
        match = resolve(path)
    except Resolver404:
        return ViewSource.OTHER
    return _for(match.view_name, request)


def view_source(request: HttpRequest) -> str:
    """Where the reader of a note page came from: a known ``?src=`` first, then the page of this site
    named in the Referer, else ``other`` (links from elsewhere, typed addresses, apps)."""
    asked = request.GET.get("src", "")
    if asked in SOURCES:
        return asked
    return _referer_source(request)
