"""Video notes on the web: compose takes a video with the form (no JavaScript needed), the author sees
"processing" until the worker is done, then the note page plays it and feed cards show its poster with a
play mark and its length. Bad files get a clear message and leave nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from notes.models import Note, NoteState, Video, VideoState
from tests.videos import corrupt_video, needs_ffmpeg, ten_hour_video, video_bytes, zip_bomb

pytestmark = needs_ffmpeg


def clip(content: bytes | None = None, name: str = "clip.mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else video_bytes(seconds=2.0), "video/mp4")


def _stored(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _post(client, **fields):
    data = {"title": "Night market", "body": "Skewers and steam", "visibility": "public", "action": "post"}
    return client.post("/compose/", {**data, **fields})


def test_compose_offers_a_video_with_its_limits(client, make_user, login):
    login(make_user())
    page = client.get("/compose/").content.decode()
    assert 'name="video"' in page and "up to 100 MB and 180 seconds" in page


def test_without_ffmpeg_compose_says_video_is_unavailable(client, make_user, login, settings):
    settings.FFMPEG_BINARY = "/nonexistent/ffmpeg"
    login(make_user())
    page = client.get("/compose/").content.decode()
    assert 'name="video"' not in page and "Video is not available on this server" in page
    response = _post(client, video=clip())
    assert response.status_code == 422 and "Video is not available on this server" in response.content.decode()
    assert not Note.objects.exists() and not Video.objects.exists()


def test_post_a_video_note_processing_then_playing(
    client, make_user, login, settings, django_capture_on_commit_callbacks
):
    settings.REVIEW_SCREENING = False
    author = make_user("director")
    login(author)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _post(client, video=clip(video_bytes(seconds=2.0, size="640x480", seed=8)))
    assert response.status_code == 302
    note = Note.objects.get()
    assert note.state == NoteState.PROCESSING
    page = client.get(f"/n/{note.pk}/").content.decode()
    assert "Your video is being processed" in page and "<video" not in page
    assert '<meta http-equiv="refresh" content="10">' in page  # the author's page looks again by itself
    assert Client().get(f"/n/{note.pk}/").status_code == 404  # nobody else sees it yet

    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    note.refresh_from_db()
    assert note.state == NoteState.PUBLISHED
    video = Video.objects.get()
    page = client.get(f"/n/{note.pk}/").content.decode()
    assert "<video" in page and "muted" in page and "playsinline" in page
    assert video.large.url in page and video.poster.url in page and "Tap for sound" in page
    assert 'http-equiv="refresh"' not in page  # ready: a page that reloads would restart the video

    client.logout()
    feed = client.get("/u/director/").content.decode()  # a card as anyone sees it
    assert video.poster.url in feed and 'class="card-play"' in feed and "0:02" in feed


def test_a_failed_video_is_explained_to_its_author(client, make_user, login, django_capture_on_commit_callbacks):
    author = make_user()
    login(author)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _post(client, video=clip(corrupt_video()))
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    note = Note.objects.get()
    page = client.get(f"/n/{note.pk}/").content.decode()
    assert "The video could not be processed" in page and "damaged" in page


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"not a video at all", "clip.mp4", "not a video we can read"),
        (zip_bomb(), "fun.mp4", "not a video we can read"),
        (ten_hour_video(), "ten-hours.mp4", "too long"),
        (b"not a video", '<script>alert("x")</script>.mp4', "not a video we can read"),
    ],
    ids=["text", "zip-bomb", "ten-hours", "hostile-filename"],
)
def test_bad_video_files_are_refused_and_the_form_kept(client, make_user, login, settings, content, name, message):
    login(make_user())
    response = _post(client, video=clip(content, name=name))
    page = response.content.decode()
    assert response.status_code == 422 and message in page
    assert '<script>alert("x")</script>' not in page  # the name is shown escaped, if at all
    assert 'value="Night market"' in page  # nothing the author typed is lost
    assert not Note.objects.exists() and not Video.objects.exists() and _stored(settings) == []


def test_the_draft_video_is_kept_when_the_form_fails(client, make_user, login):
    login(make_user())
    response = _post(client, title="", body="", video=clip())
    assert response.status_code == 422
    video = Video.objects.get()
    assert f'name="video_id" value="{video.pk}"' in response.content.decode()
    again = _post(client, video_id=str(video.pk))
    assert again.status_code == 302
    assert Note.objects.get().attached_video == video


def test_a_video_and_photos_together_are_refused(client, make_user, login, photo_bytes):
    login(make_user())
    photo = SimpleUploadedFile("p.jpg", photo_bytes(), "image/jpeg")
    response = _post(client, video=clip(), photos=[photo])
    assert response.status_code == 422 and "photos or one video" in response.content.decode()
    assert not Note.objects.exists()


def test_a_draft_video_of_someone_else_is_ignored(client, make_user, login, on_commit):
    from notes.videos import upload_video

    other = make_user()
    with on_commit():
        theirs = upload_video(owner=other, file=video_bytes())
    login(make_user())
    response = _post(client, video_id=str(theirs.pk))
    assert response.status_code == 422 and "Add at least one photo or a video" in response.content.decode()
    assert Video.objects.get(pk=theirs.pk).state == VideoState.READY and not Note.objects.exists()


@pytest.mark.parametrize(
    ("seconds", "shown"), [(0, "0:00"), (2.4, "0:02"), (59.6, "1:00"), (155, "2:35"), (3723, "1:02:03")]
)
def test_clock_shows_a_length_as_players_do(seconds, shown):
    from web.templatetags.web_tags import clock

    assert clock(seconds) == shown


def test_compose_and_the_processing_note_in_chinese(client, make_user, login, django_capture_on_commit_callbacks):
    author = make_user("xiaoying", ui_language="zh-hans", languages=["zh-Hans"])
    login(author)
    page = client.get("/compose/").content.decode()
    assert "或者一个视频" in page and "添加视频" in page and "最长 180 秒" in page
    with django_capture_on_commit_callbacks(execute=False):
        response = _post(client, video=clip())
    note = Note.objects.get()
    assert response.status_code == 302
    assert "视频正在处理中" in client.get(f"/n/{note.pk}/").content.decode()
    refused = _post(client, video=clip(b"not a video"))
    assert refused.status_code == 422 and "无法识别为视频文件" in refused.content.decode()


def test_editing_a_video_note_keeps_its_video(client, make_user, login, settings, on_commit):
    from notes.services import create_note
    from notes.videos import upload_video

    settings.REVIEW_SCREENING = False
    author = make_user("editor")
    with on_commit():
        video = upload_video(owner=author, file=video_bytes(seed=10))
    with on_commit():
        note = create_note(author=author, title="First cut", body="Rough edit", video_id=video.pk)
    login(author)
    page = client.get(f"/n/{note.pk}/edit/").content.decode()
    assert "Video, 0:02" in page and 'name="video"' not in page  # shown, not swappable
    response = client.post(
        f"/n/{note.pk}/edit/", {"title": "Final cut", "body": "Rough edit", "visibility": "public", "action": "post"}
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.title == "Final cut" and note.attached_video == video
    assert Video.objects.get(pk=video.pk).state == VideoState.READY
