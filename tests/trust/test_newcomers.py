"""Newcomers' impersonation checks (trust/newcomers.py): a burst of sign-ups queues one batch every few
seconds instead of a job per account, a waitlisted impersonator is flagged once admitted, and an account
whose batch never ran is checked by the next one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import queues
from trust import signup as trust_signup
from trust import waitlist
from trust.models import ImpersonationFlag, NewcomerCheck, Signup
from trust.tasks import check_newcomers_task
from trust.verification import verify_account

NAMES = ["Ana Lima", "Jеss Tremblay", "李明", "Zhang Wei", "Bob"]  # the second with a Cyrillic е


@pytest.fixture
def verified(make_user):
    for username, display_name in [("jess_t", "Jess Tremblay"), ("zhang_wei_cn", "张伟")]:
        make_user(username, display_name=display_name)
        verify_account(username=username)


@pytest.fixture
def database_queue(settings):
    """The embedded default's task queue (a table of this database), which can defer a task."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": queues.ALL}}
    settings.TRUST_NEWCOMER_CHECK_S = 5


def register(username: str, display_name: str, capture, i: int = 0):
    with capture(execute=True):
        user, signup = trust_signup.register(
            username=username, password="a long passphrase 9", display_name=display_name, ip=f"192.0.2.{i + 1}"
        )
    return user, signup


def queued(name: str) -> list[DBTaskResult]:
    return [r for r in DBTaskResult.objects.all() if r.task_path.endswith(f".{name}")]


def test_a_burst_of_sign_ups_queues_one_deferred_batch(
    db, verified, database_queue, django_capture_on_commit_callbacks
):
    DBTaskResult.objects.all().delete()  # the fixtures' own jobs
    users = [register(f"newcomer{i}", name, django_capture_on_commit_callbacks, i)[0] for i, name in enumerate(NAMES)]
    batches = queued("check_newcomers_task")
    assert len(batches) == 1 and not queued("check_impersonation_task")
    assert batches[0].run_after > timezone.now() + timedelta(seconds=3)  # the sign-ups of the next seconds join it
    assert not ImpersonationFlag.objects.exists()  # nothing checked before the batch runs

    assert check_newcomers_task.call() == 2
    flags = {(f.user.username, f.protected_user.username, f.signal) for f in ImpersonationFlag.objects.all()}
    assert flags == {("newcomer1", "jess_t", "homoglyph"), ("newcomer3", "zhang_wei_cn", "pinyin")}
    assert check_newcomers_task.call() == 0  # run twice (a retried job): nothing sent twice
    assert ImpersonationFlag.objects.filter(user__in=users).count() == 2


def test_an_account_whose_batch_was_lost_is_checked_by_the_next(
    db, verified, database_queue, django_capture_on_commit_callbacks
):
    first, _signup = register("first", "Jеss Tremblay", django_capture_on_commit_callbacks)
    DBTaskResult.objects.all().delete()  # its batch is lost (a worker died with it)
    cache.delete("trust:newcomer-checks")  # ... and the few seconds of its gate have passed
    register("second", "Zhang Wei", django_capture_on_commit_callbacks, 1)
    assert len(queued("check_newcomers_task")) == 1
    assert check_newcomers_task.call() == 2
    assert ImpersonationFlag.objects.get(user=first).signal == "homoglyph"


def test_a_waitlisted_impersonator_is_flagged_once_admitted(db, verified, settings, django_capture_on_commit_callbacks):
    settings.SIGNUP_CAPACITY_PER_HOUR = 6  # one per ten-minute window
    settings.SIGNUP_CAPACITY_WINDOW_S = 600
    register("early", "Ana Lima", django_capture_on_commit_callbacks)
    suspect, signup = register("jt_real", "Jеss Tremblay", django_capture_on_commit_callbacks, 1)
    assert signup.state == Signup.WAITING and not suspect.is_active
    assert not ImpersonationFlag.objects.filter(user=suspect).exists()  # an inactive account is not checked yet
    Signup.objects.filter(state=Signup.ADMITTED).update(decided_at=timezone.now() - timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        assert waitlist.admit_due() == 1
    flag = ImpersonationFlag.objects.get(user=suspect)
    assert (flag.protected_user.username, flag.signal, flag.candidate_value) == ("jess_t", "homoglyph", "Jеss Tremblay")


def test_an_approved_impersonator_is_flagged_and_a_refused_one_forgotten(
    db, verified, settings, django_capture_on_commit_callbacks
):
    settings.SIGNUP_MODE = "approval"
    held, held_signup = register("held", "Jеss Tremblay", django_capture_on_commit_callbacks)
    refused, refused_signup = register("refused", "Zhang Wei", django_capture_on_commit_callbacks, 1)
    assert NewcomerCheck.objects.filter(user__in=[held, refused]).count() == 2  # kept until decided
    with django_capture_on_commit_callbacks(execute=True):
        waitlist.decide(held_signup, approve=True)
        waitlist.decide(refused_signup, approve=False)
    assert ImpersonationFlag.objects.get(user=held).signal == "homoglyph"
    assert not ImpersonationFlag.objects.filter(user=refused).exists()
    assert not NewcomerCheck.objects.exists()


def test_a_lost_batch_with_no_sign_up_after_it_is_swept(
    db, verified, database_queue, django_capture_on_commit_callbacks
):
    from core import sweeper

    first, _signup = register("first", "Jеss Tremblay", django_capture_on_commit_callbacks)
    DBTaskResult.objects.all().delete()  # its batch is lost, and nobody signs up after it
    assert sweeper.sweep()["newcomer checks waiting"] == 0  # younger than the lease: its batch may be due
    NewcomerCheck.objects.update(created_at=timezone.now() - timedelta(hours=1))
    waiting = NewcomerCheck.objects.count()
    assert NewcomerCheck.objects.filter(user=first).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeper.sweep()["newcomer checks waiting"] == waiting
    assert queued("check_newcomers_task")
    assert check_newcomers_task.call() == 1
    assert ImpersonationFlag.objects.get(user=first).signal == "homoglyph"
    assert not NewcomerCheck.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeper.sweep()["newcomer checks waiting"] == 0
