"""What operators see (``translation_status``) and do (``retry_failed_jobs``); tag language detection."""

import hashlib
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from core.language_detection import detect_language_cached
from translation import services
from translation.models import JobState, TranslationJob
from translation.selectors import engine_pairs, recent_failures, translation_status
from translation.services import Status, get_or_request_translation

pytestmark = pytest.mark.django_db

ZH = "今天天气很好，我们去公园吧"
EN = "The weather is nice today, let's go to the park"


def ask(text=ZH, source="zh-Hans", target="en", obj_id=1, **kwargs):
    return get_or_request_translation(
        obj_kind="note", obj_id=obj_id, field="body", text=text, source=source, target=target, **kwargs
    )


def test_pairs_show_the_active_engine_and_fallbacks(settings, libretranslate):
    settings.TRANSLATION_ENGINES = ["opencc", "libretranslate", "gloss"]
    pairs = {(p["source"], p["target"]): p for p in engine_pairs()}
    assert len(pairs) == len(settings.CONTENT_LANGUAGES) * (len(settings.CONTENT_LANGUAGES) - 1)
    assert pairs[("zh-Hans", "zh-Hant")]["active"] == "opencc"
    assert pairs[("zh-Hans", "en")]["chain"] == ["libretranslate", "gloss"]
    assert pairs[("th", "ko")] == {
        "source": "th",
        "target": "ko",
        "chain": ["libretranslate"],
        "active": "libretranslate",
        "gloss_only": False,
    }
    settings.TRANSLATION_ENGINES = ["opencc", "gloss"]
    pairs = {(p["source"], p["target"]): p for p in engine_pairs()}
    assert pairs[("zh-Hans", "en")]["gloss_only"] is True
    assert pairs[("th", "ko")]["active"] == "" and pairs[("th", "ko")]["chain"] == []


def test_status_has_oldest_pending_age_and_recent_failures(settings, libretranslate, on_commit):
    settings.TRANSLATION_ENGINES = ["libretranslate"]
    assert translation_status()["queue"]["oldest_pending_seconds"] is None
    ask(obj_id=1)  # recorded, not run (no commit)
    TranslationJob.objects.filter(obj_id=1).update(updated_at=timezone.now() - timedelta(seconds=90))
    status = translation_status()
    assert status["queue"]["pending"] == 1 and 89 <= status["queue"]["oldest_pending_seconds"] <= 120
    libretranslate.mode = "down"
    with on_commit():
        ask(obj_id=2)
    [failure] = recent_failures()
    assert failure["obj_id"] == 2 and failure["state"] == JobState.FAILED and "503" in failure["last_error"]
    assert failure["attempts"] == 1 and failure["next_attempt_at"] is not None
    assert translation_status()["recent_failures"] == [failure]


def test_gloss_after_failed_engines_counts_as_a_failure_to_see(settings, libretranslate, on_commit):
    settings.TRANSLATION_ENGINES = ["libretranslate", "gloss"]
    libretranslate.mode = "down"
    with on_commit():
        assert ask().status == Status.PENDING
    assert ask(gloss=True).is_gloss  # readers see it only when they ask for it
    [failure] = recent_failures()
    assert failure["state"] == JobState.READY and "libretranslate" in failure["last_error"]


def test_retry_failed_jobs_takes_every_failed_job_now(settings, libretranslate, on_commit):
    settings.TRANSLATION_ENGINES = ["libretranslate"]
    libretranslate.mode = "down"
    with on_commit():
        ask(obj_id=1)
        ask(obj_id=2, text="周末去了西湖，风景绝了")
    TranslationJob.objects.filter(obj_id=2).update(attempts=settings.TRANSLATION_MAX_ATTEMPTS, next_attempt_at=None)
    assert services.retry_due_jobs() == 0  # one not due yet, one out of attempts
    libretranslate.mode = "ok"
    with on_commit():
        assert services.retry_failed_jobs() == 2
    assert set(TranslationJob.objects.values_list("state", flat=True)) == {JobState.READY}
    assert ask(obj_id=1).text == EN
    assert services.retry_failed_jobs() == 0


def test_retry_failed_jobs_leaves_other_states_alone(settings, libretranslate, on_commit):
    settings.TRANSLATION_ENGINES = ["libretranslate"]
    with on_commit():
        ask(obj_id=1)
    ask(obj_id=2, text="周末去了西湖，风景绝了")  # pending, not committed
    assert services.retry_failed_jobs() == 0
    assert dict(TranslationJob.objects.values_list("obj_id", "state")) == {1: JobState.READY, 2: JobState.PENDING}


def test_detect_language_cached_answers_from_the_cache():
    key = "tr:lang:" + hashlib.sha1("火锅".encode(), usedforsecurity=False).hexdigest()
    assert cache.get(key) is None
    assert detect_language_cached("火锅") == "zh-Hans"
    assert cache.get(key) == "zh-Hans"
    assert detect_language_cached("ok") == ""  # too short to judge: an answer, cached like the others
    cache.set(key, "ja")
    assert detect_language_cached("火锅") == "ja"  # the stored answer, not detected again
