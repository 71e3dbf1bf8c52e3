"""The local language model: loaded lazily, once per process, shared by translation and classifiers.

``llama-cpp-python`` is optional. Without it, or without the model file (``manage.py models install``),
``chat_complete`` answers None and every caller falls back. A llama context is not thread-safe, so one
lock guards loading and every generation; a worker process runs one generation at a time anyway.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger("notebridge.translation")

_lock = threading.RLock()
_state: dict[str, Any] = {"model": None, "path": None, "failed_at": 0.0, "error": "", "load_seconds": None}
# After a failed load, wait this long before trying again rather than failing every call slowly.
RELOAD_AFTER_FAILURE_S = 300.0


def model_path() -> Path:
    return Path(settings.TRANSLATION_MODEL_PATH)


def runtime_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("llama_cpp") is not None


def is_available() -> bool:
    """The runtime is installed and a model file is present (it may not be loaded yet)."""
    return runtime_installed() and model_path().is_file()


def get_model() -> Any | None:
    """The loaded ``llama_cpp.Llama``, loading it on first use; None when unavailable."""
    path = model_path()
    with _lock:
        if _state["model"] is not None and _state["path"] == path:
            return _state["model"]
        if _state["failed_at"] and time.monotonic() - _state["failed_at"] < RELOAD_AFTER_FAILURE_S:
            return None
        if not is_available():
            return None
        try:
            from llama_cpp import Llama

            started = time.monotonic()
            model = Llama(
                model_path=str(path),
                n_ctx=settings.LLM_CONTEXT,
                n_threads=settings.LLM_THREADS,
                n_gpu_layers=-1,
                verbose=False,
            )
        except Exception as exc:  # a corrupt file or an incompatible runtime: degrade, don't crash
            logger.warning("could not load model %s: %s", path, exc)
            _state.update(failed_at=time.monotonic(), error=str(exc)[:300])
            return None
        _state.update(model=model, path=path, failed_at=0.0, error="", load_seconds=time.monotonic() - started)
        # Free the model before interpreter teardown (llama's own __del__ fails noisily that late).
        atexit.register(unload)
        return model


def unload() -> None:
    with _lock:
        _state.update(model=None, path=None, failed_at=0.0, error="")


def chat_complete(messages: list[dict], max_tokens: int = 64, temperature: float = 0.0) -> str | None:
    """The model's reply to a chat, or None when no model is installed or generation fails.

    ``messages`` are ``{"role": "system"|"user"|"assistant", "content": str}``. The reply is untrusted
    text: callers validate it before acting on it.
    """
    model = get_model()
    if model is None:
        return None
    clean = [
        {"role": str(m.get("role", "user")), "content": str(m.get("content", ""))}
        for m in messages
        if isinstance(m, dict) and m.get("role") in ("system", "user", "assistant")
    ]
    if not clean:
        return None
    try:
        with _lock:
            out = model.create_chat_completion(
                messages=clean,
                max_tokens=max(1, min(int(max_tokens), settings.LLM_CONTEXT // 2)),
                temperature=float(temperature),
                seed=1234,
            )
        content = out["choices"][0]["message"]["content"]
    except Exception as exc:
        logger.warning("model generation failed: %s", exc)
        return None
    return content if isinstance(content, str) else None


def info() -> dict[str, Any]:
    """What operators see: is the runtime there, is a model installed, is it loaded."""
    path = model_path()
    return {
        "runtime_installed": runtime_installed(),
        "model_path": str(path),
        "model_installed": path.is_file(),
        "model_bytes": path.stat().st_size if path.is_file() else 0,
        "loaded": _state["model"] is not None,
        "load_seconds": _state["load_seconds"],
        "last_error": _state["error"],
    }
