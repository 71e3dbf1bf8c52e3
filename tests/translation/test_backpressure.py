"""Back-pressure: notes posted faster than translation drains never grow the translation queue past its
bound, and never slow or refuse a post. Translate-ahead is deferred to reading time while the queue is
at ``TRANSLATE_AHEAD_MAX_QUEUE``; screening and fan-out are queued as always. On the database queue and,
with ``REDIS_URL``, on RQ: the real backends, with no worker draining them (the worst case)."""

from __future__ import annotations

import pytest

from core import queue_depth, queues

pytestmark = pytest.mark.django_db

BOUND = 5


@pytest.fixture(params=["database", "rq"])
def real_queue(request, settings):
    if request.param == "rq":
        if not settings.REDIS_URL:
            pytest.skip("needs REDIS_URL: RQ is the Redis deployment's queue")
        import django_rq

        backend = "core.rq_backend.RQBackend"
        for name in queues.ALL:
            django_rq.get_queue(name).empty()
    else:
        backend = "django_tasks_db.DatabaseBackend"
    settings.TASKS = {"default": {"BACKEND": backend, "QUEUES": queues.ALL}}
    settings.REVIEW_SCREENING = False
    settings.RATE_LIMITS_ENABLED = False  # a new account's posting limit is another defence (docs/trust.md)
    settings.TRANSLATE_AHEAD_MAX_QUEUE = BOUND
    queue_depth.forget()
    yield request.param
    if request.param == "rq":
        for name in queues.ALL:
            django_rq.get_queue(name).empty()


def _depths() -> dict[str, int]:
    queue_depth.forget()
    return {name: queue_depth.depth(name) for name in queues.ALL}


def _follow(reader, author) -> None:
    from accounts.services import follow

    follow(follower=reader, followee=author)


def test_a_flood_of_posts_fills_translation_only_to_its_bound(real_queue, make_user, client_for, on_commit):
    from notes.models import Note

    author = make_user("dara", languages=["en"])
    for n in range(3):
        _follow(make_user(f"reader{n}", languages=["zh-Hans"]), author)
    api = client_for(author)
    high_before = _depths()[queues.HIGH]
    posted = []
    for n in range(3 * BOUND):
        with on_commit():
            response = api.post("/api/v1/statuses", {"status": f"Street food, stall {n}"})
        assert response.status_code == 200, response.content  # never refused, never 429
        posted.append(int(response.json()["id"]))
        queue_depth.forget()  # as if each post came a second apart: the bound is read afresh
    assert Note.objects.filter(pk__in=posted, state="published").count() == len(posted)
    depths = _depths()
    assert depths[queues.TRANSLATION] == BOUND  # deferred past the bound, not queued without end
    assert depths[queues.HIGH] - high_before == len(posted)  # every fan-out queued: urgent work is never shed


def test_translate_ahead_resumes_once_the_queue_drains(real_queue, make_user, client_for, on_commit):
    author = make_user("esme", languages=["en"])
    _follow(make_user("reader", languages=["zh-Hans"]), author)
    api = client_for(author)
    for n in range(BOUND + 2):
        with on_commit():
            assert api.post("/api/v1/statuses", {"status": f"Noodles {n}"}).status_code == 200
        queue_depth.forget()
    assert _depths()[queues.TRANSLATION] == BOUND
    _drain_translation(real_queue)
    assert _depths()[queues.TRANSLATION] == 0
    with on_commit():
        assert api.post("/api/v1/statuses", {"status": "Dumplings"}).status_code == 200
    assert _depths()[queues.TRANSLATION] == 1


def _drain_translation(kind: str) -> None:
    """What a worker does to the queue: take what waits (the work itself is tested elsewhere)."""
    if kind == "rq":
        import django_rq

        django_rq.get_queue(queues.TRANSLATION).empty()
        return
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(queue_name=queues.TRANSLATION).update(status=TaskResultStatus.SUCCESSFUL)
