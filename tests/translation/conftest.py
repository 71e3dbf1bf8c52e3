"""Translation test setup: no model unless a test asks for it, a fake remote engine on localhost."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from tests.api.conftest import app, client_for, token_for  # noqa: F401  (API clients: test_backpressure.py)
from tests.translation.fake_servers import FakeServer

MODEL_PATH = Path(__file__).resolve().parents[2] / "var" / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


def llm_skip_reason() -> str | None:
    if os.environ.get("NOTEBRIDGE_REAL_MODEL_TESTS") == "0":
        return "the real-model tests run in their own step after both passes (.ci/run)"
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed (see docs/translation.md: install the cached wheel)"

    path = Path(os.environ.get("TRANSLATION_MODEL_PATH", MODEL_PATH))
    if not path.is_file():
        return f"no model at {path} (run `manage.py models install`)"
    return None


@pytest.fixture(autouse=True)
def _translation_settings(settings, tmp_path):
    """Engines as a small instance would configure them, with the local model switched off."""
    settings.TRANSLATION_MODEL_PATH = tmp_path / "no-model.gguf"
    settings.TRANSLATION_ENGINES = ["opencc", "llm", "libretranslate", "deepl", "gloss"]
    settings.LIBRETRANSLATE_URL = ""
    settings.LIBRETRANSLATE_API_KEY = ""
    settings.DEEPL_API_KEY = ""
    settings.TRANSLATION_REMOTE_TIMEOUT = 1.0
    settings.TRANSLATION_SYNC_WAIT_S = 0
    from translation import llm

    llm.unload()
    yield
    llm.unload()


@pytest.fixture
def fake_remote():
    with FakeServer() as server:
        yield server


@pytest.fixture
def libretranslate(settings, fake_remote):
    settings.LIBRETRANSLATE_URL = fake_remote.url
    settings.LIBRETRANSLATE_API_KEY = "lt-key"
    return fake_remote


@pytest.fixture
def deepl(settings, fake_remote):
    settings.DEEPL_API_KEY = "dl-key"
    settings.DEEPL_URL = fake_remote.url
    return fake_remote


@pytest.fixture
def real_model(settings):
    """The installed model. Skips without it, except with ``NOTEBRIDGE_REAL_MODEL_TESTS=require`` (CI's
    real-model step), where a missing runtime or model fails the test instead of hiding it."""
    reason = llm_skip_reason()
    if reason:
        if os.environ.get("NOTEBRIDGE_REAL_MODEL_TESTS") == "require":
            pytest.fail(f"the real model is required here: {reason}")
        pytest.skip(reason)
    settings.TRANSLATION_MODEL_PATH = Path(os.environ.get("TRANSLATION_MODEL_PATH", MODEL_PATH))
    # One thread by default (a busy shared machine); CI's own step has both cores to itself.
    settings.LLM_THREADS = int(os.environ.get("LLM_THREADS", "1"))
    return settings.TRANSLATION_MODEL_PATH
