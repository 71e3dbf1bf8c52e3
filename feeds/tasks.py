"""Feed work on the ``high`` queue: what a user waits to see. Each task takes ids and is idempotent."""

from core import queues
from core.tasks import background_task
from feeds import services


@background_task(queue_name=queues.HIGH)
def fan_out_note(note_id: int) -> int:
    return services.fan_out(note_id=note_id)


@background_task(queue_name=queues.HIGH)
def backfill_follow(follower_id: int, followee_id: int) -> int:
    return services.backfill(follower_id=follower_id, followee_id=followee_id)


@background_task(queue_name=queues.HIGH)
def backfill_tag_follow(user_id: int, tag_id: int) -> int:
    return services.backfill_tag(user_id=user_id, tag_id=tag_id)


@background_task(queue_name=queues.HIGH)
def rebuild_lost_timelines(token: str) -> int:
    return services.rebuild_lost_timelines(token)
