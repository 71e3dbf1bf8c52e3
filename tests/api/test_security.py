"""Who may do what through the APIs, and how bad input is refused (clear 4xx, nothing half-written)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import User
from notes.models import Board, Comment, Like, Note, Photo
from notes.services import create_board

# --- Mastodon API ------------------------------------------------------------------------------


def test_missing_and_invalid_tokens(db):
    assert Client().get("/api/v1/timelines/home").status_code == 401
    bad = Client().get("/api/v1/timelines/home", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert bad.status_code == 401 and bad.json() == {"error": "The access token is invalid"}
    # Public reads with a bad token are refused too, not silently anonymous.
    assert Client().get("/api/v1/timelines/public", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_read_only_token_cannot_write(make_user, make_note, client_for):
    alice = make_user()
    note = make_note(make_user())
    reader = client_for(alice, scopes="read")
    assert reader.get("/api/v1/timelines/home").status_code == 200
    refused = reader.post("/api/v1/statuses", {"status": "hello"})
    assert refused.status_code == 403 and "scope" in refused.json()["error"]
    assert reader.post(f"/api/v1/statuses/{note.pk}/favourite").status_code == 403
    assert Note.objects.filter(author=alice).count() == 0 and Like.objects.count() == 0
    granular = client_for(alice, scopes="read:statuses write:favourites")
    assert granular.post(f"/api/v1/statuses/{note.pk}/favourite").status_code == 200
    assert granular.post("/api/v1/statuses", {"status": "x"}).status_code == 403
    assert granular.get("/api/v1/notifications").status_code == 403
    follow_scope = client_for(alice, scopes="follow")
    assert follow_scope.post(f"/api/v1/accounts/{note.author_id}/follow").status_code == 200


def test_others_notes_cannot_be_deleted(make_user, make_note, client_for):
    alice, mallory = make_user(), make_user()
    note = make_note(alice)
    response = client_for(mallory).delete(f"/api/v1/statuses/{note.pk}")
    assert response.status_code in (403, 404) and "error" in response.json()
    assert Note.objects.filter(pk=note.pk).exists()


def test_others_media_cannot_be_attached_or_edited(make_user, client_for):
    alice, mallory = make_user(), make_user()
    photo = Photo.objects.create(owner=alice, original="x.jpg", width=1, height=1)
    api = client_for(mallory)
    response = api.post("/api/v1/statuses", {"status": "stolen", "media_ids": [str(photo.pk)]})
    assert response.status_code == 422
    assert api.put(f"/api/v1/media/{photo.pk}", {"description": "mine"}).status_code == 404
    assert Note.objects.count() == 0
    photo.refresh_from_db()
    assert photo.note_id is None and photo.alt_text == ""


def test_malformed_bodies_and_wrong_types(make_user, client_for):
    api = client_for(make_user())
    broken = api.raw("POST", "/api/v1/statuses", "{not json", "application/json")
    assert broken.status_code == 400 and broken.json() == {"error": "Malformed JSON body"}
    assert api.raw("POST", "/api/v1/statuses", "[1, 2]", "application/json").status_code == 400
    assert api.post("/api/v1/statuses", {"status": ["a", "list"]}).status_code == 422
    assert api.post("/api/v1/statuses", {"status": "x", "media_ids": "12abc"}).status_code == 422
    assert api.post("/api/v1/statuses", {"status": "x", "visibility": "direct"}).status_code == 422
    assert api.post("/api/v1/statuses", {"status": "x", "visibility": "everyone"}).status_code == 422
    assert api.post("/api/v1/statuses", {"status": "x", "poll": {"options": ["a"]}}).status_code == 422
    assert api.get("/api/v1/timelines/home", {"max_id": "abc"}).status_code == 422
    assert api.get("/api/v1/timelines/home", {"limit": "many"}).status_code == 422
    assert Note.objects.count() == 0


DEEP_BODIES = ["[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000]  # about 2 KB each


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/api/v1/statuses"),
        ("POST", "/api/v1/apps"),
        ("POST", "/api/v1/reports"),
        ("POST", "/api/v1/markers"),
        ("PUT", "/api/v1/media/{photo}"),
        ("POST", "/oauth/token"),
        ("POST", "/oauth/revoke"),
        ("POST", "/api/nb/v1/notes"),
        ("PATCH", "/api/nb/v1/profiles/me"),
    ],
)
def test_json_nested_too_deep_is_400_not_a_server_error(make_user, client_for, photo_bytes, method, path):
    user = make_user()
    api = client_for(user)
    photo = api.client.post("/api/v2/media", {"file": SimpleUploadedFile("p.jpg", photo_bytes())}, **api._headers())
    for body in DEEP_BODIES:
        response = api.raw(method, path.format(photo=photo.json()["id"]), body, "application/json")
        assert response.status_code == 400, (path, response.content[:200])
        assert "error" in response.json()
    assert Note.objects.count() == 0


@pytest.mark.parametrize("body", ['"hello string body"', "12", "true", "null", '["title", "body"]'])
def test_native_body_that_is_not_an_object_is_refused(make_user, client_for, body):
    """A bare JSON string once became a note titled "Hello String Body" (``str.title`` read as the field)."""
    api = client_for(make_user())
    for path in ("/api/nb/v1/notes", "/api/nb/v1/boards"):
        response = api.raw("POST", path, body, "application/json")
        assert response.status_code in (400, 422), (path, body, response.content)
        assert "error" in response.json()
    assert Note.objects.count() == 0 and Board.objects.filter(is_default=False).count() == 0


def test_oversize_text_is_refused_and_nothing_written(make_user, client_for):
    api = client_for(make_user())
    response = api.post("/api/v1/statuses", {"status": "y" * 5001})
    assert response.status_code == 422 and "too long" in response.json()["error"]
    assert api.post("/api/v1/statuses", {"status": "z" * 20_001}).status_code == 422
    assert Note.objects.count() == 0


@pytest.mark.parametrize(
    "payload,name",
    [
        (b"GIF89a not really a gif", "fake.gif"),
        (b"<?php echo 'hi'; ?>", "shell.jpg"),
        (b"", "empty.jpg"),
    ],
)
def test_fake_images_are_refused(make_user, client_for, payload, name):
    api = client_for(make_user())
    response = api.client.post(
        "/api/v2/media",
        {"file": SimpleUploadedFile(name, payload, "image/jpeg")},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert response.status_code == 422
    assert response.json()["error"]
    assert Photo.objects.count() == 0


def test_upload_without_file_is_refused(make_user, client_for):
    api = client_for(make_user())
    response = api.post("/api/v2/media", {"description": "nothing"}, form=True)
    assert response.status_code == 422 and "File" in response.json()["error"]


def test_unknown_ids_are_404(make_user, client_for):
    api = client_for(make_user())
    for path in [
        "/api/v1/statuses/123456789",
        "/api/v1/statuses/not-an-id",
        "/api/v1/statuses/99999999999999999999999",
        "/api/v1/accounts/123",
        "/api/v1/media/123",
        "/api/v1/statuses/123/context",
    ]:
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"error": "Record not found"}
    assert api.post("/api/v1/statuses/123/favourite").status_code == 404
    assert api.post("/api/v1/accounts/123/follow").status_code == 404
    assert api.post("/api/v1/statuses", {"status": "hi", "in_reply_to_id": "123"}).status_code == 404
    assert Comment.objects.count() == 0


def test_wrong_method_is_405(make_user, make_note, client_for):
    api = client_for(make_user())
    note = make_note(make_user())
    assert api.put("/api/v1/statuses").status_code == 405
    assert api.get(f"/api/v1/statuses/{note.pk}/favourite").status_code == 405  # no writes by GET
    assert api.post("/api/v1/timelines/home").status_code == 405
    assert Client().get("/api/v1/apps").status_code == 405
    assert Like.objects.count() == 0


def test_deactivated_user_token_is_refused(make_user, client_for):
    alice = make_user()
    api = client_for(alice)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    from api.auth import forget_user

    forget_user(alice.pk)  # what deactivation must do; otherwise the cached user lapses within 30 s
    assert api.get("/api/v1/timelines/home").status_code == 403


# --- native API ---------------------------------------------------------------------------------


def test_native_notes_are_edited_and_deleted_by_their_author_only(make_user, make_note, client_for):
    alice, mallory = make_user(), make_user()
    note = make_note(alice, title="Mine")
    api = client_for(mallory)
    assert api.patch(f"/api/nb/v1/notes/{note.pk}", {"title": "Hacked"}).status_code == 403
    assert api.delete(f"/api/nb/v1/notes/{note.pk}").status_code == 403
    note.refresh_from_db()
    assert note.title == "Mine"


def test_native_private_boards_are_404_to_others(make_user, make_note, client_for):
    alice, bob = make_user(), make_user()
    secret = create_board(owner=alice, name="Secret", is_private=True)
    assert client_for(bob).get(f"/api/nb/v1/boards/{secret.pk}").status_code == 404
    assert Client().get(f"/api/nb/v1/boards/{secret.pk}").status_code == 404
    assert client_for(alice).get(f"/api/nb/v1/boards/{secret.pk}").status_code == 200
    note = make_note(bob)
    sneaky = client_for(bob).post(f"/api/nb/v1/boards/{secret.pk}/notes", {"note_id": str(note.pk)})
    assert sneaky.status_code == 404
    assert client_for(bob).delete(f"/api/nb/v1/boards/{secret.pk}").status_code == 404
    assert Board.objects.filter(pk=secret.pk).exists()


def test_native_bad_input(make_user, client_for):
    api = client_for(make_user())
    broken = api.raw("POST", "/api/nb/v1/notes", "{oops", "application/json")
    assert broken.status_code in (400, 422) and "error" in broken.json()
    wrong = api.post("/api/nb/v1/notes", {"title": 12, "body": ["x"]})
    assert wrong.status_code == 422 and wrong.json()["error"] == "Invalid input"
    long = api.post("/api/nb/v1/notes", {"title": "t" * 101, "body": "b"})
    assert long.status_code == 422 and long.json()["field"] == "title"
    assert api.post("/api/nb/v1/notes", {"title": "x", "photo_ids": ["abc"]}).status_code == 422
    assert api.get("/api/nb/v1/discover", {"cursor": "zzz"}).status_code == 422
    assert api.get("/api/nb/v1/profiles/nobody_here/notes", {"cursor": "-1"}).status_code == 404
    assert api.get("/api/nb/v1/notes/123").status_code == 404
    assert api.get("/api/nb/v1/notes/abc").status_code == 404
    assert Note.objects.count() == 0


def test_native_auth_session_needs_csrf_and_token_needs_scope(make_user, client_for):
    alice = make_user()
    assert (
        Client().post("/api/nb/v1/notes", json.dumps({"title": "x"}), content_type="application/json").status_code
        == 401
    )
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.get("/api/nb/v1/profiles/me").json()["username"] == alice.username
    no_csrf = browser.post("/api/nb/v1/notes", json.dumps({"title": "x"}), content_type="application/json")
    assert no_csrf.status_code in (401, 403)
    reader = client_for(alice, scopes="read")
    assert reader.post("/api/nb/v1/notes", {"title": "x"}).status_code == 403
    assert Note.objects.count() == 0


def test_oversize_photo_and_body(make_user, client_for, settings):
    api = client_for(make_user())
    settings.PHOTO_MAX_BYTES = 10_000
    from tests.conftest import image_bytes

    big = image_bytes(size=(1200, 900))
    assert len(big) > 10_000
    response = api.client.post(
        "/api/v2/media",
        {"file": SimpleUploadedFile("big.jpg", big, "image/jpeg")},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert response.status_code == 422 and "too large" in response.json()["error"]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    huge = api.raw("POST", "/api/v1/statuses", json.dumps({"status": "x" * 2000}), "application/json")
    assert huge.status_code == 413 and huge.json() == {"error": "The request is too large"}
    assert Photo.objects.count() == 0 and Note.objects.count() == 0
