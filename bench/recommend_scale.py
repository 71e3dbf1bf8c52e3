"""For you at scale: 100,000 notes and 10,000 readers in a SQLite file of its own (or a PostgreSQL
database: set DATABASE_URL), then

- a For-you page of 20 (a cold ranking each time: every request is a different reader) with 8
  concurrent readers (threads in one process, as one gunicorn worker with 8 threads): p50 / p99;
- training time on 1,000,000 interactions (item-item neighbours) and 1,000,000 labelled impressions
  (the learned ranker's logistic regression);
- embedding throughput of the multilingual encoder (notes per second, one thread);
- memory held by serving (the candidate pool and the model, RSS and array sizes);
- with ``--http`` (or ``--only http``): For-you pages of 20 through HTTP, gunicorn (``--workers``,
  ``--threads``) serving this checkout or ``--code DIR`` on the same data, wrk driving ``--readers``
  connections (8), each reading as one reader at a time: ``--pages 1`` makes every request a new reader
  (a cold ranking each time), ``--pages 5`` has each reader read five pages (one ranking, four slices of
  the cached list). p50 / p90 / p95 / p99 and the load average before and after each run. ``--auth
  cookie`` reads the web page (``/``, HTML) instead of the native API
  (``/api/nb/v1/recommend/for-you``). ``--timings``: the server logs each request's stages
  (``bench/for_you_timings.py``) and each run reports the server-side percentiles, wrk's connections
  per worker process, the requests that built or loaded the candidate pool and where the slowest 1%
  spent their time. A checkout whose web workers only load a stored pool (``manage.py build_pool``)
  gets it built before the runs and again every minute while they go, in a process of its own (its
  CPU reported apart: ``builder_cpu_ms_per_request``).

Seeding uses bulk inserts, not the services (no screening, fan-out or translation): the point is the
recommender's reads. Embeddings of the seeded notes are random unit vectors (the encoder's cost is
measured on its own); likes are drawn so readers of one topic like its notes (the neighbours mean
something).

    .venv/bin/python bench/recommend_scale.py [--notes 100000 --users 10000 --requests 160]
    .venv/bin/python bench/recommend_scale.py --reuse --only http [--workers 2 --threads 4 --duration 20]
    (data in /tmp/nb-recommend-scale unless NOTEBRIDGE_DATA_DIR is set; --reuse keeps a seeded file;
    --http needs Debian's wrk)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import serving

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "for_you.lua"
sys.path.insert(0, str(ROOT))

TOPICS = ["food", "travel", "beauty", "fashion", "pets", "fitness", "books", "music", "gaming", "cars", "home", "tech"]
LANGS = [("en", "GB"), ("zh-Hans", "CN"), ("th", "TH")]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def seed(n_notes: int, n_users: int, likes_per_user: int, embedded: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from notes.models import Note, NoteTag, Tag
    from recommend import embeddings
    from recommend.models import Interaction, NoteEmbedding

    rng = random.Random(7)
    t0 = time.monotonic()
    users = []
    for u in range(n_users):
        lang, region = LANGS[u % 3 if u % 10 else 0]
        users.append(
            User(
                username=f"reader{u}",
                password="!",
                languages=[lang],
                region=region,
                interests=rng.sample(TOPICS, 2),
            )
        )
    User.objects.bulk_create(users, batch_size=2000)
    user_ids = list(User.objects.order_by("id").values_list("id", flat=True))
    tags = Tag.objects.bulk_create([Tag(name=t, display=t) for t in TOPICS])
    now = timezone.now()
    note_topic: list[int] = []
    with transaction.atomic():
        for start in range(0, n_notes, 5000):
            batch = []
            for i in range(start, min(n_notes, start + 5000)):
                topic = rng.randrange(len(TOPICS))
                note_topic.append(topic)
                lang, region = LANGS[i % 3]
                batch.append(
                    Note(
                        author_id=user_ids[i % n_users],
                        title=f"{TOPICS[topic]} note {i}",
                        body=f"Something about {TOPICS[topic]} #{TOPICS[topic]}",
                        language=lang,
                        ip_country=region,
                        like_count=int(rng.paretovariate(1.5)) - 1,
                    )
                )
            Note.objects.bulk_create(batch, batch_size=1000)
    note_ids = list(Note.objects.order_by("id").values_list("id", flat=True))
    # Spread the notes over 60 days (the newest last), as a live instance would have them.
    with connection.cursor() as cur, transaction.atomic():
        span = 60 * 86400
        cur.executemany(
            "UPDATE notes_note SET created_at = %s WHERE id = %s",
            [(now - timedelta(seconds=span * (1 - k / n_notes)), pk) for k, pk in enumerate(note_ids)],
        )
    NoteTag.objects.bulk_create(
        [NoteTag(note_id=pk, tag=tags[t]) for pk, t in zip(note_ids, note_topic, strict=True)], batch_size=5000
    )
    t1 = time.monotonic()
    by_topic: dict[int, list[int]] = {}
    recent = note_ids[-embedded:]
    recent_topic = note_topic[-embedded:]
    for pk, t in zip(recent, recent_topic, strict=True):
        by_topic.setdefault(t, []).append(pk)
    author_of = dict(Note.objects.filter(id__in=recent).values_list("id", "author_id"))
    rows = []
    for u, uid in enumerate(user_ids):
        liked_topics = [TOPICS.index(t) for t in users[u].interests]
        for _ in range(likes_per_user):
            pk = rng.choice(by_topic[rng.choice(liked_topics)])
            rows.append(Interaction(user_id=uid, note_id=pk, author_id=author_of[pk], kind="like"))
    Interaction.objects.bulk_create(rows, batch_size=5000)
    topic_vecs = np.random.default_rng(7).normal(size=(len(TOPICS), embeddings.DIM)).astype(np.float32)
    vecs = topic_vecs[recent_topic] + np.random.default_rng(8).normal(scale=1.1, size=(len(recent), embeddings.DIM))
    vecs = (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)
    NoteEmbedding.objects.bulk_create(
        [NoteEmbedding(note_id=pk, vector=embeddings.to_bytes(v)) for pk, v in zip(recent, vecs, strict=True)],
        batch_size=2000,
    )
    print(
        f"seeded {n_users} users, {n_notes} notes in {t1 - t0:.1f}s; {len(rows)} likes and {len(recent)} "
        f"embeddings in {time.monotonic() - t1:.1f}s"
    )


def train_at_scale(interactions: int, n_users: int, n_notes: int) -> None:
    """Training time on synthetic arrays of the given size (the database read is not part of it)."""
    from recommend.cf import item_neighbours
    from recommend.training import RANKER_FEATURES, fit_ranker

    rng = np.random.default_rng(11)
    users = rng.integers(0, n_users, interactions)
    topic_of_user = rng.integers(0, len(TOPICS), n_users)
    # Readers like notes of their topic 80% of the time: notes i with i % 12 == topic.
    base = rng.integers(0, n_notes // len(TOPICS), interactions) * len(TOPICS)
    on_topic = rng.random(interactions) < 0.8
    items = np.where(on_topic, base + topic_of_user[users], rng.integers(0, n_notes, interactions))
    weights = rng.choice([0.5, 1.0, 2.0], interactions).astype(np.float32)
    cpu0, t0 = time.process_time(), time.monotonic()
    n = item_neighbours(users, items, weights)
    print(
        f"item-item neighbours on {interactions:,} interactions ({n_users:,} users, {len(n.item_ids):,} items): "
        f"{time.monotonic() - t0:.1f}s wall, {time.process_time() - cpu0:.1f}s CPU"
    )
    x = rng.random((interactions, len(RANKER_FEATURES)))
    z = 2.0 * x[:, 0] + 1.5 * x[:, 3] - 1.0 * x[:, -1] - 2.0
    y = (rng.random(interactions) < 1 / (1 + np.exp(-z))).astype(np.int8)
    cpu0, t0 = time.process_time(), time.monotonic()
    ranker = fit_ranker(x, y, min_examples=1)
    assert ranker is not None
    print(
        f"ranker (logistic regression) on {interactions:,} impressions: {time.monotonic() - t0:.1f}s wall, "
        f"{time.process_time() - cpu0:.1f}s CPU"
    )


def embed_throughput(count: int) -> None:
    from recommend import embeddings

    texts = [
        f"{TOPICS[i % 12]} day {i}: notes on {TOPICS[(i * 7) % 12]}, " + ("在家做麻辣火锅" if i % 2 else "a long walk")
        for i in range(count)
    ]
    embeddings.embed_texts(texts[:8])  # load the weights
    t0, cpu0 = time.monotonic(), time.process_time()
    for start in range(0, count, embeddings.BATCH):
        embeddings.embed_texts(texts[start : start + embeddings.BATCH])
    wall = time.monotonic() - t0
    print(
        f"embedding: {count} notes in {wall:.1f}s wall ({count / wall:.0f} notes/s), "
        f"{time.process_time() - cpu0:.1f}s CPU, encoder on 1 thread"
    )


def save_model() -> None:
    """A model as training would write it: neighbours from the seeded likes, a ranker on synthetic
    impressions (in the model folder, where a server started on the same data finds it too)."""
    from recommend import training
    from recommend.cf import item_neighbours
    from recommend.models import Interaction
    from recommend.training import RANKER_FEATURES, Model, fit_ranker

    rows = np.array(list(Interaction.objects.values_list("user_id", "note_id")), dtype=np.int64)
    rng = np.random.default_rng(3)
    x = rng.random((20000, len(RANKER_FEATURES)))
    y = (rng.random(20000) < 1 / (1 + np.exp(-(2 * x[:, 3] + x[:, 2] - 2)))).astype(np.int8)
    model = Model(
        version="20000101000000000000",
        neighbours=item_neighbours(rows[:, 0], rows[:, 1], np.ones(len(rows), dtype=np.float32)),
        ranker=fit_ranker(x, y, min_examples=1),
    )
    training.save(model)
    training.forget_loaded()


def serve(readers: int, requests: int) -> None:
    """Cold rankings in this process, as one web process with ``readers`` threads runs them: numpy's BLAS
    on one thread, as notebridge/wsgi.py sets it for web processes."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        _serve(readers, requests)


