"""Background translation work, on its own queue so a backlog never delays other work."""

from __future__ import annotations

from core import queues
from core.tasks import background_task
from translation import ahead, services


@background_task(queue_name=queues.TRANSLATION, max_attempts=3)
def translate_job(job_id: int) -> None:
    services.process_job(job_id)


@background_task(queue_name=queues.TRANSLATION, max_attempts=3, priority=-10)
def translate_note_ahead(note_id: int) -> None:
    """Translate a new note into the languages its author's followers read, before anyone asks."""
    ahead.translate_note_ahead(note_id)


@background_task(queue_name=queues.TRANSLATION, max_attempts=3, priority=-10)
def translate_trending(note_ids: list[int] | None = None) -> None:
    """Translate the top of Discover into the languages the instance's readers prefer."""
    ahead.translate_trending(note_ids)
