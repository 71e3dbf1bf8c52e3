"""Video housekeeping: uploads never posted are swept (rows and files) after VIDEO_UNPOSTED_HOURS by
``manage.py sweep_videos``, which runstack runs on a schedule; a video that fails in the worker tells
its owner why, in the owner's interface language."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accounts.models import User
from notes.models import Video, VideoState
from notifications.models import Notification, NotificationType
from tests.videos import corrupt_video, needs_ffmpeg, video_bytes

pytestmark = needs_ffmpeg


def stored_files(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _upload(owner, on_commit, *, process: bool = True, **kwargs) -> Video:
    from notes.videos import upload_video

    if process:
        with on_commit():
            video = upload_video(owner=owner, file=video_bytes(seconds=1.0, **kwargs))
    else:
        video = upload_video(owner=owner, file=video_bytes(seconds=1.0, **kwargs))
    video.refresh_from_db()
    return video


def _age(video: Video, hours: float) -> None:
    Video.objects.filter(pk=video.pk).update(created_at=timezone.now() - timedelta(hours=hours))


def test_unposted_videos_are_swept_after_the_setting(make_user, settings, on_commit):
    from notes.services import create_note

    settings.VIDEO_UNPOSTED_HOURS = 24
    owner = make_user()
    ready_old = _upload(owner, on_commit, seed=1)  # transcoded, never posted
    processing_old = _upload(owner, on_commit, process=False, seed=2)  # still waiting for the worker
    recent = _upload(owner, on_commit, seed=3)
    posted = _upload(owner, on_commit, seed=4)
    with on_commit():
        create_note(author=owner, title="Posted", body="With its video", video_id=posted.pk)
    for video in (ready_old, processing_old, posted):
        _age(video, 30)
    _age(recent, 2)
    doomed = set(ready_old.stored_names()) | set(processing_old.stored_names())
    kept = set(recent.stored_names()) | set(Video.objects.get(pk=posted.pk).stored_names())
    assert doomed and doomed <= stored_files(settings)

    out = io.StringIO()
    with on_commit():
        call_command("sweep_videos", stdout=out)
    assert "2 unposted video(s) swept" in out.getvalue()
    assert set(Video.objects.values_list("pk", flat=True)) == {recent.pk, posted.pk}
    files = stored_files(settings)
    assert not (doomed & files) and kept <= files
    # Idempotent: nothing more to do.
    out = io.StringIO()
    call_command("sweep_videos", stdout=out)
    assert "0 unposted video(s) swept" in out.getvalue()


def test_sweep_age_comes_from_the_setting_or_the_option(make_user, settings, on_commit):
    owner = make_user()
    video = _upload(owner, on_commit)
    _age(video, 5)
    settings.VIDEO_UNPOSTED_HOURS = 6
    call_command("sweep_videos", stdout=io.StringIO())
    assert Video.objects.filter(pk=video.pk).exists()
    settings.VIDEO_UNPOSTED_HOURS = 4
    with on_commit():
        call_command("sweep_videos", stdout=io.StringIO())
    assert not Video.objects.filter(pk=video.pk).exists()
    with pytest.raises(CommandError, match="negative"):
        call_command("sweep_videos", "--hours", "-1", stdout=io.StringIO())


def test_a_swept_video_cannot_be_posted_afterwards(make_user, on_commit):
    from core.errors import ServiceError
    from notes.services import create_note

    owner = make_user()
    video = _upload(owner, on_commit)
    _age(video, 48)
    with on_commit():
        call_command("sweep_videos", stdout=io.StringIO())
    with pytest.raises(ServiceError):
        create_note(author=owner, title="Too late", body="Posting an old upload", video_id=video.pk)


def test_runstack_runs_the_sweep_on_its_schedule(tmp_path, settings):
    from core.management.commands.runstack import Periodic, periodic_commands

    settings.VIDEO_SWEEP_EVERY_S = 1800
    assert ("sweep_videos", 1800) in periodic_commands()
    # A stand-in interpreter that records its arguments and stays up a moment, as a sweep would.
    log = tmp_path / "ran.txt"
    fake = tmp_path / "python"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {log}\nsleep 2\n')
    fake.chmod(0o755)
    job = Periodic("sweep_videos", 1800, due_at=100.0)
    job.tick(50.0, str(fake))
    assert job.proc is None  # not due yet
    job.tick(100.0, str(fake))
    assert job.proc is not None and job.due_at == 1900.0
    first = job.proc
    job.tick(2000.0, str(fake))  # due again, but the previous run has not ended: not started twice
    assert job.proc is first
    first.wait(timeout=10)
    job.tick(2000.0, str(fake))
    assert job.proc is not first
    job.proc.wait(timeout=10)
    assert log.read_text().splitlines() == ["manage.py sweep_videos", "manage.py sweep_videos"]


# --- a failed video tells its owner -----------------------------------------------------------------


def _fail_a_video(owner, django_capture_on_commit_callbacks):
    from notes.services import create_note
    from notes.videos import upload_video

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        video = upload_video(owner=owner, file=corrupt_video())
    note = create_note(author=owner, title="Broken", body="A damaged file", video_id=video.pk)
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    video.refresh_from_db()
    assert video.state == VideoState.FAILED
    return video, note


def test_a_failed_video_notifies_its_owner_with_the_reason(make_user, django_capture_on_commit_callbacks):
    owner = make_user()
    video, note = _fail_a_video(owner, django_capture_on_commit_callbacks)
    notice = Notification.objects.get(recipient=owner)
    assert notice.type == NotificationType.VIDEO_FAILED and notice.actor_id is None
    assert notice.note_id == note.pk and notice.target_id == video.pk
    assert notice.text == "Your video could not be processed: The video is damaged and cannot be read."
    # The web inbox shows it under Notices, with a link to the note; retrying the task adds nothing.
    client = Client()
    client.force_login(owner)
    page = client.get("/notifications/?tab=notices").content.decode()
    assert "Video not processed" in page and "damaged" in page and f"/n/{note.pk}/" in page
    from notes.videos import process_video

    process_video(video_id=video.pk)
    assert Notification.objects.filter(recipient=owner).count() == 1


def test_the_failure_is_written_in_the_owners_interface_language(make_user, django_capture_on_commit_callbacks):
    owner = make_user()
    User.objects.filter(pk=owner.pk).update(ui_language="zh-hans")
    owner.refresh_from_db()
    video, _note = _fail_a_video(owner, django_capture_on_commit_callbacks)
    notice = Notification.objects.get(recipient=owner)
    assert notice.text == "你的视频无法处理：视频已损坏，无法读取。"
    assert video.error == "视频已损坏，无法读取。"  # the note page shows the same reason, in Chinese too


def test_a_reader_of_chinese_without_a_chosen_language_is_told_in_chinese(
    make_user, django_capture_on_commit_callbacks
):
    owner = make_user()
    User.objects.filter(pk=owner.pk).update(ui_language="", languages=["zh-Hans"])
    owner.refresh_from_db()
    _fail_a_video(owner, django_capture_on_commit_callbacks)
    assert Notification.objects.get(recipient=owner).text.startswith("你的视频无法处理")


def test_the_mastodon_api_leaves_the_failed_video_notice_out(make_user, django_capture_on_commit_callbacks):
    from tests.review.fixtures import token_for

    owner = make_user()
    _fail_a_video(owner, django_capture_on_commit_callbacks)
    response = Client().get("/api/v1/notifications", **token_for(owner, "read"))
    assert response.status_code == 200 and response.json() == []
