"""Idempotency-Key on POST /api/v1/statuses lives in the database (api/idempotency.py): a retry finds the
first post whatever the cache does, concurrent retries make one post, and a failed post keeps no key."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from api.idempotency import purge_expired
from api.models import IdempotencyKey
from notes.models import Comment, Note


def test_a_retry_finds_the_first_post_even_when_the_cache_remembers_nothing(make_user, client_for, settings):
    # Django's dummy cache forgets every write, as a Redis outage does for our cache.
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    api = client_for(make_user())
    first = api.post("/api/v1/statuses", {"status": "once"}, HTTP_IDEMPOTENCY_KEY="retry-1")
    second = api.post("/api/v1/statuses", {"status": "once"}, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Note.objects.count() == 1
    assert IdempotencyKey.objects.get().status_id == int(first.json()["id"])


def test_keys_are_per_account_and_replies_are_covered(make_user, make_note, client_for):
    alice, bob = make_user("alice"), make_user("bob")
    note = make_note(alice)
    for user in (alice, bob):
        api = client_for(user)
        a = api.post("/api/v1/statuses", {"status": "hi", "in_reply_to_id": str(note.pk)}, HTTP_IDEMPOTENCY_KEY="k")
        b = api.post("/api/v1/statuses", {"status": "hi", "in_reply_to_id": str(note.pk)}, HTTP_IDEMPOTENCY_KEY="k")
        assert a.status_code == b.status_code == 200 and a.json()["id"] == b.json()["id"]
    assert Comment.objects.count() == 2  # one each: the same key of two accounts is two keys


def test_a_refused_post_keeps_no_key_so_the_fixed_retry_posts(make_user, client_for):
    api = client_for(make_user())
    refused = api.post("/api/v1/statuses", {"status": "x", "visibility": "direct"}, HTTP_IDEMPOTENCY_KEY="fix")
    assert refused.status_code == 422
    assert not IdempotencyKey.objects.exists()
    fixed = api.post("/api/v1/statuses", {"status": "x"}, HTTP_IDEMPOTENCY_KEY="fix")
    assert fixed.status_code == 200 and Note.objects.count() == 1


def test_an_expired_key_posts_again_and_is_purged(make_user, client_for):
    api = client_for(make_user())
    first = api.post("/api/v1/statuses", {"status": "a"}, HTTP_IDEMPOTENCY_KEY="old").json()["id"]
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    second = api.post("/api/v1/statuses", {"status": "a"}, HTTP_IDEMPOTENCY_KEY="old").json()["id"]
    assert first != second and Note.objects.count() == 2
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert purge_expired() == 1 and not IdempotencyKey.objects.exists()


def test_hostile_keys_are_refused_or_stored_hashed(make_user, client_for):
    api = client_for(make_user())
    too_long = api.post("/api/v1/statuses", {"status": "a"}, HTTP_IDEMPOTENCY_KEY="k" * 501)
    assert too_long.status_code == 422 and "Idempotency-Key" in too_long.json()["error"]
    odd = api.post("/api/v1/statuses", {"status": "a"}, HTTP_IDEMPOTENCY_KEY="'; DROP TABLE x; --\u202e")
    assert odd.status_code == 200
    assert len(IdempotencyKey.objects.get().key) == 64  # only a hash of the client's text is stored
    assert Note.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_make_one_post(make_user, client_for):
    """Eight requests with one key at once (threads, each with its own connection): one note, and every
    request answers with it. On PostgreSQL the losers wait on the unique constraint for the winner."""
    api = client_for(make_user())
    start = threading.Barrier(8)
    answers: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def post() -> None:
        try:
            start.wait()
            response = api.post("/api/v1/statuses", {"status": "racing"}, HTTP_IDEMPOTENCY_KEY="race")
            answers.append((response.status_code, response.json().get("id", "")))
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert Note.objects.filter(body="racing").count() + Note.objects.filter(title="racing").count() == 1
    assert len(answers) == 8
    assert {code for code, _ in answers} == {200}
    assert len({status_id for _, status_id in answers}) == 1
