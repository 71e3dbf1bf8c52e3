"""core/cache_backends.py: the embedded default's per-process cache."""

from __future__ import annotations

import time
import warnings

from django.core.cache.backends.base import CacheKeyWarning

from core.cache_backends import LocMemCache


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
