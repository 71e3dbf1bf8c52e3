"""The local model's drafts: streamed generation writes the same answer, and a worker translating for a
reader keeps the text so far on the job as it grows. Skips without the runtime or the model, like
test_llm.py (NOTEBRIDGE_REAL_MODEL_TESTS)."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection

from translation import llm, progress
from translation.engines.llm_engine import LlmEngine
from translation.models import JobState, TranslationJob
from translation.services import process_jobs, request_job

pytestmark = pytest.mark.django_db

TEXT = "周末去了西湖，风景绝了。晚上在河坊街吃了小吃，人很多但是很热闹。"


def test_streamed_reply_is_the_same_reply(real_model):
    messages = [
        {"role": "system", "content": "Translate the user's text into English. Answer with the translation only."},
        {"role": "user", "content": TEXT},
    ]
    # The first call evaluates the prompt from nothing, the later ones reuse it, which can change a
    # greedy choice (measured: "went to the西湖" then "went to西湖", streamed or not): compare two
    # calls from the same state.
    llm.chat_complete(messages, max_tokens=60)
    whole = llm.chat_complete(messages, max_tokens=60)
    seen: list[str] = []
    streamed = llm.chat_complete(messages, max_tokens=60, on_text=seen.append)
    assert whole and streamed == whole
    assert len(seen) >= 5 and seen[-1] == streamed
    assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(seen))


def test_drafts_grow_then_the_validated_translation(real_model):
    seen: list[tuple[int, str]] = []
    with progress.reporting(lambda index, text: seen.append((index, text))):
        result = LlmEngine().translate_batch(["这里的豆浆很好喝。", TEXT], "zh-Hans", "en")[1]
    assert result.ok, result.error
    assert {index for index, _ in seen} <= {0, 1}
    drafts = [text for index, text in seen if index == 1]
    assert len(drafts) >= 5
    assert "West Lake" in result.text or "Xihu" in result.text
    # The drafts are the answer being written: the first words come first, and they grow.
    assert drafts[-1].split()[:2] == result.text.split()[:2]
    assert len(drafts[0]) < len(drafts[-1])


def test_a_reader_job_keeps_its_draft_while_running_and_none_after(real_model):
    job = request_job(obj_kind="note", obj_id=1, field="body", text=TEXT, source="zh-Hans", target="en", enqueue=False)
    drafts: list[str] = []

    def watch(execute, sql, params, many, context):  # the worker's writes of the job's draft, as sent
        if sql.startswith("UPDATE") and "partial_text" in sql and params:
            drafts.extend(p for p in params if isinstance(p, str) and p and p != JobState.RUNNING)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        view = process_jobs([job.pk])[job.pk]
    assert view.status == "ready"
    # The first words at once, then at most every PUBLISH_EVERY_S: a few drafts, growing.
    assert len(drafts) >= 2 and len(drafts[0]) < len(drafts[-1])
    assert TranslationJob.objects.get(pk=job.pk).partial_text == ""
