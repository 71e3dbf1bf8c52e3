"""The cache every process sees alike (``CACHES["shared"]``, notebridge/settings.py).

The default cache is fast but, on the embedded default, each process's own memory: right for derived data
that any process can rebuild (a note's JSON, a topic's ids), wrong for state that one process writes and
another reads. A reader's For-you list and the positions it served them are written by the worker that
served the page and read by whichever worker takes the page's impressions or the next page; the mark a
like sets is written by the worker that took the like. Kept in the default cache, each worker had its own
copy: impressions posted to the other worker were refused as forged (422), a like did not re-rank the next
page when another worker served it, and paging mixed two workers' rankings.

With Redis the shared cache is the default cache (``SHARED_CACHE_IS_DEFAULT``): the same entries, and
readers can fold them into the request's first read (``core.request_reads``). Without it, files under
``DATA_DIR/cache/shared``, which every process on the machine sees.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.utils.connection import ConnectionProxy

from core import request_reads

shared_cache: Any = ConnectionProxy(caches, "shared")


def get_many(keys: list[str], *, also: list[str] | None = None) -> dict[str, Any]:
    """``keys`` from the shared cache; ``also`` (default-cache keys read later in the request) read ahead
    in the same round trip where the two caches are one (``request_reads.get_many``)."""
    if settings.SHARED_CACHE_IS_DEFAULT:
        return request_reads.get_many(keys, also=also)
    found: dict[str, Any] = shared_cache.get_many(keys)
    if also:
        request_reads.get_many(also)
    return found
