"""Translation services: what readers ask for, what workers do, what edits invalidate.

Reading never waits for an engine. ``get_or_request_translation`` answers from the translation memory
(through the cache), or runs an instant engine (OpenCC), or records a job for a worker and answers
"pending" with the original text. Workers call ``process_job``, which walks the engine chain, stores the
result in the memory, and on failure schedules a retry, leaving the reader with the original and a
clear status.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core import languages
from core.language_detection import detect_language
from notes import translations as note_translations
from notes.models import Note
from translation import examples, preparation, progress, reasons, tasks, trace
from translation.another_way import translate_another_way
from translation.engines import registry
from translation.engines.base import Result
from translation.models import JobState, ObjectKind, TranslationJob, TranslationMemory, text_hash
from translation.spans import only_spans, protect

logger = logging.getLogger("notebridge.translation")

CACHE_TTL = 60 * 60 * 24
LOCK_SECONDS = 300
READER_RETRY_COOLDOWN_S = 20
STATS_KEYS = ("tr:stats:hit", "tr:stats:miss")
# The "engine" of a translation written by a person: the note's author, or a reader whose suggestion the
# author approved. Stored in the memory as trusted pairs; never produced by the engine chain.
AUTHOR_ENGINE = "author"
AUTHOR_ENGINE_VERSION = "1"


class Status:
    READY = "ready"
    PENDING = "pending"
    FAILED = "failed"
    NOT_NEEDED = "not_needed"


@dataclass(frozen=True)
class TranslationView:
    """What a page or API shows for one field: the translation when ready, else the original.

    ``status`` "ready" with ``is_gloss`` False is a real translation (an engine, not a dictionary). A
    word gloss is ``ready`` only when the caller asked for one (``gloss=True``); otherwise a field whose
    engines failed is ``failed`` with ``gloss_available`` telling the reader that a gloss can be shown
    on request. ``error_code`` (translation/reasons.py) and ``error`` (a sentence in the active
    interface language) say why a field is not translated; ``can_retry`` whether asking again helps.
    """

    status: str
    text: str
    source_language: str
    target_language: str
    engine: str = ""
    is_gloss: bool = False
    error: str = ""
    error_code: str = ""
    gloss_available: bool = False
    can_retry: bool = False

    @property
    def is_translated(self) -> bool:
        return self.status == Status.READY

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- reading ---------------------------------------------------------------------------------


def _cache_key(obj_kind: str, obj_id: int, field: str, target: str, digest: str, *, gloss: bool = False) -> str:
    """Real translations and glosses are cached apart: a gloss is served only to those who ask for one."""
    return f"tr:v:{obj_kind}:{obj_id}:{field}:{target}:{digest[:16]}" + (":g" if gloss else "")


def _count(hit: bool) -> None:
    key = STATS_KEYS[0] if hit else STATS_KEYS[1]
    try:
        cache.incr(key)
    except ValueError:
        cache.add(key, 1, timeout=None)


def cache_stats() -> dict[str, float]:
    hits = int(cache.get(STATS_KEYS[0]) or 0)
    misses = int(cache.get(STATS_KEYS[1]) or 0)
    total = hits + misses
    return {"hits": hits, "misses": misses, "hit_rate": round(hits / total, 4) if total else 0.0}


def reset_cache_stats() -> None:
    cache.delete_many(list(STATS_KEYS))


def needs_translation(text: str, source: str, target: str) -> bool:
    if not text or not text.strip() or not source or not target or source == target:
        return False
    return not only_spans(protect(text))


def memory_lookup(digest: str, source: str, target: str) -> TranslationMemory | None:
    """The best stored translation for the current engines: chain order, real translations before glosses."""
    engines = registry.chain(source, target)
    if not engines:
        return None
    wanted = Q()
    for engine in engines:
        wanted |= Q(engine=engine.name, engine_version=engine.version)
    rows = list(
        TranslationMemory.objects.filter(wanted, source_hash=digest, source_language=source, target_language=target)
    )
    rank = {(e.name, e.version): i for i, e in enumerate(engines)}
    rows.sort(key=lambda r: (r.is_gloss, rank.get((r.engine, r.engine_version), 99)))
    return rows[0] if rows else None


def _remember(digest: str, source: str, target: str, result: Result) -> TranslationMemory:
    """Store a result in the memory (idempotent: a concurrent insert of the same key is reused)."""
    key = {
        "source_hash": digest,
        "source_language": source,
        "target_language": target,
        "engine": result.engine,
        "engine_version": result.engine_version,
    }
    try:
        with transaction.atomic():
            memory, _ = TranslationMemory.objects.get_or_create(
                **key, defaults={"text": result.text, "is_gloss": result.is_gloss}
            )
    except IntegrityError:
        memory = TranslationMemory.objects.get(**key)
    return memory


def _view_from_memory(memory: TranslationMemory, source: str, target: str) -> TranslationView:
    return TranslationView(
        status=Status.READY,
        text=memory.text,
        source_language=source,
        target_language=target,
        engine=memory.engine,
        is_gloss=memory.is_gloss,
    )


def failure_view(
    text: str, source: str, target: str, raw_error: str, *, gloss_available: bool = False
) -> TranslationView:
    """The original with the reason it is not translated, in the reader's language."""
    code = reasons.classify(raw_error)
    return TranslationView(
        status=Status.FAILED,
        text=text,
        source_language=source,
        target_language=target,
        error=reasons.message(code),
        error_code=code,
        gloss_available=gloss_available,
        can_retry=reasons.retryable(code),
    )


