from core import queues
from core.tasks import background_task


@background_task(queue_name=queues.HIGH)
def fan_out_note(note_id: int) -> int:
    from feeds.services import fan_out

    return fan_out(note_id=note_id)


@background_task(queue_name=queues.HIGH)
def backfill_follow(follower_id: int, followee_id: int) -> int:
    from feeds.services import backfill

    return backfill(follower_id=follower_id, followee_id=followee_id)
