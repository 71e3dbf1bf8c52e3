"""CPU time per request of the tag, trends and suggestion endpoints, and fan-out to tag followers.

Uses a data set made by ``bench/seed.py`` (notes tagged with ten topics in each language; tokens in
``DATA_DIR/tokens.txt``). Every seeded user first follows ``--tags`` random topic tags (idempotent),
then each endpoint is read with rotating tokens through Django's test client, warm (caches filled) and
cold (cache cleared before every request). Last, fan-out of fresh notes whose tag every user follows
is timed (the author's followers plus the tag's followers). Prints one JSON line.

    NOTEBRIDGE_DATA_DIR=/tmp/nb-bench python bench/seed.py /tmp/nb-bench --users 200 --follows 50 --notes 10
    python bench/tags_api.py /tmp/nb-bench [--requests 200 --tags 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ENDPOINTS = [
    "/api/v1/trends/statuses?limit=20",
    "/api/v1/trends/tags?limit=10",
    "/api/v1/followed_tags",
    "/api/v1/tags/food",
    "/api/v2/suggestions?limit=20",
    "/api/v1/timelines/home?limit=20",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--tags", type=int, default=5)
    args = parser.parse_args()
    os.environ["NOTEBRIDGE_DATA_DIR"] = str(args.data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")
    os.environ["TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ["REVIEW_SCREENING"] = "0"
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    from accounts.models import User
    from feeds.services import fan_out
    from notes.models import Tag, TagFollow
    from notes.services import create_note, follow_tag

    rng = random.Random(7)
    users = list(User.objects.filter(username__startswith="bench").order_by("username"))
    topics = list(Tag.objects.filter(notes_count__gt=0).values_list("name", flat=True))
    for user in users:
        for name in rng.sample(topics, min(args.tags, len(topics))):
            follow_tag(user=user, name=name)
        follow_tag(user=user, name="food")
    tokens = [t for t in (args.data / "tokens.txt").read_text().split() if t]
    client = Client()

    def cpu_ms(path: str, n: int, *, cold: bool) -> float:
        spent = 0.0
        for i in range(n):
            if cold:
                cache.clear()
            started = time.process_time()
            response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {tokens[i % len(tokens)]}")
            spent += time.process_time() - started
            assert response.status_code == 200, (path, response.content[:200])
        return round(spent / n * 1000, 2)

    result: dict[str, object] = {
        "users": len(users),
        "tag_follows": TagFollow.objects.count(),
    }
    for path in ENDPOINTS:
        cpu_ms(path, 20, cold=False)  # fill the caches
        result[path] = {
            "warm_cpu_ms": cpu_ms(path, args.requests, cold=False),
            "cold_cpu_ms": cpu_ms(path, max(20, args.requests // 10), cold=True),
        }

    fresh = [
        create_note(author=users[i], title=f"Bench food {i}", body=f"Tasty #food {i}", language="en") for i in range(20)
    ]
    started = time.perf_counter()
    inserts = sum(fan_out(note_id=n.pk) for n in fresh)
    seconds = time.perf_counter() - started
    result["fan_out_food_notes"] = {
        "notes": len(fresh),
        "inserts": inserts,
        "ms_per_note": round(seconds / len(fresh) * 1000, 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
