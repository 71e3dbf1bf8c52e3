"""Each process's copy of the note cache, in front of a shared cache (Redis), behind a generation.

With Redis a warm feed page took its notes (rows packed as ``notes.selectors`` packs them) from the
shared note cache: a MGET of about 25 entries, 30 KB over the wire and unpickled, on every page, although
the statuses built from them were already kept in the process (``STATUS_LOCAL_CACHE``). Where
``NOTE_LOCAL_CACHE`` is on (by default with Redis) each process keeps the packed notes it read, each
entry stamped with the generation ``notes:gen`` had when the request that read it began.

Every change to a note (an edit, a deletion, a change of state or visibility, a like, a comment, photos
or a video made ready: whatever calls ``notes.selectors.forget_note``) bumps that generation in the
shared cache once its transaction commits. The generation is read with the request's first cache read
(core/request_reads.py, no round trip of its own), and only entries stamped with that very generation
are used, so the next request in every process reads the note again. Blocks, mutes and withholdings are
not in the note: they are filtered per request from entries read fresh (accounts.selectors,
review.selectors), and apply at once as before.

A changed note drops every process's whole copy: this pays where reads far outnumber changes to notes,
and costs no more than the shared cache where they do not (a miss here is the MGET a page made before).
Outside a request (tasks, the shell) nothing is kept or read here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from core import request_reads

GENERATION_KEY = request_reads.shared("notes:gen")
# At most this long (well inside the shared entry's NOTE_CACHE_SECONDS), at most this many entries
# (past that the copy starts again): what a note holds beyond itself (its author's profile and counts)
# is no staler here than in the shared cache.
LOCAL_NOTE_SECONDS = 60.0
LOCAL_NOTE_MAX = 10_000

# note id -> (generation, until, packed rows)
_kept: dict[int, tuple[Any, float, Any]] = {}
_lock = threading.Lock()


def generation() -> tuple[bool, Any]:
    """(whether the copy may be used in this request, the generation it began with)."""
    if not settings.NOTE_LOCAL_CACHE or not request_reads.in_request():
        return False, None
    gen = request_reads.get(GENERATION_KEY)
    if gen is None:
        # Not set yet (or lost with Redis's data): start one. Where that fails (Redis unreachable, or
        # another process started one first) this request does without the copy.
        gen = time.time_ns()
        if not cache.add(GENERATION_KEY, gen, None):
            return False, None
        request_reads.put(GENERATION_KEY, gen)
    return True, gen


def kept(ids: Iterable[int], gen: Any) -> dict[int, Any]:
    """The packed notes among ``ids`` this process read in generation ``gen``."""
    now = time.monotonic()
    out = {}
    for pk in ids:
        entry = _kept.get(pk)
        if entry is not None and entry[0] == gen and entry[1] > now:
            out[pk] = entry[2]
    return out


def keep(packed: dict[int, Any], gen: Any) -> None:
    """Keep ``packed`` (read from the shared cache or the database after generation ``gen`` was read)."""
    if not packed:
        return
    until = time.monotonic() + LOCAL_NOTE_SECONDS
    with _lock:
        if len(_kept) + len(packed) > LOCAL_NOTE_MAX:
            _kept.clear()
        for pk, rows in packed.items():
            _kept[pk] = (gen, until, rows)


def changed(note_id: int, shared_key: str) -> None:
    """After ``shared_key``, the shared entry of ``note_id``, was deleted: drop this process's copy of it
    now, and every process's copy once the change commits (the shared entry is deleted again then, in
    case a reader filled it from the database before the change was committed)."""
    _kept.pop(note_id, None)
    if settings.NOTE_LOCAL_CACHE:
        transaction.on_commit(lambda: _bump(note_id, shared_key))


def _bump(note_id: int, shared_key: str) -> None:
    cache.delete(shared_key)
    _kept.pop(note_id, None)
    try:
        value = cache.incr(GENERATION_KEY)
    except ValueError:  # never set, evicted, or Redis unreachable: any new value is a new generation
        value = time.time_ns()
        cache.set(GENERATION_KEY, value, None)
    request_reads.put(GENERATION_KEY, value)


def forget_all() -> None:
    """Drop this process's copy (tests, after clearing the shared cache)."""
    _kept.clear()
