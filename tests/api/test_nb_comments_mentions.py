"""The native API's comment likes (/api/nb/v1/comments/{id}/like) and mention suggestions
(/api/nb/v1/mentions/suggest), as the web has them."""

from __future__ import annotations

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.services import block, follow
from notes.models import CommentLike
from notes.services import create_comment, set_note_state
from notifications.models import Notification


def test_like_and_unlike_a_comment_and_see_it_in_the_thread(make_user, make_note, client_for):
    author, reader = make_user("author"), make_user("reader")
    note = make_note(author)
    comment = create_comment(author=author, note_id=note.pk, body="Try the dumplings")
    api = client_for(reader)
    liked = api.post(f"/api/nb/v1/comments/{comment.pk}/like")
    assert liked.status_code == 200, liked.content
    assert liked.json()["like_count"] == 1 and liked.json()["liked"] is True
    # Twice is once, and the author is told once.
    assert api.post(f"/api/nb/v1/comments/{comment.pk}/like").json()["like_count"] == 1
    assert Notification.objects.filter(recipient=author, type="comment_like").count() == 1
    [mine] = api.get(f"/api/nb/v1/notes/{note.pk}/comments").json()
    assert mine["liked"] is True and mine["like_count"] == 1
    [theirs] = Client().get(f"/api/nb/v1/notes/{note.pk}/comments").json()
    assert theirs["liked"] is False and theirs["like_count"] == 1
    unliked = api.delete(f"/api/nb/v1/comments/{comment.pk}/like").json()
    assert unliked["like_count"] == 0 and unliked["liked"] is False
    assert not CommentLike.objects.exists()


def test_comment_likes_refuse_what_you_may_not_see_and_bad_input(make_user, make_note, client_for):
    author, reader = make_user("author"), make_user("reader")
    note = make_note(author)
    comment = create_comment(author=author, note_id=note.pk, body="hello")
    api = client_for(reader)
    assert Client().post(f"/api/nb/v1/comments/{comment.pk}/like").status_code == 401
    for bad in ("abc", "0", "9" * 30, str(comment.pk + 1)):
        response = api.post(f"/api/nb/v1/comments/{bad}/like")
        assert response.status_code == 404, bad
        assert "error" in response.json()
    block(blocker=author, blocked=reader)
    assert api.post(f"/api/nb/v1/comments/{comment.pk}/like").status_code == 404
    other = make_user("other")
    hidden = make_note(other)
    hidden_comment = create_comment(author=other, note_id=hidden.pk, body="secret")
    set_note_state(note=hidden, state="held")
    assert client_for(make_user("third")).post(f"/api/nb/v1/comments/{hidden_comment.pk}/like").status_code == 404
    assert not CommentLike.objects.exists()


def test_comment_likes_are_rate_limited(make_user, make_note, client_for, settings):
    settings.RATE_LIMITS = {"like.user": "2/1h", "like.user_new": "2/1h"}
    author = make_user("author")
    note = make_note(author)
    comments = [create_comment(author=author, note_id=note.pk, body=f"c{i}") for i in range(4)]
    api = client_for(make_user("reader"))
    codes = [api.post(f"/api/nb/v1/comments/{c.pk}/like").status_code for c in comments]
    assert codes == [200, 200, 429, 429]
    assert CommentLike.objects.count() == 2


def _names(api, q: str) -> list[str]:
    response = api.get("/api/nb/v1/mentions/suggest", {"q": q})
    assert response.status_code == 200, response.content
    return [a["username"] for a in response.json()["accounts"]]


def test_mention_suggestions_match_the_webs(make_user, client_for):
    me = make_user("mei")
    friend, popular = make_user("mei_friend"), make_user("mei_pop")
    blocked_by_me, blocking_me, gone = make_user("mei_blocked"), make_user("mei_blocker"), make_user("mei_gone")
    for i in range(2):
        follow(follower=make_user(f"fan{i}"), followee=popular)
    follow(follower=me, followee=friend)
    block(blocker=me, blocked=blocked_by_me)
    block(blocker=blocking_me, blocked=me)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    api = client_for(me)
    assert _names(api, "mei") == ["mei_friend", "mei_pop"]
    first = api.get("/api/nb/v1/mentions/suggest", {"q": "@MEI_F"}).json()["accounts"][0]
    assert first == {
        "id": str(friend.pk),
        "username": "mei_friend",
        "display_name": "mei_friend",
        "avatar": None,
        "following": True,
    }


def test_mention_suggestions_cost_one_query_and_stop_at_eight(make_user, client_for):
    for i in range(20):
        make_user(f"many{i:02d}")
    api = client_for(make_user("mimi"))
    api.get("/api/nb/v1/mentions/suggest", {"q": "many"})
    with CaptureQueriesContext(connection) as captured:
        assert len(_names(api, "many")) == 8
    selects = [q for q in captured if "accounts_user" in q["sql"] and re.search(r"\bLIKE\b", q["sql"].upper())]
    assert len(selects) == 1


def test_mention_suggestions_refuse_visitors_bad_prefixes_and_floods(make_user, client_for, settings):
    assert Client().get("/api/nb/v1/mentions/suggest", {"q": "ma"}).status_code == 401
    api = client_for(make_user("mimi"))
    for bad in ("", "@", "<script>", "a b", "x" * 31, "%", "名字", "a'--"):
        response = api.get("/api/nb/v1/mentions/suggest", {"q": bad})
        assert response.status_code == 400, bad
        assert "username" in response.json()["error"]
    settings.RATE_LIMITS = {"lookup.user": "3/1h", "lookup.user_new": "3/1h"}
    codes = [api.get("/api/nb/v1/mentions/suggest", {"q": "mi"}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
