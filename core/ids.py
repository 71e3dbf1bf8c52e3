"""64-bit time-sortable ids, as Mastodon and Instagram use.

Layout: 48 bits of milliseconds since the Unix epoch, then 16 bits that make ids minted in the same
millisecond distinct (a per-process counter seeded at random, mixed with the process id). Sorting by id
sorts by creation time, so timelines paginate on the primary key alone.
"""

from __future__ import annotations

import itertools
import os
import random
import threading
import time
from datetime import UTC, datetime

_lock = threading.Lock()
_counter = itertools.count(random.randrange(1 << 16))
_last_ms = 0


def new_id() -> int:
    global _last_ms
    with _lock:
        ms = int(time.time() * 1000)
        # Never go backwards within a process, even if the wall clock does.
        if ms < _last_ms:
            ms = _last_ms
        _last_ms = ms
        low = (next(_counter) + os.getpid() * 7919) & 0xFFFF
    return (ms << 16) | low


def id_for_time(when: datetime, low: int = 0) -> int:
    """The smallest (or a chosen) id for a moment: used for demo data and time-window queries."""
    ms = int(when.timestamp() * 1000)
    return (ms << 16) | (low & 0xFFFF)


def id_to_datetime(value: int) -> datetime:
    return datetime.fromtimestamp((value >> 16) / 1000, tz=UTC)


def parse_id(value: object) -> int | None:
    """Parse an id from a URL or API parameter; None when it is not a valid id."""
    if isinstance(value, int):
        return value if 0 < value < (1 << 63) else None
    if not isinstance(value, str) or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number < (1 << 63) else None
