"""Redis is an accelerator, never the only copy: when it is down, reads go to the database and writes commit.

Every use of Redis (cache, home timelines, rate-limit counters, the task queue) asks ``available()``
before it tries, and reports a failure with ``failed()``. After a failure this process leaves Redis
alone for ``REDIS_RETRY_S`` seconds (a circuit breaker), so an outage costs one refused connection per
process and interval rather than one per cache look-up; then the next caller tries again, and the
first success closes the circuit. What each caller does meanwhile is its own fallback: the cache
misses, timelines are read from the database, counters are kept in the database, tasks go to the
database queue (docs/deploy.md, "When Redis is down").
"""

from __future__ import annotations

import logging
import threading
import time

import redis
from django.conf import settings

logger = logging.getLogger("notebridge.redis")

# What a Redis that is down, restarting or unreachable raises (redis-py's own error classes).
ERRORS: tuple[type[Exception], ...] = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

_lock = threading.Lock()
_down_until = 0.0


def available() -> bool:
    """False while a recent failure keeps this process off Redis."""
    return time.monotonic() >= _down_until


def failed(what: str, error: BaseException) -> None:
    """Record that Redis failed ``what``; callers use their fallback for the next ``REDIS_RETRY_S``."""
    global _down_until
    with _lock:
        first = available()
        _down_until = time.monotonic() + settings.REDIS_RETRY_S
    if first:
        logger.warning("Redis unavailable (%s: %s); using the database for %.0f s", what, error, settings.REDIS_RETRY_S)


def reset() -> None:
    """Close the circuit (tests; a process that knows Redis is back)."""
    global _down_until
    with _lock:
        _down_until = 0.0
