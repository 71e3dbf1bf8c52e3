"""Mastodon.py 2.3.3, unmodified, and toot's request pattern against a live server: followed tags,
trends and follow suggestions (tests/api/test_mastodon_tags.py has the same through Django's client)."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
import requests
from mastodon import Mastodon
from mastodon.errors import MastodonAPIError, MastodonNotFoundError, MastodonUnauthorizedError


@pytest.fixture
def server(live_server, settings):
    settings.SITE_URL = live_server.url
    return live_server.url


def _client(server: str, user, scopes: str = "read write follow") -> Mastodon:
    from api.services import issue_token

    _token, raw = issue_token(user=user, application=None, scopes=scopes.split())
    return Mastodon(access_token=raw, api_base_url=server)


def test_mastodon_py_follows_tags_and_reads_them_in_home(server, make_user, make_note):
    reader, cook = make_user("reader"), make_user("cook")
    older = make_note(cook, title="Steamed buns", body="Fluffy #food", photos=0)
    api = _client(server, reader)

    assert api.tag("food").following is False
    followed = api.tag_follow("food")
    assert followed.name == "food" and followed.following is True
    assert len(followed.history) == 7 and followed.history[0].uses == "1"
    assert api.tag_follow("food").following is True  # twice: still one follow
    assert [t.name for t in api.followed_tags()] == ["food"]
    assert [str(s.id) for s in api.timeline_home()] == [str(older.pk)]  # backfilled

    fresh = make_note(cook, title="Noodles", body="Hand-pulled #food", photos=0)
    home = api.timeline_home()
    assert [str(s.id) for s in home] == [str(fresh.pk), str(older.pk)]
    assert home[0].tags[0].name == "food"

    for name in ("tea", "火锅", "travel"):
        api.tag_follow(name)
    first = api.followed_tags(limit=2)
    assert [t.name for t in first] == ["travel", "火锅"]
    rest = api.fetch_remaining(first)
    assert [t.name for t in rest] == ["travel", "火锅", "tea", "food"]

    unfollowed = api.tag_unfollow("food")
    assert unfollowed.following is False
    assert [str(s.id) for s in api.timeline_home()] == []
    assert "food" not in [t.name for t in api.followed_tags()]

    with pytest.raises(MastodonAPIError) as bad:
        api.tag_follow("x" * 1000)
    assert "not a valid tag name" in str(bad.value)
    with pytest.raises(MastodonNotFoundError):
        api.tag("two words")
    anonymous = Mastodon(api_base_url=server)
    with pytest.raises(MastodonUnauthorizedError):
        anonymous.tag_follow("food")
    with pytest.raises(MastodonAPIError):  # a read-only token may not follow
        _client(server, reader, scopes="read").tag_follow("food")


def test_mastodon_py_reads_trends_and_suggestions(server, make_user, make_note, on_commit):
    from accounts.services import follow
    from notes.services import like_note

    me, friend, fof, fan = make_user("myself"), make_user("friend"), make_user("fof"), make_user("fan")
    notes = [make_note(fof, title=f"Stew {i}", body=f"Slow cooked {i} #stew", photos=0) for i in range(3)]
    make_note(friend, title="Tea", body="Oolong #tea", photos=0)
    with on_commit():
        like_note(user=fan, note_id=notes[1].pk)
        follow(follower=me, followee=friend)
        follow(follower=friend, followee=fof)
    api = _client(server, me)

    trending = api.trending_statuses(limit=2)
    assert str(trending[0].id) == str(notes[1].pk) and len(trending) == 2
    more = api.fetch_next(trending)
    assert more is not None and len(more) == 2
    tea = api.account_statuses(friend.pk)[0]
    seen = [str(s.id) for page in (trending, more) for s in page]
    assert sorted(seen) == sorted([*(str(n.pk) for n in notes), str(tea.id)])

    tags = api.trending_tags()
    assert [t.name for t in tags] == ["stew", "tea"]
    assert tags[0].history[0].uses == "3" and tags[0].history[0].accounts == "1"
    assert api.trending_links() == []

    suggestions = api.suggestions_v2()
    assert suggestions[0].account.username == "fof"
    assert suggestions[0].sources == ["friends_of_friends", "most_followed"]  # found both ways
    assert suggestions[0].source == "past_interactions"
    assert [a.username for a in api.suggestions_v1()] == ["fof"]
    api.suggestion_delete(fof.pk)
    assert api.suggestions_v2() == []


def test_toot_tags_follow_food(server, make_user):
    """What ``toot tags follow food`` and ``toot tags`` send: a bare POST, then the followed tags
    page by page along the Link header's rel="next" path (toot reads only a header that starts with it)."""
    from api.services import issue_token

    user = make_user("tooter")
    _token, raw = issue_token(user=user, application=None, scopes=["read", "write", "follow"])
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {raw}"
    for name in ("food", "travel", "tea"):
        response = session.post(f"{server}/api/v1/tags/{name}/follow", timeout=30)
        assert response.status_code == 200, response.text
        assert response.json()["following"] is True

    names: list[str] = []
    path: str | None = "/api/v1/followed_tags?limit=2"
    while path:
        response = session.get(server + path, timeout=30)
        assert response.status_code == 200
        names += [t["name"] for t in response.json()]
        match = re.match('<([^>]+)>; rel="next"', response.headers.get("Link", ""))
        path = None
        if match:
            parsed = urlparse(match.group(1))
            path = f"{parsed.path}?{parsed.query}"
    assert names == ["tea", "travel", "food"]

    assert session.post(f"{server}/api/v1/tags/food/unfollow", timeout=30).json()["following"] is False
    assert requests.post(f"{server}/api/v1/tags/food/follow", timeout=30).status_code == 401
