"""A task worker loads what its tasks need once, before it forks (core/warmup.py): the screening models
are registered, loading them fills the caches the screening stages read, and a loader that fails is
skipped without stopping the others."""

from __future__ import annotations

import pytest

from core import warmup
from review.stages import embedding


@pytest.fixture
def failing_loader():
    def broken() -> None:
        raise RuntimeError("no such model")

    warmup.register("a broken loader", broken)
    yield
    warmup._loaders.pop("a broken loader", None)


def test_the_worker_warms_the_screening_models_and_skips_a_failing_loader(settings, failing_loader):
    settings.REVIEW_SCREENING = True
    assert "screening models" in warmup.registered()
    embedding.reset()
    took = warmup.warm()
    assert took["a broken loader"] == -1.0
    assert took["screening models"] >= 0
    assert embedding._model.cache_info().currsize == 1  # loaded: a forked job finds it there


def test_nothing_is_loaded_for_screening_that_is_off(settings):
    settings.REVIEW_SCREENING = False
    embedding.reset()
    warmup.warm()
    assert embedding._model.cache_info().currsize == 0


def test_trust_registers_its_tables_and_loading_them_fills_the_cache():
    from trust import impersonation

    assert "impersonation tables" in warmup.registered()
    impersonation._confusable_table.cache_clear()
    warmup.warm()
    assert impersonation._confusable_table.cache_info().currsize == 1  # a forked check finds it there


def test_the_worker_freezes_its_heap_before_forking():
    """A work horse's collections then leave the warmed worker's objects (and their pages) alone."""
    import gc

    from core.rq_worker import freeze_heap

    gc.unfreeze()  # (a worker run in this process earlier, tests/core/test_production.py, froze it)
    assert gc.get_freeze_count() == 0
    try:
        freeze_heap()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
