"""Shared fixtures. Data is made through the real services, as a user would make it."""

from __future__ import annotations

import io
import itertools
import os

os.environ.setdefault("FAST_PASSWORD_HASHER", "1")

import pytest
from PIL import Image

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts and ends in the default language: a page rendered in Chinese (a request with
    Chinese as its language) leaves the thread's language active, and later tests that read a message
    would meet it in Chinese, depending on the order tests run in."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Each test's own For-you models and candidate pools (recommend: files, not cache entries).
    settings.RECOMMEND_MODEL_DIR = tmp_path / "recommend"
    # No local model in tests unless a test asks for it (tests/translation: real_model): ahead-of-time
    # translation runs inline with the immediate task backend and must not load a 1.1 GB model.
    settings.TRANSLATION_MODEL_PATH = tmp_path / "no-model.gguf"
    # Nor the status of a `make run` preparing it in this checkout (tests that want one turn it back on
    # with their own DATA_DIR: tests/translation/test_prepare_model.py).
    settings.LOCAL_MODEL_PREPARE = False
    # Nor the sentence encoder for every note a test publishes (tests/recommend turn it back on).
    settings.RECOMMEND_EMBED_ON_PUBLISH = False
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASKS["default"].get("QUEUES", []),
        }
    }
    if not settings.SHARED_CACHE_IS_DEFAULT:
        # Each test's own shared cache (files): never a `make run` server's of the same checkout.
        settings.CACHES = {
            **settings.CACHES,
            "shared": {**settings.CACHES["shared"], "LOCATION": str(tmp_path / "shared")},
        }
    from django.core.cache import cache

    cache.clear()
    from api.mastodon.entities import forget_local_statuses

    forget_local_statuses()
    from notes.note_copy import forget_all as forget_local_notes

    forget_local_notes()
    from feeds.timelines import store

    if settings.TIMELINE_BACKEND == "redis":
        store().redis.flushdb()  # type: ignore[union-attr]
        store().mark_complete()  # a Redis in service; tests/feeds/test_lost_timelines.py empties it
    yield


@pytest.fixture
def make_user(db):
    from accounts.services import register_user

    def make(username: str | None = None, **kwargs):
        name = username or f"user{next(_counter)}"
        kwargs.setdefault("password", "correct horse battery")
        kwargs.setdefault("languages", ["en"])
        return register_user(username=name, **kwargs)

    return make


def image_bytes(fmt: str = "JPEG", size=(640, 480), color=(200, 120, 40), exif: bytes | None = None) -> bytes:
    img = Image.new("RGB", size, color)
    for x in range(0, size[0], 16):
        for y in range(0, size[1], 16):
            img.putpixel((x, y), ((x * 7) % 255, (y * 3) % 255, 90))
    out = io.BytesIO()
    params = {"exif": exif} if exif else {}
    img.save(out, format=fmt, **params)
    return out.getvalue()


@pytest.fixture
def photo_bytes():
    return image_bytes


@pytest.fixture
def make_note(db, django_capture_on_commit_callbacks):
    """Create a note through the service and run its on-commit side effects (fan-out, indexing)."""
    from notes.services import create_note, upload_photo

    def make(author, title="A note", body="Some text", photos: int = 1, **kwargs):
        ids = [upload_photo(owner=author, file=image_bytes()).pk for _ in range(photos)]
        with django_capture_on_commit_callbacks(execute=True):
            return create_note(author=author, title=title, body=body, photo_ids=ids, **kwargs)

    return make


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """``with on_commit():`` runs the callbacks a real commit would run."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
