"""Password hashing parameters (docs/trust.md, "Password hashing").

Django's Argon2 defaults (argon2id, 100 MiB, 2 passes, 8 lanes) cost about a tenth of a second of CPU
and 100 MiB of memory per hash. Sign-up and log-in bursts are bound by it (``PASSWORD_HASH_CONCURRENCY``
slots per process), so this hasher uses OWASP's recommended argon2id configuration instead: 19 MiB,
2 passes, 1 lane (the Password Storage Cheat Sheet's first option). ``bench/password_hash.py`` measures
both on the machine at hand.

The algorithm name stays ``argon2``: every existing hash still verifies (its parameters are read from the
hash itself), and Django re-hashes a password with these parameters the next time its owner logs in
(``must_update`` compares the parameters).

A stored hash that is not a valid Argon2 hash (damaged, or written by hand) is a failed log-in, not a
server error: Django's own hasher raises ``InvalidHashError`` from ``must_update`` for it.

**Hashing at a lower CPU priority** (``PASSWORD_HASH_NICE``, docs/trust.md "Password hashing"). When
set above 0, Argon2 (hashing and checking) runs in one dedicated thread per process that has lowered its
own priority by that many nice steps below the thread that started it (at most to 19; ``os.setpriority``
on Linux applies to the calling thread only), and
the request's thread waits for it. A burst of sign-ups then takes the CPU that page reads leave free,
instead of taking turns with them. Only argon2's C call runs long in that thread, and argon2-cffi
releases the GIL during it; the Python around it is a few microseconds, so a niced thread holding the
GIL (priority inversion: a read waiting on a thread that cannot get the CPU) is brief and rare. An
unprivileged thread can never raise its priority again, which is why the thread is dedicated.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Callable
from typing import Any

from argon2.exceptions import InvalidHashError
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class _NicedThread:
    """One daemon thread at ``nice`` that runs the calls given to ``call``, one at a time."""

    def __init__(self, nice: int) -> None:
        self.nice = nice
        self.pid = os.getpid()
        self.jobs: queue.SimpleQueue[tuple[Callable[[], Any], dict[str, Any], threading.Event]] = queue.SimpleQueue()
        self.native_id: int | None = None
        self.started = threading.Event()
        threading.Thread(target=self._run, name=f"argon2-nice{nice}", daemon=True).start()
        self.started.wait()

    def _run(self) -> None:
        self.native_id = threading.get_native_id()
        # ``nice`` steps below the priority this thread started at (its creator's), at most 19: a server
        # started under ``nice`` (a systemd unit's Nice=, a benchmark's ``nice -n 10``) still hashes below
        # its own page reads. An absolute value would do nothing there: a thread at nice 10 told to go to
        # 10 stays level with the reads. Not Linux, or not allowed: the thread runs at the process's
        # priority.
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, 0, min(19, os.getpriority(os.PRIO_PROCESS, 0) + self.nice))
        self.started.set()
        while True:
            job, box, done = self.jobs.get()
            try:
                box["value"] = job()
            except BaseException as exc:  # handed back to the caller's thread, raised there
                box["error"] = exc
            done.set()

    def call(self, job: Callable[[], Any]) -> Any:
        box: dict[str, Any] = {}
        done = threading.Event()
        self.jobs.put((job, box, done))
        done.wait()
        if "error" in box:
            raise box["error"]
        return box["value"]


_niced: _NicedThread | None = None
_niced_lock = threading.Lock()


def niced_thread() -> _NicedThread | None:
    """This process's hashing thread at ``PASSWORD_HASH_NICE``, started on first use (again in a forked
    child, which has no copy of its parent's threads); None when the setting is 0."""
    global _niced
    nice = min(19, int(getattr(settings, "PASSWORD_HASH_NICE", 0) or 0))
    if nice <= 0:
        return None
    with _niced_lock:
        if _niced is None or _niced.pid != os.getpid() or _niced.nice != nice:
            _niced = _NicedThread(nice)
        return _niced


def at_hashing_priority(job: Callable[[], Any]) -> Any:
    """``job()`` in the niced hashing thread when ``PASSWORD_HASH_NICE`` is set, else right here."""
    thread = niced_thread()
    return job() if thread is None else thread.call(job)


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

    def encode(self, password: str, salt: str) -> str:
        encode = super().encode
        return str(at_hashing_priority(lambda: encode(password, salt)))

    def verify(self, password: str, encoded: str) -> bool:
        verify = super().verify
        try:
            return bool(at_hashing_priority(lambda: verify(password, encoded)))
        except (InvalidHashError, ValueError):
            return False

    def must_update(self, encoded: str) -> bool:
        try:
            return bool(super().must_update(encoded))
        except (InvalidHashError, ValueError):
            return False
