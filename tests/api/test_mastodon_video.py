"""Video through the Mastodon API, with Mastodon's asynchronous media semantics: ``POST /api/v2/media``
answers 202 with ``url: null``; ``GET /api/v1/media/:id`` 206 while processing and 200 when ready; a
status cannot use a video before that; the status then carries a ``video`` attachment."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from notes.models import Note, Video, VideoState
from tests.videos import HLS_PLAYLIST, corrupt_video, needs_ffmpeg, ten_hour_video, video_bytes, zip_bomb

pytestmark = needs_ffmpeg


def _send(api, path, content: bytes, name="clip.mp4", content_type="video/mp4", **fields):
    return api.client.post(
        path,
        {"file": SimpleUploadedFile(name, content, content_type), **fields},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )


def _stored(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def process(django_capture_on_commit_callbacks):
    """Run the worker's step for a video, with what its commit triggers."""
    from notes.videos import process_video

    def run(video_id: int) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            process_video(video_id=video_id)

    return run


def test_upload_is_accepted_then_processed(make_user, client_for, settings, process):
    settings.REVIEW_SCREENING = False
    api = client_for(make_user())
    response = _send(api, "/api/v2/media", video_bytes(seconds=2.0, size="640x480"), description="A test card")
    assert response.status_code == 202
    entity = response.json()
    assert entity["type"] == "video" and entity["url"] is None and entity["preview_url"] is None
    assert entity["description"] == "A test card"

    shown = api.get(f"/api/v1/media/{entity['id']}")
    assert shown.status_code == 206 and shown.json()["url"] is None

    premature = api.post("/api/v1/statuses", {"status": "Too soon", "media_ids": [entity["id"]]})
    assert premature.status_code == 422
    assert "finished processing" in premature.json()["error"]
    assert not Note.objects.exists()

    process(int(entity["id"]))
    ready = api.get(f"/api/v1/media/{entity['id']}")
    assert ready.status_code == 200
    media = ready.json()
    assert media["url"].endswith(".mp4") and media["preview_url"].endswith(".jpg") and media["blurhash"]
    assert media["meta"]["original"]["width"] == 640 and 1.9 < media["meta"]["duration"] < 2.2
    assert media["meta"]["length"].startswith("0:00:0")

    posted = api.post("/api/v1/statuses", {"status": "Test card\nwith a tone", "media_ids": [entity["id"]]})
    assert posted.status_code == 200
    attachments = posted.json()["media_attachments"]
    assert [(a["id"], a["type"]) for a in attachments] == [(entity["id"], "video")]
    status = api.get(f"/api/v1/statuses/{posted.json()['id']}").json()
    assert status["media_attachments"][0]["url"] == media["url"]
    only_media = api.get("/api/v1/timelines/public", {"only_media": "true"}).json()
    assert [s["id"] for s in only_media] == [posted.json()["id"]]


def test_v1_upload_answers_200_with_the_entity_processing(make_user, client_for):
    api = client_for(make_user())
    response = _send(api, "/api/v1/media", video_bytes())
    assert response.status_code == 200
    assert response.json()["type"] == "video" and response.json()["url"] is None


def test_a_video_that_fails_processing_answers_422(make_user, client_for, settings, process):
    api = client_for(make_user())
    response = _send(api, "/api/v2/media", corrupt_video())
    assert response.status_code == 202
    process(int(response.json()["id"]))
    failed = api.get(f"/api/v1/media/{response.json()['id']}")
    assert failed.status_code == 422 and "damaged" in failed.json()["error"]
    posted = api.post("/api/v1/statuses", {"status": "Broken", "media_ids": [response.json()["id"]]})
    assert posted.status_code == 422
    assert _stored(settings) == [] and not Note.objects.exists()


def test_description_can_be_set_while_processing(make_user, client_for):
    api = client_for(make_user())
    entity = _send(api, "/api/v2/media", video_bytes()).json()
    updated = api.put(f"/api/v1/media/{entity['id']}", {"description": "Colour bars"})
    assert updated.status_code == 206 and updated.json()["description"] == "Colour bars"


