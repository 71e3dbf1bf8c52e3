"""Reads for operators and pages: engine state, queue depth, cache hit rate, and object lookups."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone

from core import queues
from translation import llm, preparation
from translation.engines import registry
from translation.models import JobState, TranslationJob, TranslationMemory
from translation.services import cache_stats

RECENT_FAILURES = 20


def translation_status() -> dict[str, Any]:
    """What the operators' dashboard shows about translation (also ``GET /api/nb/v1/translation/status``)."""
    counts = dict(TranslationJob.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    oldest = TranslationJob.objects.filter(state=JobState.PENDING).aggregate(at=Min("updated_at"))["at"]
    engines = [
        {"name": e.name, "version": e.version, "available": e.available(), "is_gloss": e.is_gloss}
        for e in registry.configured()
    ]
    en_zh = registry.chain("en", "zh-Hans")
    return {
        "active_engine": en_zh[0].name if en_zh else "",
        "engines": engines,
        "queue": {
            "pending": counts.get(JobState.PENDING, 0),
            "running": counts.get(JobState.RUNNING, 0),
            "failed": counts.get(JobState.FAILED, 0),
            "ready": counts.get(JobState.READY, 0),
            "backend_waiting": backend_queue_depth(),
            "oldest_pending_seconds": int((timezone.now() - oldest).total_seconds()) if oldest else None,
        },
        "cache": cache_stats(),
        "memory_rows": TranslationMemory.objects.count(),
        "model": llm.info(),
        "preparation": preparation_status(),
        "language_pairs": registry.supported_pairs(),
        "pairs": engine_pairs(),
        "recent_failures": recent_failures(),
    }


def preparation_status() -> dict[str, Any]:
    """The background preparation of the local engine (translation/preparation.py), as last written.

    ``state`` is "running" only while the preparing process is heard from; one that stopped writing
    (killed, machine restarted) reads "stopped".
    """
    status = preparation.read_status()
    if not status:
        return {"state": "none", "enabled": settings.LOCAL_MODEL_PREPARE}
    if status.get("state") == "running" and preparation.preparing() is None:
        status = {**status, "state": "stopped"}
    return {**status, "enabled": settings.LOCAL_MODEL_PREPARE}


def engine_pairs() -> list[dict[str, Any]]:
    """Every pair of content languages with its fallback chain; ``active`` is the engine tried first."""
    out = []
    for source in settings.CONTENT_LANGUAGES:
        for target in settings.CONTENT_LANGUAGES:
            if source == target:
                continue
            chain = registry.chain(source, target)
            real = [e for e in chain if not e.is_gloss]
            out.append(
                {
                    "source": source,
                    "target": target,
                    "chain": [e.name for e in chain],
                    "active": chain[0].name if chain else "",
                    "gloss_only": bool(chain) and not real,
                }
            )
    return out


def recent_failures(limit: int = RECENT_FAILURES) -> list[dict[str, Any]]:
    """The latest jobs that failed, or ended with a gloss because the engines before it failed."""
    rows = (
        TranslationJob.objects.filter(Q(state=JobState.FAILED) | Q(state=JobState.READY, last_error__gt=""))
        .order_by("-updated_at")
        .values(
            "id",
            "obj_kind",
            "obj_id",
            "field",
            "source_language",
            "target_language",
            "state",
            "attempts",
            "last_error",
            "next_attempt_at",
            "updated_at",
        )[:limit]
    )
    return [dict(row) for row in rows]


def backend_queue_depth() -> int | None:
    """Tasks waiting on the translation queue in the task backend, where the backend can tell."""
    if not apps.is_installed("django_tasks_db"):
        return None
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(queue_name=queues.TRANSLATION, status="READY").count()
