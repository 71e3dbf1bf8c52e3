"""Home timelines after Redis comes back empty (feeds/timelines.py): readers keep seeing their whole
timeline, read from the notes until theirs is rebuilt, and one rebuild restores every timeline.

Runs where timelines live in Redis (the PostgreSQL + Redis pass); ``flushdb`` is what a restart without
persistence leaves."""

import pytest
from django.conf import settings

from accounts.services import follow
from feeds import services
from feeds.selectors import home_timeline
from feeds.timelines import COMPLETE_KEY, REBUILDING_KEY, REBUILT_KEY, store

pytestmark = pytest.mark.skipif(settings.TIMELINE_BACKEND != "redis", reason="timelines in Redis only")


@pytest.fixture
def wiped(make_user, make_note):
    """Bob follows Alice, who posted three notes; then Redis restarts empty and Alice posts a fourth,
    whose fan-out is all that Bob's sorted set then holds."""
    alice, bob = make_user(), make_user()
    follow(follower=bob, followee=alice)
    older = [make_note(alice, title=f"n{i}") for i in range(3)]
    redis = store().redis  # type: ignore[union-attr]
    redis.flushdb()
    newest = make_note(alice, title="after the restart")
    assert redis.zcard(f"nb:tl:{bob.pk}") == 1
    return bob, [newest.pk, *(n.pk for n in reversed(older))], redis


def test_a_timeline_redis_lost_is_read_whole_and_rebuilt(wiped):
    bob, expected, redis = wiped
    # The queue here runs tasks at once, so the read that finds the loss also sees the rebuild done.
    assert [n.pk for n in home_timeline(bob)] == expected
    assert redis.zcard(f"nb:tl:{bob.pk}") == 4
    assert redis.exists(COMPLETE_KEY) and not redis.exists(REBUILDING_KEY) and not redis.exists(REBUILT_KEY)


def test_while_a_rebuild_runs_readers_are_served_from_the_notes(wiped, make_user):
    bob, expected, redis = wiped
    redis.set(REBUILDING_KEY, "under-way")  # a rebuild queued by another process, not done yet
    assert [n.pk for n in home_timeline(bob)] == expected
    assert [n.pk for n in home_timeline(bob, max_id=expected[0])] == expected[1:]
    assert redis.zcard(f"nb:tl:{bob.pk}") == 1, "this read rebuilt nothing: the rebuild under way does"

    assert services.rebuild_lost_timelines("under-way") >= 2  # Alice and Bob (and any other reader)
    assert redis.zcard(f"nb:tl:{bob.pk}") == 4
    assert redis.exists(COMPLETE_KEY) and not redis.exists(REBUILDING_KEY)
    assert [n.pk for n in home_timeline(bob)] == expected


def test_a_reader_rebuilt_reads_redis_again_before_the_whole_rebuild_ends(wiped):
    bob, expected, redis = wiped
    redis.set(REBUILDING_KEY, "under-way")
    services.rebuild_timeline(user_id=bob.pk)
    store().mark_rebuilt(bob.pk)  # type: ignore[union-attr]
    redis.zrem(f"nb:tl:{bob.pk}", redis.zrange(f"nb:tl:{bob.pk}", 0, 0)[0])  # the oldest, to tell the two apart
    assert [n.pk for n in home_timeline(bob)] == expected[:3], "read from Redis, not from the notes"


def test_a_rebuild_whose_lock_is_gone_stops_without_marking_timelines_complete(wiped):
    bob, _expected, redis = wiped
    redis.set(REBUILDING_KEY, "a-later-rebuild")  # Redis restarted again and another rebuild was queued
    assert services.rebuild_lost_timelines("the-first-rebuild") == 0
    assert not redis.exists(COMPLETE_KEY)
    assert redis.zcard(f"nb:tl:{bob.pk}") == 1


def test_rebuild_timelines_command_marks_them_complete(wiped):
    bob, expected, redis = wiped
    services.rebuild_all()
    assert redis.exists(COMPLETE_KEY)
    assert redis.zcard(f"nb:tl:{bob.pk}") == 4
    assert [n.pk for n in home_timeline(bob)] == expected
