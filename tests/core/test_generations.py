from __future__ import annotations

import os
import subprocess
import sys

import pytest

from core import generations


@pytest.fixture
def embedded(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return tmp_path


def test_a_bump_is_seen_by_another_process(embedded):
    before = generations.current("auth")
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='notebridge.settings'; django.setup();"
        "from core import generations; generations.bump('auth')"
    )
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}  # the embedded default's in-process cache
    subprocess.run([sys.executable, "-c", code], check=True, env={**env, "NOTEBRIDGE_DATA_DIR": str(embedded)})
    assert generations.current("auth") != before


def test_bumps_always_move_forward(embedded):
    seen = []
    for _ in range(5):
        generations.bump("blocks")
        seen.append(generations.current("blocks"))
    assert seen == sorted(set(seen))


def test_names_are_checked(embedded):
    with pytest.raises(ValueError):
        generations.bump("../../etc/passwd")


def test_a_shared_cache_needs_no_generation(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    generations.bump("auth")
    assert generations.current("auth") == 0 and not (tmp_path / "generations").exists()
