"""Photo renditions on the media worker (notes/photos.py): the upload is answered at once, nothing of
it is shown until the worker is done, a note waits for its photos, and a bad file fails with a reason."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from notes.models import Note, NoteState, Photo, PhotoState
from notes.photos import make_renditions, receive_photo
from tests.conftest import image_bytes


def _login(client, user):
    """Sign in through the real log-in form."""
    assert client.post("/login/", {"username": user.username, "password": "correct horse battery"}).status_code == 302


def _with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (40.0, 26.0, 46.0), 3: "W", 4: (79.0, 58.0, 56.0)}  # GPSInfo
    return image_bytes(exif=exif.tobytes())


def _truncated() -> bytes:
    """A JPEG whose header is fine (size, type) but whose body is cut off: only decoding finds out."""
    data = image_bytes(size=(1200, 900))
    return data[: len(data) // 3]


def test_an_upload_is_stored_as_is_and_answered_before_any_rendition(make_user, django_capture_on_commit_callbacks):
    alice = make_user()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        photo = receive_photo(owner=alice, file=_with_gps(), alt_text="A bowl of noodles")
    assert photo.state == PhotoState.PROCESSING
    assert photo.source.name and not photo.original and not photo.large and not photo.thumb
    assert default_storage.exists(photo.source.name)
    assert len(photo.source.name.rsplit("/", 1)[-1]) > 40  # the id and 32 random hex digits: unguessable
    assert len(queued) == 1  # the renditions task, enqueued once the upload commits

    source_name = photo.source.name
    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:  # the media worker
            callback()
    photo.refresh_from_db()
    assert photo.state == PhotoState.READY and photo.processed_at is not None
    assert not photo.source.name and not default_storage.exists(source_name)  # the upload is deleted
    with default_storage.open(photo.original.name or "") as handle:
        original = Image.open(io.BytesIO(handle.read()))
    assert 0x8825 not in original.getexif()  # the location is stripped from every rendition
    assert photo.width == 640 and photo.blurhash and photo.phash
    again = make_renditions(photo_id=photo.pk)  # idempotent: a ready photo is left alone
    assert again is not None and again.processed_at == photo.processed_at


def test_a_file_that_does_not_decode_fails_with_its_reason_and_leaves_no_file(make_user, on_commit):
    alice = make_user()
    with on_commit():
        photo = receive_photo(owner=alice, file=_truncated())
    photo.refresh_from_db()
    assert photo.state == PhotoState.FAILED
    assert "damaged" in photo.error
    assert photo.stored_names() == []
    assert not any(default_storage.listdir("photos/src")[1]) if default_storage.exists("photos/src") else True


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", "empty_file"), (b"not an image at all", "not_an_image"), (b"GIF89a" + b"\x00" * 20, "not_an_image")],
)
def test_refused_uploads_leave_no_row_and_no_file(make_user, data, code):
    from core.images import PhotoRejected

    with pytest.raises(PhotoRejected) as refused:
        receive_photo(owner=make_user(), file=data)
    assert refused.value.code == code
    assert not Photo.objects.exists()


def test_web_compose_without_javascript_waits_for_the_renditions(client, make_user, django_capture_on_commit_callbacks):
    alice, bob = make_user("alice"), make_user("bob")
    _login(client, alice)
    files = [SimpleUploadedFile(f"{i}.jpg", image_bytes(color=(i * 60, 80, 90)), "image/jpeg") for i in range(2)]
    with django_capture_on_commit_callbacks(execute=False) as worker_jobs:
        response = client.post(
            "/compose/", {"title": "Dumplings", "body": "Steamed", "visibility": "public", "photos": files}
        )
    assert response.status_code == 302
    note = Note.objects.get()
    assert note.state == NoteState.PROCESSING
    page = client.get(f"/n/{note.pk}/")
    assert page.status_code == 200
    assert b"Your photos are being processed" in page.content and b'http-equiv="refresh"' in page.content
    assert b'<img src=""' not in page.content  # no broken image while there is no rendition
    assert page.content.count(b'class="photo-pending') == 2
    others = Client()
    _login(others, bob)
    assert others.get(f"/n/{note.pk}/").status_code == 404  # nobody else sees it yet

    with django_capture_on_commit_callbacks(execute=True):
        for job in worker_jobs:  # the media worker, later: renditions, then screening publishes
            job()
    note.refresh_from_db()
    assert note.state == NoteState.PUBLISHED
    page = client.get(f"/n/{note.pk}/")
    assert page.status_code == 200
    assert page.content.count(b"/media/photos/l/") >= 2 and b"being processed" not in page.content
    assert others.get(f"/n/{note.pk}/").status_code == 200


def test_a_failed_photo_leaves_the_note_which_goes_on_with_the_others(
    client, make_user, django_capture_on_commit_callbacks
):
    alice = make_user("alice")
    _login(client, alice)
    files = [
        SimpleUploadedFile("good.jpg", image_bytes(), "image/jpeg"),
        SimpleUploadedFile("cut.jpg", _truncated(), "image/jpeg"),
    ]
    with django_capture_on_commit_callbacks(execute=False) as worker_jobs:
        client.post("/compose/", {"title": "Two", "body": "photos", "visibility": "public", "photos": files})
    note = Note.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        for job in worker_jobs:
            job()
    note.refresh_from_db()
    assert note.state == NoteState.PUBLISHED
    assert [p.state for p in note.photos.all()] == [PhotoState.READY]
    assert Photo.objects.get(state=PhotoState.FAILED).note_id is None
