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


@pytest.mark.django_db(transaction=True)
def test_a_database_queue_takes_the_task_in_the_transaction_that_queued_it(settings):
    """One write for the post and its task (docs/architecture.md): the row commits or rolls back with it."""
    if settings.REDIS_URL:
        pytest.skip("covers the embedded database queue")
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from core.tasks import enqueue_on_commit
    from tests.core.tasks_for_tests import flaky

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        enqueue_on_commit(flaky, "kept")
        assert DBTaskResult.objects.filter(status="READY").count() == 1  # written before the commit
    inserts = [q["sql"] for q in queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1, inserts
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(flaky, "dropped")
        raise RuntimeError("the write fails")
    assert [r.args_kwargs["args"] for r in DBTaskResult.objects.all()] == [
        ["kept"]
    ]  # the other rolled back with its write
    enqueue_on_commit(flaky, "no transaction")
    assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_another_queue_is_given_the_task_after_the_commit(settings):
    """A queue outside the database (here the immediate backend, as RQ on Redis) cannot share the
    transaction: the task goes to it on commit, and not at all on a rollback."""
    from django.db import transaction

    from core.tasks import enqueue_on_commit
    from tests.core.tasks_for_tests import RAN, record

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    RAN.clear()
    with transaction.atomic():
        enqueue_on_commit(record, "committed")
        assert RAN == []
    assert RAN == ["committed"]
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(record, "rolled back")
        raise RuntimeError("the write fails")
    assert RAN == ["committed"]
