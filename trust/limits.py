"""Rate limits: a sliding-window counter per action and subject (account, address, subnet, ...).

Each limit is a ``Rate`` (at most ``count`` in ``period`` seconds) named ``<action>.<scope>``:
``post.user`` (per account), ``post.user_new`` (per account in its first ``RATE_LIMIT_NEW_ACCOUNT_DAYS``
days, used instead of ``post.user``), ``post.ip`` (per client address), ``signup.subnet`` (per /24 or
/64), ``login.account`` (per account name tried), ``api.caller`` (every API request, per token or
address). ``DEFAULT_RATES`` holds the defaults; ``settings.RATE_LIMITS`` overrides any of them (``None``
or ``"off"`` switches one off), and the environment variable of the same name is read into it
(``RATE_LIMITS="post.user=100/1h,signup.ip=off"``).

The counter is the two-window approximation of a sliding window: the count of the current fixed window
plus the previous window's count weighted by how much of it still lies inside the sliding window. It
needs two numbers per key, and a burst at a window's edge cannot double the rate as a plain fixed window
allows. Every attempt counts, the refused ones too, so a client that keeps hammering stays refused. The
one exception is an answer that did none of the work and asks the client to come back in a few seconds
(the sign-up defence's "the server is busy", trust/signup.py): ``give_back()`` undoes the counts of that
request (the middleware opens ``counting()`` around each request), so a newcomer who retries a busy
server as told is not locked out for the rest of the hour.

Where the counters live (``RATE_LIMIT_STORE``): ``redis`` (the default with ``REDIS_URL``: one INCR,
EXPIRE and GET per check, in one round trip), ``db`` (the default without Redis: the ``RateCounter``
table, one upsert and one read; all web workers and the task worker share it, where the in-process
cache would give each worker its own count and let a client multiply a limit by the number of workers),
or ``cache`` (Django's default cache; per process when that is the in-process cache). The per-request
``api.caller`` count goes to Redis when there is one and to the process's cache otherwise: it is checked
on every API read, where a database write would cost more than the guard is worth (docs/trust.md).
"""

from __future__ import annotations

import math
import random
import re
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Protocol

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from core import redis_outage
from core.errors import RateLimited
from trust import influx, operator

DEFAULT_RATES: dict[str, str] = {
    # Every API request, per token (or per address without one); Mastodon's own default is 300 / 5 min.
    "api.caller": "3000/5m",
    # Sign-up attempts, per address and per /24 (IPv4) or /64 (IPv6); per e-mail domain in trust/signup.py.
    "signup.ip": "10/1h",
    "signup.subnet": "30/1h",
    "signup.domain": "50/1h",
    # Log-in attempts (the web form and /oauth/token), per address and per account name tried.
    "login.ip": "30/5m",
    "login.account": "10/15m",
    # What signed-in people do: per account (stricter in its first days) and per address. Addresses are
    # shared (offices, campuses, carrier-grade NAT), so their limits are ten times an account's.
    "post.user": "300/3h",
    "post.user_new": "30/1h",
    "post.ip": "3000/3h",
    "comment.user": "200/1h",
    "comment.user_new": "40/1h",
    "comment.ip": "2000/1h",
    "like.user": "600/1h",
    "like.user_new": "150/1h",
    "like.ip": "6000/1h",
    "follow.user": "400/1d",
    "follow.user_new": "100/1d",
    "follow.ip": "4000/1d",
    "report.user": "30/1h",
    "report.user_new": "10/1h",
    "report.ip": "300/1h",
    "upload.user": "90/30m",
    "upload.user_new": "45/30m",
    "upload.ip": "900/30m",
    # Suggested translations of others' notes: each is screened and lands in an author's inbox.
    "suggest.user": "20/1h",
    "suggest.user_new": "5/1h",
    "suggest.ip": "200/1h",
    "translate.user": "600/5m",
    "translate.user_new": "200/5m",
    "translate.ip": "1200/5m",
    # Look-ups as one types (@mention autocomplete): a request per pause in typing.
    "lookup.user": "300/5m",
    "lookup.user_new": "150/5m",
    "lookup.ip": "3000/5m",
}
ACTIONS = (
    "signup",
    "login",
    "post",
    "comment",
    "like",
    "follow",
    "report",
    "upload",
    "translate",
    "suggest",
    "lookup",
)
PURGE_EVERY = 200  # on average, one database write in this many also deletes expired counters

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd]?)\s*$")


