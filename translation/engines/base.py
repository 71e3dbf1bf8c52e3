"""The one interface every translation engine implements.

An engine turns a batch of texts in one language into another and says, for each text, whether that
worked. It never raises for a bad text or a bad answer: a failure is a ``Result`` with ``ok=False`` and a
reason, so the caller can fall back to the next engine and keep the original on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Result:
    text: str
    ok: bool
    engine: str
    engine_version: str
    is_gloss: bool = False
    error: str = ""
    # For diagnostics and the evaluation only: the rejected output, never shown to readers.
    draft: str = ""

    @classmethod
    def failed(cls, engine: Engine, error: str, draft: str = "") -> Result:
        return cls(text="", ok=False, engine=engine.name, engine_version=engine.version, error=error[:500], draft=draft)

    @classmethod
    def success(cls, engine: Engine, text: str) -> Result:
        return cls(text=text, ok=True, engine=engine.name, engine_version=engine.version, is_gloss=engine.is_gloss)


@runtime_checkable
class Engine(Protocol):
    name: str
    is_gloss: bool
    # Fast engines (no model, no network: OpenCC) may run inside a request; the others only in a worker.
    is_fast: bool

    @property
    def version(self) -> str:
        """Changes whenever output for the same input may change (model, prompt): keys the memory."""
        ...

    def available(self) -> bool:
        """Configured and able to run now (a model file present, a URL set)."""
        ...

    def supports(self, source: str, target: str) -> bool: ...

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Result]: ...


class EngineBase:
    name = "base"
    version = "0"
    is_gloss = False
    is_fast = False

    def available(self) -> bool:
        return True

    def supports(self, source: str, target: str) -> bool:
        return bool(source) and bool(target) and source != target

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Result]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {self.version}>"
