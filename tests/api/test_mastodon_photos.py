"""Mastodon's asynchronous media semantics for photos (api/mastodon/media.py): 202 and url null while the
worker makes the renditions, 206/200/422 on GET, and a status refused (422) until its photos are ready."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from notes.models import Note
from tests.conftest import image_bytes

NOT_READY = "Cannot attach files that have not finished processing. Try again in a moment!"


def _upload(api, path: str = "/api/v2/media", data: bytes | None = None):
    return api.client.post(
        path,
        {"file": SimpleUploadedFile("p.jpg", data or image_bytes(), "image/jpeg"), "description": "Noodles"},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )


def test_a_photo_is_accepted_then_processed_then_postable(make_user, client_for, django_capture_on_commit_callbacks):
    api = client_for(make_user())
    with django_capture_on_commit_callbacks(execute=False) as worker_jobs:
        accepted = _upload(api)
    assert accepted.status_code == 202
    entity = accepted.json()
    assert entity["type"] == "image" and entity["url"] is None and entity["preview_url"] is None
    assert entity["description"] == "Noodles"
    assert api.get(f"/api/v1/media/{entity['id']}").status_code == 206
    refused = api.post("/api/v1/statuses", {"status": "Lunch", "media_ids": [entity["id"]]})
    assert refused.status_code == 422 and refused.json()["error"] == NOT_READY
    assert not Note.objects.exists()

    for job in worker_jobs:  # the media worker
        job()
    ready = api.get(f"/api/v1/media/{entity['id']}")
    assert ready.status_code == 200 and "/media/photos/l/" in ready.json()["url"]
    assert ready.json()["meta"]["original"]["width"] == 640
    with django_capture_on_commit_callbacks(execute=True):
        posted = api.post("/api/v1/statuses", {"status": "Lunch", "media_ids": [entity["id"]]})
    assert posted.status_code == 200 and posted.json()["media_attachments"][0]["id"] == entity["id"]


@pytest.mark.django_db(transaction=True)
def test_an_upload_already_processed_answers_200(make_user, client_for):
    api = client_for(make_user())
    done = _upload(api)  # real commits: the (immediate) worker is done before the answer is written
    assert done.status_code == 200 and done.json()["url"]
    v1 = _upload(client_for(make_user()), "/api/v1/media")
    assert v1.status_code == 200  # v1 has no 202: always the entity as it is


def test_a_photo_that_cannot_be_processed_is_422_with_the_reason(make_user, client_for, on_commit):
    api = client_for(make_user())
    data = image_bytes(size=(1200, 900))
    with on_commit():
        accepted = _upload(api, data=data[: len(data) // 3])
    failed = api.get(f"/api/v1/media/{accepted.json()['id']}")
    assert failed.status_code == 422 and "damaged" in failed.json()["error"]
    posted = api.post("/api/v1/statuses", {"status": "x", "media_ids": [accepted.json()["id"]]})
    assert posted.status_code == 422
    assert not Note.objects.exists()


def test_editing_a_status_with_a_processing_photo_is_422(make_user, make_note, client_for):
    alice = make_user()
    note = make_note(alice)
    api = client_for(alice)
    pending = _upload(api).json()["id"]  # no commit runs here: it stays processing
    edited = api.put(f"/api/v1/statuses/{note.pk}", {"status": "New text", "media_ids": [pending]})
    assert edited.status_code == 422 and edited.json()["error"] == NOT_READY


def test_others_cannot_see_or_use_my_processing_photo(make_user, client_for):
    api = client_for(make_user())
    mine = _upload(api).json()["id"]
    other = client_for(make_user())
    assert other.get(f"/api/v1/media/{mine}").status_code == 404
    assert other.post("/api/v1/statuses", {"status": "x", "media_ids": [mine]}).status_code == 422
