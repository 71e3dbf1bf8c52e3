"""64-bit time-sortable ids, as Mastodon, Instagram and Twitter's Snowflake use.

Layout: 48 bits of milliseconds since the Unix epoch, 8 bits of *process slot*, 8 bits of sequence::

    | 48: milliseconds | 8: slot | 8: sequence |

Sorting by id sorts by creation time, so timelines paginate on the primary key alone. Two processes
never mint the same id because each holds its own slot: on its first id a process takes an exclusive
lock on one of the files ``slot-000`` .. ``slot-255`` in ``ID_SLOT_DIR`` (``flock``; the kernel drops the
lock when the process dies, so a crashed process frees its slot without any clean-up) and keeps it for
its lifetime. Machines that share no directory are given disjoint ranges with ``ID_SLOTS`` (``0-63`` on
one, ``64-127`` on the next...). Within a process the sequence counts up in each millisecond; past 255 ids
in one millisecond the process waits for the next one (at most 1.5 ms); while the wall clock stands still or
goes back the id borrows the next millisecond instead, so an id is always greater than the one before and
never wraps.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

SLOT_BITS = 8
SEQUENCE_BITS = 8
LOW_BITS = SLOT_BITS + SEQUENCE_BITS  # 16: the millisecond sits where it always did
MAX_SLOT = (1 << SLOT_BITS) - 1
MAX_SEQUENCE = (1 << SEQUENCE_BITS) - 1


class NoIdSlot(RuntimeError):
    """Every process slot of ``ID_SLOTS`` in ``ID_SLOT_DIR`` is held by a live process."""


_lock = threading.Lock()
_last_ms = 0
_last_seq = 0
_slot: int | None = None
_slot_file: IO[bytes] | None = None


def _slot_config() -> tuple[Path, range]:
    try:
        from django.conf import settings

        directory, slots = str(settings.ID_SLOT_DIR), str(settings.ID_SLOTS)
    except Exception:  # settings not configured (a bare script): the environment, then the defaults
        data_dir = Path(os.environ.get("NOTEBRIDGE_DATA_DIR", "var"))
        directory = os.environ.get("ID_SLOT_DIR") or str(data_dir / "id-slots")
        slots = os.environ.get("ID_SLOTS", f"0-{MAX_SLOT}")
    return Path(directory), parse_slot_range(slots)


def parse_slot_range(text: str) -> range:
    """``"0-255"`` or ``"64-127"`` (inclusive) into a range of slots; ValueError when outside 0..255."""
    first, _, last = text.strip().partition("-")
    low, high = int(first), int(last or first)
    if not 0 <= low <= high <= MAX_SLOT:
        raise ValueError(f"ID_SLOTS must be a range within 0-{MAX_SLOT}, got {text!r}")
    return range(low, high + 1)


def claim_slot(directory: Path, slots: range) -> tuple[int, IO[bytes]]:
    """Lock the first free slot file; the open file holds the lock for as long as it stays open."""
    directory.mkdir(parents=True, exist_ok=True)
    for slot in slots:
        handle = (directory / f"slot-{slot:03d}").open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            handle.close()
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                continue
            raise
        return slot, handle
    raise NoIdSlot(f"all id slots {slots.start}-{slots.stop - 1} in {directory} are held by running processes")


def current_slot() -> int:
    """This process's slot, claimed on first use."""
    global _slot, _slot_file
    with _lock:
        if _slot is None:
            _slot, _slot_file = claim_slot(*_slot_config())
        return _slot


def _forget_slot_after_fork() -> None:
    """A forked child (gunicorn, the test runner) shares its parent's lock: it claims a slot of its own."""
    global _slot, _slot_file, _last_ms, _last_seq, _lock
    _lock = threading.Lock()
    if _slot_file is not None:
        with contextlib.suppress(OSError):
            _slot_file.close()  # closes the child's descriptor only: the parent's lock stands
    _slot, _slot_file, _last_ms, _last_seq = None, None, 0, 0


os.register_at_fork(after_in_child=_forget_slot_after_fork)


def new_id() -> int:
    """A new id, greater than every id this process minted before and unlike any other process's."""
    global _last_ms, _last_seq
    slot = current_slot()
    with _lock:
        ms = int(time.time() * 1000)
        if ms > _last_ms:
            seq = 0
        else:  # the same millisecond, or a clock that went back: never a smaller id
            ms, seq = _last_ms, _last_seq + 1
            if seq > MAX_SEQUENCE:
                ms, seq = _next_millisecond(ms), 0
        _last_ms, _last_seq = ms, seq
    return (ms << LOW_BITS) | (slot << SEQUENCE_BITS) | seq


def _next_millisecond(ms: int) -> int:
    """The sequence of ``ms`` is spent: wait for the clock's next millisecond, as Snowflake does, so a burst
    does not run ids ahead of the clock; a clock that stands still or lags is not waited for, the id
    borrows the next millisecond."""
    give_up = time.monotonic() + 0.0015
    while time.monotonic() < give_up:
        now = int(time.time() * 1000)
        if now > ms:
            return now
    return ms + 1


def id_for_time(when: datetime, low: int = 0) -> int:
    """The smallest (or a chosen) id for a moment: used for demo data and time-window queries."""
    ms = int(when.timestamp() * 1000)
    return (ms << LOW_BITS) | (low & 0xFFFF)


def id_to_datetime(value: int) -> datetime:
    return datetime.fromtimestamp((value >> LOW_BITS) / 1000, tz=UTC)


def parse_id(value: object) -> int | None:
    """Parse an id from a URL or API parameter; None when it is not a valid id."""
    if isinstance(value, int):
        return value if 0 < value < (1 << 63) else None
    if not isinstance(value, str) or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number < (1 << 63) else None
