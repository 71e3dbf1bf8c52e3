"""A mixed load of reads and writes against a real server, at 1x, 2x and 4x clients, with the task queue's drain.

For each mode: a fresh data set (``bench/seed.py`` through the real services), the stack started as an
operator starts it, then each load level in turn: ``clients x load`` asyncio clients (httpx, one process)
each pick an action by weight, do it, and pick the next, for ``--duration`` seconds, ``--repeat`` times.

Modes:

- ``embedded``: what ``make run`` starts: ``runstack`` (gunicorn, 2 workers x 4 threads, and one
  ``db_worker``) on SQLite, with the database task queue and the in-process cache;
- ``prod``: what ``make run-prod`` starts: ``scripts/run-prod`` (``runstack --prod``: gunicorn with
  ``deploy/gunicorn.conf.py``, the urgent and background RQ workers) on PostgreSQL and Redis.

Actions (``--weights``; reads far outnumber writes by default):

- reads: the home timeline (``GET /api/v1/timelines/home``), Discover (``GET /``, the web page, signed out),
  trends (``GET /api/v1/trends/tags``), a note's web page (``GET /n/<id>/``), search
  (``GET /api/v2/search``), a translation (``POST /api/v1/statuses/:id/translate``: Chinese notes into
  Traditional Chinese, OpenCC, the one real engine without the local model);
- writes: a note with a photo (``POST /api/v2/media``; ``GET /api/v1/media/:id`` after 0.25 s, 0.5 s, 1 s,
  then every 2 s until the media worker has made its renditions, as Mastodon clients do; then
  ``POST /api/v1/statuses``), a text note, a like, a comment (a reply), a follow, a sign-up
  (``POST /api/v1/accounts`` with an app token, each from its own ``X-Forwarded-For`` address of the
  benchmarking range 198.18.0.0/15).

Reported per level: every endpoint's throughput and p50/p95/p99, answers by status (5xx must be 0), how
long a photo took to be processed, and the task queue: tasks queued and done per second while loaded, the
backlog when the load stops and how long it took to drain (sampled every second from the queue itself: the
database queue's table, or RQ's lists and registries in Redis). ``--flood`` adds a write-only level that
queues work faster than the workers drain it (the back-pressure case).

    python bench/mixed_load.py [--mode embedded prod] [--loads 1 2 4] [--clients 4] [--duration 20]
        [--repeat 1] [--weights home=30,...] [--flood] [--port 8811] [--database nb_bench_mixed] [--redis-db 4]

Rate limits are off (``RATE_LIMITS_ENABLED=0``: a few clients on one address act for many users), the
password hasher is the fast one, the review stage's LLM and the translation model are off (a fresh data
directory has no model). Drops and recreates ``--database`` and flushes ``--redis-db``: give it ones of its
own. Uses ``var/bench-mixed-<mode>`` for data and server logs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import random
import sqlite3
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import serving
from PIL import Image
from serving import PG, PY, ROOT

MODES = ("embedded", "prod")
QUEUES = ("high", "review", "default", "media", "translation", "low")
DEFAULT_WEIGHTS = (
    "home=30,discover=8,trends=6,note_page=20,search=8,translate=6,"
    "post_photo=3,post=2,like=8,comment=4,follow=3,signup=1"
)
# The back-pressure case: writes only (each queues screening, fan-out, renditions) and translations.
FLOOD_WEIGHTS = "post=6,post_photo=3,comment=4,like=2,translate=3,home=2"
# Words the clients' notes and comments are made of (the text differs from post to post).
VOCABULARY = (
    "market peaches noodles ramen coffee latte hike trail ridge sunset plants monstera thrift jacket study notes "
    "library gym squat brunch eggs toast cat nap window rain tram bridge river dumplings bakery sourdough tea garden"
)
WORDS = VOCABULARY.split()
TOPICS = ["coffee", "brunch", "hiking", "skincare", "cat", "study", "gym", "ramen", "thrift", "plants"]
SEARCHES = [*TOPICS, "咖啡", "徒步", "拉面", "spot", "today"]
PHOTO_WAIT_S = 60.0
# A processing photo is asked about again after 0.25 s, then twice as long each time, at most every 2 s.
POLL_MAX_S = 2.0


def parse_weights(text: str) -> dict[str, float]:
    """``name=weight,...`` into a dict; unknown actions, bad or negative numbers, or none above 0: ValueError."""
    weights: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in ACTIONS:
            raise ValueError(f"{part!r}: expected ACTION=WEIGHT with ACTION one of {', '.join(sorted(ACTIONS))}")
        try:
            weight = float(value)
        except ValueError:
            raise ValueError(f"{part!r}: the weight must be a number") from None
        if weight < 0 or weight != weight:
            raise ValueError(f"{part!r}: the weight must be 0 or more")
        weights[name] = weight
    if not any(w > 0 for w in weights.values()):
        raise ValueError("at least one action needs a weight above 0")
    return weights


# --- what the clients know: users, notes, an app token, photos ------------------------------------------


@dataclass
class World:
    tokens: list[str]
    account_ids: list[str]
    # The seeded notes (status id, language): those read, liked and commented on. Notes the clients post
    # are not added: until screening publishes them only their author may see them (others get a 404).
    notes: list[tuple[str, str]]
    chinese: list[str]  # notes in Simplified Chinese, which the clients ask in Traditional
    app_token: str
    photos: list[bytes]
    tag: str  # makes this run's sign-up names unique
    signups: int = 0
    photo_index: int = 0

    def token(self, rng: random.Random) -> str:
        return rng.choice(self.tokens)

    def note(self, rng: random.Random) -> tuple[str, str]:
        return rng.choice(self.notes)


def make_photos(count: int, seed: int = 7) -> list[bytes]:
    """Distinct 640 x 480 JPEGs (random colour fields, so no two look alike to a perceptual hash)."""
    rng = random.Random(seed)
    photos = []
    for _ in range(count):
        small = Image.new("RGB", (8, 6))
        small.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(48)])
        out = io.BytesIO()
        small.resize((640, 480), Image.Resampling.BICUBIC).save(out, format="JPEG", quality=85)
        photos.append(out.getvalue())
    return photos


async def make_world(http: httpx.AsyncClient, tokens: list[str], tag: str, photos: int = 200) -> World:
    """Learn what the clients act on through the API, as a client would: account ids, notes, an app."""
    me = await asyncio.gather(*(_json(http, "GET", "/api/v1/accounts/verify_credentials", t) for t in tokens))
    account_ids = [str(m["id"]) for m in me]
    notes: dict[str, str] = {}
    for t in tokens[:10]:
        for status in await _json(http, "GET", "/api/v1/timelines/home?limit=40", t):
            notes[str(status["id"])] = status.get("language") or "en"
    if not notes:
        raise SystemExit("the seeded home timelines are empty: nothing to read")
    app = await _json(
        http,
        "POST",
        "/api/v1/apps",
        None,
        json={"client_name": "mixed-load", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read write"},
    )
    grant = {"grant_type": "client_credentials", "scope": "read write"}
    grant |= {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    token = await _json(http, "POST", "/oauth/token", None, data=grant)
    chinese = [i for i, language in notes.items() if language.startswith("zh")]
    if not chinese:
        raise SystemExit("no Chinese note among the seeded ones: nothing to translate")
    photo_set = make_photos(photos)
    return World(tokens, account_ids, list(notes.items()), chinese, token["access_token"], photo_set, tag)


async def _json(http: httpx.AsyncClient, method: str, url: str, token: str | None, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.request(method, url, headers=headers, **kwargs)
    if response.status_code >= 300:
        raise SystemExit(f"set-up: {method} {url} answered {response.status_code}: {response.text[:300]}")
    return response.json()


# --- the actions --------------------------------------------------------------------------------------


@dataclass
class Recorder:
    """Latencies and answers by endpoint. Throughput counts only requests started before ``stop_at``: a
    client finishes the action it is in when time is up (a photo note may still wait for its renditions)."""

    stop_at: float = float("inf")
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    answers: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    in_time: Counter[str] = field(default_factory=Counter)
    photo_ready: list[float] = field(default_factory=list)
    samples: dict[str, str] = field(default_factory=dict)  # the first body of each non-2xx answer

    def add(self, endpoint: str, answer: int | str, seconds: float, body: str = "") -> None:
        self.latencies[endpoint].append(seconds)
        self.answers[endpoint][str(answer)] += 1
        if time.monotonic() - seconds < self.stop_at:
            self.in_time[endpoint] += 1
        if not str(answer).startswith("2"):
            self.samples.setdefault(f"{endpoint} {answer}", body[:200])


async def call(
    http: httpx.AsyncClient, rec: Recorder, endpoint: str, method: str, url: str, token: str | None = None, **kw: Any
) -> httpx.Response | None:
    """One request, timed and counted under ``endpoint``; a transport error is counted, never raised."""
    headers = kw.pop("headers", {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    started = time.perf_counter()
    try:
        response = await http.request(method, url, headers=headers, **kw)
    except httpx.HTTPError as error:
        rec.add(endpoint, f"error {type(error).__name__}", time.perf_counter() - started)
        return None
    body = "" if response.status_code < 300 else response.text
    rec.add(endpoint, response.status_code, time.perf_counter() - started, body)
    return response


def _text(rng: random.Random) -> str:
    topic = rng.choice(TOPICS)
    return f"{rng.choice(WORDS).title()} {rng.randrange(10_000)}\n{' '.join(rng.sample(WORDS, 9))} #{topic}"


Action = Callable[[httpx.AsyncClient, World, random.Random, Recorder], Awaitable[None]]


async def home(http: httpx.AsyncClient, w: World, rng: random.Random, rec: Recorder) -> None:
    await call(http, rec, "GET /api/v1/timelines/home", "GET", "/api/v1/timelines/home?limit=20", w.token(rng))


async def discover(http: httpx.AsyncClient, w: World, rng: random.Random, rec: Recorder) -> None:
    await call(http, rec, "GET / (Discover, web)", "GET", "/")


async def trends(http: httpx.AsyncClient, w: World, rng: random.Random, rec: Recorder) -> None:
    await call(http, rec, "GET /api/v1/trends/tags", "GET", "/api/v1/trends/tags", w.token(rng))


async def note_page(http: httpx.AsyncClient, w: World, rng: random.Random, rec: Recorder) -> None:
    await call(http, rec, "GET /n/:id/ (note page, web)", "GET", f"/n/{w.note(rng)[0]}/")


async def search(http: httpx.AsyncClient, w: World, rng: random.Random, rec: Recorder) -> None:
    params = {"q": rng.choice(SEARCHES), "type": "statuses", "limit": "20"}
    await call(http, rec, "GET /api/v2/search", "GET", "/api/v2/search", w.token(rng), params=params)


async def translate(http: httpx.AsyncClient, w: World, rng: random.Random, rec: Recorder) -> None:
    # Simplified into Traditional Chinese (OpenCC): the one real engine without the local model. Without
    # it English <-> Chinese is a 503, Mastodon's "provider unavailable" (a gloss only when asked for).
    url = f"/api/v1/statuses/{rng.choice(w.chinese)}/translate"
    await call(http, rec, "POST /api/v1/statuses/:id/translate", "POST", url, w.token(rng), json={"lang": "zh-Hant"})


async def post(http: httpx.AsyncClient, w: World, rng: random.Random, rec: Recorder) -> None:
    token = w.token(rng)
    await call(http, rec, "POST /api/v1/statuses", "POST", "/api/v1/statuses", token, json=_status(rng))


def _status(rng: random.Random) -> dict[str, Any]:
    return {"status": _text(rng), "language": "en"}


async def post_photo(http: httpx.AsyncClient, w: World, rng: random.Random, rec: Recorder) -> None:
    token = w.token(rng)
    photo = w.photos[w.photo_index % len(w.photos)]
    w.photo_index += 1
    files = {"file": ("photo.jpg", photo, "image/jpeg")}
    upload = await call(http, rec, "POST /api/v2/media", "POST", "/api/v2/media", token, files=files)
    if upload is None or upload.status_code not in (200, 202):
        return
    media_id, started = str(upload.json()["id"]), time.perf_counter()
    status, wait = upload.status_code, 0.25
    while status != 200 and time.perf_counter() - started < PHOTO_WAIT_S:
        await asyncio.sleep(wait)
        wait = min(POLL_MAX_S, 2 * wait)
        shown = await call(http, rec, "GET /api/v1/media/:id", "GET", f"/api/v1/media/{media_id}", token)
        if shown is None or shown.status_code not in (200, 206):
            return
        status = shown.status_code
    if status != 200:
        rec.add("photo processed (wait)", "not ready in 60 s", time.perf_counter() - started)
        return
    rec.photo_ready.append(time.perf_counter() - started)
    body = _status(rng) | {"media_ids": [media_id]}
    await call(http, rec, "POST /api/v1/statuses (photo)", "POST", "/api/v1/statuses", token, json=body)


async def like(http: httpx.AsyncClient, w: World, rng: random.Random, rec: Recorder) -> None:
    url = f"/api/v1/statuses/{w.note(rng)[0]}/favourite"
    await call(http, rec, "POST /api/v1/statuses/:id/favourite", "POST", url, w.token(rng))


async def comment(http: httpx.AsyncClient, w: World, rng: random.Random, rec: Recorder) -> None:
    body = {
        "status": f"{rng.choice(WORDS)} {rng.choice(WORDS)}, {rng.randrange(1000)}",
        "in_reply_to_id": w.note(rng)[0],
    }
    await call(http, rec, "POST /api/v1/statuses (comment)", "POST", "/api/v1/statuses", w.token(rng), json=body)


async def follow(http: httpx.AsyncClient, w: World, rng: random.Random, rec: Recorder) -> None:
    who, whom = rng.sample(range(len(w.tokens)), 2)
    url = f"/api/v1/accounts/{w.account_ids[whom]}/follow"
    await call(http, rec, "POST /api/v1/accounts/:id/follow", "POST", url, w.tokens[who])


async def signup(http: httpx.AsyncClient, w: World, rng: random.Random, rec: Recorder) -> None:
    n = w.signups
    w.signups += 1
    body = {"username": f"mx{w.tag}{n}", "password": f"mixed load passphrase {n}", "agreement": True, "locale": "en"}
    headers = {"X-Forwarded-For": serving.address(n)}
    await call(http, rec, "POST /api/v1/accounts", "POST", "/api/v1/accounts", w.app_token, json=body, headers=headers)


ACTIONS: dict[str, Action] = {
    "home": home,
    "discover": discover,
    "trends": trends,
    "note_page": note_page,
    "search": search,
    "translate": translate,
    "post_photo": post_photo,
    "post": post,
    "like": like,
    "comment": comment,
    "follow": follow,
    "signup": signup,
}


async def drive(
    http: httpx.AsyncClient, world: World, weights: dict[str, float], clients: int, seconds: float, seed: int = 1
) -> Recorder:
    """``clients`` closed-loop clients, each doing one weighted action after another for ``seconds``."""
    stop_at = time.monotonic() + seconds
    rec = Recorder(stop_at=stop_at)
    names = [n for n, w in weights.items() if w > 0]
    chosen = [ACTIONS[n] for n in names]
    shares = [weights[n] for n in names]

    async def client(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        while time.monotonic() < stop_at:
            await rng.choices(chosen, weights=shares)[0](http, world, rng, rec)

    await asyncio.gather(*(client(i) for i in range(clients)))
    return rec


# --- the task queue, read from where it lives ---------------------------------------------------------


class DatabaseQueue:
    """django-tasks' database queue on SQLite (the embedded default): rows by status (READY waiting,
    RUNNING, SUCCESSFUL, FAILED); django-tasks keeps a finished task's row."""

    SQL = "SELECT queue_name, status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY queue_name, status"

    def __init__(self, sqlite_path: Path) -> None:
        self.sqlite_path = sqlite_path

    def start_level(self) -> None:
        """Rows are kept: the level's figures are differences from its first reading."""

    def rows(self) -> list[tuple[str, str, int]]:
        db = sqlite3.connect(f"file:{self.sqlite_path}?mode=ro", uri=True, timeout=10)
        try:
            return list(db.execute(self.SQL).fetchall())
        finally:
            db.close()

    def counts(self) -> dict[str, Any]:
        out: dict[str, Any] = {"waiting": 0, "running": 0, "done": 0, "failed": 0, "by_queue": Counter()}
        kinds = {"READY": "waiting", "RUNNING": "running", "SUCCESSFUL": "done", "FAILED": "failed"}
        for queue, status, n in self.rows():
            kind = kinds.get(status, "waiting")
            out[kind] += n
            if kind == "waiting":
                out["by_queue"][queue] += n
        return out


