"""Video notes through the notes services and the worker task (SQLite and PostgreSQL): upload, process,
publish; and every bad input refused with nothing stored, no file and no row."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import ServiceError
from core.video import VideoRejected, VideoUnavailable
from notes.models import Note, NoteState, Video, VideoState
from tests.videos import (
    HLS_PLAYLIST,
    corrupt_video,
    huge_frame_video,
    needs_ffmpeg,
    ten_hour_video,
    video_bytes,
    zip_bomb,
)

pytestmark = needs_ffmpeg


def stored_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def author(make_user):
    return make_user("filmmaker")


def _upload(author, on_commit, **kwargs):
    from notes.videos import upload_video

    with on_commit():
        video = upload_video(owner=author, file=video_bytes(**kwargs))
    video.refresh_from_db()  # processed on commit (the immediate task backend)
    return video


def test_upload_keeps_the_source_until_the_worker_has_transcoded_it(
    author, settings, django_capture_on_commit_callbacks
):
    from notes.videos import upload_video

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        video = upload_video(owner=author, file=video_bytes(seconds=2.0, size="640x480"))
    assert video.state == VideoState.PROCESSING
    assert (video.width, video.height) == (640, 480) and 1.9 < video.duration < 2.2
    assert stored_files(settings) == [video.source.name]
    assert len(callbacks) == 1  # the transcode, queued once the upload commits

    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()  # the immediate task backend: the worker's task, run here
    video.refresh_from_db()
    assert video.state == VideoState.READY and video.processed_at is not None
    assert not video.source.name  # the source, metadata and all, is gone
    assert (video.large.name or "").endswith(".mp4") and (video.poster.name or "").endswith(".jpg") and video.blurhash
    assert len(video.frames) == 4
    assert stored_files(settings) == sorted(video.stored_names())


def test_processing_twice_changes_nothing(author, on_commit, settings):
    from notes.videos import process_video

    video = _upload(author, on_commit)
    before = stored_files(settings)
    assert process_video(video_id=video.pk).state == VideoState.READY  # type: ignore[union-attr]
    assert stored_files(settings) == before


def test_a_note_with_a_processing_video_waits_then_is_published(author, settings, django_capture_on_commit_callbacks):
    from notes.selectors import get_visible_note
    from notes.services import create_note
    from notes.videos import upload_video

    settings.REVIEW_SCREENING = False
    with django_capture_on_commit_callbacks(execute=False) as upload_callbacks:
        video = upload_video(owner=author, file=video_bytes(seconds=2.0, seed=1))
    note = create_note(author=author, title="Street food at night", body="Sizzling woks", video_id=video.pk)
    assert note.state == NoteState.PROCESSING
    assert get_visible_note(viewer=None, note_id=note.pk) is None  # nobody else sees it yet
    assert get_visible_note(viewer=author, note_id=note.pk) is not None  # the author does, as "processing"

    with django_capture_on_commit_callbacks(execute=True):
        upload_callbacks[0]()
    note.refresh_from_db()
    assert note.state == NoteState.PUBLISHED and note.published_at is not None
    shown = get_visible_note(viewer=None, note_id=note.pk)
    assert shown is not None and shown.ready_video is not None and shown.ready_video.pk == video.pk


def test_a_video_note_is_screened_on_its_frames(author, on_commit):
    """Screening feeds the sampled frames to the photo detector, as it does photos."""
    from notes.services import create_note
    from review.models import ScreeningResult

    video = _upload(author, on_commit, seconds=2.0, seed=2)
    with on_commit():
        note = create_note(author=author, title="Lanterns", body="Evening walk by the river", video_id=video.pk)
    note.refresh_from_db()
    assert note.state == NoteState.PUBLISHED
    result = ScreeningResult.objects.filter(target_id=note.pk).latest("pk")
    assert "nudenet" in result.stages and "error" not in result.stages["nudenet"]


def test_a_missing_frame_holds_the_note_rather_than_publish_it_unseen(author, on_commit, settings):
    from notes.services import create_note

    video = _upload(author, on_commit, seconds=2.0, seed=3)
    (Path(settings.MEDIA_ROOT) / video.frames[1]).unlink()
    with on_commit():
        note = create_note(author=author, title="Harbour", body="Boats at dawn", video_id=video.pk)
    note.refresh_from_db()
    assert note.state == NoteState.HELD


def test_the_api_flow_refuses_a_video_still_processing(author, django_capture_on_commit_callbacks):
    from notes.services import create_note
    from notes.videos import upload_video

    with django_capture_on_commit_callbacks(execute=False):
        video = upload_video(owner=author, file=video_bytes())
    with pytest.raises(ServiceError, match="not finished processing"):
        create_note(author=author, title="Too soon", video_id=video.pk, require_processed_video=True)
    assert not Note.objects.exists()
    assert Video.objects.get(pk=video.pk).note_id is None


def test_photos_and_a_video_do_not_mix(author, on_commit, photo_bytes):
    from notes.services import create_note, upload_photo

    video = _upload(author, on_commit)
    photo = upload_photo(owner=author, file=photo_bytes())
    with pytest.raises(ServiceError, match="photos or one video"):
        create_note(author=author, title="Both", photo_ids=[photo.pk], video_id=video.pk)
    assert not Note.objects.exists()


def test_someone_elses_video_cannot_be_used(author, make_user, on_commit):
    from notes.services import create_note

    video = _upload(author, on_commit)
    with pytest.raises(ServiceError, match="cannot be used"):
        create_note(author=make_user("thief"), title="Mine now", video_id=video.pk)
    assert Video.objects.get(pk=video.pk).note_id is None


def test_deleting_the_note_deletes_every_video_file(author, on_commit, settings):
    from notes.services import create_note, delete_note

    video = _upload(author, on_commit, seed=4)
    with on_commit():
        note = create_note(author=author, title="Gone soon", body="Temporary", video_id=video.pk)
    assert stored_files(settings)
    with on_commit():
        delete_note(author=author, note_id=note.pk)
    assert stored_files(settings) == []
    assert not Video.objects.exists()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (b"hello, I am a text file with a .mp4 name", "not_a_video"),
        (zip_bomb(), "not_a_video"),
        (HLS_PLAYLIST, "not_a_video"),
        (ten_hour_video(), "too_long"),
        (huge_frame_video(), "too_many_pixels"),
    ],
    ids=["empty", "text", "zip-bomb", "hls-playlist", "ten-hours", "huge-frame"],
)
def test_bad_uploads_are_refused_with_nothing_stored(author, settings, content, code):
    from notes.videos import upload_video

    with pytest.raises(VideoRejected) as exc:
        upload_video(owner=author, file=content)
    assert exc.value.code == code and exc.value.status == 422
    assert not Video.objects.exists()
    assert stored_files(settings) == []


def test_an_upload_over_the_size_limit_is_refused_before_it_is_all_read(author, settings):
    from notes.videos import upload_video

    settings.VIDEO_MAX_BYTES = 10_000
    with pytest.raises(VideoRejected, match="too large"):
        upload_video(owner=author, file=video_bytes(seconds=2.0, size="640x480"))
    assert not Video.objects.exists() and stored_files(settings) == []


def test_alt_text_too_long_is_refused_not_cut(author, settings):
    """As for photos: a description is never silently shortened."""
    from notes.videos import upload_video

    with pytest.raises(ServiceError) as exc:
        upload_video(owner=author, file=video_bytes(seconds=1.0, size="320x240"), alt_text="a" * 1501)
    assert exc.value.field == "alt_text"
    assert not Video.objects.exists() and stored_files(settings) == []


def test_without_ffmpeg_an_upload_says_video_is_unavailable(author, settings, tmp_path):
    from notes.videos import upload_video

    settings.FFPROBE_BINARY = str(tmp_path / "missing-ffprobe")
    with pytest.raises(VideoUnavailable, match="not available"):
        upload_video(owner=author, file=video_bytes())
    assert not Video.objects.exists() and stored_files(settings) == []


def test_a_corrupt_stream_fails_the_video_and_keeps_no_file(author, settings, django_capture_on_commit_callbacks):
    """The header passes the upload check; the worker finds the frames broken: the video fails with a
    reason the author reads, every file (the source too) is deleted, and the note stays out of view."""
    from notes.services import create_note
    from notes.videos import upload_video

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        video = upload_video(owner=author, file=corrupt_video())
    note = create_note(author=author, title="Broken", body="A damaged file", video_id=video.pk)
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    video.refresh_from_db()
    note.refresh_from_db()
    assert video.state == VideoState.FAILED and "damaged" in video.error
    assert video.stored_names() == []
    assert stored_files(settings) == []
    assert note.state == NoteState.PROCESSING  # never published; the author sees why on the note


@pytest.mark.django_db(transaction=True)
def test_the_worker_process_transcodes_and_publishes(make_user, settings, tmp_path):
    """The real path: the upload queues a task in the database; a ``db_worker`` process runs it."""
    from django_tasks_db.models import DBTaskResult

    from notes.services import create_note
    from notes.videos import upload_video
    from tests.servers import server_env

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASKS["default"]["QUEUES"]}
    }
    settings.MEDIA_ROOT = tmp_path / "media"  # what the worker's NOTEBRIDGE_DATA_DIR gives it
    author = make_user("worker_path")
    video = upload_video(owner=author, file=video_bytes(seconds=2.0, seed=5))
    note = create_note(author=author, title="Worker", body="Made by the worker", video_id=video.pk)
    assert DBTaskResult.objects.filter(task_path__contains="process_video_task", queue_name="media").count() == 1

    cmd = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--batch", "--no-reload", "-v", "0"]
    subprocess.run(cmd, env=server_env(tmp_path, redis=False), check=True, timeout=300)

    video.refresh_from_db()
    note.refresh_from_db()
    assert video.state == VideoState.READY
    assert note.state == NoteState.PUBLISHED
    assert stored_files(settings) == sorted(video.stored_names())


def test_the_same_video_from_three_accounts_is_held_as_spam(make_user, on_commit):
    """Duplicate detection compares a video's poster hash across accounts, as it compares photos."""
    from notes.services import create_note

    notes = []
    for i in range(3):
        author = make_user(f"reposter{i}")
        video = _upload(author, on_commit, seconds=2.0, seed=9)
        with on_commit():
            notes.append(create_note(author=author, title=f"Wow {i}", body=f"Look at this clip {i}", video_id=video.pk))
    states = [Note.objects.get(pk=n.pk).state for n in notes]
    assert states[:2] == [NoteState.PUBLISHED, NoteState.PUBLISHED]
    assert states[2] == NoteState.HELD
