"""Liveness and readiness for supervisors, load balancers and monitors.

- ``GET /healthz``: the process answers (liveness). Touches nothing else, so a database outage never
  makes a supervisor restart healthy web workers.
- ``GET /readyz``: can this instance serve? Checks the database (``SELECT 1``), Redis (``PING``, when
  ``REDIS_URL`` is set: cache, timelines and the RQ queue live there) or the in-process cache, and the
  task queue (the RQ queues' lengths, or the database queue's table). 200 when all pass, else 503; the
  JSON body lists the failed parts and each check with ``ok``, its time in milliseconds and, for a
  failure, the kind of error (the message, which may name hosts, goes to the log), and gives the depth of
  each queue so an operator sees a backlog growing.

Both answer from a middleware placed first: no host check (a load balancer probes by address), no
session, no rate limit, no log-in, and never cached (``Cache-Control: no-store``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from core import queue_depth, queues

logger = logging.getLogger("notebridge.health")

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"
CHECK_TIMEOUT_S = 2.0


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # A broken connection must not be reused by the next request of this thread.
        connection.close()
        raise
    return {}


def _redis() -> dict[str, Any]:
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=CHECK_TIMEOUT_S, socket_timeout=CHECK_TIMEOUT_S
    )
    try:
        client.ping()
    finally:
        client.close()
    return {}


def _local_cache() -> dict[str, Any]:
    cache.set("nb:readyz", 1, 10)
    if cache.get("nb:readyz") != 1:
        raise RuntimeError("the cache does not keep what it is given")
    return {}


def _queue() -> dict[str, Any]:
    queue_depth.forget()
    return {"depth": {name: queue_depth.depth(name) for name in queues.ALL}}


def _timed(check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result: dict[str, Any] = {"ok": True, **check()}
    except Exception as error:
        # The body names the kind of failure; the message (hosts, ports) goes to the log only.
        logger.warning("readiness check %s failed: %s", check.__name__.strip("_"), error)
        result = {"ok": False, "error": type(error).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def readiness() -> dict[str, dict[str, Any]]:
    """Each check's outcome, by name; the queue is read only when what it lives on answered."""
    checks = {"database": _timed(_database)}
    if settings.REDIS_URL:
        checks["redis"] = _timed(_redis)
        store_ok = checks["redis"]["ok"]
    else:
        checks["cache"] = _timed(_local_cache)
        store_ok = checks["database"]["ok"]
    checks["queue"] = (
        _timed(_queue) if store_ok else {"ok": False, "error": "not checked: its store is down", "ms": 0.0}
    )
    return checks


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.rstrip("/") or "/"
        if path == LIVENESS_PATH:
            return _no_store(JsonResponse({"status": "ok"}))
        if path == READINESS_PATH:
            checks = readiness()
            ok = all(c["ok"] for c in checks.values())
            failed = [name for name, c in checks.items() if not c["ok"]]
            body = {"status": "ok" if ok else "unavailable", "failed": failed, "checks": checks}
            return _no_store(JsonResponse(body, status=200 if ok else 503))
        return self.get_response(request)
