"""Where one ``POST /api/v1/statuses`` spends its time: a loop of posts through Django's test client,
in process, against a seeded data set (bench/seed.py), timed and then profiled with cProfile.

    python bench/seed.py var/bench-profile --users 40 --follows 10 --notes 2
    NOTEBRIDGE_DATA_DIR=var/bench-profile python bench/post_profile.py var/bench-profile [--posts 200]

Prints the wall time per post, the queries per post, and the cumulative milliseconds per post of the
steps a post goes through (authentication, the note's write, each subscriber, queueing, rendering the
answer). Set ``DATABASE_URL`` / ``REDIS_URL`` as the seeding had them. The figures include cProfile's own
overhead (about 1.5x): compare them with each other, and the untimed wall figure with wrk's.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")
os.environ.setdefault("FAST_PASSWORD_HASHER", "1")
os.environ.setdefault("RATE_LIMITS_ENABLED", "0")
os.environ.setdefault("LOG_LEVEL", "ERROR")
if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
    os.environ.setdefault("NOTEBRIDGE_DATA_DIR", str(Path(sys.argv[1]).resolve()))

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

# (label, a path the function's file ends with, the function's name)
STEPS = [
    ("request, all of it", "django/core/handlers/base.py", "_get_response"),
    ("authentication", "api/auth.py", "authenticate"),
    ("create_note", "notes/services.py", "create_note"),
    ("  subscribers in the transaction", "core/events.py", "_run_now"),
    ("    trust: reassess_poster", "trust/subscribers.py", "reassess_poster"),
    ("    trust: assess_poster (posts)", "trust/posts.py", "assess_poster"),
    ("    review: screen_submitted_note", "review/subscribers.py", "screen_submitted_note"),
    ("    feeds: own_entry_at_once", "feeds/subscribers.py", "own_entry_at_once"),
    ("  on-commit callbacks", "django/db/backends/base/base.py", "run_and_clear_commit_hooks"),
    ("    task enqueue", "core/tasks.py", "enqueue"),
    ("render the answer", "api/mastodon/statuses.py", "_render_created"),
    ("  notes_by_ids", "notes/selectors.py", "notes_by_ids"),
    ("  statuses_json", "api/mastodon/entities.py", "statuses_json"),
    ("database execute (all)", "django/db/backends/utils.py", "_execute"),
    ("cache get/set (all, locmem or redis)", "django/core/cache/backends/base.py", "get_many"),
]


def post_loop(client: Client, tokens: list[str], n: int, counter: itertools.count) -> None:
    for _ in range(n):
        i = next(counter)
        response = client.post(
            "/api/v1/statuses",
            data=json.dumps({"status": f"Profile note {i} #bench", "language": "en"}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {tokens[i % len(tokens)]}",
            HTTP_HOST="127.0.0.1",
        )
        if response.status_code != 200:
            raise SystemExit(f"POST answered {response.status_code}: {response.content[:300]!r}")


def cumulative_ms(stats: pstats.Stats, suffix: str, name: str) -> float:
    total = 0.0
    for (path, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if func == name and path.replace("\\", "/").endswith(suffix):
            total += ct
    return total * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path, help="the seeded folder (tokens.txt)")
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--warm", type=int, default=30)
    parser.add_argument("--top", type=int, default=0, help="also print the top N functions by own time")
    args = parser.parse_args()
    tokens = [t for t in (args.data / "tokens.txt").read_text().split() if t]
    client = Client()
    counter = itertools.count(1)
    post_loop(client, tokens, args.warm, counter)

    started = time.perf_counter()
    post_loop(client, tokens, args.posts, counter)
    wall = (time.perf_counter() - started) * 1000 / args.posts

    with CaptureQueriesContext(connection) as queries:
        post_loop(client, tokens, 20, counter)

    profile = cProfile.Profile()
    profile.enable()
    post_loop(client, tokens, args.posts, counter)
    profile.disable()
    stats = pstats.Stats(profile)
    out = {
        "vendor": connection.vendor,
        "redis": bool(os.environ.get("REDIS_URL")),
        "posts": args.posts,
        "wall_ms_per_post": round(wall, 2),
        "queries_per_post": round(len(queries.captured_queries) / 20, 1),
        "profiled_ms_per_post": {
            label: round(cumulative_ms(stats, suffix, name) / args.posts, 2) for label, suffix, name in STEPS
        },
    }
    print(json.dumps(out, indent=1, ensure_ascii=False))
    if args.top:
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
