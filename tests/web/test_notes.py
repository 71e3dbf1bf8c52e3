from accounts.services import block
from notes.models import Board, Collect, Comment, Like
from notes.services import create_board, create_comment


def test_note_page_shows_everything(client, make_user, post_note):
    alice = make_user("alice", display_name="Alice")
    note = post_note(alice, title="Best dumplings", body="Pork and chive", photos=2, tags=["food"], place="Flushing")
    html = client.get(f"/n/{note.pk}/").content.decode()
    assert "Best dumplings" in html and "Pork and chive" in html
    assert "#food" in html and "Flushing" in html
    assert html.count('class="slide"') == 2
    assert 'href="/u/alice/"' in html
    assert "<time datetime=" in html


def test_note_page_missing_or_hidden_is_404(client, make_user, post_note, login):
    alice, bob = make_user(), make_user()
    secret = post_note(alice, visibility="followers")
    assert client.get("/n/999/").status_code == 404
    assert client.get(f"/n/{secret.pk}/").status_code == 404
    login(bob)
    assert client.get(f"/n/{secret.pk}/").status_code == 404
    block(blocker=alice, blocked=bob)
    public = post_note(alice)
    assert client.get(f"/n/{public.pk}/").status_code == 404


def test_like_needs_login(client, make_user, post_note):
    note = post_note(make_user())
    response = client.post(f"/n/{note.pk}/like/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    response = client.post(f"/n/{note.pk}/like/", headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/login/")
    assert not Like.objects.exists()


def test_like_and_unlike_without_and_with_htmx(client, make_user, post_note, login):
    note = post_note(make_user())
    login(make_user())
    response = client.post(f"/n/{note.pk}/like/", {"action": "like"})
    assert response.status_code == 302 and response["Location"] == f"/n/{note.pk}/"
    assert Like.objects.filter(note=note).count() == 1
    response = client.post(f"/n/{note.pk}/like/", {"action": "unlike"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="note-actions"' in response.content.decode() and "<html" not in response.content.decode()
    assert not Like.objects.exists()
    assert client.get("/").status_code == 200


def test_like_hidden_note_is_404(client, make_user, post_note, login):
    note = post_note(make_user(), visibility="followers")
    login(make_user())
    assert client.post(f"/n/{note.pk}/like/").status_code == 404
    assert client.post("/n/12345/like/").status_code == 404


def test_like_is_post_only(client, make_user, post_note, login):
    note = post_note(make_user())
    login(make_user())
    assert client.get(f"/n/{note.pk}/like/").status_code == 405


def test_collect_into_new_board_and_existing(client, make_user, post_note, login):
    note = post_note(make_user())
    bob = make_user()
    login(bob)
    client.post(f"/n/{note.pk}/collect/", {"new_board": "Trip to NYC"})
    board = Board.objects.get(owner=bob, name="Trip to NYC")
    assert Collect.objects.filter(board=board, note=note).exists()
    saved = Board.objects.get(owner=bob, is_default=True)
    response = client.post(f"/n/{note.pk}/collect/", {"board": saved.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Collected" in response.content.decode()
    assert Collect.objects.filter(board=saved, note=note).exists()
    client.post(f"/n/{note.pk}/collect/", {"action": "uncollect"})
    assert not Collect.objects.filter(user=bob).exists()


def test_collect_into_someone_elses_board_is_404(client, make_user, post_note, login):
    alice = make_user()
    note = post_note(alice)
    theirs = create_board(owner=alice, name="mine")
    login(make_user())
    assert client.post(f"/n/{note.pk}/collect/", {"board": theirs.pk}).status_code == 404
    assert not Collect.objects.exists()


def test_comment_reply_and_errors(client, make_user, post_note, login):
    alice = make_user()
    note = post_note(alice)
    bob = make_user("bob")
    login(bob)
    response = client.post(f"/n/{note.pk}/comments/", {"body": "Looks great!"})
    assert response.status_code == 302
    top = Comment.objects.get()
    response = client.post(
        f"/n/{note.pk}/comments/", {"body": "thanks", "parent": top.pk}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "Looks great!" in html and "thanks" in html and 'class="replies"' in html
    reply = Comment.objects.exclude(pk=top.pk).get()
    assert reply.parent_id == top.pk
    # An empty comment shows the error next to the field, in the partial.
    response = client.post(f"/n/{note.pk}/comments/", {"body": "  "}, headers={"HX-Request": "true"})
    assert 'class="field-error"' in response.content.decode()
    assert Comment.objects.count() == 2
    # Replying to a comment of another note is refused as missing.
    other = post_note(alice)
    response = client.post(f"/n/{other.pk}/comments/", {"body": "x", "parent": top.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 404


def test_reply_link_prefills_parent_without_js(client, make_user, post_note, login):
    note = post_note(make_user())
    comment = create_comment(author=make_user(), note_id=note.pk, body="hi")
    login(make_user())
    html = client.get(f"/n/{note.pk}/?reply={comment.pk}").content.decode()
    assert f'name="parent" value="{comment.pk}"' in html


def test_delete_comment_only_own(client, make_user, post_note, login):
    note = post_note(make_user())
    comment = create_comment(author=make_user(), note_id=note.pk, body="hi")
    login(make_user())
    assert client.post(f"/comments/{comment.pk}/delete/").status_code == 404
    assert Comment.objects.exists()


def test_delete_note_only_by_author(client, make_user, post_note, login):
    alice = make_user()
    note = post_note(alice)
    login(make_user())
    assert client.post(f"/n/{note.pk}/delete/").status_code == 404
    client.logout()
    login(alice)
    response = client.post(f"/n/{note.pk}/delete/")
    assert response.status_code == 302
    assert client.get(f"/n/{note.pk}/").status_code == 404
