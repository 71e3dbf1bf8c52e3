"""Background translation work, on its own queue so a backlog never delays other work."""

from __future__ import annotations

from core import queues
from core.tasks import background_task


@background_task(queue_name=queues.TRANSLATION, max_attempts=3)
def translate_job(job_id: int) -> None:
    from translation.services import process_job

    process_job(job_id)


@background_task(queue_name=queues.TRANSLATION, max_attempts=3, priority=-10)
def translate_note_ahead(note_id: int) -> None:
    """Translate a new note into the languages its author's followers read, before anyone asks."""
    from translation.ahead import translate_note_ahead as run

    run(note_id)


@background_task(queue_name=queues.TRANSLATION, max_attempts=3, priority=-10)
def translate_trending(note_ids: list[int]) -> None:
    """Translate the top of Discover into the languages the instance's readers prefer."""
    from translation.ahead import translate_trending as run

    run(note_ids)