@dataclass(frozen=True)
class Rate:
    count: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"30/1h"``, ``"30/3600"``, ``"5/m"``: a count and a period in seconds, minutes, hours or days."""
        match = _RATE.match(text)
        if match is None:
            raise ValueError(f"not a rate: {text!r} (write it as 30/1h)")
        count, amount, unit = int(match[1]), int(match[2] or 1), _UNITS[match[3] or "s"]
        if amount * unit <= 0:
            raise ValueError(f"not a rate: {text!r} (the period must be positive)")
        return cls(count=count, period=amount * unit)

    def __str__(self) -> str:
        return f"{self.count}/{self.period}s"


@lru_cache(maxsize=256)
def _parsed(text: str) -> Rate:
    return Rate.parse(text)


def rate(name: str) -> Rate | None:
    """The rate in force for ``name`` (``settings.RATE_LIMITS`` over ``DEFAULT_RATES``), or None if off."""
    chosen, value = operator.rate_override(name)
    if not chosen:
        overrides = getattr(settings, "RATE_LIMITS", {}) or {}
        value = overrides[name] if name in overrides else DEFAULT_RATES.get(name)
    if value is None or (isinstance(value, str) and value.strip().lower() in {"", "off", "none"}):
        return None
    if isinstance(value, Rate):
        return value
    return _parsed(str(value))


def enabled() -> bool:
    return bool(getattr(settings, "RATE_LIMITS_ENABLED", True))


# --- stores --------------------------------------------------------------------------------------


class Store(Protocol):
    def incr(self, key: str, bucket: int, period: int) -> tuple[int, int]:
        """Count one hit in window ``bucket`` of ``key``; the window's count (this hit included) and the
        previous window's."""
        ...

    def decr(self, key: str, bucket: int, period: int) -> None:
        """Take back one hit counted in window ``bucket`` of ``key`` (never below zero)."""
        ...


class DatabaseStore:
    """The ``RateCounter`` table: shared by every process that shares the database."""

    def incr(self, key: str, bucket: int, period: int) -> tuple[int, int]:
        expires = connection.ops.adapt_datetimefield_value(datetime.now(UTC) + timedelta(seconds=2 * period))
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO trust_ratecounter (key, bucket, count, expires_at) VALUES (%s, %s, 1, %s) "
                "ON CONFLICT (key, bucket) DO UPDATE SET count = trust_ratecounter.count + 1 RETURNING count",
                [key, bucket, expires],
            )
            current = int(cursor.fetchone()[0])
            cursor.execute("SELECT count FROM trust_ratecounter WHERE key = %s AND bucket = %s", [key, bucket - 1])
            row = cursor.fetchone()
        if random.randrange(PURGE_EVERY) == 0:
            purge_counters()
        return current, int(row[0]) if row else 0

    def decr(self, key: str, bucket: int, period: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE trust_ratecounter SET count = count - 1 WHERE key = %s AND bucket = %s AND count > 0",
                [key, bucket],
            )