def _serve(readers: int, requests: int) -> None:
    from django.core.cache import cache
    from django.db import connection

    from accounts.models import User
    from recommend import candidates, embeddings, training
    from recommend.selectors import for_you

    rss0 = rss_mb()
    save_model()
    loaded = training.current_model()
    assert loaded is not None and loaded.ranker is not None
    rss1 = rss_mb()
    t0 = time.monotonic()
    candidates.rebuild_pool()
    pool_s = time.monotonic() - t0
    pool = candidates.pool()
    rss2 = rss_mb()
    n = loaded.neighbours
    model_bytes = n.item_ids.nbytes + n.indptr.nbytes + n.indices.nbytes + n.scores.nbytes
    print(
        f"serving memory: model {model_bytes / 2**20:.1f} MiB of arrays ({len(n.item_ids):,} items), RSS +"
        f"{rss1 - rss0:.0f} MiB with training it; pool of {len(pool):,} notes built in {pool_s:.1f}s, "
        f"{pool.vectors.nbytes / 2**20:.1f} MiB of vectors, RSS +{rss2 - rss1:.0f} MiB"
    )
    users = list(User.objects.order_by("?")[: requests + readers])
    for words in {tuple(sorted(u.interests)) for u in users}:
        embeddings.interest_vectors(list(words))  # the interests' embeddings are cached per instance
    for_you(users.pop(), limit=20)  # warm
    connection.close()
    times: list[float] = []
    lock = threading.Lock()
    queue = list(users[:requests])

    def worker() -> None:
        from django.db import connection as conn

        while True:
            with lock:
                if not queue:
                    break
                user = queue.pop()
            t = time.perf_counter()
            cards, _cursor = for_you(user, limit=20)
            elapsed = time.perf_counter() - t
            assert len(cards) == 20, len(cards)
            with lock:
                times.append(elapsed)
        conn.close()

    cache.clear()
    candidates.rebuild_pool()  # before the clock starts, as the low queue has it built
    candidates.pool()
    threads = [threading.Thread(target=worker) for _ in range(readers)]
    cpu0, t0 = time.process_time(), time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.monotonic() - t0
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(
        f"For you, page of 20, {readers} concurrent readers, {len(times)} cold rankings: "
        f"p50 {statistics.median(times) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"{len(times) / wall:.1f} pages/s, {(time.process_time() - cpu0) / len(times) * 1000:.0f} ms CPU a page"
    )