def get_or_request_translation(
    *,
    obj_kind: str,
    obj_id: int,
    field: str,
    text: str,
    source: str,
    target: str,
    reason: str = "reader",
    enqueue: bool = True,
    gloss: bool = False,
    retry: bool = False,
) -> TranslationView:
    """The translation of one field into ``target``, or the original with a status. Never blocks.

    ``source`` is the stored language ("" means detect now). When nothing is stored yet, a job is
    recorded and a worker is asked (after the current transaction commits) to do it.

    A word gloss never stands in for a translation: it is answered only with ``gloss=True`` (the reader
    asked for one) and only when no real translation can be had (none configured for the pair, or the
    engines failed); while an engine works on the field the answer is "pending". ``retry=True`` (the
    reader's "Try again") puts a failed field back in the queue at once, at most every
    ``READER_RETRY_COOLDOWN_S`` seconds.
    """
    text = text or ""
    source = languages.normalize(source) or detect_language(text)
    target_code = languages.normalize(target)

    def original(status: str) -> TranslationView:
        return TranslationView(
            status=status, text=text, source_language=source, target_language=target_code or str(target)[:16]
        )

    if not target_code:
        return failure_view(text, source, str(target)[:16], "unsupported target language")
    if not needs_translation(text, source, target_code):
        return original(Status.NOT_NEEDED)
    by_author = _author_translation(obj_kind, obj_id, field, target_code)
    if by_author:
        return TranslationView(
            status=Status.READY,
            text=by_author,
            source_language=source,
            target_language=target_code,
            engine=AUTHOR_ENGINE,
        )
    if len(text) > settings.TRANSLATION_MAX_CHARS:
        return failure_view(text, source, target_code, "too long to translate")
    digest = text_hash(text)
    key = _cache_key(obj_kind, obj_id, field, target_code, digest)
    cached = cache.get(key)
    if cached is None and gloss:
        cached = cache.get(_cache_key(obj_kind, obj_id, field, target_code, digest, gloss=True))
    if cached is not None and not (cached.get("is_gloss") and not gloss):
        _count(True)
        return TranslationView(**cached)
    _count(False)
    engines = registry.chain(source, target_code)
    real = [e for e in engines if not e.is_gloss]
    can_gloss = any(e.is_gloss for e in engines)
    memory = memory_lookup(digest, source, target_code)
    if memory is not None and not memory.is_gloss:
        return _cached_view(key, memory, source, target_code)
    stored_gloss = memory if memory is not None and memory.is_gloss else None

    def gloss_or_failure(raw_error: str) -> TranslationView:
        if gloss and stored_gloss is not None:
            return _cached_view(key + ":g", stored_gloss, source, target_code)
        return failure_view(text, source, target_code, raw_error, gloss_available=can_gloss)

    if not real:
        # The local engine that would translate this pair is being prepared (make run's background step):
        # say so, with its progress, rather than "cannot translate" (a gloss still on request).
        percent = None if gloss else preparation.preparing_percent(source, target_code)
        if percent is not None:
            return TranslationView(
                status=Status.FAILED,
                text=text,
                source_language=source,
                target_language=target_code,
                error=reasons.preparing_message(percent),
                error_code=reasons.PREPARING,
                gloss_available=can_gloss,
                can_retry=True,
            )
        # Only the dictionary (or nothing) for this pair: no job for a worker unless a gloss is wanted.
        # Said as it is: the local engine switched off by the operator, or no engine for the pair.
        missing = (
            "local engine switched off (NOTEBRIDGE_LOCAL_MODEL=0)"
            if preparation.switched_off(source, target_code)
            else "no translation engine for this language pair"
        )
        if not engines:
            return failure_view(text, source, target_code, missing)
        if gloss and stored_gloss is None and enqueue:
            request_job(
                obj_kind=obj_kind,
                obj_id=obj_id,
                field=field,
                text=text,
                source=source,
                target=target_code,
                reason=reason,
            )
            return original(Status.PENDING)
        return gloss_or_failure(missing)
    if real[0].is_fast:
        result = real[0].translate_batch([text], source, target_code)[0]
        if result.ok:
            return _cached_view(key, _remember(digest, source, target_code, result), source, target_code)
    job = request_job(
        obj_kind=obj_kind,
        obj_id=obj_id,
        field=field,
        text=text,
        source=source,
        target=target_code,
        reason=reason,
        enqueue=enqueue,
        retry=retry,
    )
    stored = TranslationMemory.objects.filter(pk=job.memory_id).first() if job.memory_id else None
    if job.state == JobState.READY and stored is not None and not stored.is_gloss:
        return _view_from_memory(stored, source, target_code)
    if job.state == JobState.FAILED or (job.state == JobState.READY and stored is not None):
        # The real engines failed (a gloss may have been kept as the fallback).
        stored_gloss = stored_gloss or stored
        return gloss_or_failure(job.last_error or "translation failed")
    return original(Status.PENDING)


