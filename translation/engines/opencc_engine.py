"""Simplified <-> Traditional Chinese by OpenCC: exact, instant, no model."""

from __future__ import annotations

from core.language_detection import _opencc
from translation.engines.base import EngineBase, Result

# Taiwan phrasing for Traditional ("s2twp" would also swap vocabulary, e.g. 软件 -> 軟體).
_CONFIGS = {("zh-Hans", "zh-Hant"): "s2twp", ("zh-Hant", "zh-Hans"): "tw2sp"}


class OpenCCEngine(EngineBase):
    name = "opencc"
    is_fast = True

    @property
    def version(self) -> str:  # type: ignore[override]
        try:
            from importlib.metadata import version

            return f"opencc-{version('opencc')}"
        except Exception:
            return "opencc"

    def available(self) -> bool:
        import importlib.util

        return importlib.util.find_spec("opencc") is not None

    def supports(self, source: str, target: str) -> bool:
        return (source, target) in _CONFIGS

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Result]:
        config = _CONFIGS.get((source, target))
        if config is None:
            return [Result.failed(self, f"unsupported pair {source}->{target}") for _ in texts]
        converter = _opencc(config)
        return [Result.success(self, converter.convert(text)) for text in texts]