class RedisStore:
    """Redis keys ``<prefix>:rl:<key>:<bucket>``, expiring after two windows."""

    def __init__(self) -> None:
        self.redis = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
        self.prefix = f"{settings.CACHES['default'].get('KEY_PREFIX') or 'nb'}:rl:"

    def incr(self, key: str, bucket: int, period: int) -> tuple[int, int]:
        # While Redis is down the counters are kept in the database (core/redis_outage.py): limits still
        # hold, counted afresh for the outage.
        if not redis_outage.available():
            return store_named("db").incr(key, bucket, period)
        try:
            return self._incr(key, bucket, period)
        except redis_outage.ERRORS as error:
            redis_outage.failed("rate limits", error)
            return store_named("db").incr(key, bucket, period)

    def _incr(self, key: str, bucket: int, period: int) -> tuple[int, int]:
        name = f"{self.prefix}{key}:{bucket}"
        pipe = self.redis.pipeline(transaction=False)
        pipe.incr(name)
        pipe.expire(name, 2 * period)
        pipe.get(f"{self.prefix}{key}:{bucket - 1}")
        current, _ok, previous = pipe.execute()
        return int(current), int(previous or 0)

    def decr(self, key: str, bucket: int, period: int) -> None:
        if not redis_outage.available():
            store_named("db").decr(key, bucket, period)
            return
        name = f"{self.prefix}{key}:{bucket}"
        try:
            # Only a key that exists (and so has its expiry) is decremented: DECR on an expired key would
            # leave a -1 that never expires.
            self.redis.eval(
                "if redis.call('exists', KEYS[1]) == 1 and tonumber(redis.call('get', KEYS[1])) > 0 then "
                "return redis.call('decr', KEYS[1]) end return 0",
                1,
                name,
            )
        except redis_outage.ERRORS as error:
            redis_outage.failed("rate limits", error)


class CacheStore:
    """Django's default cache (per process when that is the in-process cache)."""

    def incr(self, key: str, bucket: int, period: int) -> tuple[int, int]:
        name = f"rl:{key}:{bucket}"
        cache.add(name, 0, timeout=2 * period)
        try:
            current = cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.set(name, 1, timeout=2 * period)
            current = 1
        return int(current), int(cache.get(f"rl:{key}:{bucket - 1}") or 0)

    def decr(self, key: str, bucket: int, period: int) -> None:
        name = f"rl:{key}:{bucket}"
        try:
            if int(cache.get(name) or 0) > 0:
                cache.decr(name)
        except ValueError:  # expired meanwhile: nothing to give back
            pass


_stores: dict[str, Store] = {}


def store_named(name: str) -> Store:
    if name not in _stores:
        if name == "redis":
            _stores[name] = RedisStore()
        elif name == "db":
            _stores[name] = DatabaseStore()
        elif name == "cache":
            _stores[name] = CacheStore()
        else:
            raise ValueError(f"RATE_LIMIT_STORE must be redis, db or cache, not {name!r}")
    return _stores[name]


def store_for(action: str) -> Store:
    if action == "api":
        return store_named("redis" if settings.REDIS_URL else "cache")
    default = "redis" if settings.REDIS_URL else "db"
    return store_named(getattr(settings, "RATE_LIMIT_STORE", "") or default)


def purge_counters() -> int:
    """Delete expired database counters; the number deleted."""
    expires = connection.ops.adapt_datetimefield_value(datetime.now(UTC))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM trust_ratecounter WHERE expires_at < %s", [expires])
        return int(cursor.rowcount or 0)


# --- checking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One limit after a hit: what the ``X-RateLimit-*`` headers and ``Retry-After`` say."""

    name: str
    limit: int
    remaining: int
    reset: float  # epoch seconds
    retry_after: int  # 0 unless exceeded

    @property
    def exceeded(self) -> bool:
        return self.retry_after > 0