class RQQueues:
    """RQ in Redis: a list per queue (waiting), scheduled retries, and the started, finished and failed
    registries. A finished job stays in its registry for its result TTL (RQ's 500 s), scored by when it
    expires, and is then cleaned away: so jobs done since ``since`` are those scored from ``since`` + TTL
    on (a count of the whole registry would drop when older jobs expire in the middle of a level)."""

    RESULT_TTL_S = 500  # RQ's default; django-tasks-rq sets none

    def __init__(self, redis_url: str) -> None:
        import redis  # only the Redis configuration reads through it

        self.redis = redis.Redis.from_url(redis_url)
        self.since = time.time()

    def start_level(self) -> None:
        self.since = time.time()

    def counts(self) -> dict[str, Any]:
        pipe = self.redis.pipeline(transaction=False)
        for q in QUEUES:
            pipe.llen(f"rq:queue:{q}")
            pipe.zcard(f"rq:scheduled:{q}")
            pipe.zcard(f"rq:wip:{q}")
            # RQ scores a finished job by whole seconds (int(now) + TTL): a job done in the second before
            # ``since`` is counted too, and the level's first reading (its base) counts it as well.
            pipe.zcount(f"rq:finished:{q}", int(self.since) + self.RESULT_TTL_S, "+inf")
            pipe.zcard(f"rq:failed:{q}")
        values = pipe.execute()
        out: dict[str, Any] = {"waiting": 0, "running": 0, "done": 0, "failed": 0, "by_queue": Counter()}
        for i, q in enumerate(QUEUES):
            waiting, scheduled, running, done, failed = values[5 * i : 5 * i + 5]
            out["waiting"] += waiting + scheduled
            out["by_queue"][q] += waiting + scheduled
            out["running"] += running
            out["done"] += done
            out["failed"] += failed
        return out

    def forget_seeding(self) -> int:
        """Drop the jobs the seeder queued (it fans out by itself): the first level must not inherit them."""
        keys = list(self.redis.scan_iter("rq:*"))
        if keys:
            self.redis.delete(*keys)
        return len(keys)


