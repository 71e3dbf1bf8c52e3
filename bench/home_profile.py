"""Where one ``GET /api/v1/timelines/home?limit=20`` spends its time: warm requests through Django's test
client, in process, against a data set seeded by bench/seed.py (as bench/timeline_load.py seeds it), timed
(wall and CPU per request) and then profiled with cProfile.

    python bench/seed.py var/bench-home                    # 200 users x 50 follows x 20 notes
    NOTEBRIDGE_DATA_DIR=var/bench-home python bench/home_profile.py var/bench-home [--requests 400]

Set ``DATABASE_URL`` / ``REDIS_URL`` as the seeding had them. Prints the wall and CPU milliseconds per
request, the queries per request, and the cumulative milliseconds per request of each step under cProfile
(CPU time, with cProfile's own overhead: compare the steps with each other, and the untimed CPU figure
across commits).
Rate limits are on here unless ``RATE_LIMITS_ENABLED=0``: production answers every API request with them.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")
os.environ.setdefault("FAST_PASSWORD_HASHER", "1")
os.environ.setdefault("LOG_LEVEL", "ERROR")
if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
    os.environ.setdefault("NOTEBRIDGE_DATA_DIR", str(Path(sys.argv[1]).resolve()))

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

# (label, a path the function's file ends with, the function's name)
STEPS = [
    ("request, all of it (handler)", "django/core/handlers/base.py", "get_response"),
    ("  middleware + view (_get_response is the view part)", "django/core/handlers/base.py", "_get_response"),
    ("  security", "django/middleware/security.py", "process_request"),
    ("  session", "django/contrib/sessions/middleware.py", "process_request"),
    ("  locale (request)", "django/middleware/locale.py", "process_request"),
    ("  locale (response)", "django/middleware/locale.py", "process_response"),
    ("  viewer preferences", "web/middleware.py", "__call__"),
    ("  rate-limit middleware", "trust/middleware.py", "__call__"),
    ("view: endpoint wrapper", "api/http.py", "wrapped"),
    ("  token authentication", "api/auth.py", "authenticate"),
    ("  timeline read (store.page)", "feeds/timelines.py", "page"),
    ("  hydration: visible_notes", "notes/selectors.py", "visible_notes"),
    ("    notes_by_ids", "notes/selectors.py", "notes_by_ids"),
    ("    hidden_author_ids", "notes/selectors.py", "hidden_author_ids"),
    ("    withheld_note_ids", "notes/selectors.py", "withheld_note_ids"),
    ("  statuses_json", "api/mastodon/entities.py", "statuses_json"),
    ("    counts seen", "api/mastodon/entities.py", "_counts_seen"),
    ("    status keys", "api/mastodon/entities.py", "_status_key"),
    ("    viewer_state (likes, collects)", "notes/selectors.py", "viewer_state"),
    ("  response building (render)", "api/http.py", "render"),
    ("database execute (all)", "django/db/backends/utils.py", "_execute"),
    ("cache get_many (Django's, all)", "django/core/cache/backends/base.py", "get_many"),
    ("cache get_many (core.cache_backends.LocMemCache)", "core/cache_backends.py", "get_many"),
    ("redis cache get_many", "django/core/cache/backends/redis.py", "get_many"),
    ("redis cache get", "django/core/cache/backends/redis.py", "get"),
    ("locmem cache get", "django/core/cache/backends/locmem.py", "get"),
    ("pickle loads", "~", "<built-in method _pickle.loads>"),
    ("json dumps", "json/__init__.py", "dumps"),
]


def home_loop(client: Client, tokens: list[str], n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        response = client.get(
            "/api/v1/timelines/home?limit=20",
            HTTP_AUTHORIZATION=f"Bearer {tokens[i % len(tokens)]}",
            HTTP_HOST="127.0.0.1",
        )
        if response.status_code != 200:
            raise SystemExit(f"GET answered {response.status_code}: {response.content[:300]!r}")


def cumulative_ms(stats: pstats.Stats, suffix: str, name: str) -> float:
    total = 0.0
    for (path, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if func == name and path.replace("\\", "/").endswith(suffix):
            total += ct
    return total * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path, help="the seeded folder (tokens.txt)")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--top", type=int, default=0, help="also print the top N functions by own time")
    parser.add_argument("--dump", type=Path, help="write the cProfile statistics here (pstats format)")
    args = parser.parse_args()
    tokens = [t for t in (args.data / "tokens.txt").read_text().split() if t]
    client = Client()
    home_loop(client, tokens, len(tokens))  # every reader once: caches warm, as under load

    wall_started, cpu_started = time.perf_counter(), time.process_time()
    home_loop(client, tokens, args.requests)
    wall = (time.perf_counter() - wall_started) * 1000 / args.requests
    cpu = (time.process_time() - cpu_started) * 1000 / args.requests

    # Counted by an execute wrapper: CaptureQueriesContext reads connection.queries, which Django's
    # request_started signal empties at the start of every request (it counted 0 per request).
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        home_loop(client, tokens, 20)

    # CPU time, not wall time: on a shared machine the wall clock charges other processes' turns to
    # whatever function was running.
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    home_loop(client, tokens, args.requests)
    profile.disable()
    stats = pstats.Stats(profile)
    if args.dump:
        stats.dump_stats(args.dump)
    out = {
        "vendor": connection.vendor,
        "redis": bool(os.environ.get("REDIS_URL")),
        "requests": args.requests,
        "wall_ms_per_request": round(wall, 2),
        "cpu_ms_per_request": round(cpu, 2),
        "queries_per_request": round(len(queries) / 20, 1),
        "queries": sorted({q[:90] for q in queries}),
        "profiled_ms_per_request": {
            label: round(cumulative_ms(stats, suffix, name) / args.requests, 3) for label, suffix, name in STEPS
        },
    }
    print(json.dumps(out, indent=1, ensure_ascii=False))
    if args.top:
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
