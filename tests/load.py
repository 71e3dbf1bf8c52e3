"""A small concurrent client load for fault injection (tests/core/test_faults.py, bench/fault_injection.py),
and what the site did with it, read straight from its database and Redis.

Clients read (the reader's home, the public timeline, the author's newest note) and post as the author
with an ``Idempotency-Key``; a post answered 5xx, or not answered, is sent again with the same key after
``Retry-After`` (at most 2 s here) until it is answered 200, as a Mastodon client does. So every key a
client made ends acknowledged, and the database must hold exactly one note per key.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import redis
import requests

POST_DEADLINE_S = 120.0

# The production stack under fault injection: posts wait for screening (rules only, no LLM) on the urgent
# queue, so a fault has work to lose; no rate limits (a few clients posting several times a second are the
# load, not abuse); short retry intervals; lost work swept soon (not after the production lease of 15
# minutes), so that a test can see it done.
STACK_ENV = {
    "REVIEW_SCREENING": "1",
    "REVIEW_USE_LLM": "0",
    "RECOMMEND_EMBED_ON_PUBLISH": "0",
    "RATE_LIMITS_ENABLED": "0",
    "REDIS_RETRY_S": "1",
    "DB_RETRY_AFTER_S": "1",
    "SWEEP_LOST_WORK_AFTER_S": "10",
    "SWEEP_EVERY_S": "5",
    "NOTEBRIDGE_LOCAL_MODEL": "0",
}


def start_stack(env: dict[str, str], folder: Path, *, workers: int = 2) -> tuple[subprocess.Popen[bytes], str]:
    """``runstack --prod`` (gunicorn, the RQ workers by priority, the fallback worker) as ``make run-prod``
    starts it, on a free port, its output in ``folder/stack.log``; returns it and its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    cmd = [sys.executable, "manage.py", "runstack", "--prod", "--port", str(port), "--workers", str(workers)]
    with (folder / "stack.log").open("ab") as log:
        stack = subprocess.Popen([*cmd, "--no-prepare"], env={**env, **STACK_ENV}, stdout=log, stderr=subprocess.STDOUT)
    return stack, f"http://127.0.0.1:{port}"


def stop_stack(stack: subprocess.Popen[bytes]) -> None:
    if stack.poll() is None:
        stack.send_signal(signal.SIGTERM)
        stack.wait(timeout=60)


@dataclass
class Attempt:
    started: float
    ended: float
    kind: str  # "post" or "read"
    status: int  # 599: no answer at all
    retry_after: str | None = None


