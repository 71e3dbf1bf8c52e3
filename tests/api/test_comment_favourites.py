"""Favouriting a comment through the Mastodon API likes it, as the web's heart does."""

from __future__ import annotations

from accounts.services import block, follow
from notes.models import CommentLike
from notes.services import create_comment


def test_favourite_a_comment_and_see_it_everywhere(make_user, make_note, client_for):
    author, commenter, fan = make_user("author"), make_user("commenter"), make_user("fan")
    note = make_note(author)
    comment = create_comment(author=commenter, note_id=note.pk, body="Lovely @author")
    api = client_for(fan)
    faved = api.post(f"/api/v1/statuses/{comment.pk}/favourite")
    assert faved.status_code == 200
    assert faved.json()["id"] == str(comment.pk)
    assert faved.json()["favourited"] is True and faved.json()["favourites_count"] == 1
    again = api.post(f"/api/v1/statuses/{comment.pk}/favourite").json()
    assert again["favourites_count"] == 1
    assert api.get(f"/api/v1/statuses/{comment.pk}").json()["favourited"] is True
    descendants = api.get(f"/api/v1/statuses/{note.pk}/context").json()["descendants"]
    assert [(s["id"], s["favourited"]) for s in descendants] == [(str(comment.pk), True)]
    likers = api.get(f"/api/v1/statuses/{comment.pk}/favourited_by").json()
    assert [a["username"] for a in likers] == ["fan"]
    # The commenter hears of it as a favourite whose status is the comment.
    told = client_for(commenter).get("/api/v1/notifications", {"types[]": "favourite"}).json()
    assert [(n["type"], n["account"]["username"], n["status"]["id"]) for n in told] == [
        ("favourite", "fan", str(comment.pk))
    ]
    undone = api.post(f"/api/v1/statuses/{comment.pk}/unfavourite").json()
    assert undone["favourited"] is False and undone["favourites_count"] == 0


def test_a_comment_one_cannot_see_cannot_be_favourited(make_user, make_note, client_for):
    author, follower, stranger = make_user("author"), make_user("follower"), make_user("stranger")
    follow(follower=follower, followee=author)
    hidden = create_comment(author=follower, note_id=make_note(author, visibility="followers").pk, body="shh")
    api = client_for(stranger)
    assert api.post(f"/api/v1/statuses/{hidden.pk}/favourite").status_code == 404
    assert api.get(f"/api/v1/statuses/{hidden.pk}/favourited_by").status_code == 404
    shown = create_comment(author=author, note_id=make_note(author).pk, body="open")
    block(blocker=author, blocked=stranger)
    assert api.post(f"/api/v1/statuses/{shown.pk}/favourite").status_code == 404
    assert client_for(None).post(f"/api/v1/statuses/{shown.pk}/favourite").status_code == 401
    assert not CommentLike.objects.exists()
