"""Liking a comment on the note page, and comment text with its mentions and #tags as links."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import block, follow
from notes.models import Comment, CommentLike
from notes.services import create_comment, like_comment


def _like_button(html: str, comment_id: int) -> str:
    found = re.search(rf'<form method="post" action="/comments/{comment_id}/like/".*?</form>', html, re.S)
    assert found, "no like button for the comment"
    return found.group(0)


def test_like_and_unlike_a_comment_without_javascript(client, make_user, post_note, login):
    author, reader = make_user("author"), make_user("reader")
    note = post_note(author)
    comment = create_comment(author=author, note_id=note.pk, body="Thanks for reading")
    login(reader)
    button = _like_button(client.get(f"/n/{note.pk}/").content.decode(), comment.pk)
    assert 'value="like"' in button and '<span class="count">0</span>' in button
    response = client.post(f"/comments/{comment.pk}/like/", {"action": "like", "next": f"/n/{note.pk}/#c{comment.pk}"})
    assert response.status_code == 302 and response["Location"] == f"/n/{note.pk}/#c{comment.pk}"
    button = _like_button(client.get(f"/n/{note.pk}/").content.decode(), comment.pk)
    assert 'value="unlike"' in button and 'aria-pressed="true"' in button and '<span class="count">1</span>' in button
    client.post(f"/comments/{comment.pk}/like/", {"action": "unlike"})
    assert Comment.objects.get(pk=comment.pk).like_count == 0


def test_htmx_gets_the_button_back(client, make_user, post_note, login):
    author, reader = make_user("author"), make_user("reader")
    comment = create_comment(author=author, note_id=post_note(author).pk, body="Hi")
    login(reader)
    response = client.post(f"/comments/{comment.pk}/like/", {"action": "like"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith("<form")
    assert 'value="unlike"' in html and '<span class="count">1</span>' in html


def test_a_comment_you_cannot_see_cannot_be_liked(client, make_user, post_note, login):
    author, follower, stranger = make_user("author"), make_user("follower"), make_user("stranger")
    follow(follower=follower, followee=author)
    hidden = create_comment(author=follower, note_id=post_note(author, visibility="followers").pk, body="shh")
    login(stranger)
    assert client.post(f"/comments/{hidden.pk}/like/", {"action": "like"}).status_code == 404
    assert client.post(f"/comments/{hidden.pk}/like/", {"action": "like"}, HTTP_HX_REQUEST="true").status_code == 404
    open_comment = create_comment(author=author, note_id=post_note(author).pk, body="open")
    block(blocker=author, blocked=stranger)
    assert client.post(f"/comments/{open_comment.pk}/like/", {"action": "like"}).status_code == 404
    assert client.post("/comments/99999999999/like/", {"action": "like"}).status_code == 404
    assert client.get(f"/comments/{open_comment.pk}/like/").status_code == 405
    assert not CommentLike.objects.exists()


def test_visitors_are_sent_to_log_in(client, make_user, post_note):
    author = make_user("author")
    comment = create_comment(author=author, note_id=post_note(author).pk, body="Hi")
    like_comment(user=make_user(), comment_id=comment.pk)
    response = client.post(f"/comments/{comment.pk}/like/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    html = client.get(f"/n/{comment.note_id}/").content.decode()
    assert f'action="/comments/{comment.pk}/like/"' not in html and 'class="comment-like muted"' in html
    assert CommentLike.objects.count() == 1


def test_note_page_queries_do_not_grow_with_liked_comments(client, make_user, post_note, login):
    author, reader = make_user("author"), make_user("reader")
    note = post_note(author)
    login(reader)

    def count() -> int:
        client.get(f"/n/{note.pk}/")  # warm: a new comment drops the note's cached row
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/n/{note.pk}/").status_code == 200
        return len(captured)

    first = create_comment(author=author, note_id=note.pk, body="first")
    like_comment(user=reader, comment_id=first.pk)
    few = count()
    for i in range(12):
        c = create_comment(author=make_user(), note_id=note.pk, body=f"c{i}", parent_id=first.pk if i % 2 else None)
        like_comment(user=reader, comment_id=c.pk)
    assert count() == few


HOSTILE = (
    '<script>alert(1)</script> @maple_matcha "><img src=x onerror=alert(2)> #抹茶 '
    "#tag#  @ghost_name x@notamention <b>bold</b>\nsecond line &amp; javascript:alert(3)"
)


def test_comment_text_links_mentions_and_tags_and_escapes_the_rest(client, make_user, post_note, login):
    author = make_user("maple_matcha")
    note = post_note(author)
    comment = create_comment(author=make_user("writer"), note_id=note.pk, body=HOSTILE)
    login(author)
    html = client.get(f"/n/{note.pk}/").content.decode()
    found = re.search(rf'id="tr-comment-{comment.pk}".*?<p class="comment-body"[^>]*>(.*?)</p>', html, re.S)
    assert found is not None
    body = found.group(1)
    assert "<script>" not in body and "<img" not in body and "<b>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "&lt;img src=x onerror=alert(2)&gt;" in body
    assert '<a class="mention" href="/u/maple_matcha/">@maple_matcha</a>' in body
    assert '<a class="mention" href="/u/ghost_name/">@ghost_name</a>' in body
    assert '<a class="hashtag" href="/tag/%E6%8A%B9%E8%8C%B6/">#抹茶</a>' in body
    assert '<a class="hashtag" href="/tag/tag/">#tag</a>#' in body
    assert "x@notamention" in body and "/u/notamention/" not in body
    assert "<br>second line &amp;amp; javascript:alert(3)" in body
    assert body.count("<a ") == 4
