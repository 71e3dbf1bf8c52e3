"""The real database queue and worker: a task enqueued on commit runs in ``db_worker``."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from feeds.timelines import store


@pytest.mark.django_db(transaction=True)
def test_fan_out_runs_through_the_database_worker(settings, make_user):
    if settings.REDIS_URL:
        pytest.skip("the Redis deployment uses RQ; this test covers the embedded database queue")
    from core import queues

    # Every queue, as the embedded default has them: a follow also queues trust's low-priority work.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": list(queues.ALL)}}
    from accounts.services import follow
    from notes.services import create_note

    alice, bob = make_user(), make_user()
    follow(follower=bob, followee=alice)
    note = create_note(author=alice, title="Through the queue")
    assert DBTaskResult.objects.filter(status="READY").count() >= 1
    page_before = store().page(bob.pk, max_id=None, since_id=None, min_id=None, limit=5)
    assert note.pk not in page_before
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay", "--no-reload", verbosity=0)
    assert note.pk in store().page(bob.pk, max_id=None, since_id=None, min_id=None, limit=5)
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() >= 1


@pytest.mark.django_db(transaction=True)
def test_failing_task_is_retried_later(settings):
    if settings.REDIS_URL:
        pytest.skip("covers the embedded database queue")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    from tests.core.tasks_for_tests import flaky

    flaky.enqueue("x")
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay", "--no-reload", verbosity=0)
    retried = DBTaskResult.objects.filter(status="READY")
    assert retried.count() == 1
    assert retried.get().run_after is not None