def _author_translation(obj_kind: str, obj_id: int, field: str, target: str) -> str:
    """The note author's own translation of this field into ``target`` (notes/translations.py), which
    wins over any machine translation; "" when there is none."""
    if obj_kind != ObjectKind.NOTE or field not in ("title", "body"):
        return ""
    found = note_translations.author_translation(obj_id, target)
    if found is None:
        return ""
    return found[0] if field == "title" else found[1]


def remember_author_translation(*, note_id: int, language: str) -> int:
    """Keep the author's translation of a note's title and text in the memory as trusted pairs (engine
    "author"), replacing an earlier one of the same text. Returns the number of pairs stored."""
    note = Note.objects.filter(pk=note_id).only("title", "body", "language").first()
    found = note_translations.author_translation(note_id, language)
    source = languages.normalize(note.language) if note is not None else ""
    if note is None or found is None or not source:
        return 0
    stored = 0
    for original, translated in zip((note.title, note.body), found, strict=True):
        if not original or not translated:
            continue
        TranslationMemory.objects.update_or_create(
            source_hash=text_hash(original),
            source_language=source,
            target_language=languages.normalize(language),
            engine=AUTHOR_ENGINE,
            engine_version=AUTHOR_ENGINE_VERSION,
            defaults={"text": translated, "is_gloss": False, "source_text": original},
        )
        stored += 1
    return stored


def _cached_view(key: str, memory: TranslationMemory, source: str, target: str) -> TranslationView:
    view = _view_from_memory(memory, source, target)
    cache.set(key, view.as_dict(), CACHE_TTL)
    return view


def request_job(
    *,
    obj_kind: str,
    obj_id: int,
    field: str,
    text: str,
    source: str,
    target: str,
    reason: str = "reader",
    enqueue: bool = True,
    retry: bool = False,
) -> TranslationJob:
    """Record (or refresh) the job for one field; enqueue a worker when there is work to do.

    ``retry``: a reader asked again for a field that failed (or got only a gloss): back to pending now,
    whatever the backoff says, unless that was done in the last ``READER_RETRY_COOLDOWN_S`` seconds.
    """
    if obj_kind not in ObjectKind.values:
        raise ValueError(f"unknown object kind {obj_kind!r}")
    digest = text_hash(text)
    now = timezone.now()
    defaults = {"source_language": source, "source_hash": digest, "source_text": text, "reason": reason}
    with transaction.atomic():
        job, created = TranslationJob.objects.select_for_update().get_or_create(
            obj_kind=obj_kind, obj_id=obj_id, field=field[:32], target_language=target, defaults=defaults
        )
        needs_worker = created
        if not created and (job.source_hash != digest or job.source_language != source):
            # The source was edited since: start over.
            for name, value in defaults.items():
                setattr(job, name, value)
            job.state, job.attempts, job.memory, job.last_error = JobState.PENDING, 0, None, ""
            job.partial_text = ""
            job.next_attempt_at = job.locked_until = None
            job.save()
            needs_worker = True
        elif (
            retry
            and not created
            and job.state in (JobState.FAILED, JobState.READY)
            and (job.state == JobState.FAILED or job.memory is None or job.memory.is_gloss)
            and cache.add(f"tr:retry:{job.pk}", 1, READER_RETRY_COOLDOWN_S)
        ):
            job.state, job.next_attempt_at, job.locked_until = JobState.PENDING, None, None
            job.save(update_fields=["state", "next_attempt_at", "locked_until", "updated_at"])
            needs_worker = True
        elif not created and job.state in (JobState.FAILED, JobState.READY) and job.next_attempt_at:
            if job.next_attempt_at <= now and job.attempts < settings.TRANSLATION_MAX_ATTEMPTS:
                job.state, job.next_attempt_at = JobState.PENDING, None
                job.save(update_fields=["state", "next_attempt_at", "updated_at"])
                needs_worker = True
        elif not created and job.state == JobState.PENDING and job.updated_at < now - timedelta(minutes=10):
            needs_worker = True  # the task was lost (a queue flushed, a worker gone): ask again

        if reason == "reader" and job.reason != "reader":
            TranslationJob.objects.filter(pk=job.pk).update(reason="reader")
        if needs_worker and enqueue:
            _enqueue(job.pk)
    return job


