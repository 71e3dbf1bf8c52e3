import re

from notes.services import create_comment, like_note
from notifications.models import Notification
from review import decisions
from review.models import Reviewer, ReviewItem


def test_notifications_list_and_mark_read(client, make_user, post_note, login):
    alice, bob = make_user("alice"), make_user("bob", display_name="Bob")
    note = post_note(alice, title="My note")
    like_note(user=bob, note_id=note.pk)
    create_comment(author=bob, note_id=note.pk, body="so good")
    login(alice)
    assert 'class="badge"' in client.get("/").content.decode()
    html = client.get("/notifications/").content.decode()
    assert "Bob" in html and "liked your note" in html and "My note" in html and "so good" not in html
    # Opening the likes tab read it; the comment waits in its own tab.
    assert list(Notification.objects.filter(read=False).values_list("type", flat=True)) == ["comment"]
    html = client.get("/notifications/?tab=comments").content.decode()
    assert "Bob" in html and "so good" in html
    assert not Notification.objects.filter(read=False).exists()


def test_notifications_need_login(client, db):
    assert client.get("/notifications/").status_code == 302


def test_notifications_query_count(client, make_user, post_note, login, django_assert_max_num_queries):
    alice = make_user()
    for i in range(10):
        note = post_note(alice, title=f"n{i}")
        like_note(user=make_user(), note_id=note.pk)
    login(alice)
    with django_assert_max_num_queries(14):
        assert client.get("/notifications/").status_code == 200


def _badge(html: str) -> str | None:
    found = re.search(r'<span class="badge"[^>]*>(\d+)</span>', html)
    return found.group(1) if found else None


def _rows(html: str) -> list[str]:
    return html.split('<ul class="notifications"', 1)[1].split("</ul>", 1)[0].split("<li")[1:]


def test_moderation_notice_shows_in_the_recipients_language_with_a_link_and_no_avatar(
    client, make_user, post_note, login
):
    author = make_user("lin", languages=["zh-Hans"], display_name="Lin")
    fan = make_user("fan", display_name="Fan")
    liked = post_note(author, title="Dumplings")
    like_note(user=fan, note_id=liked.pk)
    held = post_note(author, title="", body="你真是个傻逼，滚开", photos=0)
    assert Notification.objects.get(recipient=author, type="moderation").target_id == held.pk
    login(author)
    assert _badge(client.get("/").content.decode()) == "2"
    [like] = _rows(client.get("/notifications/").content.decode())
    assert "Fan" in like and "liked your note" in like and "avatar" in like
    [notice] = _rows(client.get("/notifications/?tab=notices").content.decode())
    assert "你的笔记正在由人工审核，审核通过后才会对他人显示。" in notice
    assert f'href="/n/{held.pk}/"' in notice and "See the note" in notice
    assert "avatar" not in notice and "/u/" not in notice
    assert not Notification.objects.filter(recipient=author, read=False).exists()


def test_a_decision_links_to_the_statement_of_reasons(client, make_user, post_note, login):
    author, moderator = make_user(), make_user()
    Reviewer.objects.create(user=moderator, languages=["zh-Hans", "en"], senior=True)
    held = post_note(author, title="", body="你真是个傻逼，滚开", photos=0)
    item = ReviewItem.objects.get(target_id=held.pk)
    decisions.decide(user=moderator, item_id=item.pk, action="remove", reason_code="harassment")
    login(author)
    decided, under_review = _rows(client.get("/notifications/").content.decode())
    assert "Your note" in decided and 'href="/review/notices/"' in decided and "Statement of reasons" in decided
    # The removed note cannot be opened any more, so its earlier notice has no link.
    assert "Your note is being reviewed" in under_review and "href=" not in under_review


def test_the_review_notices_page_marks_moderation_notices_read(client, make_user, post_note, login):
    author = make_user()
    post_note(author, title="", body="你真是个傻逼，滚开", photos=0)
    login(author)
    assert _badge(client.get("/").content.decode()) == "1"
    assert "Your note is being reviewed" in client.get("/review/notices/").content.decode()
    assert _badge(client.get("/").content.decode()) is None
