"""Screening tasks on the ``review`` queue. They take ids and call one service; each is idempotent
(an item that is no longer pending is left alone)."""

from __future__ import annotations

from core import queues
from core.tasks import background_task


@background_task(queue_name=queues.REVIEW)
def screen_note_task(note_id: int) -> str | None:
    from review.services import screen_note

    result = screen_note(note_id=note_id)
    return result.outcome if result else None


@background_task(queue_name=queues.REVIEW)
def screen_comment_task(comment_id: int) -> str | None:
    from review.services import screen_comment

    result = screen_comment(comment_id=comment_id)
    return result.outcome if result else None


@background_task(queue_name=queues.REVIEW)
def screen_profile_task(user_id: int) -> str | None:
    from review.services import screen_profile

    result = screen_profile(user_id=user_id)
    return result.outcome if result else None
