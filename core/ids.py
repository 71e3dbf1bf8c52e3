"""64-bit time-sortable ids, as Mastodon and Instagram use.

Layout: 48 bits of milliseconds since the Unix epoch, then 16 bits that make ids minted in the same
millisecond distinct (a random start in each millisecond, then counting up; see ``new_id``). Sorting by id
sorts by creation time, so timelines paginate on the primary key alone.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime

_lock = threading.Lock()
_last_ms = 0
_last_low = 0


def new_id() -> int:
    """A new id, greater than every id this process minted before.

    In a new millisecond the low 16 bits start at a random point, so two processes minting in the same
    millisecond differ with probability 65,535 in 65,536; within one millisecond (or while the wall clock
    stands behind the last id's time) they count up, and past 0xFFFF the id moves on to the next
    millisecond rather than wrapping round to a smaller id.
    """
    global _last_ms, _last_low
    with _lock:
        ms = int(time.time() * 1000)
        if ms > _last_ms:
            low = random.randrange(1 << 16)
        else:  # the same millisecond, or a clock that went back: never a smaller id
            ms, low = _last_ms, _last_low + 1
            if low > 0xFFFF:
                ms, low = ms + 1, random.randrange(1 << 15)
        _last_ms, _last_low = ms, low
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