def redis_round_trips() -> list[str]:
    """A list that each Redis round trip of this process appends to (a command, or a pipeline's
    commands), as it happens: cleared by the caller, counted per request. Nothing is counted without
    Redis (``REDIS_URL``)."""
    import redis

    trips: list[str] = []
    command, execute = redis.Redis.execute_command, redis.client.Pipeline.execute

    def counted_command(self: Any, *args: Any, **options: Any) -> Any:
        trips.append(" ".join(str(a)[:60] for a in args[:2]))
        return command(self, *args, **options)

    def counted_execute(self: Any, raise_on_error: bool = True) -> Any:
        stack = getattr(self, "command_stack", [])
        trips.append("pipeline: " + ", ".join(" ".join(str(a)[:60] for a in c[0][:2]) for c in stack))
        return execute(self, raise_on_error)

    redis.Redis.execute_command = counted_command  # type: ignore[method-assign]
    redis.client.Pipeline.execute = counted_execute  # type: ignore[method-assign]
    return trips


def profile(readers: int, pages: int, top: int, trace: bool = False, clock: str = "wall") -> None:
    """One For-you request at a time in this process, through the whole Django stack (middleware, the
    native API's bearer authentication, ``recommend.selectors.for_you``, serialisation) with Django's test
    client: wall and CPU ms of a cold first page and of a next page (a slice of the ranked list), each
    request's SQL count and Redis round trips, then cProfile over the same requests (the top ``top``
    functions by cumulative time, one table for first pages and one for next pages; ``clock`` "cpu":
    by CPU time rather than wall time). ``trace``: list each query and Redis call of one next page and
    one first page instead of the cProfile tables."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from threadpoolctl import threadpool_limits

    from accounts.models import User
    from recommend import candidates, embeddings, training

    if not training._versions():
        save_model()
    candidates.rebuild_pool()
    users = list(User.objects.order_by("?")[: 2 * readers + 1])
    for words in {tuple(sorted(u.interests)) for u in users}:
        embeddings.interest_vectors(list(words))
    creds = credentials(users, "bearer", Path(tempfile.mkstemp(prefix="nb-for-you-profile-")[1]))
    tokens = creds.read_text().split()
    client = Client(HTTP_HOST="localhost")
    path = "/api/nb/v1/recommend/for-you?limit=20"

    trips = redis_round_trips()

    def get(token: str, page: int) -> tuple[float, float, int, int]:
        url = path + (f"&cursor={page * 20}" if page else "")
        trips.clear()
        with CaptureQueriesContext(connection) as queries:
            c0, t0 = time.process_time(), time.perf_counter()
            response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        assert response.status_code == 200, response.content[:300]
        assert len(response.json()["items"]) == 20
        if trace:
            print(f"--- page {page}: {len(queries)} SQL, {len(trips)} Redis round trips")
            for q in queries:
                print("  SQL", q["sql"][:160])
            for t in trips:
                print("  REDIS", t)
        return wall * 1000, cpu * 1000, len(queries), len(trips)

    with threadpool_limits(limits=1, user_api="blas"):
        get(tokens.pop(), 0)  # warm: pool, model, imports
        candidates.pool()
        first: list[tuple[float, float, int, int]] = []
        later: list[tuple[float, float, int, int]] = []
        for token in tokens[:readers]:
            first.append(get(token, 0))
            later.extend(get(token, p) for p in range(1, pages))
        for name, rows in (("first page (cold ranking)", first), ("next page (slice)", later)):
            walls, cpus, sqls, redis = zip(*rows, strict=True)
            print(
                f"profile {name}: {len(rows)} requests, wall median {statistics.median(walls):.1f} ms, "
                f"CPU median {statistics.median(cpus):.1f} ms, mean {statistics.fmean(cpus):.1f} ms, "
                f"min {min(cpus):.1f} ms, p25 {statistics.quantiles(cpus, n=4)[0]:.1f} ms, "
                f"SQL queries median {statistics.median(sqls):.0f}, Redis round trips median "
                f"{statistics.median(redis):.0f}"
            )
        if trace:
            get(tokens[0], 1)  # a reader seen above: a next page
            get(tokens[-1], 0)  # a reader not seen yet: a cold first page
            return
        timer = time.process_time if clock == "cpu" else time.perf_counter
        first_prof, later_prof = cProfile.Profile(timer), cProfile.Profile(timer)
        for token in tokens[readers : 2 * readers]:
            first_prof.runcall(get, token, 0)
            for p in range(1, pages):
                later_prof.runcall(get, token, p)
    for name, prof in (("first page", first_prof), ("next page", later_prof)):
        print(f"--- cProfile, {name}, by cumulative time")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(top)
        print(f"--- cProfile, {name}, by own time")
        pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def credentials(users: list, auth: str, path: Path) -> Path:
    """One credential a line for ``users``: OAuth tokens (the native API) or session ids (the web page)."""
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.db import transaction
    from django.utils import timezone
    from oauth2_provider.models import AccessToken, Application

    lines = []
    if auth == "bearer":
        app, _ = Application.objects.get_or_create(
            name="bench-for-you",
            defaults={
                "client_type": Application.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
                "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            },
        )
        expires = timezone.now() + timedelta(days=30)
        tokens = [
            AccessToken(
                user=u,
                application=app,
                token=f"fy-{u.pk}-{random.getrandbits(64):016x}",
                expires=expires,
                scope="read write follow",
            )
            for u in users
        ]
        AccessToken.objects.bulk_create(tokens, batch_size=2000)
        lines = [t.token for t in tokens]
    else:
        with transaction.atomic():
            for u in users:
                session = SessionStore()
                session[SESSION_KEY] = str(u.pk)
                session[BACKEND_SESSION_KEY] = "web.backends.UserWithRoleBackend"
                session[HASH_SESSION_KEY] = u.get_session_auth_hash()
                session.create()
                lines.append(session.session_key or "")
    path.write_text("\n".join(lines) + "\n")
    return path


def server_cpu_s(master: int) -> float:
    """CPU seconds (user + system) used so far by gunicorn's master ``master`` and its workers: per request,
    the figure that the other processes' load on a shared machine does not inflate much."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == master or ppid == master:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def wrk_for_you(port: int, creds: Path, args: argparse.Namespace, pages: int, duration: int) -> dict:
    env = {
        **os.environ,
        "BENCH_AUTH": args.auth,
        "BENCH_PATH": "/?" if args.auth == "cookie" else "/api/nb/v1/recommend/for-you?limit=20",
        "BENCH_PAGES": str(pages),
        "BENCH_LIMIT": "30" if args.auth == "cookie" else "20",  # the web page shows 30 cards
        "BENCH_CREDS": str(creds),
        "BENCH_THREADS": str(args.readers),
        "BENCH_CLOSE": "1" if args.close else "0",
    }
    return serving.wrk_json(port, LUA, duration, env, threads=args.readers, connections=args.readers, timeout_s=10)


