"""The inbox page: tabs with unread badges, grouped entries, a tab read once opened, bounded queries."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import follow
from notes.services import create_comment, like_comment, like_note
from notifications.models import Notification


def _tab_badges(html: str) -> dict[str, str]:
    nav = html.split('class="tabs inbox-tabs"', 1)[1].split("</nav>", 1)[0]
    return dict(re.findall(r'data-tab="(\w+)"[^>]*>[^<]*(?:<span class="badge"[^>]*>(\d+)</span>)?', nav))


def _nav_total(html: str) -> str | None:
    found = re.search(r'<span class="badge" aria-label="\d+ unread">(\d+)</span></a></li>', html)
    return found.group(1) if found else None


def _lines(html: str) -> list[str]:
    body = html.split('<ul class="notifications"', 1)[1].split("</ul>", 1)[0]
    body = re.sub(r'<a [^>]*class="notif-avatars".*?</a>', "", body, flags=re.S)  # letter avatars
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", li)).strip()
        for li in re.findall(r"<li\b[^>]*>(.*?)</li>", body, re.S)
    ]


def _busy_inbox(make_user, post_note, likers: int):
    me = make_user("mimi", display_name="Me")
    note = post_note(me, title="Matcha morning")
    for i in range(likers - 1):
        like_note(user=make_user(f"fan{i}"), note_id=note.pk)
    like_note(user=make_user("maple_matcha"), note_id=note.pk)
    follow(follower=make_user("newfriend"), followee=me)
    create_comment(author=make_user("talker"), note_id=note.pk, body="so green")
    return me, note


def test_likes_tab_groups_and_counts_per_tab(client, make_user, post_note, login):
    me, _note = _busy_inbox(make_user, post_note, likers=13)
    login(me)
    before = client.get("/").content.decode()
    assert _nav_total(before) == "15"
    html = client.get("/notifications/").content.decode()
    assert 'data-tab="likes" aria-current="page"' in html
    [line] = _lines(html)
    assert line.startswith("maple_matcha and 12 others liked your note") and "Matcha morning" in line
    # The open tab is read; the others keep their badges, and the nav's total drops with it.
    assert _tab_badges(html) == {"likes": "", "follows": "1", "comments": "1"}
    assert _nav_total(html) == "2"
    assert not Notification.objects.filter(recipient=me, type="like", read=False).exists()
    html = client.get("/notifications/?tab=follows").content.decode()
    assert _lines(html)[0].startswith("newfriend followed you")
    assert _tab_badges(html) == {"likes": "", "follows": "", "comments": "1"}
    html = client.get("/notifications/?tab=comments").content.decode()
    assert "so green" in _lines(html)[0]
    assert _nav_total(client.get("/").content.decode()) is None


def test_the_inbox_speaks_chinese(client, make_user, post_note, login):
    me, _note = _busy_inbox(make_user, post_note, likers=3)
    me.ui_language = "zh-hans"
    me.save(update_fields=["ui_language"])
    login(me)
    html = client.get("/notifications/").content.decode()
    assert "赞和收藏" in html and "新增关注" in html and "评论和@" in html
    assert _lines(html)[0].startswith("maple_matcha 和其他 2 人赞了你的笔记")


def test_a_liked_comment_shows_in_the_likes_tab(client, make_user, post_note, login):
    me, author = make_user("mimi"), make_user("author")
    note = post_note(author, title="Dumplings")
    comment = create_comment(author=me, note_id=note.pk, body="Best in town")
    for name in ("a1", "a2"):
        like_comment(user=make_user(name), comment_id=comment.pk)
    login(me)
    [line] = _lines(client.get("/notifications/?tab=likes").content.decode())
    assert line.startswith("a2 and 1 other liked your comment") and "Best in town" in line


def test_inbox_needs_login_and_refuses_an_unknown_tab(client, make_user, login):
    assert client.get("/notifications/?tab=likes").status_code == 302
    login(make_user())
    assert client.get("/notifications/?tab=everything").status_code == 404
    assert client.get("/notifications/?tab=likes&cursor=abc").status_code == 404


def test_nobody_reads_or_clears_someone_elses_inbox(client, make_user, post_note, login):
    me, _note = _busy_inbox(make_user, post_note, likers=2)
    snoop = make_user("snoop")
    login(snoop)
    newest = Notification.objects.filter(recipient=me).latest("id")
    for tab in ("likes", "follows", "comments", "notices"):
        html = client.get(f"/notifications/?tab={tab}&cursor={newest.pk + 1}").content.decode()
        assert "maple_matcha" not in html and "so green" not in html and "newfriend" not in html
    assert Notification.objects.filter(recipient=me, read=False).count() == 4


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_inbox_queries_do_not_grow_with_notifications(client, make_user, post_note, login, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    me = make_user("mimi")
    notes = [post_note(me, title=f"n{i}") for i in range(3)]
    login(me)
    like_note(user=make_user(), note_id=notes[0].pk)
    small = _queries(client, "/notifications/?tab=likes")
    for i in range(40):
        like_note(user=make_user(), note_id=notes[i % 3].pk)
    Notification.objects.filter(recipient=me).update(read=False)
    large = _queries(client, "/notifications/?tab=likes")
    assert large == small
    assert large <= 16


def test_an_older_page_costs_what_the_first_does_and_splits_no_group(
    client, make_user, post_note, login, settings, monkeypatch
):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    monkeypatch.setattr("notifications.selectors.INBOX_PAGE", 3)
    me = make_user("mimi")
    notes = [post_note(me, title=f"note{i}") for i in range(5)]
    login(me)
    for i, note in enumerate(notes):
        for j in range(4 if i == 1 else 1):
            like_note(user=make_user(f"fan{i}x{j}"), note_id=note.pk)
    html = client.get("/notifications/?tab=likes").content.decode()
    assert [line.split(" · ")[-1] for line in _lines(html)] == ["note4", "note3", "note2"]
    found = re.search(r'<a class="btn" href="([^"]+)"', html)
    assert found is not None
    next_url = found.group(1).replace("&amp;", "&")
    first = _queries(client, "/notifications/?tab=likes")
    second = _queries(client, next_url)
    assert second == first
    lines = _lines(client.get(next_url).content.decode())
    assert lines[0].startswith("fan1x3 and 3 others liked your note") and lines[1].endswith("note0")
    assert len(lines) == 2
