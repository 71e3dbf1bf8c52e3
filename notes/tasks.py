"""Media work on the ``media`` queue. Tasks take ids and call one service; each is idempotent (a video
that is no longer processing is left alone)."""

from __future__ import annotations

from core import queues
from core.tasks import background_task


@background_task(queue_name=queues.MEDIA, max_attempts=3, base_delay=30.0)
def process_video_task(video_id: int) -> str | None:
    from notes.videos import process_video  # cycle: the service enqueues this task (house rule for tasks)

    video = process_video(video_id=video_id)
    return video.state if video is not None else None


@background_task(queue_name=queues.MEDIA, max_attempts=3, base_delay=30.0)
def make_photo_renditions_task(photo_id: int) -> str | None:
    from notes.photos import make_renditions  # cycle: the service enqueues this task (house rule for tasks)

    photo = make_renditions(photo_id=photo_id)
    return photo.state if photo is not None else None
