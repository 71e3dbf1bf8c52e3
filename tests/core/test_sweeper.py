"""Fault tests for lost work (core/sweeper.py): the task of a note, photo or video is lost (as when a Redis
without persistence restarts: the on-commit enqueue never reaches a worker), the row waits, and the
sweep completes it exactly once. Also: a database worker stopped mid-task puts the task back."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core import events, sweeper
from core.events import IN_TRANSACTION
from notes.events import NotePublished
from notes.models import Note, NoteState, Photo, PhotoState
from notes.photos import receive_photo
from notes.services import create_note
from tests.conftest import image_bytes
from tests.servers import server_env


def _age(model, pk, minutes=30):
    model.objects.filter(pk=pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


@pytest.fixture
def published_events(monkeypatch):
    """Every NotePublished emitted, through the real event bus."""
    seen: list[NotePublished] = []
    monkeypatch.setitem(events._subscribers, NotePublished, list(events._subscribers.get(NotePublished, [])))
    events.subscribe(NotePublished, seen.append, when=IN_TRANSACTION)
    return seen


def test_the_sweeps_of_every_app_are_registered():
    assert set(sweeper.registered()) >= {
        "photos processing",
        "videos processing",
        "notes waiting on media",
        "notes pending screening",
        "comments pending screening",
        "expired idempotency keys",
        "newcomer checks waiting",
    }


def test_a_note_whose_screening_task_was_lost_is_published_once(
    make_user, django_capture_on_commit_callbacks, published_events, settings
):
    settings.REVIEW_SCREENING = True
    with django_capture_on_commit_callbacks(execute=False) as lost:
        note = create_note(author=make_user("wen"), title="Night market", body="Grilled squid")
    assert lost  # the screening task that never reached a worker
    assert Note.objects.get(pk=note.pk).state == NoteState.PENDING
    assert sweeper.sweep()["notes pending screening"] == 0  # younger than the lease: maybe just queued
    _age(Note, note.pk)

    with django_capture_on_commit_callbacks(execute=True):
        counts = sweeper.sweep()
    assert counts["notes pending screening"] == 1
    note.refresh_from_db()
    assert note.state == NoteState.PUBLISHED and len(published_events) == 1
    first_published_at = note.published_at

    # The lost task turns up after all, and the sweep runs again: nothing happens twice.
    with django_capture_on_commit_callbacks(execute=True):
        for callback in lost:
            callback()
        assert sweeper.sweep()["notes pending screening"] == 0
    note.refresh_from_db()
    assert note.published_at == first_published_at and len(published_events) == 1


def test_a_photo_whose_renditions_task_was_lost_is_made_and_its_note_published(
    make_user, django_capture_on_commit_callbacks, published_events
):
    author = make_user("mei")
    with django_capture_on_commit_callbacks(execute=False):  # lost with the queue
        photo = receive_photo(owner=author, file=image_bytes())
        note = create_note(author=author, title="Tea", body="Oolong", photo_ids=[photo.pk])
    assert Note.objects.get(pk=note.pk).state == NoteState.PROCESSING
    _age(Photo, photo.pk)
    _age(Note, note.pk)
    with django_capture_on_commit_callbacks(execute=True):
        out = call_command("sweep_lost_work")
    assert out is None
    assert Photo.objects.get(pk=photo.pk).state == PhotoState.READY
    assert Note.objects.get(pk=note.pk).state == NoteState.PUBLISHED
    assert len(published_events) == 1
    with django_capture_on_commit_callbacks(execute=True):
        counts = sweeper.sweep()
    assert counts["photos processing"] == 0 and counts["notes waiting on media"] == 0
    assert len(published_events) == 1


def test_a_note_left_waiting_after_its_media_were_done_goes_on(make_user, django_capture_on_commit_callbacks):
    """The worker made the renditions but died before releasing the note (the state a crash between the
    two leaves): the sweep releases it."""
    author = make_user("lan")
    with django_capture_on_commit_callbacks(execute=False):
        photo = receive_photo(owner=author, file=image_bytes())
        note = create_note(author=author, title="Rain", body="Umbrellas", photo_ids=[photo.pk])
    Photo.objects.filter(pk=photo.pk).update(state=PhotoState.READY)  # done, but the release was lost
    _age(Note, note.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeper.sweep()["notes waiting on media"] == 1
    assert Note.objects.get(pk=note.pk).state == NoteState.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_a_worker_stopped_mid_task_puts_the_task_back_instead_of_failing_it(settings, tmp_path):
    """Two stop signals (Ctrl-C reaching the process group, then runstack's SIGTERM): upstream db_worker
    records the forced exit as the task's failure; db_worker_graceful puts the task back on its queue."""
    from tests.core.tasks_for_tests import sleepy

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASKS["default"]["QUEUES"]}
    }
    marker = tmp_path / "started"
    result = sleepy.enqueue(60, str(marker))
    env = server_env(tmp_path, redis=False)
    cmd = [sys.executable, "manage.py", "db_worker_graceful", "--queue-name", "*", "--no-reload", "-v", "0"]
    cmd += ["--interval", "0.2", "--no-startup-delay"]
    worker = subprocess.Popen(cmd, env=env)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert time.monotonic() < deadline, "the worker never started the task"
            time.sleep(0.2)
        worker.send_signal(signal.SIGINT)
        time.sleep(0.5)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.READY  # back on the queue, not FAILED
    assert row.started_at is None
