from notes.services import create_comment, like_note
from notifications.models import Notification


def test_notifications_list_and_mark_read(client, make_user, post_note, login):
    alice, bob = make_user("alice"), make_user("bob", display_name="Bob")
    note = post_note(alice, title="My note")
    like_note(user=bob, note_id=note.pk)
    create_comment(author=bob, note_id=note.pk, body="so good")
    login(alice)
    assert 'class="badge"' in client.get("/").content.decode()
    html = client.get("/notifications/").content.decode()
    assert "Bob" in html and "liked your note" in html and "so good" in html and "My note" in html
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