def rank_ahead(code: Path, env: dict, creds: Path, count: int) -> Path:
    """Rank ahead (``precompute_for_you``, as the scheduled task does for active readers) the first
    ``count`` readers of a run, with the served checkout's own code and the same cache (Redis), and keep
    only those readers in the run: every page is then a slice of a list ranked ahead."""
    tokens = creds.read_text().split()[:count]
    from oauth2_provider.models import AccessToken

    ids = list(AccessToken.objects.filter(token__in=tokens).values_list("user_id", flat=True))
    t0 = time.monotonic()
    script = f"from recommend.selectors import precompute_for_you; print(precompute_for_you({ids!r}))"
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], env=env, cwd=code, check=True, capture_output=True
    )
    print(f"ranked ahead {done.stdout.decode().split()[-1]} readers in {time.monotonic() - t0:.0f}s", flush=True)
    path = creds.with_suffix(".ahead.txt")
    path.write_text("\n".join(tokens) + "\n")
    return path


class PoolBuilder:
    """The task worker's part, for a checkout whose web workers only load a stored candidate pool
    (``manage.py build_pool``): built before the runs, then again every pool period while they go, in a
    process of its own as the low-queue worker would (its CPU is counted apart from the server's). A
    checkout without the command builds its pool in the web workers; nothing runs here then."""

    def __init__(self, code: Path, env: dict) -> None:
        self.code, self.env = code, env
        self.enabled = (code / "recommend" / "management" / "commands" / "build_pool.py").exists()
        self.builds, self.cpu_s = 0, 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def build(self) -> None:
        child = subprocess.Popen([sys.executable, "manage.py", "build_pool"], env=self.env, cwd=self.code)
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        self.builds += 1
        self.cpu_s += usage.ru_utime + usage.ru_stime

    def start(self) -> None:
        if not self.enabled:
            return
        self.build()  # before the first request, as a deployment's worker would have
        period = float(self.env.get("BENCH_POOL_SECONDS", "60"))

        def loop() -> None:
            while not self._stop.wait(period):
                self.build()

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def snapshot(self) -> tuple[int, float]:
        return self.builds, self.cpu_s

    def since(self, before: tuple[int, float], requests: int) -> dict:
        if not self.enabled:
            return {}
        builds, cpu = self.builds - before[0], self.cpu_s - before[1]
        return {"builder_runs": builds, "builder_cpu_ms_per_request": round(cpu / max(1, requests) * 1000, 1)}