def evaluate(name: str, limit: Rate, current: int, previous: int, now: float) -> Outcome:
    """The sliding-window estimate after a hit and, when it is over the limit, how long until one more
    hit would fit (assuming no other hits meanwhile)."""
    period = limit.period
    start = (now // period) * period
    elapsed = now - start
    estimate = previous * (1 - elapsed / period) + current
    remaining = max(0, math.floor(limit.count - estimate))
    if estimate <= limit.count:
        return Outcome(name, limit.count, remaining, start + period, 0)
    if current + 1 <= limit.count:
        # Wait until the previous window's weight has decayed enough for one more.
        wait = period * (1 - (limit.count - current - 1) / previous) - elapsed
    else:
        # Wait for this window to end, then for its count (now the previous one) to decay.
        wait = (period - elapsed) + max(0.0, period * (1 - (limit.count - 1) / current)) if current else period
    retry = max(1, math.ceil(wait))
    return Outcome(name, limit.count, 0, now + retry, retry)


def influx_tightened(limit: Rate | None) -> Rate | None:
    """A new account's limit, divided by ``TRUST_INFLUX["tighten_limits"]`` while influx mode is on."""
    if limit is None or not operator.snapshot().influx_active:
        return limit
    factor = max(1, int(influx.config()["tighten_limits"]))
    return Rate(count=max(1, limit.count // factor), period=limit.period)


def normalise_name(value: str) -> str:
    """An account name or other identifier as one key: NFKC, case-folded, no surrounding space or @."""
    return unicodedata.normalize("NFKC", value or "").casefold().strip().lstrip("@")


def is_new_account(joined: datetime | None, now: float | None = None) -> bool:
    if joined is None:
        return False
    days = float(getattr(settings, "RATE_LIMIT_NEW_ACCOUNT_DAYS", 3))
    return (now or time.time()) - joined.timestamp() < days * 86400


# What ``check`` counted in the current request (``counting()``): (store, key, bucket, period) per hit.
_counted: ContextVar[list[tuple[Store, str, int, int]] | None] = ContextVar("nb_rate_counted", default=None)


@contextmanager
def counting() -> Iterator[None]:
    """Remember the hits ``check`` counts inside the block, so that ``give_back()`` can undo them."""
    token = _counted.set([])
    try:
        yield
    finally:
        _counted.reset(token)


def give_back() -> None:
    """Undo every hit counted so far in the current ``counting()`` block: for an answer that did none of
    the request's work and asks the client to retry in a few seconds. Outside a block, nothing."""
    hits = _counted.get()
    if not hits:
        return
    for store, key, bucket, period in hits:
        store.decr(key, bucket, period)
    hits.clear()


def check(
    action: str,
    subjects: dict[str, str],
    *,
    new_account: bool = False,
    now: float | None = None,
) -> Outcome | None:
    """Count one ``action`` for each subject (``{"user": "42", "ip": "192.0.2.1", ...}``: scope to
    identifier, empty identifiers skipped). Raises ``RateLimited`` when any limit is exceeded, else
    returns the outcome with the fewest remaining (None when no limit applies)."""
    if not enabled():
        return None
    now = time.time() if now is None else now
    store = store_for(action)
    outcomes: list[Outcome] = []
    for scope, ident in subjects.items():
        if not ident:
            continue
        name = f"{action}.{scope}"
        limit = None
        if scope == "user" and new_account:
            limit = influx_tightened(rate(f"{action}.user_new"))
            name = f"{action}.user_new" if limit is not None else name
        if limit is None:
            limit = rate(f"{action}.{scope}")
        if limit is None:
            continue
        bucket = int(now // limit.period)
        key = f"{action}:{scope}:{ident}"[:200]
        current, previous = store.incr(key, bucket, limit.period)
        hits = _counted.get()
        if hits is not None:
            hits.append((store, key, bucket, limit.period))
        outcomes.append(evaluate(name, limit, current, previous, now))
    if not outcomes:
        return None
    exceeded = [o for o in outcomes if o.exceeded]
    if exceeded:
        worst = max(exceeded, key=lambda o: o.retry_after)
        raise RateLimited(retry_after=worst.retry_after, limit=worst.limit, reset=worst.reset)
    return min(outcomes, key=lambda o: (o.remaining, -o.reset))


def reset_time(epoch: float) -> str:
    """``X-RateLimit-Reset`` as Mastodon sends it: an ISO 8601 time in UTC with milliseconds."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def headers(outcome: Outcome | None, error: RateLimited | None = None) -> dict[str, str]:
    """The headers a response carries: ``X-RateLimit-*`` for ``outcome``, or for a refused request also
    ``Retry-After``."""
    if error is not None:
        return {
            "Retry-After": str(error.retry_after),
            "X-RateLimit-Limit": str(error.limit),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset_time(error.reset or time.time() + error.retry_after),
        }
    if outcome is None:
        return {}
    return {
        "X-RateLimit-Limit": str(outcome.limit),
        "X-RateLimit-Remaining": str(outcome.remaining),
        "X-RateLimit-Reset": reset_time(outcome.reset),
    }
