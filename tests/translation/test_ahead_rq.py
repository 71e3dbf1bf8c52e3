"""Translate-ahead and trending translation through the real RQ backend (the Redis deployment).

The other tests run tasks with the immediate backend; here the RQ backend itself enqueues into Redis and
an RQ worker (in this process, so it sees the test's data) runs the job. django-tasks refuses a task
with a priority on RQ, and that once left every note's translate-ahead silently unqueued.
Runs in the PostgreSQL + Redis test run (``REDIS_URL`` set); skipped on the embedded default.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings

pytestmark = pytest.mark.skipif(
    not django_settings.REDIS_URL, reason="needs Redis: the RQ backend is the REDIS_URL deployment's"
)


@pytest.fixture
def rq_backend(settings, libretranslate):
    """Tasks on RQ; Chinese -> English by the LibreTranslate stand-in (tests/translation/fake_servers.py)."""
    import django_rq

    settings.TASKS = {"default": {"BACKEND": "core.rq_backend.RQBackend", "QUEUES": list(settings.RQ_QUEUES)}}
    settings.TRANSLATION_ENGINES = ["opencc", "libretranslate", "gloss"]
    queue = django_rq.get_queue("translation")
    queue.empty()
    yield queue
    queue.empty()


def _work(*names: str) -> None:
    """What ``manage.py rqworker <queues>`` does, in this process (the job class comes from settings)."""
    import django_rq
    from rq import SimpleWorker

    worker_class: Any = SimpleWorker  # runs jobs in this process (django-rq's stubs want a forking Worker)
    django_rq.get_worker(*names, worker_class=worker_class).work(burst=True)


def test_a_new_note_is_queued_for_its_followers_languages_on_rq(rq_backend, make_user, make_note, caplog, on_commit):
    from accounts.services import follow
    from translation.models import TranslationMemory

    author = make_user("chen", languages=["zh-Hans"])
    follow(follower=make_user("amy", languages=["en"]), followee=author)
    note = make_note(author, title="今天天气很好，我们去公园吧", body="周末去了西湖，风景绝了", language="zh-Hans")
    assert not rq_backend.get_jobs()  # nothing is translated before screening publishes it
    with on_commit():
        _work("review", "high", "default")

    jobs = [j for j in rq_backend.get_jobs() if j.func_name == "translation.tasks.translate_note_ahead"]
    assert [j.args for j in jobs] == [(note.pk,)], caplog.text
    assert "could not queue" not in caplog.text

    _work("translation")
    done = TranslationMemory.objects.filter(source_language="zh-Hans", target_language="en", engine="libretranslate")
    assert sorted(done.values_list("text", flat=True)) == [
        "The weather is nice today, let's go to the park",
        "Went to West Lake at the weekend, the scenery was amazing",
    ]
    assert rq_backend.count == 0


def test_trending_notes_are_queued_on_rq(rq_backend, make_user, make_note, on_commit):
    from django.core.cache import cache

    from notes.services import like_note
    from translation.models import TranslationMemory

    author = make_user("chen", languages=["zh-Hans"])
    make_user("amy", languages=["en"])  # the instance's readers: Chinese and English
    note = make_note(author, title="周末去了西湖，风景绝了", body="", language="zh-Hans")
    _work("review", "high", "default")  # screening publishes the note
    rq_backend.empty()  # leave only what engagement asks for
    cache.delete("ahead:trending:lock")
    with on_commit():
        like_note(user=make_user(), note_id=note.pk)

    jobs = [j for j in rq_backend.get_jobs() if j.func_name == "translation.tasks.translate_trending"]
    assert len(jobs) == 1  # the worker reads the ranking itself
    _work("translation")
    assert TranslationMemory.objects.filter(
        target_language="en", text="Went to West Lake at the weekend, the scenery was amazing"
    ).exists()
