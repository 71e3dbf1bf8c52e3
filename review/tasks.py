"""Screening tasks on the ``review`` queue. They take ids and call one service; each is idempotent
(an item that is no longer pending is left alone)."""

from __future__ import annotations

from core import queues
from core.tasks import background_task
from review import waves
from review.intake import screen_comment, screen_note, screen_profile, screen_suggestion
from review.rescreen import continue_run


@background_task(queue_name=queues.REVIEW)
def screen_note_task(note_id: int) -> str | None:
    """A submitted note: its author assessed by trust first (core/standing.py), then screened."""
    result = screen_note(note_id=note_id, assess_author=True)
    return result.outcome if result else None


@background_task(queue_name=queues.REVIEW)
def screen_comment_task(comment_id: int) -> str | None:
    result = screen_comment(comment_id=comment_id, assess_author=True)
    return result.outcome if result else None


@background_task(queue_name=queues.REVIEW)
def screen_suggestion_task(suggestion_id: int) -> str | None:
    result = screen_suggestion(suggestion_id=suggestion_id)
    return result.outcome if result else None


@background_task(queue_name=queues.REVIEW)
def screen_profile_task(user_id: int) -> str | None:
    result = screen_profile(user_id=user_id)
    return result.outcome if result else None


@background_task(queue_name=queues.REVIEW)
def rescreen_batch_task(
    *, kind: str, pack: str, since_id: int, until_id: int, after_id: int, days: float, counts: dict[str, int]
) -> dict[str, int]:
    """One batch of the rescreen after a pack edit (review/rescreen.py); enqueues the next batch."""
    counts = dict(counts)
    following = continue_run(
        kind=kind, pack=pack, since_id=since_id, until_id=until_id, after_id=after_id, days=days, counts=counts
    )
    if following is not None:
        next_kind, cursor = following
        rescreen_batch_task.enqueue(
            kind=next_kind,
            pack=pack,
            since_id=since_id,
            until_id=until_id,
            after_id=cursor,
            days=days,
            counts=counts,
        )
    return counts


@background_task(queue_name=queues.REVIEW)
def sweep_wave_task(*, target_type: str, target_id: int, bands: list[int]) -> dict[str, int]:
    """A wave was recognised at this item: hold or reject its earlier members (review/waves.py)."""
    return dict(waves.sweep(bands=bands, trigger=(target_type, target_id)))
