"""The mixed load benchmark's scenario (bench/mixed_load.py) against a live server.

Every action the benchmark takes (timeline, Discover, trends, note pages, search, translation, a note with
a photo through Mastodon's async media upload, a text note, a like, a comment, a follow, a sign-up) is
answered with a 2xx, so a benchmark run measures the work and not failed requests; then one client drives
the weighted mix for two seconds without a server error. The figures are the benchmark's
(docs/benchmarks.md), not this test's.
"""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path

import httpx
import pytest

# bench/ is not a package: its modules import each other as top-level modules, as when run as scripts.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import mixed_load


def test_weights_name_known_actions_with_numbers():
    assert mixed_load.parse_weights("home=3, like=0.5,") == {"home": 3.0, "like": 0.5}
    assert set(mixed_load.parse_weights(mixed_load.DEFAULT_WEIGHTS)) == set(mixed_load.ACTIONS)
    for bad, says in [
        ("home", "ACTION=WEIGHT"),
        ("hoem=1", "ACTION=WEIGHT"),
        ("home=many", "must be a number"),
        ("home=-1", "0 or more"),
        ("home=nan", "0 or more"),
        ("home=0,like=0", "above 0"),
        ("", "above 0"),
    ]:
        with pytest.raises(ValueError, match=says):
            mixed_load.parse_weights(bad)


@pytest.fixture
def bench_world(live_server, transactional_db, settings, make_user, token_for):
    from accounts.services import follow
    from notes.services import create_note

    settings.RATE_LIMITS_ENABLED = False  # as in the benchmark: one address acts for many users
    settings.TRUSTED_PROXIES = ["127.0.0.1"]  # sign-ups come from X-Forwarded-For addresses
    users = [make_user(f"mixed{i}", languages=["en", "zh-Hans"]) for i in range(3)]
    for reader in users:
        for author in users:
            if reader != author:
                follow(follower=reader, followee=author)
    for i, author in enumerate(users):
        create_note(author=author, title="Ramen spot", body="Loving this ramen spot today. #ramen")
        create_note(author=author, title=f"拉面笔记 {i}", body="今天的拉面分享，超级推荐！#拉面")
    return live_server.url, [token_for(u, "read write follow") for u in users]


def test_every_action_of_the_scenario_succeeds_and_the_mix_runs_without_server_errors(bench_world):
    url, tokens = bench_world

    async def run() -> tuple[mixed_load.Recorder, mixed_load.Recorder]:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            world = await mixed_load.make_world(http, tokens, tag="t", photos=4)
            each = mixed_load.Recorder()
            rng = random.Random(3)
            for action in mixed_load.ACTIONS.values():
                await action(http, world, rng, each)
            weights = mixed_load.parse_weights(mixed_load.DEFAULT_WEIGHTS)
            return each, await mixed_load.drive(http, world, weights, clients=1, seconds=2)

    each, mixed = asyncio.run(run())
    answered = {name: dict(counts) for name, counts in each.answers.items()}
    assert len(answered) >= len(mixed_load.ACTIONS), answered
    assert all(code.startswith("2") for counts in answered.values() for code in counts), answered
    assert len(each.photo_ready) == 1  # the photo note waited for its renditions, then posted
    assert sum(len(v) for v in mixed.latencies.values()) > 5
    server_errors = {n: dict(c) for n, c in mixed.answers.items() if any(code.startswith("5") for code in c)}
    assert server_errors == {}