def timing_summary(folder: Path, start: float, end: float) -> dict:
    """The server's own per-request log (``bench/for_you_timings.py``) over one run: wall and CPU
    percentiles, how many requests built or loaded the pool, and where the slowest 1% spent their time
    (per stage, mean wall / mean CPU in ms)."""
    records = []
    for path in folder.glob("timings.*"):
        for line in path.read_text().splitlines():
            r = json.loads(line)
            if start <= r["at"] <= end and "for-you" in r["path"]:
                records.append(r)
    if not records:
        return {}
    records.sort(key=lambda r: r["wall"])
    walls = [r["wall"] for r in records]
    cpus = sorted(r["cpu"] for r in records)
    slow = records[int(len(records) * 0.99) :]
    stages: dict[str, list[float]] = {}
    for r in slow:
        for k, (w, c, _n) in r["stages"].items():
            acc = stages.setdefault(k, [0.0, 0.0])
            acc[0] += w / len(slow)
            acc[1] += c / len(slow)
    slow_wall = statistics.fmean(r["wall"] for r in slow)
    slow_cpu = statistics.fmean(r["cpu"] for r in slow)
    slow_proc = statistics.fmean(r.get("proc", 0.0) for r in slow)
    return {
        "requests": len(records),
        "wall_ms": {q: serving.pct([w / 1000 for w in walls], p) for q, p in (("p50", 0.5), ("p99", 0.99))},
        "thread_cpu_ms": {q: serving.pct([c / 1000 for c in cpus], p) for q, p in (("p50", 0.5), ("p99", 0.99))},
        # wrk's connections each worker process served (keep-alive holds a connection to one process).
        "connections_per_worker": sorted(
            len({r.get("port") for r in records if r["pid"] == pid}) for pid in {r["pid"] for r in records}
        ),
        "pool_builds": sum(1 for r in records if "pool_build" in r["stages"]),
        "pool_loads": sum(1 for r in records if "pool_load" in r["stages"]),
        "slowest_1pct": {
            "n": len(slow),
            "wall": round(slow_wall, 1),
            "cpu": round(slow_cpu, 1),
            "process_cpu": round(slow_proc, 1),
            "with_pool_build": sum(1 for r in slow if "pool_build" in r["stages"]),
            "stages_wall_cpu": {k: [round(w, 1), round(c, 1)] for k, (w, c) in sorted(stages.items())},
        },
    }


