"""The home timeline's query count is small and does not grow with the page size."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import follow


def _home_queries(api, limit: int) -> tuple[int, int, int]:
    with CaptureQueriesContext(connection) as cold:
        response = api.get("/api/v1/timelines/home", {"limit": limit})
    assert response.status_code == 200
    count = len(response.json())
    with CaptureQueriesContext(connection) as warm:
        assert api.get("/api/v1/timelines/home", {"limit": limit}).status_code == 200
    return count, len(cold), len(warm)


def test_home_timeline_query_count_is_constant(make_user, make_note, client_for, settings):
    # Not about screening: 24 look-alike notes would (rightly) be held as a spam wave.
    settings.REVIEW_SCREENING = False
    # Two readers, so each starts cold (token, user, hidden authors) without clearing the cache,
    # which on Redis would also wipe the timelines.
    readers = [make_user("reader_small"), make_user("reader_large")]
    authors = [make_user(f"author{i}") for i in range(4)]
    for reader in readers:
        for author in authors:
            follow(follower=reader, followee=author)
    for i in range(24):
        make_note(authors[i % 4], title=f"Note {i}", body="Plain text, #tag", photos=1)

    # What every request shares (the operator's rate limits, one cached row) is loaded by a first request.
    assert client_for(make_user("first_visitor")).get("/api/v1/timelines/home").status_code == 200
    small, small_cold, small_warm = _home_queries(client_for(readers[0]), 5)
    large, large_cold, large_warm = _home_queries(client_for(readers[1]), 20)

    assert (small, large) == (5, 20)
    assert small_cold == large_cold  # hydration is batched: the page size changes nothing
    assert small_warm == large_warm
    # Warm: the timeline page and the viewer's likes and collects; token, user and notes are cached.
    assert large_warm <= 3


def test_status_cache_follows_counts(make_user, make_note, client_for):
    """A cached status never shows stale counts: the key includes them."""
    alice, bob = make_user(), make_user()
    note = make_note(alice)
    api = client_for(bob)
    assert api.get(f"/api/v1/statuses/{note.pk}").json()["favourites_count"] == 0
    assert api.post(f"/api/v1/statuses/{note.pk}/favourite").json()["favourites_count"] == 1
    assert api.get(f"/api/v1/statuses/{note.pk}").json()["favourites_count"] == 1
