"""The demo photo pool: real, freely licensed photographs turned into many distinct note photos.

Sources are files that installed packages ship (the scikit-image wheel's sample data, Debian's
``mate-backgrounds``); nothing is downloaded and nothing large is committed. Each variant is a seeded
crop (3:4, 1:1 or 4:3), an optional mirror, a colour/brightness/contrast shift and, for black-and-white
sources, an optional tone, resized so that the longest side is 1080 px and encoded as JPEG. The same
(seed, source, variant) always yields the same bytes, so the demo is reproducible.
"""

from __future__ import annotations

import importlib.util
import io
import random
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from PIL import Image, ImageEnhance, ImageFilter, ImageOps

from demo.content import PhotoSource, load_photo_catalog

MATE_ROOT = Path("/usr/share/backgrounds/mate")
LONG_SIDE = 1080
VARIANTS_PER_SOURCE = 12
ASPECTS = ((3, 4), (3, 4), (1, 1), (4, 3))  # width:height; portrait first, as lifestyle apps favour it
TONES = (((38, 28, 18), (244, 230, 205)), ((20, 30, 45), (225, 235, 245)), ((45, 25, 35), (250, 225, 220)))


def skimage_data_dir() -> Path | None:
    """Where the scikit-image wheel keeps its sample photographs, found without importing it (slow)."""
    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def source_path(source: PhotoSource) -> Path | None:
    if source.root == "skimage":
        base = skimage_data_dir()
    elif source.root == "mate":
        base = MATE_ROOT
    else:
        base = None
    if base is None:
        return None
    path = base / source.file
    return path if path.is_file() else None


@dataclass(frozen=True)
class PoolPhoto:
    source: str
    variant: int
    data: bytes


class PhotoPool:
    """Hands out distinct JPEG photos for a topic; sources that are not installed are skipped."""

    def __init__(self, *, seed: int) -> None:
        self.seed = seed
        self.catalog = load_photo_catalog()
        self._images: dict[str, Image.Image] = {}
        self._next_variant: dict[str, int] = {}

    @cached_property
    def available(self) -> dict[str, Path]:
        found = {}
        for name, source in self.catalog.sources.items():
            path = source_path(source)
            if path is not None:
                found[name] = path
        return found

    @property
    def missing(self) -> list[str]:
        return sorted(set(self.catalog.sources) - set(self.available))

    def sources_for(self, topic: str) -> list[str]:
        """The installed sources for a topic, or every installed source when none of its own is there."""
        names = [name for name in self.catalog.topics[topic] if name in self.available]
        if names:
            return names
        if not self.available:
            raise RuntimeError(
                "No demo photo source is installed: pip install scikit-image (and apt-get install mate-backgrounds)."
            )
        return sorted(self.available)

    def take(self, topic: str, count: int, rng: random.Random) -> list[PoolPhoto]:
        """``count`` photos for a topic, each a different variant; sources rotate so a carousel varies."""
        names = self.sources_for(topic)
        start = rng.randrange(len(names))
        photos = []
        for i in range(count):
            name = names[(start + i) % len(names)]
            variant = self._next_variant.get(name, rng.randrange(VARIANTS_PER_SOURCE))
            self._next_variant[name] = (variant + 1) % VARIANTS_PER_SOURCE
            photos.append(PoolPhoto(source=name, variant=variant, data=self.render(name, variant)))
        return photos

    def _source_image(self, name: str) -> Image.Image:
        image = self._images.get(name)
        if image is None:
            with Image.open(self.available[name]) as opened:
                # Decode JPEG sources at reduced scale when they are far larger than we need.
                opened.draft("RGB", (LONG_SIDE * 2, LONG_SIDE * 2))
                image = opened.convert("RGB")
            self._images[name] = image
        return image

    def render(self, name: str, variant: int) -> bytes:
        return render_variant(
            self._source_image(name), gray=self.catalog.sources[name].gray, seed=f"{self.seed}:{name}:{variant}"
        )


def _crop_box(width: int, height: int, aspect: tuple[int, int], rng: random.Random) -> tuple[int, int, int, int]:
    aw, ah = aspect
    # The largest box of this aspect that fits, then zoom in by up to a third.
    box_w = min(width, height * aw // ah)
    box_h = box_w * ah // aw
    zoom = rng.uniform(0.68, 1.0)
    box_w, box_h = max(64, int(box_w * zoom)), max(64, int(box_h * zoom))
    left = rng.randint(0, max(0, width - box_w))
    top = rng.randint(0, max(0, height - box_h))
    return left, top, left + box_w, top + box_h


def render_variant(image: Image.Image, *, gray: bool, seed: str) -> bytes:
    rng = random.Random(seed)
    aspect = rng.choice(ASPECTS)
    cropped = image.crop(_crop_box(image.width, image.height, aspect, rng))
    if rng.random() < 0.5:
        cropped = ImageOps.mirror(cropped)
    scale = LONG_SIDE / max(cropped.size)
    size = (max(1, round(cropped.width * scale)), max(1, round(cropped.height * scale)))
    photo = cropped.resize(size, Image.Resampling.BICUBIC)
    if scale > 1.3:
        # Small sources are upscaled; a light unsharp mask keeps them from looking mushy.
        photo = photo.filter(ImageFilter.UnsharpMask(radius=2, percent=60, threshold=3))
    if gray and rng.random() < 0.6:
        dark, light = rng.choice(TONES)
        photo = ImageOps.colorize(photo.convert("L"), black=dark, white=light)
    photo = ImageEnhance.Brightness(photo).enhance(rng.uniform(0.9, 1.12))
    photo = ImageEnhance.Contrast(photo).enhance(rng.uniform(0.92, 1.15))
    if not gray:
        photo = ImageEnhance.Color(photo).enhance(rng.uniform(0.8, 1.3))
        photo = _warmth(photo, rng.uniform(-0.06, 0.08))
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=86)
    return out.getvalue()


def _warmth(photo: Image.Image, amount: float) -> Image.Image:
    """Shift white balance: positive is warmer (more red, less blue), negative cooler."""
    if abs(amount) < 0.01:
        return photo
    red, green, blue = photo.split()
    red = red.point(lambda v: min(255, int(v * (1 + amount))))
    blue = blue.point(lambda v: min(255, int(v * (1 - amount))))
    return Image.merge("RGB", (red, green, blue))
