"""Load benchmark of the Mastodon home timeline and status posting, served by gunicorn.

For each configuration: seed a fresh data set (bench/seed.py), start gunicorn, warm up, then drive
``GET /api/v1/timelines/home?limit=20`` with wrk (8 connections, rotating tokens, a separate process),
and ``POST /api/v1/statuses``. Prints one JSON line per measurement; medians of ``--repeat`` runs.

    python bench/timeline_load.py [--config sqlite postgres postgres+redis] [--duration 20] [--repeat 3]
                                  [--code DIR [DIR ...]] [--no-bare]

``--code`` serves each configuration from each checkout in turn (e.g. a worktree of the commit before a
change, then this one), so before and after are measured in one run. A bare Django JSON view
(bench/bare_django.py) is measured first and every figure carries its ratio to it.

``--scenario post`` measures posting alone; ``--users/--follows/--notes`` seed a smaller data set for a short
run. ``--reuse`` keeps a data set an earlier run of this configuration seeded (home reads only: posting adds
notes to it). Needs Debian's ``wrk``. Uses ``var/bench-*``, the PostgreSQL databases ``notebridge_bench`` (and
``notebridge_bench_redis`` for postgres+redis) and Redis db 9 (``BENCH_PG_DATABASE`` and ``BENCH_REDIS_DB``
choose others).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import urllib.request
from pathlib import Path

import serving
from serving import PY, ROOT

# Another database and Redis db where several runs share the machine (BENCH_PG_DATABASE, BENCH_REDIS_DB).
DATABASE = os.environ.get("BENCH_PG_DATABASE", "notebridge_bench")
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "9"))


def env_for(config: str, data: Path) -> dict[str, str]:
    env = {**os.environ, "NOTEBRIDGE_DATA_DIR": str(data), "FAST_PASSWORD_HASHER": "1", "LOG_LEVEL": "ERROR"}
    # wrk drives hundreds of requests a second from one address with a few tokens: far past the rate
    # limits a person meets (trust/limits.py), so they are off here; without them it measures the serving.
    env["RATE_LIMITS_ENABLED"] = "0"
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if config.startswith("postgres"):
        env["DATABASE_URL"] = f"{serving.PG}/{database_for(config)}"
    if config.endswith("+redis"):
        env["REDIS_URL"] = f"redis://127.0.0.1:6379/{REDIS_DB}"
    return env


def database_for(config: str) -> str:
    """Each PostgreSQL configuration has a database of its own, so that ``--reuse`` of one never reads
    what another seeded (with Redis the timelines live in Redis and the table is empty)."""
    return DATABASE + ("_redis" if config.endswith("+redis") else "")


def check_timeline(port: int, tokens: Path) -> None:
    """A seeded reader's home timeline is a full page: an empty one (a data set seeded for another
    configuration, timelines lost) would be measured as a very fast, and wrong, figure."""
    token = tokens.read_text().split()[0]
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/timelines/home?limit=20", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        statuses = json.loads(answer.read())
    if len(statuses) < 20:
        raise SystemExit(f"the seeded home timeline has {len(statuses)} statuses, not 20: seed again (no --reuse)")


def reset(config: str, data: Path) -> None:
    database = database_for(config) if config.startswith("postgres") else None
    serving.reset(data, database=database, redis_db=REDIS_DB if config.endswith("+redis") else None)


def wrk(port: int, tokens: Path, method: str, path: str, duration: int) -> dict:
    env = {**os.environ, "BENCH_METHOD": method, "BENCH_PATH": path, "BENCH_TOKENS": str(tokens)}
    return serving.wrk_json(port, ROOT / "bench/rotate_tokens.lua", duration, env)


def median_of(runs: list[dict]) -> dict:
    keys = ["rps", "p50_ms", "p90_ms", "p99_ms"]
    return {k: round(statistics.median(r[k] for r in runs), 1) for k in keys} | {
        "runs": len(runs),
        "non_2xx": sum(r["non_2xx"] for r in runs),
        "all_rps": [r["rps"] for r in runs],
    }


def serve(args: argparse.Namespace, app: str, env: dict[str, str], cwd: Path) -> subprocess.Popen:
    command = [PY, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers)]
    command += ["--threads", str(args.threads), "--log-level", "warning"]
    return subprocess.Popen(
        command,
        env=env,
        cwd=cwd,
    )


def run_bare(args: argparse.Namespace, tokens: Path) -> dict:
    server = serve(args, "bare_django:application", {**os.environ}, ROOT / "bench")
    try:
        serving.wait_ready(args.port)
        wrk(args.port, tokens, "GET", "/api/v1/timelines/home?limit=20", 5)
        runs = [
            wrk(args.port, tokens, "GET", "/api/v1/timelines/home?limit=20", args.duration) for _ in range(args.repeat)
        ]
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"config": "bare-django", "home_timeline": median_of(runs)}


def run_config(config: str, args: argparse.Namespace, code: Path = ROOT) -> dict:
    data = ROOT / "var" / f"bench-{config.replace('+', '-')}"
    env = env_for(config, data)
    seed_file = data / "seed.json"
    if args.reuse and seed_file.exists():
        seeded = json.loads(seed_file.read_text()) | {"reused": True}
    else:
        reset(config, data)
        seeded = serving.seed(data, env, code=code, sizes=(args.users, args.follows, args.notes))
        seed_file.write_text(json.dumps(seeded))
    port = args.port
    server = serve(args, "notebridge.wsgi:application", env, code)
    try:
        serving.wait_ready(port)
        tokens = data / "tokens.txt"
        check_timeline(port, tokens)
        wrk(port, tokens, "GET", "/api/v1/timelines/home?limit=20", 5)  # warm-up
        home = [
            wrk(port, tokens, "GET", "/api/v1/timelines/home?limit=20", args.duration)
            for _ in range(args.repeat if "home" in args.scenario else 0)
        ]
        post = [
            wrk(port, tokens, "POST", "/api/v1/statuses", max(5, args.duration // 2))
            for _ in range(args.repeat if "post" in args.scenario else 0)
        ]
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "config": config,
        "code": str(code),
        "commit": serving.git_commit(code),
        "seed": seeded,
        "home_timeline": median_of(home) if home else None,
        "post_status": median_of(post) if post else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", nargs="+", default=["sqlite", "postgres", "postgres+redis"])
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--code", nargs="+", type=Path, default=[ROOT], help="checkouts to serve, in turn")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare Django view")
    parser.add_argument("--reuse", action="store_true", help="keep the data set an earlier run seeded (home only)")
    parser.add_argument("--scenario", nargs="+", choices=["home", "post"], default=["home", "post"])
    parser.add_argument("--users", type=int, default=200, help="seeded users (bench/seed.py)")
    parser.add_argument("--follows", type=int, default=50)
    parser.add_argument("--notes", type=int, default=20)
    args = parser.parse_args()
    print(json.dumps({"machine": {"cores": os.cpu_count(), "load": os.getloadavg()}}), flush=True)
    bare_rps = None
    for config in args.config:
        for code in args.code:
            result = run_config(config, args, code.resolve())
            if not args.no_bare and bare_rps is None:
                tokens = ROOT / "var" / f"bench-{config.replace('+', '-')}" / "tokens.txt"
                bare = run_bare(args, tokens)
                bare_rps = bare["home_timeline"]["rps"]
                print(json.dumps(bare), flush=True)
            if bare_rps:
                for part in (p for p in ("home_timeline", "post_status") if result[p]):
                    result[part]["ratio_to_bare"] = round(result[part]["rps"] / bare_rps, 4)
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