def _enqueue(job_id: int, *, delay: timedelta | None = None) -> None:
    # robust: a queue that is down is logged; the job stays pending and is picked up again by a later
    # reader (stale pending jobs are re-queued) or `manage.py translations retry`.
    if delay is None:
        transaction.on_commit(lambda: _enqueue_now(job_id), robust=True)
        return
    backend = tasks.translate_job.get_backend()
    if getattr(backend, "supports_defer", False):
        run_after = timezone.now() + delay
        transaction.on_commit(lambda: tasks.translate_job.using(run_after=run_after).enqueue(job_id), robust=True)
    # Without deferral the retry happens when a reader asks again or `manage.py translations retry` runs.


def _enqueue_now(job_id: int) -> None:
    trace.mark("commit", job=job_id)
    tasks.translate_job.enqueue(job_id)
    trace.mark("queued", job=job_id)


def drafts(*, obj_kind: str, obj_id: int, target: str, texts: dict[str, str]) -> tuple[dict[str, str], bool]:
    """The drafts of an object's fields being translated now (translation/progress.py), and whether
    any of them is still to be done. ``texts``: field name -> the original it was asked for; a job
    for another text (the source was edited) does not count. A draft is in progress, never a result."""
    target = languages.normalize(target)
    rows = TranslationJob.objects.filter(
        obj_kind=obj_kind, obj_id=obj_id, target_language=target, field__in=[f[:32] for f in texts]
    ).values_list("field", "source_hash", "state", "partial_text")
    found: dict[str, str] = {}
    waiting = False
    wanted = {name[:32]: text_hash(text) for name, text in texts.items()}
    for name, digest, state, partial in rows:
        if wanted.get(name) != digest or state not in (JobState.PENDING, JobState.RUNNING):
            continue
        waiting = True
        if partial and state == JobState.RUNNING:
            found[name] = partial
    return found, waiting


# --- working ---------------------------------------------------------------------------------


def _claim(job_id: int) -> TranslationJob | None:
    """Take the job for this worker, unless another holds it or there is nothing to do."""
    now = timezone.now()
    claimable = Q(state=JobState.PENDING) | Q(state=JobState.RUNNING, locked_until__lt=now)
    updated = TranslationJob.objects.filter(claimable, pk=job_id).update(
        state=JobState.RUNNING,
        locked_until=now + timedelta(seconds=LOCK_SECONDS),
        partial_text="",
        updated_at=now,
    )
    return TranslationJob.objects.filter(pk=job_id).first() if updated else None


def translate_text(text: str, source: str, target: str) -> tuple[Result | None, list[Result]]:
    """Run the chain on one text now (workers only): (best result or None, every result tried).

    ``source`` "" is detected; codes are normalised ("zh" -> "zh-Hans"). Used by the review app.
    """
    source = languages.normalize(source) or detect_language(text)
    target = languages.normalize(target)
    if not source or not target or source == target or len(text) > settings.TRANSLATION_MAX_CHARS:
        return None, []
    best, tried = translate_texts([text], source, target)
    return best[0], tried[0]