def test_someone_elses_video_is_not_found(make_user, client_for):
    owner, other = make_user(), make_user()
    entity = _send(client_for(owner), "/api/v2/media", video_bytes()).json()
    assert client_for(other).get(f"/api/v1/media/{entity['id']}").status_code == 404
    assert client_for(other).put(f"/api/v1/media/{entity['id']}", {"description": "x"}).status_code == 404
    stolen = client_for(other).post("/api/v1/statuses", {"status": "Mine", "media_ids": [entity["id"]]})
    assert stolen.status_code == 422
    assert Video.objects.get(pk=entity["id"]).note_id is None


@pytest.mark.parametrize(
    ("content", "name", "content_type", "message"),
    [
        (b"definitely not a video", "clip.mp4", "video/mp4", "not a video"),
        (zip_bomb(), "holiday.mp4", "video/mp4", "not a video"),
        (HLS_PLAYLIST, "playlist.mp4", "video/mp4", "not a video"),
        (ten_hour_video(), "ten-hours.mp4", "video/mp4", "too long"),
        (video_bytes(), "../../../etc/passwd;rm -rf ~.mp4", "video/mp4", None),
    ],
    ids=["text", "zip-bomb", "hls-playlist", "ten-hours", "hostile-filename"],
)
def test_bad_uploads_get_a_clear_422_and_leave_nothing(
    make_user, client_for, settings, content, name, content_type, message
):
    api = client_for(make_user())
    response = _send(api, "/api/v2/media", content, name=name, content_type=content_type)
    if message is None:  # a good video under a hostile name: stored under its own id, the name unused
        assert response.status_code == 202
        video = Video.objects.get()
        name = video.source.name or ""
        assert ".." not in name and "passwd" not in name
        assert all(Path(settings.MEDIA_ROOT) in p.parents for p in _stored(settings))
        return
    assert response.status_code == 422
    assert message in response.json()["error"]
    assert not Video.objects.exists() and _stored(settings) == []


def test_one_video_per_status_and_not_with_photos(make_user, client_for, photo_bytes, process):
    api = client_for(make_user())
    first = _send(api, "/api/v2/media", video_bytes(seed=6)).json()["id"]
    second = _send(api, "/api/v2/media", video_bytes(seed=7)).json()["id"]
    photo = _send(api, "/api/v2/media", photo_bytes(), name="p.jpg", content_type="image/jpeg").json()["id"]
    process(int(first))
    process(int(second))
    assert api.post("/api/v1/statuses", {"status": "Two", "media_ids": [first, second]}).status_code == 422
    mixed = api.post("/api/v1/statuses", {"status": "Mixed", "media_ids": [photo, first]})
    assert mixed.status_code == 422 and "one video" in mixed.json()["error"]
    assert not Note.objects.exists()
    assert Video.objects.filter(state=VideoState.READY, note__isnull=True).count() == 2


def test_instance_advertises_video_limits(client_for, settings):
    config = client_for().get("/api/v2/instance").json()["configuration"]["media_attachments"]
    assert "video/mp4" in config["supported_mime_types"]
    assert config["video_size_limit"] == settings.VIDEO_MAX_BYTES
    settings.FFMPEG_BINARY = "/nonexistent/ffmpeg"
    config = client_for().get("/api/v2/instance").json()["configuration"]["media_attachments"]
    assert "video/mp4" not in config["supported_mime_types"] and config["video_size_limit"] == 0


def test_without_ffmpeg_a_video_upload_answers_503(make_user, client_for, settings):
    settings.FFPROBE_BINARY = "/nonexistent/ffprobe"
    response = _send(client_for(make_user()), "/api/v2/media", video_bytes())
    assert response.status_code == 503 and "not available" in response.json()["error"]
    assert not Video.objects.exists()
