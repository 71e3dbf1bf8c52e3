"""Nudity detector for photos: ``nudenet`` 3.4.2 (its LICENSE file is AGPL-3.0; the wheel's metadata
says MIT). The wheel ships its 12 MB ONNX detector (``320n.onnx``), run by onnxruntime on the CPU;
nothing is downloaded. A photo it finds explicit is held for a human, never rejected (art,
breastfeeding and medical photos look alike to it). A photo that cannot be read raises, and the
pipeline holds the note: a photo is never published unseen. ``status()`` is shown to operators."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from review.stages import Signal

STAGE = "nudenet"
EXPLICIT = {
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "FEMALE_BREAST_EXPOSED",
    "ANUS_EXPOSED",
    "BUTTOCKS_EXPOSED",
}
MIN_SCORE = 0.5
# The detector looks at 320 x 320; a smaller copy saves decoding memory and time on large photos.
MAX_SIDE = 1280
_lock = threading.Lock()


class PhotoUnreadable(ValueError):
    """The photo file is missing, truncated or not an image: the note is held, not published."""


@lru_cache(maxsize=1)
def _detector() -> Any:
    import nudenet
    import onnxruntime
    from nudenet import NudeDetector

    detector = NudeDetector()
    # One thread: on a small shared machine that is faster than onnxruntime's default of every core.
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    model = Path(nudenet.__file__).resolve().parent / "320n.onnx"
    detector.onnx_session = onnxruntime.InferenceSession(
        str(model), sess_options=options, providers=["CPUExecutionProvider"]
    )
    return detector


def detector() -> Any:
    with _lock:
        return _detector()


def status() -> str:
    try:
        detector()
    except Exception as exc:  # shown to operators; the stage itself raises, which holds photos
        return f"unavailable: {exc.__class__.__name__}: {str(exc)[:200]}"
    return "available"


def read_photo(path: str) -> np.ndarray:
    """The photo as the detector wants it (what OpenCV's imread gives: BGR, uint8, 3 channels), read
    with Pillow like the rest of the app: EXIF rotation applied, the first frame of an animation."""
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise PhotoUnreadable(f"photo {Path(path).name} could not be read: {exc}") from exc
    if image.width < 1 or image.height < 1:
        raise PhotoUnreadable(f"photo {Path(path).name} is empty")
    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])


def detect(path: str) -> list[dict[str, Any]]:
    """Explicit regions the detector found in one photo, with scores >= MIN_SCORE."""
    found = detector().detect(read_photo(path))
    return [d for d in found if d.get("class") in EXPLICIT and float(d.get("score", 0)) >= MIN_SCORE]


def run(paths: list[str]) -> list[Signal]:
    signals = []
    for path in paths:
        found = detect(path)
        if found:
            best = max(float(d["score"]) for d in found)
            # Held for a human, never rejected by the model alone.
            signals.append(Signal(STAGE, "sexual", min(0.8, 0.5 + best / 2), f"photo: {found[0]['class'].lower()}"))
    return signals
