"""Trust tasks. They take ids and call one service; each is idempotent."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from core import queues
from core.tasks import background_task, enqueue_on_commit
from trust import influx, links, risk
from trust.impersonation import check_account, recheck_against


@background_task(queue_name=queues.REVIEW)
def check_impersonation_task(user_id: int, check_avatar: bool = True) -> int:
    """Compare the account with the protected ones; returns how many new findings went to review."""
    return len(check_account(user_id=user_id, check_avatar=check_avatar))


@background_task(queue_name=queues.REVIEW, below_reads=True)
def check_newcomers_task() -> int:
    """Newcomers' handles and display names, in one batch (trust.newcomers); returns new findings. Below
    the reads' CPU priority: during a sign-up burst one runs every couple of seconds and after each
    admission, and the page reads that overlapped one at the reads' priority were the burst's slowest
    (docs/trust.md, "Keeping page reads fast during a burst"). On the review queue still, so that it
    never waits behind translation."""
    from trust import newcomers  # (cycle) trust.newcomers imports trust.impersonation, as this module does

    return newcomers.check_pending()


def schedule_newcomer_checks() -> None:
    """Once the caller's write commits, queue the newcomers' batch to run ``TRUST_NEWCOMER_CHECK_S``
    seconds later, unless one is already due by then (across processes sharing the cache).

    The gate lasts as long as the delay: a sign-up that finds it held committed before the queued batch
    runs, so that batch sees its row. Where the backend cannot defer a task (the immediate backend of
    the tests), each commit runs a batch at once."""
    delay = max(0, int(getattr(settings, "TRUST_NEWCOMER_CHECK_S", 2)))

    def schedule() -> None:
        task = check_newcomers_task
        if delay and task.get_backend().supports_defer:
            if not cache.add("trust:newcomer-checks", 1, timeout=delay):
                return
            task = task.using(run_after=timezone.now() + timedelta(seconds=delay))
        task.enqueue()

    transaction.on_commit(schedule)


def sweep_waiting_newcomers(cutoff: datetime, limit: int) -> int:
    """Sweep (core/sweeper.py): accounts waiting for their check since before ``cutoff`` (their batch
    was lost with a worker or a Redis restart, or they committed as the batch read its rows, and no
    sign-up or admission came after) get a batch now; returns how many were waiting (at most
    ``limit``)."""
    from trust.models import NewcomerCheck

    lost = NewcomerCheck.objects.filter(user__is_active=True, created_at__lt=cutoff)
    waiting = len(lost.values_list("pk", flat=True)[:limit])
    if waiting:
        enqueue_on_commit(check_newcomers_task)
    return waiting


@background_task(queue_name=queues.LOW)
def recheck_against_task(protected_id: int) -> int:
    """A newly verified account: compare recent accounts with it; returns how many new findings."""
    return recheck_against(protected_id=protected_id)


@background_task(queue_name=queues.LOW)
def check_influx_task() -> str:
    """Influx detection: switch influx mode on or off; returns "on", "off" or ""."""
    return influx.check()


@background_task(queue_name=queues.LOW)
def verify_links_task(user_id: int) -> int:
    """Check the profile's links for a ``rel="me"`` link back; returns how many are verified."""
    return links.verify_profile_links(user_id=user_id)


def schedule_influx_check() -> None:
    """Queue influx detection once the caller's write commits, at most once every ``check_every_s``
    across processes sharing the cache (sign-ups call this: the embedded default has no scheduler)."""
    if cache.add("trust:influx-check", 1, timeout=int(influx.config()["check_every_s"])):
        enqueue_on_commit(check_influx_task)


@background_task(queue_name=queues.LOW)
def reassess_cluster_task(user_id: int, since: float | None = None) -> int:
    """Reassess the earlier accounts of a newcomer's subnet or device cluster (those not reassessed from
    ``since`` on, ``risk.reassess_cluster``); returns how many."""
    return risk.reassess_cluster(user_id=user_id, since=since)


@background_task(queue_name=queues.REVIEW)
def assess_poster_task(kind: str, target_id: int, author_id: int) -> None:
    """A young account's new note or comment where nothing is screened: its payloads kept, its risk
    reassessed (trust/posts.py; with screening, review's screening task does this first)."""
    from trust import posts  # (cycle) trust.posts queues reassess_cluster_task from this module

    posts.assess_poster(kind, target_id, author_id)


def assess_newcomer(user_id: int) -> None:
    """Right after a sign-up commits: its own risk now (cheap: only the rules a sign-up can fire), its
    cluster's in the background, but only when a cluster or payload rule fired for it
    (``risk.reassess_cluster`` does nothing otherwise): most newcomers fire none, and a burst of sign-ups
    then queues no job per account. The time after the commit goes with the job: cluster accounts that
    another job reassessed after it are not reassessed again."""
    committed = timezone.now().timestamp()
    assessed = risk.reassess(user_id=user_id, just_signed_up=True)
    if assessed is not None and risk.fires_cluster_rule(assessed.reasons):
        reassess_cluster_task.enqueue(user_id, committed)


@background_task(queue_name=queues.LOW)
def refresh_most_followed_task() -> int:
    """Accounts that entered the most-followed set: re-check who resembles them; returns new findings."""
    from trust import most_followed

    return most_followed.refresh().findings


def schedule_most_followed_refresh() -> None:
    """Queue the most-followed refresh once the caller's write commits, at most once every
    ``most_followed_check_s`` across processes sharing the cache (follows call this)."""
    from trust.impersonation import config

    if cache.add("trust:most-followed-refresh", 1, timeout=int(config()["most_followed_check_s"])):
        enqueue_on_commit(refresh_most_followed_task)
