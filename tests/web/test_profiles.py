from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Follow, User
from accounts.services import block, follow, update_profile
from notes.services import create_board
from tests.conftest import image_bytes


def test_profile_shows_notes_stats_and_public_boards(client, make_user, post_note):
    alice = make_user("alice", display_name="Alice")
    update_profile(user=alice, bio="I eat")
    post_note(alice, title="First")
    create_board(owner=alice, name="Open board")
    create_board(owner=alice, name="Hidden board", is_private=True)
    html = client.get("/u/alice/").content.decode()
    assert "Alice" in html and "I eat" in html and "First" in html
    assert "Open board" in html and "Hidden board" not in html
    assert "1 note" in html


def test_profile_missing_or_blocked_is_404(client, make_user, login):
    assert client.get("/u/nobody/").status_code == 404
    alice, bob = make_user("alice"), make_user("bob")
    block(blocker=alice, blocked=bob)
    login(bob)
    assert client.get("/u/alice/").status_code == 404


def test_own_profile_shows_private_boards_and_edit(client, make_user, login):
    alice = make_user("alice")
    create_board(owner=alice, name="Hidden board", is_private=True)
    login(alice)
    html = client.get("/u/alice/").content.decode()
    assert "Hidden board" in html and "/settings/profile/" in html


def test_follow_unfollow_and_lists(client, make_user, login):
    alice, bob = make_user("alice"), make_user("bob")
    login(bob)
    response = client.post("/u/alice/follow/", {"action": "follow"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'value="unfollow"' in response.content.decode()
    assert Follow.objects.filter(follower=bob, followee=alice).exists()
    assert "bob" in client.get("/u/alice/followers/").content.decode()
    assert "alice" in client.get("/u/bob/following/").content.decode()
    response = client.post("/u/alice/follow/", {"action": "unfollow"})
    assert response.status_code == 302
    assert not Follow.objects.exists()
    response = client.post("/u/bob/follow/", {"action": "follow"}, follow=True)
    assert "You cannot follow yourself." in response.content.decode()


def test_follow_needs_login(client, make_user):
    make_user("alice")
    assert client.post("/u/alice/follow/").status_code == 302
    assert not Follow.objects.exists()


def test_edit_profile(client, make_user, login):
    alice = make_user("alice")
    assert client.get("/settings/profile/").status_code == 302
    login(alice)
    avatar = SimpleUploadedFile("me.png", image_bytes("PNG"), content_type="image/png")
    response = client.post("/settings/profile/", {"display_name": "Alice W", "bio": "Hi", "avatar": avatar})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.display_name == "Alice W" and alice.bio == "Hi" and alice.avatar


def test_edit_profile_errors_next_to_fields(client, make_user, login):
    login(make_user("alice"))
    bad = SimpleUploadedFile("me.png", b"nope", content_type="image/png")
    response = client.post("/settings/profile/", {"display_name": "A", "bio": "x", "avatar": bad})
    assert response.status_code == 422
    assert 'id="id_avatar_error"' in response.content.decode()
    response = client.post("/settings/profile/", {"display_name": "A", "bio": "x" * 501})
    assert 'id="id_bio_error"' in response.content.decode()
    assert User.objects.get(username="alice").bio == ""


def test_profile_pagination_partial(client, make_user, post_note):
    alice = make_user("alice")
    notes = [post_note(alice, title=f"n{i}") for i in range(31)]
    html = client.get("/u/alice/").content.decode()
    assert html.count('class="card"') == 30
    response = client.get(f"/u/alice/?cursor={notes[1].pk}", headers={"HX-Request": "true"})
    assert response.content.decode().count('class="card"') == 1


def test_follow_lists_page_by_cursor_and_refuse_odd_ones(client, make_user):
    alice = make_user("alice")
    fans = [make_user() for _ in range(51)]
    for fan in fans:
        follow(follower=fan, followee=alice)
    html = client.get("/u/alice/followers/").content.decode()
    assert html.count('class="person"') == 50 and "?cursor=" in html
    assert f"@{fans[0].username}<" not in html  # the oldest follower is on the next page
    cursor = html.split("?cursor=")[1].split('"')[0]
    html = client.get("/u/alice/followers/", {"cursor": cursor}).content.decode()
    assert html.count('class="person"') == 1 and f"@{fans[0].username}" in html
    assert client.get("/u/alice/followers/", {"cursor": ""}).status_code == 200
    for cursor in ("abc", "-1", "9" * 30):
        assert client.get("/u/alice/followers/", {"cursor": cursor}).status_code == 404
    assert client.get("/u/nobody/following/").status_code == 404