def translate_texts(texts: list[str], source: str, target: str) -> tuple[list[Result | None], list[list[Result]]]:
    """Run the engine chain on a batch: each engine gets, in one call, the texts still untranslated.

    A gloss is kept only as a fallback; a later real translation replaces it. An answer the engine's
    validation refused is asked for again another way (translation/another_way.py).
    """
    best: list[Result | None] = [None] * len(texts)
    tried: list[list[Result]] = [[] for _ in texts]
    for engine in registry.chain(source, target):
        todo = [i for i, r in enumerate(best) if r is None or r.is_gloss]
        if engine.is_gloss:
            todo = [i for i in todo if best[i] is None]
        if not todo:
            break
        try:
            with progress.reporting(progress.remap(todo)):
                results = engine.translate_batch([texts[i] for i in todo], source, target)
        except Exception as exc:  # an engine bug must not lose the job: fall through to the next one
            logger.exception("engine %s crashed", engine.name)
            results = [Result.failed(engine, f"crashed: {exc}") for _ in todo]
        for i, result in zip(todo, results, strict=False):
            tried[i].append(result)
            if not result.ok and not engine.is_gloss and reasons.classify(result.error) == reasons.REJECTED:
                # The engine answered but not with a translation (often a post that reads as orders):
                # ask it another way before falling back to the next engine, never to a gloss first.
                another = translate_another_way(engine, texts[i], source, target)
                if another is not None:
                    tried[i].append(another)
                    result = another
            if result.ok and result.text.strip():
                best[i] = result
    return best, tried


def process_job(job_id: int) -> TranslationView | None:
    """Do one job (the worker's entry point). Idempotent: a job not pending is left alone."""
    views = process_jobs([job_id])
    return views.get(job_id)


def process_jobs(job_ids: list[int]) -> dict[int, TranslationView]:
    """Claim and do several jobs, batching those with the same language pair into one engine call."""
    trace.mark("job_start", jobs=job_ids)
    claimed = [job for job_id in dict.fromkeys(job_ids) if (job := _claim(job_id)) is not None]
    trace.mark("claimed", jobs=[job.pk for job in claimed])
    # Jobs done ahead of time (no reader waits) apart from the others: engines may spend more on them
    # (retrieved examples, several candidates: translation/examples.py).
    groups: dict[tuple[str, str, bool], list[TranslationJob]] = {}
    for job in claimed:
        groups.setdefault((job.source_language, job.target_language, job.reason == "ahead"), []).append(job)
    views: dict[int, TranslationView] = {}
    for (source, target, ahead), jobs in groups.items():
        pending: list[TranslationJob] = []
        for job in jobs:
            memory = memory_lookup(job.source_hash, source, target)
            if memory is not None and not memory.is_gloss:
                views[job.pk] = _finish(job, memory=memory)
            else:
                pending.append(job)
        if not pending:
            continue
        # Readers waiting on a page see the translation grow (translation/progress.py).
        drafts = progress.JobDrafts([job.pk if job.reason == "reader" else None for job in pending])
        trace.mark("engine_call", jobs=[job.pk for job in pending])
        with progress.reporting(drafts), examples.ahead_of_time(ahead):
            best, tried = translate_texts([job.source_text for job in pending], source, target)
        for job, result, attempts in zip(pending, best, tried, strict=True):
            errors = "; ".join(f"{r.engine}: {r.error}" for r in attempts if not r.ok)
            if result is None:
                views[job.pk] = _fail(job, errors or "no engine produced a translation")
            else:
                memory = _remember(job.source_hash, source, target, result)
                views[job.pk] = _finish(job, memory=memory, error=errors if result.is_gloss else "")
    return views


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(6 * 3600, 30 * 4 ** max(0, attempts - 1)))


def _finish(job: TranslationJob, *, memory: TranslationMemory, error: str = "") -> TranslationView:
    retry_at = None
    attempts = job.attempts + 1
    real_engine = any(not e.is_gloss for e in registry.chain(job.source_language, job.target_language))
    if memory.is_gloss and real_engine and attempts < settings.TRANSLATION_MAX_ATTEMPTS:
        retry_at = timezone.now() + _backoff(attempts)  # try for a real translation later
    # Only write if the source did not change while we worked (an edit resets the job).
    TranslationJob.objects.filter(pk=job.pk, source_hash=job.source_hash).update(
        state=JobState.READY,
        memory=memory,
        attempts=attempts,
        last_error=error[:500],
        next_attempt_at=retry_at,
        locked_until=None,
        partial_text="",
        updated_at=timezone.now(),
    )
    cache.delete(_cache_key(job.obj_kind, job.obj_id, job.field, job.target_language, job.source_hash))
    trace.mark("final", job=job.pk)
    if retry_at is not None:
        _enqueue(job.pk, delay=retry_at - timezone.now())
    return _view_from_memory(memory, job.source_language, job.target_language)


