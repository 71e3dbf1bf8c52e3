"""CPU time per Mastodon API request, measured in process (independent of how busy the machine is).

Uses a data set made by ``bench/seed.py`` (tokens in ``DATA_DIR/tokens.txt``) and Django's test client:
``GET /api/v1/timelines/home?limit=20`` with rotating tokens, warm (caches filled) and cold (cache cleared
before every request), then ``POST /api/v1/statuses``. Prints one JSON line. Requests per second on two
cores can be at most about ``2000 / warm_ms``; the load test (bench/timeline_load.py) measures the real figure.

    python bench/api_cpu.py DATA_DIR [--requests 400]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    os.environ["NOTEBRIDGE_DATA_DIR"] = str(args.data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")
    os.environ["TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    tokens = [t for t in (args.data / "tokens.txt").read_text().split() if t]
    client = Client()

    def home(n: int, *, cold: bool = False) -> float:
        spent = 0.0
        for i in range(n):
            if cold:
                cache.clear()
            started = time.process_time()
            response = client.get(
                "/api/v1/timelines/home?limit=20", HTTP_AUTHORIZATION=f"Bearer {tokens[i % len(tokens)]}"
            )
            spent += time.process_time() - started
            assert response.status_code == 200, response.content[:200]
        return spent / n * 1000

    def post(n: int) -> float:
        started = time.process_time()
        for i in range(n):
            response = client.post(
                "/api/v1/statuses",
                json.dumps({"status": f"Bench note {i} #bench", "language": "en"}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {tokens[i % len(tokens)]}",
            )
            assert response.status_code == 200, response.content[:200]
        return (time.process_time() - started) / n * 1000

    home(args.requests)  # fill the caches
    result = {
        "home_warm_cpu_ms": round(home(args.requests), 2),
        "home_cold_cpu_ms": round(home(max(20, args.requests // 10), cold=True), 2),
        "post_status_cpu_ms": round(post(max(20, args.requests // 10)), 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