@dataclass
class Drain:
    base: dict[str, Any]
    series: list[tuple[float, int, int, int]] = field(default_factory=list)  # (t, queued, done, backlog)
    max_by_queue: Counter[str] = field(default_factory=Counter)

    def add(self, t: float, now: dict[str, Any]) -> int:
        done = now["done"] + now["failed"] - self.base["done"] - self.base["failed"]
        backlog = now["waiting"] + now["running"]
        queued = done + backlog - self.base["waiting"] - self.base["running"]
        self.series.append((round(t, 1), queued, done, backlog))
        for q, n in now["by_queue"].items():
            self.max_by_queue[q] = max(self.max_by_queue[q], n)
        return backlog


async def sample(probe: DatabaseQueue | RQQueues, drain: Drain, started: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        drain.add(time.monotonic() - started, await asyncio.to_thread(probe.counts))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)


async def settle(probe: DatabaseQueue | RQQueues, cap_s: float) -> float:
    """Wait until nothing waits or runs (up to ``cap_s``); the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < cap_s:
        now = await asyncio.to_thread(probe.counts)
        if now["waiting"] + now["running"] == 0:
            break
        await asyncio.sleep(1)
    return round(time.monotonic() - started, 1)


# --- a level: load for a while, then the drain ---------------------------------------------------------


async def level(
    base_url: str,
    world: World,
    probe: DatabaseQueue | RQQueues,
    weights: dict[str, float],
    clients: int,
    args: argparse.Namespace,
    drain_cap_s: float,
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=clients + 2, max_keepalive_connections=clients + 2)
    settled = await settle(probe, drain_cap_s)
    load_before = os.getloadavg()[0]
    recs: list[Recorder] = []
    probe.start_level()
    drain = Drain(await asyncio.to_thread(probe.counts))
    started = time.monotonic()
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample(probe, drain, started, stop))
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:
        for r in range(args.repeat):
            recs.append(await drive(http, world, weights, clients, args.duration, seed=r + 1))
    loaded_s = time.monotonic() - started
    load_after = os.getloadavg()[0]
    stop.set()
    await sampler
    at_stop = drain.add(loaded_s, await asyncio.to_thread(probe.counts))
    drained_in: float | None = None
    while time.monotonic() - started - loaded_s < drain_cap_s:
        if drain.add(time.monotonic() - started, await asyncio.to_thread(probe.counts)) == 0:
            drained_in = round(time.monotonic() - started - loaded_s, 1)
            break
        await asyncio.sleep(1)
    return summarise(recs, drain, loaded_s, at_stop, drained_in, args.duration) | {
        "clients": clients,
        "settled_before_s": settled,
        "load_average": [round(load_before, 1), round(load_after, 1)],
    }


def summarise(
    recs: list[Recorder], drain: Drain, loaded_s: float, at_stop: int, drained_in: float | None, duration: float
) -> dict[str, Any]:
    latencies: dict[str, list[float]] = defaultdict(list)
    answers: dict[str, Counter[str]] = defaultdict(Counter)
    in_time: Counter[str] = Counter()
    samples: dict[str, str] = {}
    for rec in recs:
        for name, values in rec.latencies.items():
            latencies[name] += values
            answers[name] += rec.answers[name]
        in_time += rec.in_time
        samples = rec.samples | samples
    loaded = duration * len(recs)
    endpoints = {
        name: {
            "n": len(values),
            "rps": round(in_time[name] / loaded, 1),
            "p50_ms": serving.pct(values, 0.50),
            "p95_ms": serving.pct(values, 0.95),
            "p99_ms": serving.pct(values, 0.99),
            "answers": dict(answers[name]),
        }
        for name, values in sorted(latencies.items())
    }
    total = sum(in_time.values())
    everything = [a for c in answers.values() for a in c.elements()]
    ready = [s for rec in recs for s in rec.photo_ready]
    queued, done = (drain.series[-1][1], drain.series[-1][2]) if drain.series else (0, 0)
    stop_row = next((row for row in drain.series if row[0] >= loaded_s), drain.series[-1] if drain.series else None)
    return {
        "seconds": round(loaded_s, 1),
        "requests": total,
        "rps": round(total / loaded, 1),
        "per_repeat_rps": [round(sum(r.in_time.values()) / duration, 1) for r in recs],
        "5xx": sum(1 for a in everything if a.startswith("5")),
        "non_2xx": dict(Counter(a for a in everything if not a.startswith("2"))),
        "non_2xx_bodies": samples,
        "endpoints": endpoints,
        "photo_processed_ms": {"n": len(ready), "p50": serving.pct(ready, 0.5), "p95": serving.pct(ready, 0.95)},
        "queue": {
            "queued_while_loaded": stop_row[1] if stop_row else 0,
            "done_while_loaded": stop_row[2] if stop_row else 0,
            "queued_per_s": round((stop_row[1] if stop_row else 0) / loaded_s, 1),
            "done_per_s": round((stop_row[2] if stop_row else 0) / loaded_s, 1),
            "backlog_at_stop": at_stop,
            "drained_after_stop_s": drained_in,
            "queued_total": queued,
            "done_total": done,
            "max_waiting_by_queue": dict(drain.max_by_queue),
            "series": drain.series[:: max(1, len(drain.series) // 12)] + drain.series[-1:],
        },
    }


# --- the modes: data, environment, the stack --------------------------------------------------------


def env_for(mode: str, data: Path, args: argparse.Namespace) -> dict[str, str]:
    env = {**os.environ, "NOTEBRIDGE_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "notebridge.settings"}
    for name in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "TASK_BACKEND", "SQLITE_TEST_PATH"):
        env.pop(name, None)
    env |= {
        "FAST_PASSWORD_HASHER": "1",
        "LOG_LEVEL": "WARNING",
        "RATE_LIMITS_ENABLED": "0",
        "TRUSTED_PROXIES": "127.0.0.1",
        "NOTEBRIDGE_LOCAL_MODEL": "0",
        "REVIEW_USE_LLM": "0",
    }
    if mode == "prod":
        env |= {
            "DATABASE_URL": f"{PG}/{args.database}",
            "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
            "HOST": "127.0.0.1",
            "PORT": str(args.port),
            "PY": PY,
        }
    return env


def server_command(mode: str, args: argparse.Namespace) -> list[str]:
    if mode == "prod":
        return ["scripts/run-prod"]  # migrates, collects static files, checks, then runstack --prod
    return [PY, "manage.py", "runstack", "--host", "127.0.0.1", "--port", str(args.port), "--no-prepare"]


async def run_mode(mode: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    data = ROOT / "var" / f"bench-mixed-{mode}"
    prod = mode == "prod"
    serving.reset(data, database=args.database if prod else None, redis_db=args.redis_db if prod else None)
    env = env_for(mode, data, args)
    seeded = await asyncio.to_thread(serving.seed, data, env, sizes=(args.users, args.follows, args.notes))
    probe: DatabaseQueue | RQQueues
    if prod:
        probe = RQQueues(env["REDIS_URL"])
        probe.forget_seeding()
    else:
        probe = DatabaseQueue(data / "notebridge.sqlite3")
        # make run collects static files before it starts the stack; run-prod does it itself.
        serving.run_checked([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    log = open(data / "server.log", "w")  # noqa: SIM115 (kept open for the server's lifetime)
    server = serving.start(server_command(mode, args), env, log)
    results = []
    try:
        await asyncio.to_thread(serving.wait_ready, args.port, 180)
        tokens = (data / "tokens.txt").read_text().split()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{args.port}", timeout=60) as http:
            world = await make_world(http, tokens, tag=f"{mode[0]}{random.randrange(36**4):x}")
            # Warm-up, not measured: each web worker's and task worker's first requests and tasks load
            # models and fill caches (the first screening loads the review stage's models: seconds).
            await drive(http, world, args.weight_map, args.clients, args.warmup, seed=99)
        base = {"mode": mode, "commit": serving.git_commit(), "seed": seeded, "cores": os.cpu_count()}
        for factor in args.loads:
            clients = args.clients * factor
            found = await level(
                f"http://127.0.0.1:{args.port}", world, probe, args.weight_map, clients, args, args.drain_cap
            )
            results.append(base | {"load": f"{factor}x", "weights": args.weights} | found)
            print(json.dumps(results[-1]), flush=True)
        if args.flood:
            clients = args.flood_clients
            found = await level(
                f"http://127.0.0.1:{args.port}",
                world,
                probe,
                parse_weights(FLOOD_WEIGHTS),
                clients,
                args,
                4 * args.drain_cap,
            )
            results.append(base | {"load": "flood", "weights": FLOOD_WEIGHTS} | found)
            print(json.dumps(results[-1]), flush=True)
    finally:
        serving.stop(server)
        log.close()
        if prod and not args.keep:
            serving.drop_database(args.database)
            serving.flush_redis(args.redis_db)
    return results


# --- the report --------------------------------------------------------------------------------------


def _cell(e: dict[str, Any] | None) -> str:
    if not e:
        return "–"
    return f"{e['rps']:g} · {e['p50_ms']:g} / {e['p95_ms']:g} / {e['p99_ms']:g}"


def markdown(results: list[dict[str, Any]]) -> str:
    lines = []
    for mode in MODES:
        rows = [r for r in results if r["mode"] == mode]
        if not rows:
            continue
        names = sorted({n for r in rows for n in r["endpoints"]})
        head = [
            f"{r['load']} ({r['clients']} clients, load avg {r['load_average'][0]}-{r['load_average'][1]})"
            for r in rows
        ]
        lines += [f"**{mode}**: req/s · p50 / p95 / p99 ms", "", "| endpoint | " + " | ".join(head) + " |"]
        lines.append("|---|" + "---|" * len(rows))
        for name in names:
            lines.append(f"| {name} | " + " | ".join(_cell(r["endpoints"].get(name)) for r in rows) + " |")
        lines.append("| **all requests** | " + " | ".join(f"**{r['rps']:g} req/s**" for r in rows) + " |")
        lines.append("| 5xx | " + " | ".join(str(r["5xx"]) for r in rows) + " |")
        lines.append(
            "| other non-2xx | "
            + " | ".join(
                ", ".join(f"{k}: {v}" for k, v in r["non_2xx"].items() if not k.startswith("5")) or "0" for r in rows
            )
            + " |"
        )
        lines.append(
            "| photo processed, p50 / p95 ms | "
            + " | ".join(f"{r['photo_processed_ms']['p50']} / {r['photo_processed_ms']['p95']}" for r in rows)
            + " |"
        )
        lines.append(
            "| tasks queued / done per s | "
            + " | ".join(f"{r['queue']['queued_per_s']:g} / {r['queue']['done_per_s']:g}" for r in rows)
            + " |"
        )
        lines.append(
            "| backlog at stop, drained in | "
            + " | ".join(
                f"{r['queue']['backlog_at_stop']}, "
                + (
                    f"{r['queue']['drained_after_stop_s']} s"
                    if r["queue"]["drained_after_stop_s"] is not None
                    else "not in the cap"
                )
                for r in rows
            )
            + " |"
        )
        lines.append(
            "| most waiting, by queue | "
            + " | ".join(
                ", ".join(f"{q} {n}" for q, n in r["queue"]["max_waiting_by_queue"].items() if n) or "0" for r in rows
            )
            + " |"
        )
        lines.append("")
        for r in rows:
            series = ", ".join(f"{t:g}s {q}/{d}" for t, q, d, _b in r["queue"]["series"])
            lines.append(f"- {mode} {r['load']}: queued/done since the start: {series}")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--loads", nargs="+", type=int, default=[1, 2, 4], help="multiples of --clients")
    parser.add_argument("--clients", type=int, default=4, help="clients at 1x")
    parser.add_argument("--duration", type=float, default=20, help="seconds of load per repeat")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--weights", default=DEFAULT_WEIGHTS, help="ACTION=WEIGHT,... of " + ", ".join(ACTIONS))
    parser.add_argument("--warmup", type=float, default=10, help="seconds of unmeasured load first")
    parser.add_argument(
        "--drain-cap",
        type=float,
        default=30,
        help="seconds to wait for the queue to drain before and after a level (the flood's: 4x)",
    )
    parser.add_argument("--flood", action="store_true", help="add the back-pressure level (writes only)")
    parser.add_argument("--flood-clients", type=int, default=16)
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--follows", type=int, default=20)
    parser.add_argument("--notes", type=int, default=10)
    parser.add_argument("--port", type=int, default=8811)
    parser.add_argument("--database", default="nb_bench_mixed")
    parser.add_argument("--redis-db", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database and Redis db afterwards")
    args = parser.parse_args()
    try:
        args.weight_map = parse_weights(args.weights)
    except ValueError as error:
        parser.error(f"--weights: {error}")
    if args.duration <= 0 or args.repeat < 1 or args.clients < 1 or min(args.loads) < 1 or args.users < 2:
        parser.error("--duration, --repeat, --clients, --loads must be positive and --users at least 2")
    print(json.dumps({"machine": {"cores": os.cpu_count(), "load": os.getloadavg()}}), flush=True)
    results: list[dict[str, Any]] = []
    for mode in args.mode:
        results += asyncio.run(run_mode(mode, args))
    print()
    print(markdown(results))
    print(f"median total req/s by level: {[statistics.median(r['per_repeat_rps']) for r in results]}")


if __name__ == "__main__":
    main()
