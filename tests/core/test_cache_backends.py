"""core/cache_backends.py: the embedded default's per-process cache."""

from __future__ import annotations

import shutil
import threading
import time
import warnings

import pytest
from django.core.cache.backends.base import CacheKeyWarning

from core.cache_backends import LocMemCache, ResilientRedisCache
from tests.servers import OwnRedis


def test_our_locmem_cache_reads_many_keys_as_django_does():
    """core.cache_backends.LocMemCache: get_many under one lock gives what Django's get gives, keeps
    expiry, hands out copies, and warns about keys memcached would refuse as Django's check does."""
    cache = LocMemCache("test-many", {})
    cache.set_many({"a": [1], "b": {"x": 2}}, 30)
    cache.set("short", 3, 1)
    assert cache.get_many(["a", "b", "missing"]) == {"a": [1], "b": {"x": 2}}
    cache.get_many(["a"])["a"].append(99)
    assert cache.get("a") == [1]
    time.sleep(1.1)
    assert cache.get_many(["short", "a"]) == {"a": [1]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cache.get_many(["has space", "x" * 300, "fine:key"])
    assert len([w for w in caught if issubclass(w.category, CacheKeyWarning)]) == 2


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server (apt-get install redis-server)")
def test_the_redis_cache_keeps_one_client_and_serves_threads_with_it(tmp_path):
    """core.cache_backends.ResilientRedisCache builds one ``redis.Redis`` for its pool, not one per call
    (building one cost ~0.1 ms, ~16 times a For-you page), and that one client serves concurrent threads."""
    server = OwnRedis(tmp_path)
    server.start()
    try:
        cache = ResilientRedisCache(server.url, {})
        client = cache._cache.get_client()
        assert cache._cache.get_client(write=True) is client and cache._cache.get_client("k") is client
        errors: list[BaseException] = []

        def work(n: int) -> None:
            try:
                for i in range(50):
                    cache.set(f"t{n}:{i}", [n, i], 30)
                    assert cache.get_many([f"t{n}:{i}"]) == {f"t{n}:{i}": [n, i]}
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert cache._cache.get_client() is client
    finally:
        server.stop()
