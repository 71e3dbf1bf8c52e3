"""Background work of the recommender: embedding a note when it is published (low priority),
building the candidate pool that web processes load (about once a minute, queued by them), training on a
schedule, ranking For you ahead for active readers, and the purge of old interactions.

Neither queue has a scheduler of its own, so the scheduled tasks re-enqueue themselves: run
``manage.py train_recommender --schedule`` once (or ``enqueue`` either task with ``every_hours``) and
each run queues the next (``RECOMMEND_TRAIN_HOURS``, default 6)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.models import User
from core import queues
from core.shared_cache import shared_cache
from core.tasks import background_task
from recommend import candidates, embeddings, selectors, services, training


def _again(task: Any, every_hours: float) -> None:
    """Queue the next run, where the backend can defer (the immediate backend of tests cannot)."""
    if every_hours > 0 and task.get_backend().supports_defer:
        task.using(run_after=timezone.now() + timedelta(hours=every_hours)).enqueue(every_hours)


@background_task(queue_name=queues.LOW, max_attempts=2)
def train_recommender(every_hours: float = 0.0) -> str:
    model = training.train()
    _again(train_recommender, every_hours)
    return model.version


@background_task(queue_name=queues.LOW, max_attempts=2)
def purge_interactions(every_hours: float = 0.0) -> int:
    deleted = services.purge_old_interactions()
    _again(purge_interactions, every_hours)
    return deleted


@background_task(queue_name=queues.LOW, max_attempts=2)
def precompute_for_you(every_hours: float = 0.0) -> int:
    """Rank For you ahead for the readers active in the last ``RECOMMEND_PRECOMPUTE_ACTIVE_HOURS`` whose
    list is missing or out of date (selectors.precompute_for_you); returns how many were ranked."""
    hours = float(getattr(settings, "RECOMMEND_PRECOMPUTE_ACTIVE_HOURS", 1.0))
    done = selectors.precompute_for_you(selectors.active_readers(hours=hours))
    _again(precompute_for_you, every_hours)
    return done


@background_task(queue_name=queues.LOW, max_attempts=2)
def refresh_for_you(user_id: int) -> bool:
    """Re-rank one reader's For-you list that a page found stale (selectors.refresh_for_you); the page
    was served from the old list meanwhile."""
    try:
        user = User.objects.filter(pk=user_id, is_active=True).first()
        return selectors.refresh_for_you(user) if user is not None else False
    finally:
        shared_cache.delete(selectors.REFRESH_LOCK_KEY.format(user_id))


@background_task(queue_name=queues.LOW, max_attempts=2)
def build_pool() -> str:
    """Build and store For you's candidate pool for the web processes (candidates.build_pool), queued by
    the first of them that finds theirs older than ``POOL_SECONDS``; a build that another one finished
    moments ago is skipped. Returns the file's name ("" when skipped)."""
    try:
        path = candidates.build_pool(unless_younger_than=candidates.POOL_SECONDS / 2)
        return path.name if path is not None else ""
    finally:
        cache.delete(candidates.BUILD_LOCK_KEY)


@background_task(queue_name=queues.LOW, max_attempts=3)
def embed_note(note_id: int, refresh: bool = False) -> int:
    """Embed a newly published note (or re-embed an edited one) so For you and related notes find it
    before the next training run."""
    return embeddings.embed_published(note_id, refresh=refresh)