@dataclass
class Load:
    url: str
    author: dict[str, str]  # headers of the author (posts) and of a reader who follows them
    reader: dict[str, str]
    clients: int = 4
    post_every: int = 3  # one request in three is a post
    pause_s: float = 0.05
    attempts: list[Attempt] = field(default_factory=list)
    acked: dict[str, str] = field(default_factory=dict)  # key -> status id
    posted: list[str] = field(default_factory=list)  # ids in the order acknowledged: the last one is read
    refused: list[tuple[str, int, str]] = field(default_factory=list)  # a post answered 4xx: a defect
    stopping: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        self._threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(self.clients)]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop after each client's current post is acknowledged."""
        self.stopping.set()
        for thread in self._threads:
            thread.join(timeout=POST_DEADLINE_S + 30)
        assert not any(t.is_alive() for t in self._threads), "a client is stuck"

    def failures(self) -> list[Attempt]:
        return [a for a in self.attempts if a.status >= 500]

    def _call(self, session: requests.Session, kind: str, method: str, path: str, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            response: requests.Response | None = session.request(method, self.url + path, timeout=30, **kwargs)
        except requests.RequestException:
            response = None
        status = response.status_code if response is not None else 599
        retry_after = response.headers.get("Retry-After") if response is not None else None
        self.attempts.append(Attempt(started, time.monotonic(), kind, status, retry_after))
        return response

    def _client(self, n: int) -> None:
        session = requests.Session()
        i = 0
        while not self.stopping.is_set():
            i += 1
            if i % self.post_every == 0:
                self._post(session, f"client{n}-post{i}")
            elif i % 2:
                self._call(session, "read", "GET", "/api/v1/timelines/home", headers=self.reader)
            elif self.posted:
                self._call(session, "read", "GET", f"/api/v1/statuses/{self.posted[-1]}", headers=self.author)
            else:
                self._call(session, "read", "GET", "/api/v1/timelines/public")
            time.sleep(self.pause_s)

    def _post(self, session: requests.Session, key: str) -> None:
        headers = {**self.author, "Idempotency-Key": key}
        body = {"status": f"Dumplings at the night market, {key.replace('-', ' ')}"}
        deadline = time.monotonic() + POST_DEADLINE_S
        while time.monotonic() < deadline:
            response = self._call(session, "post", "POST", "/api/v1/statuses", json=body, headers=headers)
            if response is not None and response.status_code == 200:
                self.acked[key] = response.json()["id"]
                self.posted.append(self.acked[key])
                return
            if response is not None and response.status_code < 500:
                self.refused.append((key, response.status_code, response.text[:200]))
                return
            wait = response.headers.get("Retry-After") if response is not None else None
            time.sleep(min(float(wait or 0.5), 2.0))
        self.refused.append((key, 0, "never acknowledged"))


@dataclass
class WorkState:
    """The author's notes (id -> state), how many screenings each has, and the reader's home in Redis."""

    notes: dict[int, str]
    screenings: Counter[int]
    home: set[int]

    @property
    def pending(self) -> list[int]:
        return sorted(pk for pk, state in self.notes.items() if state == "pending")

    @property
    def not_fanned_out(self) -> list[int]:
        return sorted(pk for pk, state in self.notes.items() if state == "published" and pk not in self.home)

    @property
    def screened_not_once(self) -> list[int]:
        return sorted(pk for pk in self.notes if self.screenings[pk] != 1)

    @property
    def settled(self) -> bool:
        return not self.pending and not self.not_fanned_out


def work_state(database_url: str, redis_url: str, *, author_id: int, reader_id: int) -> WorkState:
    # Imported here: the models are only loaded once Django is set up (bench/fault_injection.py sets it
    # up after choosing its database).
    from notes.models import Note
    from review.models import ScreeningResult

    with psycopg.connect(database_url, connect_timeout=5) as conn:
        rows = conn.execute(f"SELECT id, state FROM {Note._meta.db_table} WHERE author_id = %s", (author_id,))
        notes: dict[int, str] = {int(pk): str(state) for pk, state in rows}
        screened = conn.execute(
            f"SELECT target_id FROM {ScreeningResult._meta.db_table} WHERE target_type = 'note' AND author_id = %s",
            (author_id,),
        )
        screenings = Counter(int(pk) for (pk,) in screened)
    members: list[bytes] = redis.Redis.from_url(redis_url).zrange(f"nb:tl:{reader_id}", 0, -1)  # type: ignore[assignment]
    home = {int(m.decode().split(":")[0]) for m in members}
    return WorkState(notes, screenings, home)


def stored_once(load: Load, state: WorkState) -> list[str]:
    """What is wrong with the posts (empty when each acknowledged post is one note and nothing else)."""
    problems = [f"post {key} answered {status}: {text}" for key, status, text in load.refused]
    acked = [int(i) for i in load.acked.values()]
    duplicated = [pk for pk, n in Counter(acked).items() if n > 1]
    if duplicated:
        problems.append(f"keys answered with one note: {duplicated}")
    lost = sorted(set(acked) - set(state.notes))
    if lost:
        problems.append(f"acknowledged but not stored: {lost}")
    extra = sorted(set(state.notes) - set(acked))
    if extra:
        problems.append(f"stored but never acknowledged (a retry stored twice): {extra}")
    return problems
