"""The nudenet photo stage: it runs (no download), leaves ordinary photos alone, and a photo it cannot
read holds the note instead of publishing it unseen. No explicit image is in the repository; the
positive path (a detection becomes a hold) is covered with the detector's own output format."""

from __future__ import annotations

import io
import socket

import pytest
from django.test import Client
from PIL import Image

from review.screening import ScreenInput, screen
from review.stages import images

DEMO_PHOTOS = ["astronaut", "coffee", "chelsea", "camera", "rocket"]


def jpeg(name: str) -> bytes:
    from skimage import data

    out = io.BytesIO()
    Image.fromarray(getattr(data, name)()).save(out, format="JPEG", quality=90)
    return out.getvalue()


def test_detector_loads_from_the_wheel_without_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the photo detector tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    images._detector.cache_clear()
    try:
        assert images.status() == "available"
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize("name", DEMO_PHOTOS)
def test_demo_like_photos_are_not_flagged(tmp_path, name):
    path = tmp_path / f"{name}.jpg"
    path.write_bytes(jpeg(name))
    assert images.detect(str(path)) == []
    assert images.run([str(path)]) == []


def test_note_with_demo_photos_is_published(db, make_user, django_capture_on_commit_callbacks):
    from notes.models import Note, NoteState
    from notes.services import create_note, upload_photo

    author = make_user()
    ids = [upload_photo(owner=author, file=jpeg(name)).pk for name in ("astronaut", "chelsea")]
    with django_capture_on_commit_callbacks(execute=True):
        note = create_note(author=author, title="Weekend", body="Museum trip and the cat at home", photo_ids=ids)
    note = Note.objects.get(pk=note.pk)
    assert note.state == NoteState.PUBLISHED
    from review.models import ScreeningResult

    result = ScreeningResult.objects.filter(target_id=note.pk).latest("pk")
    assert "nudenet" in result.stages and "error" not in result.stages["nudenet"]


@pytest.mark.parametrize(
    "content",
    [b"", b"not an image at all", jpeg("coffee")[:300]],
    ids=["empty", "garbage", "truncated"],
)
def test_unreadable_photo_is_a_clear_error(tmp_path, content):
    path = tmp_path / "broken.jpg"
    path.write_bytes(content)
    with pytest.raises(images.PhotoUnreadable, match=r"broken\.jpg could not be read"):
        images.run([str(path)])


def test_missing_photo_file_holds_the_item(db, tmp_path):
    verdict = screen(
        ScreenInput(text="Sunset at the beach", photo_paths=[str(tmp_path / "gone.jpg")]),
        use_llm=False,
        use_duplicates=False,
    )
    assert verdict.outcome == "hold" and verdict.errors == ["nudenet"]
    assert any("stage nudenet failed" in r for r in verdict.reasons)


def test_note_whose_photo_cannot_be_read_is_held_not_published(db, make_user, django_capture_on_commit_callbacks):
    from notes.models import Note, NoteState
    from notes.services import create_note, upload_photo

    author = make_user()
    photo = upload_photo(owner=author, file=jpeg("coffee"))
    # The stored original is damaged between upload and screening (disk fault, partial copy).
    with open(photo.original.path, "wb") as fh:
        fh.write(b"\x00" * 64)
    with django_capture_on_commit_callbacks(execute=True):
        note = create_note(author=author, title="Coffee", body="Morning espresso", photo_ids=[photo.pk])
    assert Note.objects.get(pk=note.pk).state == NoteState.HELD


def test_an_explicit_detection_holds_but_never_rejects(db, tmp_path, monkeypatch):
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg("coffee"))
    detector = images.detector()
    # The detector's own output format for an explicit region (no explicit picture in the repository).
    monkeypatch.setattr(
        detector, "detect", lambda image: [{"class": "FEMALE_BREAST_EXPOSED", "score": 0.93, "box": [1, 1, 5, 5]}]
    )
    verdict = screen(ScreenInput(text="at the beach", photo_paths=[str(path)]), use_llm=False, use_duplicates=False)
    assert verdict.outcome == "hold" and "sexual" in verdict.labels
    low = [{"class": "FEMALE_BREAST_EXPOSED", "score": 0.3, "box": [1, 1, 5, 5]}]
    monkeypatch.setattr(detector, "detect", lambda image: low)
    assert images.run([str(path)]) == []


def test_status_endpoint_reports_both_classifiers_available(db, make_user):
    admin = make_user()
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    body = client.get("/api/nb/v1/review/status").json()
    assert body["nudenet"] == "available"
    assert body["embedding"].startswith("available (")
