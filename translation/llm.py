"""The local language model: loaded lazily, once per process, shared by translation and classifiers.

``llama-cpp-python`` is optional. Without it, or without the model file (``manage.py models install``),
``chat_complete`` answers None and every caller falls back. A llama context is not thread-safe, so one
lock guards loading and every generation; a worker process runs one generation at a time anyway.
"""

from __future__ import annotations

import atexit
import ctypes
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

from translation import trace

logger = logging.getLogger("notebridge.translation")

_lock = threading.RLock()
_state: dict[str, Any] = {"model": None, "path": None, "failed_at": 0.0, "error": "", "load_seconds": None}
# After a failed load, wait this long before trying again rather than failing every call slowly.
RELOAD_AFTER_FAILURE_S = 300.0
# Saved model states, one per shared prompt prefix (see _PrefixStates).
PREFIX_STATES = 4


def model_path() -> Path:
    return Path(settings.TRANSLATION_MODEL_PATH)


def runtime_installed() -> bool:
    import importlib
    import importlib.util

    if importlib.util.find_spec("llama_cpp") is not None:
        return True
    # Installed since this process started (the background preparation, translation/preparation.py):
    # forget the import system's cached directory listings and look once more.
    importlib.invalidate_caches()
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
        _prefixes.clear()


class _PrefixStates:
    """The model's state after each kind of prompt, so that alternating kinds stay fast.

    llama.cpp reuses the evaluated tokens a new prompt shares with the previous one; a worker that
    translates zh->en, then en->zh, then classifies for review, shares nothing between calls and pays
    for the ~260-token system prompt and examples every time (2.6 s on 2 cores). So after each call the
    context's state (its KV cache for the used tokens, about 7 MB) is kept, keyed by every message
    but the last; a call whose prefix differs from the live one restores its state first, and
    llama.cpp then evaluates only what differs. Only llama.cpp's state is copied: the Python-side
    logits table is not used when sampling happens in llama.cpp (``logits_all=False``).
    Uses llama-cpp-python internals (pinned version); any failure turns the cache off.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.states: OrderedDict[str, tuple[bytes, Any, int]] = OrderedDict()
        self.live = ""
        self.broken = False
        self.restores = 0
        self.saves = 0

    def clear(self) -> None:
        self.states.clear()
        self.live = ""

    @staticmethod
    def key(messages: list[dict[str, str]], shared: int | None = None) -> str:
        prefix = messages[:-1] if shared is None else messages[: max(0, min(shared, len(messages) - 1))]
        return hashlib.sha256(json.dumps(prefix, ensure_ascii=False).encode()).hexdigest()

    def before(self, model: Any, key: str) -> None:
        if self.broken or key == self.live or key not in self.states:
            return
        import llama_cpp

        data, ids, n_tokens = self.states[key]
        self.states.move_to_end(key)
        try:
            buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
            if llama_cpp.llama_state_set_data(model._ctx.ctx, buffer, len(data)) != len(data):
                raise RuntimeError("state size mismatch")
            model.input_ids[:n_tokens] = ids
            model.n_tokens = n_tokens
            model._requires_eval = True
        except Exception as exc:
            self._give_up(model, exc)
            return
        self.live = key
        self.restores += 1

    def after(self, model: Any, key: str) -> None:
        """Keep the state of a prefix not yet saved. One already saved is not copied again (about
        75 ms a call on a busy 2-core box, before the job can finish): its saved state holds the same
        prefix, and what follows it (the last call's post and answer) llama.cpp re-evaluates anyway."""
        self.live = key
        if self.broken or self.capacity <= 0:
            return
        if key in self.states:
            self.states.move_to_end(key)
            return
        import llama_cpp

        try:
            size = llama_cpp.llama_state_get_size(model._ctx.ctx)
            buffer = (ctypes.c_uint8 * size)()
            used = llama_cpp.llama_state_get_data(model._ctx.ctx, buffer, size)
            ids = model.input_ids[: model.n_tokens].copy()
            self.states[key] = (ctypes.string_at(buffer, used), ids, model.n_tokens)
            self.saves += 1
        except Exception as exc:
            self._give_up(model, exc)
            return
        self.states.move_to_end(key)
        while len(self.states) > self.capacity:
            self.states.popitem(last=False)

    def _give_up(self, model: Any, exc: Exception) -> None:
        logger.warning("prompt prefix cache disabled: %s", exc)
        self.broken = True
        self.clear()
        model.reset()


_prefixes = _PrefixStates(PREFIX_STATES)


def chat_complete(
    messages: list[dict],
    max_tokens: int = 64,
    temperature: float = 0.0,
    *,
    remember: bool = True,
    on_text: Callable[[str], None] | None = None,
    shared: int | None = None,
) -> str | None:
    """The model's reply to a chat, or None when no model is installed or generation fails.

    ``messages`` are ``{"role": "system"|"user"|"assistant", "content": str}``. The reply is untrusted
    text: callers validate it before acting on it. ``remember=False``: a one-off prefix (a follow-up
    on a draft) whose state is not worth a slot in the saved prompt states. ``on_text``: called with
    the reply so far as the model writes it (streamed generation; the same tokens as without it).
    ``shared``: how many leading messages are the prefix worth a saved state (default: all but the
    last). Messages after it that differ from post to post (retrieved examples, translation/examples.py)
    are read afresh each time and do not take a slot of their own.
    """
    model = get_model()
    trace.mark("model_ready")
    if model is None:
        return None
    clean = [
        {"role": str(m.get("role", "user")), "content": str(m.get("content", ""))}
        for m in messages
        if isinstance(m, dict) and m.get("role") in ("system", "user", "assistant")
    ]
    if not clean:
        return None
    key = _PrefixStates.key(clean, shared if len(clean) == len(messages) else None)
    try:
        with _lock:
            _prefixes.before(model, key)
            trace.mark("prefix_ready", restores=_prefixes.restores)
            options = {
                "messages": clean,
                "max_tokens": max(1, min(int(max_tokens), settings.LLM_CONTEXT // 2)),
                "temperature": float(temperature),
                "seed": 1234,
            }
            if on_text is None:
                content = model.create_chat_completion(**options)["choices"][0]["message"]["content"]
            else:
                content = _streamed(model, options, on_text)
            trace.mark("generated", chars=len(content) if isinstance(content, str) else None)
            if remember:
                _prefixes.after(model, key)
            else:
                _prefixes.live = key
            trace.mark("state_saved")
    except Exception as exc:
        logger.warning("model generation failed: %s", exc)
        return None
    return content if isinstance(content, str) else None


def _streamed(model: Any, options: dict[str, Any], on_text: Callable[[str], None]) -> str:
    """Generate with ``stream=True``, telling ``on_text`` the reply so far after each piece."""
    parts: list[str] = []
    for chunk in model.create_chat_completion(**options, stream=True):
        piece = chunk["choices"][0]["delta"].get("content")
        if piece:
            if not parts:
                trace.mark("first_piece", piece=piece)
            parts.append(piece)
            on_text("".join(parts))
    return "".join(parts)


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
        "prefix_states": len(_prefixes.states),
        "prefix_restores": _prefixes.restores,
        "prefix_saves": _prefixes.saves,
    }