def forget_lists(users: list) -> None:
    """Drop what an earlier invocation left in the shared cache for these readers (their ranked lists are
    kept an hour, ``RECOMMEND_LIST_SECONDS``): every invocation takes the same readers, so without this
    a second run's "cold" pages were mostly slices of the lists the first one ranked."""
    from core.shared_cache import shared_cache
    from recommend import selectors, services

    templates = [
        selectors.RANK_KEY,
        selectors.FEATURES_KEY,
        selectors.MIX_KEY,
        services.DIRTY_KEY,
        services.SERVED_KEY,
        services.SERVED_FEATURES_KEY,
    ]
    keys = [t.format(u.pk) for u in users for t in templates]
    for start in range(0, len(keys), 5000):
        shared_cache.delete_many(keys[start : start + 5000])


def http_serve(args: argparse.Namespace, data: Path) -> None:
    """For-you pages through HTTP: gunicorn (``--workers`` x ``--threads``) serving this checkout (or
    ``--code DIR``) on the seeded data, driven by wrk with ``--readers`` connections, each reading as one
    reader at a time. ``--pages 1``: every request a new reader (a cold ranking each time); ``--pages 5``:
    each reader reads five pages (the first ranks, the next four are slices of the cached list)."""
    from accounts.models import User
    from recommend import embeddings, training

    if not training._versions():
        save_model()
    # The onboarding interests' embeddings are cached per instance (a day): with a shared cache (Redis),
    # put them there as a running instance has them, so no worker loads the encoder during the runs.
    for words in {tuple(sorted(u.interests)) for u in User.objects.only("interests")}:
        embeddings.interest_vectors(list(words))
    users = list(User.objects.order_by("id"))
    random.Random(5).shuffle(users)
    forget_lists(users)
    warm = args.warm_readers
    per_run = (len(users) - warm) // len(args.pages)
    folder = Path(tempfile.mkdtemp(prefix="nb-for-you-http-"))
    code = (args.code or ROOT).resolve()
    env = {
        **os.environ,
        "NOTEBRIDGE_DATA_DIR": str(data),
        "LOG_LEVEL": "ERROR",
        "RATE_LIMITS_ENABLED": "0",
        "FAST_PASSWORD_HASHER": "1",
        "RECOMMEND_EMBED_ON_PUBLISH": "0",
    }
    command = [sys.executable, "-m", "gunicorn", "notebridge.wsgi:application", "--bind", f"127.0.0.1:{args.port}"]
    command += ["--workers", str(args.workers), "--threads", str(args.threads), "--log-level", "warning"]
    timings = folder / "timings"
    if args.timings:
        command += ["-c", str(ROOT / "bench" / "for_you_timings.py")]
        env["BENCH_TIMINGS"] = str(timings)
    warm_creds = credentials(users[:warm], args.auth, folder / "warm.txt")
    runs = [
        credentials(users[warm + k * per_run : warm + (k + 1) * per_run], args.auth, folder / f"run{k}.txt")
        for k in range(len(args.pages))
    ]
    server = subprocess.Popen(command, env=env, cwd=code)
    builder = PoolBuilder(code, env)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/api/v1/instance", timeout=2)
                break
            except Exception:
                time.sleep(0.3)
        else:
            raise RuntimeError("server did not start")
        # Warm-up on other readers: each worker builds its pool, loads the model and the interests' vectors.
        builder.start()
        wrk_for_you(args.port, warm_creds, args, 1, args.warm)
        for pages, creds in zip(args.pages, runs, strict=True):
            if args.ahead:
                creds = rank_ahead(code, env, creds, args.ahead)
            load0 = os.getloadavg()[0]
            cpu0, builds0 = server_cpu_s(server.pid), builder.snapshot()
            started = time.time()
            result = wrk_for_you(args.port, creds, args, pages, args.duration)
            cpu = server_cpu_s(server.pid) - cpu0
            if args.timings:
                result |= {"timings": timing_summary(folder, started, time.time())}
            result |= builder.since(builds0, result["requests"])
            result |= {
                "server_cpu_ms_per_request": round(cpu / max(1, result["requests"]) * 1000, 1),
                "pages_per_reader": pages,
                "readers": args.readers,
                "workers": args.workers,
                "threads": args.threads,
                "auth": args.auth,
                "connection_close": args.close,
                "ranked_ahead": args.ahead,
                "code": str(code),
                "load_before": round(load0, 2),
                "load_after": round(os.getloadavg()[0], 2),
            }
            print("http " + json.dumps(result), flush=True)
    finally:
        builder.stop()
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--likes", type=int, default=20, help="likes per reader in the seeded database")
    parser.add_argument("--embedded", type=int, default=20_000, help="newest notes given embeddings")
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--embed", type=int, default=512, help="notes to embed for the throughput figure")
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--requests", type=int, default=160)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    parser.add_argument("--only", choices=["serve", "train", "embed", "http", "profile"], default=None)
    parser.add_argument("--profile-top", type=int, default=45, help="--only profile: functions listed")
    parser.add_argument(
        "--profile-clock", choices=["wall", "cpu"], default="wall", help="--only profile: cProfile's clock"
    )
    parser.add_argument("--trace", action="store_true", help="--only profile: list each SQL query and Redis call")
    parser.add_argument("--http", action="store_true", help="also measure pages through gunicorn (--only http: only)")
    parser.add_argument("--auth", choices=["bearer", "cookie"], default="bearer", help="native API or web page")
    parser.add_argument("--pages", type=int, nargs="+", default=[1, 5], help="pages per reader, one run each")
    parser.add_argument("--duration", type=int, default=20, help="seconds of each HTTP run")
    parser.add_argument("--warm", type=int, default=10, help="seconds of HTTP warm-up")
    parser.add_argument("--warm-readers", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8831)
    parser.add_argument(
        "--ahead", type=int, default=0, help="--only http: rank this many readers of each run ahead; only they read"
    )
    parser.add_argument("--code", type=Path, default=None, help="checkout gunicorn serves (default: this one)")
    parser.add_argument(
        "--close",
        action="store_true",
        help="--only http: a new connection per request (as behind nginx) instead of keep-alive connections",
    )
    parser.add_argument(
        "--timings", action="store_true", help="--only http: log each request's stages (bench/for_you_timings.py)"
    )
    args = parser.parse_args()
    data = Path(os.environ.setdefault("NOTEBRIDGE_DATA_DIR", "/tmp/nb-recommend-scale"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")
    os.environ["RECOMMEND_EMBED_ON_PUBLISH"] = "0"
    # The model goes where a server started on the same data reads it (--http).
    os.environ["RECOMMEND_MODEL_DIR"] = str(data / "recommend")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.RECOMMEND_MODEL_DIR = os.environ["RECOMMEND_MODEL_DIR"]
    print(f"load average at start: {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs; data in {data}")
    if args.only == "profile":
        profile(args.readers, max(args.pages), args.profile_top, trace=args.trace, clock=args.profile_clock)
    if args.only in (None, "serve", "http"):
        from accounts.models import User

        call_command("migrate", verbosity=0)
        if not (args.reuse and User.objects.count() >= args.users):
            seed(args.notes, args.users, args.likes, min(args.embedded, args.notes))
        if args.only != "http":
            serve(args.readers, args.requests)
        if args.http or args.only == "http":
            http_serve(args, data)
    if args.only in (None, "train"):
        train_at_scale(args.interactions, args.users, args.notes)
    if args.only in (None, "embed"):
        embed_throughput(args.embed)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
