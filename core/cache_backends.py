"""The cache backends: Django's Redis cache that misses, instead of failing the request, while Redis is
down (``ResilientRedisCache``), and Django's per-process cache with cheaper reads (``LocMemCache``).

Everything the cache holds can be recomputed from the database (hydrated notes, serialised statuses,
sessions of the ``cached_db`` engine, token look-ups), so an unreachable Redis is a miss on read and a
no-op on write (core/redis_outage.py). ``add`` answers False then: callers use it as a once-per-window
lock (trending translation, the waitlist tick), and skipping one such run is safe. A delete lost during
an outage leaves an entry that expires with its timeout; what authorization depends on also carries a
generation (core/generations.py), so a revocation is never lost this way.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import MEMCACHE_MAX_KEY_LENGTH
from django.core.cache.backends.locmem import LocMemCache as DjangoLocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from core import redis_outage

T = TypeVar("T")


class _ReusedClient(RedisCacheClient):
    """Django's Redis cache client, keeping one ``redis.Redis`` per connection pool instead of building
    one for every cache call: building it fills a table of ~170 response callbacks, about 0.1 ms, and a
    For-you page makes ~16 cache calls (docs/benchmarks.md, "session 10"). A ``redis.Redis`` over a pool
    is safe to share between threads (each command takes a connection from the pool), and the pool
    itself starts afresh in a forked process."""

    _pools: dict[int, Any]
    _servers: list[str]
    _pool_class: Any
    _pool_options: dict[str, Any]
    _client: Any
    _get_connection_pool_index: Callable[[bool], int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:  # two threads may both build one here: harmless, the last one is kept
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedClient

    def _try(self, what: str, call: Callable[[], T], fallback: T) -> T:
        if not redis_outage.available():
            return fallback
        try:
            return call()
        except redis_outage.ERRORS as error:
            redis_outage.failed(f"cache {what}", error)
            return fallback

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._try("get", lambda: super(ResilientRedisCache, self).get(key, default, version), default)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        keys = list(keys)
        return self._try("get_many", lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._try("has_key", lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def add(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> bool:
        return self._try("add", lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False)

    def set(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> None:
        self._try("set", lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def set_many(self, data: dict[Any, Any], timeout: Any = 300, version: int | None = None) -> list[Any]:
        return self._try("set_many", lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), [])

    def touch(self, key: Any, timeout: Any = 300, version: int | None = None) -> bool:
        return self._try("touch", lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._try("delete", lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        keys = list(keys)
        self._try("delete_many", lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # A counter that cannot be read is reported missing, which callers of incr() already handle.
        if not redis_outage.available():
            raise ValueError(f"Key {key!r} not found (Redis unavailable)")
        try:
            return super().incr(key, delta, version)
        except redis_outage.ERRORS as error:
            redis_outage.failed("cache incr", error)
            raise ValueError(f"Key {key!r} not found (Redis unavailable)") from error


# What Django's key check warns about (memcached would refuse such a key): a control character or space.
_ODD_KEY = re.compile(r"[\x00-\x20\x7f]")


class LocMemCache(DjangoLocMemCache):
    """Django's per-process cache, answering ``get_many`` under one lock and checking keys with a regular
    expression instead of Django's loop over every character. A warm home-timeline page reads about 50
    keys (hydrated notes, then serialised statuses); those two costs were a tenth of its CPU. Values,
    expiry, eviction and the warnings about odd keys are Django's.
    """

    # Django's own, undeclared in its type stubs.
    _lock: Any
    _cache: Any
    _has_expired: Callable[[str], bool]
    _delete: Callable[[str], bool]

    def validate_key(self, key: str) -> None:
        if len(key) > MEMCACHE_MAX_KEY_LENGTH or _ODD_KEY.search(key):
            super().validate_key(key)  # the same warnings as Django's

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        found: dict[Any, bytes] = {}
        made = [(key, self.make_and_validate_key(key, version=version)) for key in keys]
        with self._lock:
            for key, made_key in made:
                if self._has_expired(made_key):
                    self._delete(made_key)
                    continue
                found[key] = self._cache[made_key]
                self._cache.move_to_end(made_key, last=False)
        # Only what this process stored itself, as in Django's own get.
        return {key: pickle.loads(pickled) for key, pickled in found.items()}  # noqa: S301
