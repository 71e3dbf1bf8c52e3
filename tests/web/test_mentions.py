"""@mention autocomplete: GET /mentions/suggest/?q=<prefix> (JSON)."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.services import block, follow


def _names(client, prefix: str) -> list[str]:
    response = client.get("/mentions/suggest/", {"q": prefix})
    assert response.status_code == 200, response.content
    return [a["username"] for a in response.json()["accounts"]]


def test_prefix_matches_followed_first_then_most_followed(client, make_user, login):
    me = make_user("mimi")
    popular, friend, quiet = make_user("maple_pop"), make_user("maple_friend"), make_user("maple_quiet")
    for i in range(3):
        follow(follower=make_user(f"fan{i}"), followee=popular)
    follow(follower=me, followee=friend)
    make_user("other")
    login(me)
    assert _names(client, "maple") == ["maple_friend", "maple_pop", "maple_quiet"]
    assert _names(client, "@MAPLE_F") == ["maple_friend"]
    data = client.get("/mentions/suggest/", {"q": "maple_f"}).json()["accounts"][0]
    assert data == {"username": "maple_friend", "name": "maple_friend", "avatar": None, "following": True}
    assert quiet.pk  # made, and matched above


def test_blocks_either_way_inactive_accounts_and_oneself_are_left_out(client, make_user, login):
    me = make_user("mei")
    blocked_by_me, blocking_me, gone = make_user("mei_blocked"), make_user("mei_blocker"), make_user("mei_gone")
    make_user("mei_ok")
    block(blocker=me, blocked=blocked_by_me)
    block(blocker=blocking_me, blocked=me)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    login(me)
    assert _names(client, "mei") == ["mei_ok"]


def test_at_most_eight_in_one_query(client, make_user, login):
    me = make_user("mimi")
    for i in range(20):
        make_user(f"many{i:02d}")
    login(me)
    client.get("/mentions/suggest/", {"q": "many"})
    with CaptureQueriesContext(connection) as captured:
        assert len(_names(client, "many")) == 8
    # the LIKE operator, not a column such as show_likes that the signed-in user's own row carries
    selects = [q for q in captured if "accounts_user" in q["sql"] and re.search(r"\bLIKE\b", q["sql"].upper())]
    assert len(selects) == 1, "\n".join(q["sql"][-300:] for q in selects)


def test_bad_prefixes_and_visitors_get_a_clear_error(client, make_user, login):
    assert client.get("/mentions/suggest/", {"q": "ma"}).status_code == 401
    assert "error" in client.get("/mentions/suggest/", {"q": "ma"}).json()
    login(make_user("mimi"))
    for bad in ("", "@", "<script>", "a b", "x" * 31, "%", "名字", "a'--"):
        response = client.get("/mentions/suggest/", {"q": bad})
        assert response.status_code == 400, bad
        assert "username" in response.json()["error"]
    assert client.post("/mentions/suggest/", {"q": "ma"}).status_code == 405


def test_look_ups_are_rate_limited(client, make_user, login, settings):
    settings.RATE_LIMITS = {"lookup.user": "3/1h", "lookup.user_new": "3/1h"}
    login(make_user("mimi"))
    codes = [client.get("/mentions/suggest/", {"q": "me"}).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    assert client.get("/mentions/suggest/", {"q": "me"})["Retry-After"]
