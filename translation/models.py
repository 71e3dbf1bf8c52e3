"""Translation memory and translation jobs.

``TranslationMemory`` is content-addressed: one row per (sha256 of the source text, source, target,
engine, engine version), so identical text is never translated twice by the same engine, and a new
model or prompt version naturally misses the cache. ``TranslationJob`` is the state machine for one
field of one object into one language; it holds the text it was asked to translate, so an edit (a new
hash) resets it, and a worker that dies leaves a job that is simply picked up again.
"""

from __future__ import annotations

import hashlib

from django.db import models
from django.utils import timezone


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class TranslationMemory(models.Model):
    source_hash = models.CharField(max_length=64)
    source_language = models.CharField(max_length=16)
    target_language = models.CharField(max_length=16)
    engine = models.CharField(max_length=32)
    engine_version = models.CharField(max_length=100)
    text = models.TextField()
    is_gloss = models.BooleanField(default=False)
    # The source itself, kept only for pairs people wrote (engine "author"): the pool of few-shot
    # examples (translation/examples.py). Empty for machine output.
    source_text = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source_hash", "source_language", "target_language", "engine", "engine_version"],
                name="unique_translation_memory",
            )
        ]
        indexes = [models.Index(fields=["source_hash", "target_language"])]

    def __str__(self) -> str:
        return f"{self.source_language}->{self.target_language} {self.engine} {self.source_hash[:8]}"


class ObjectKind(models.TextChoices):
    NOTE = "note"
    COMMENT = "comment"
    BIO = "bio"
    ALT = "alt"  # a photo's alt text
    TAG = "tag"


class JobState(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


# The moves a job makes, all in services.py: request_job (-> pending), _claim (-> running), _finish
# (-> ready), _fail (-> failed), retry_due_jobs, retry_failed_jobs and an edit (-> pending). Tests check
# each path.
TRANSITIONS: dict[str, set[str]] = {
    JobState.PENDING: {JobState.RUNNING, JobState.PENDING},
    JobState.RUNNING: {JobState.READY, JobState.FAILED, JobState.PENDING},
    JobState.READY: {JobState.PENDING},
    JobState.FAILED: {JobState.PENDING},
}


class TranslationJob(models.Model):
    obj_kind = models.CharField(max_length=16, choices=ObjectKind.choices)
    obj_id = models.BigIntegerField()
    field = models.CharField(max_length=32)
    target_language = models.CharField(max_length=16)
    source_language = models.CharField(max_length=16)
    source_hash = models.CharField(max_length=64)
    source_text = models.TextField()
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.PENDING)
    memory = models.ForeignKey(TranslationMemory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
    # A ready job whose best result is a gloss or a failed job is tried again after this time.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # Why it was asked for: "reader" (on demand) or "ahead" (predicted); readers go first.
    reason = models.CharField(max_length=10, default="reader")
    # While a worker generates for a reader: the translation so far, shown on the page as a draft
    # (translation/progress.py). Emptied when the job finishes or fails; never served as a result.
    partial_text = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["obj_kind", "obj_id", "field", "target_language"], name="unique_translation_job"
            )
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["obj_kind", "obj_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.obj_kind}:{self.obj_id}.{self.field} -> {self.target_language} ({self.state})"
