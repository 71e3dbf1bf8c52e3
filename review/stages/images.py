"""Optional NSFW detector for photos: ``nudenet`` (AGPL-3.0, ships a 12 MB ONNX model). Not a default
dependency (it pulls onnxruntime and OpenCV); when it is missing the stage reports "unavailable" and
photos are screened by the other stages only. ``status()`` says which, for operators."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from review.stages import Signal

STAGE = "nudenet"
EXPLICIT = {
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "FEMALE_BREAST_EXPOSED",
    "ANUS_EXPOSED",
    "BUTTOCKS_EXPOSED",
}


@lru_cache(maxsize=1)
def _detector() -> Any | None:
    try:
        from nudenet import NudeDetector
    except ImportError:
        return None
    return NudeDetector()


def status() -> str:
    return "available" if _detector() is not None else "unavailable: pip install nudenet to screen photos"


def run(paths: list[str]) -> list[Signal]:
    detector = _detector()
    if detector is None or not paths:
        return []
    signals = []
    for path in paths:
        found = [d for d in detector.detect(path) if d.get("class") in EXPLICIT and d.get("score", 0) >= 0.5]
        if found:
            best = max(d["score"] for d in found)
            # Held for a human, never rejected by the model alone (art, breastfeeding, medical photos).
            signals.append(Signal(STAGE, "sexual", min(0.8, 0.5 + best / 2), f"photo: {found[0]['class'].lower()}"))
    return signals