def _fail(job: TranslationJob, error: str) -> TranslationView:
    attempts = job.attempts + 1
    retry_at = timezone.now() + _backoff(attempts) if attempts < settings.TRANSLATION_MAX_ATTEMPTS else None
    TranslationJob.objects.filter(pk=job.pk, source_hash=job.source_hash).update(
        state=JobState.FAILED,
        attempts=attempts,
        last_error=error[:500],
        next_attempt_at=retry_at,
        locked_until=None,
        partial_text="",
        updated_at=timezone.now(),
    )
    logger.info("translation job %s failed (attempt %s): %s", job.pk, attempts, error[:200])
    if retry_at is not None:
        _enqueue(job.pk, delay=retry_at - timezone.now())
    return failure_view(job.source_text, job.source_language, job.target_language, error)


def retry_due_jobs(*, limit: int = 500) -> int:
    """Re-queue failed jobs and gloss-only results whose retry time has come; stale running ones too."""
    now = timezone.now()
    due = TranslationJob.objects.filter(
        Q(
            state__in=[JobState.FAILED, JobState.READY],
            next_attempt_at__lte=now,
            attempts__lt=settings.TRANSLATION_MAX_ATTEMPTS,
        )
        | Q(state=JobState.RUNNING, locked_until__lt=now)
    ).values_list("pk", flat=True)[:limit]
    ids = list(due)
    TranslationJob.objects.filter(pk__in=ids).update(state=JobState.PENDING, next_attempt_at=None, updated_at=now)
    for job_id in ids:
        _enqueue(job_id)
    return len(ids)


def retry_failed_jobs(*, limit: int = 1000) -> int:
    """The operator's "retry failed": every failed job back to pending now, with a fresh attempt budget.

    Unlike ``retry_due_jobs`` it does not wait for the backoff and also takes jobs that used up their
    attempts (an operator retries after fixing the cause: an engine configured, a server back up).
    The last error stays on the job until its next result replaces it.
    """
    ids = list(
        TranslationJob.objects.filter(state=JobState.FAILED).order_by("updated_at").values_list("pk", flat=True)[:limit]
    )
    TranslationJob.objects.filter(pk__in=ids, state=JobState.FAILED).update(
        state=JobState.PENDING, attempts=0, next_attempt_at=None, locked_until=None, updated_at=timezone.now()
    )
    for job_id in ids:
        _enqueue(job_id)
    return len(ids)


# --- invalidation and rebuilding -------------------------------------------------------------


def source_changed(*, obj_kind: str, obj_id: int) -> int:
    """Call when a note, comment, bio or alt text is edited: its old translations are dropped.

    Memory rows for the old text go too unless another job still uses the same text.
    """
    jobs = TranslationJob.objects.filter(obj_kind=obj_kind, obj_id=obj_id)
    old_hashes = set(jobs.values_list("source_hash", flat=True))
    deleted, _ = jobs.delete()
    still_used = set(TranslationJob.objects.filter(source_hash__in=old_hashes).values_list("source_hash", flat=True))
    TranslationMemory.objects.filter(source_hash__in=old_hashes - still_used).delete()
    return deleted


def rebuild(*, engine: str | None = None, enqueue: bool = True, limit: int | None = None) -> int:
    """Forget stored translations (all, or one engine's) and queue every job again.

    The memory is derived data: jobs keep the source text, so everything can be produced again. The
    authors' pairs are not (people wrote them): they stay.
    """
    memory = TranslationMemory.objects.exclude(engine=AUTHOR_ENGINE)
    if engine:
        memory = memory.filter(engine=engine)
    memory.delete()
    jobs = TranslationJob.objects.all()
    if engine:
        jobs = jobs.filter(Q(memory__isnull=True) | Q(state=JobState.FAILED))
    ids = list(jobs.values_list("pk", flat=True)[:limit] if limit else jobs.values_list("pk", flat=True))
    TranslationJob.objects.filter(pk__in=ids).update(
        state=JobState.PENDING, memory=None, attempts=0, next_attempt_at=None, locked_until=None, last_error=""
    )
    if enqueue:
        for job_id in ids:
            _enqueue(job_id)
    return len(ids)
