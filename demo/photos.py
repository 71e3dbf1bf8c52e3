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
import multiprocessing
import random
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from functools import cached_property
from pathlib import Path

from PIL import Image, ImageEnhance, ImageOps

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


def default_roots() -> dict[str, Path | None]:
    return {"skimage": skimage_data_dir(), "mate": MATE_ROOT}


def source_path(source: PhotoSource, roots: dict[str, Path | None] | None = None) -> Path | None:
    base = (roots if roots is not None else default_roots()).get(source.root)
    if base is None:
        return None
    path = base / source.file
    return path if path.is_file() else None


PhotoKey = tuple[str, int]  # (source name, variant number)


class PhotoPool:
    """Hands out distinct JPEG photos for a topic; sources that are not installed are skipped.

    ``choose`` decides which variants a note gets (cheap, seeded); ``render`` makes the bytes. The
    loader chooses every note's photos first and calls ``prerender`` so that a second process renders
    them while this one writes notes: on two cores that halves the photo work's wall time.
    """

    def __init__(self, *, seed: int, roots: dict[str, Path | None] | None = None) -> None:
        self.seed = seed
        self.roots = roots if roots is not None else default_roots()
        self.catalog = load_photo_catalog()
        self._next_variant: dict[str, int] = {}
        self._rendered: dict[PhotoKey, bytes] = {}
        self._pending: dict[PhotoKey, Future[bytes]] = {}
        self._executor: ProcessPoolExecutor | None = None

    @cached_property
    def available(self) -> dict[str, Path]:
        found = {}
        for name, source in self.catalog.sources.items():
            path = source_path(source, self.roots)
            if path is not None:
                found[name] = path
        return found

    @property
    def missing(self) -> list[str]:
        return sorted(set(self.catalog.sources) - set(self.available))

    def sources_for(self, topic: str) -> list[str]:
        """The installed sources for a topic, else its installed fallbacks (which show the same thing),
        else none: a topic never borrows another topic's photographs."""
        if not self.available:
            raise RuntimeError(
                "No demo photo source is installed: pip install scikit-image (and apt-get install mate-backgrounds)."
            )
        for group in (self.catalog.topics, self.catalog.fallbacks):
            names = [name for name in group.get(topic, []) if name in self.available]
            if names:
                return names
        return []

    def choose(self, topics: Sequence[str], count: int, rng: random.Random) -> list[PhotoKey]:
        """Up to ``count`` different variants from the topics' installed sources, rotating through the
        sources so that a carousel varies (at most two crops of any one photograph). No installed source
        fits: no photos, and the note goes out as a text note."""
        names = [name for topic in topics for name in self.sources_for(topic)]
        names = list(dict.fromkeys(names))
        if not names:
            return []
        count = min(count, 2 * len(names))
        start = rng.randrange(len(names)) if len(topics) == 1 else 0  # a list of topics: its first one leads
        keys: list[PhotoKey] = []
        for i in range(count):
            name = names[(start + i) % len(names)]
            variant = self._next_variant.get(name, rng.randrange(VARIANTS_PER_SOURCE))
            while (name, variant) in keys:
                variant = (variant + 1) % VARIANTS_PER_SOURCE
            self._next_variant[name] = (variant + 1) % VARIANTS_PER_SOURCE
            keys.append((name, variant))
        return keys

    def _job(self, key: PhotoKey) -> tuple[str, bool, str]:
        name, variant = key
        return str(self.available[name]), self.catalog.sources[name].gray, f"{self.seed}:{name}:{variant}"

    def prerender(self, keys: list[PhotoKey]) -> None:
        """Start rendering ``keys`` (in order, each once) in a helper process."""
        todo = [k for k in dict.fromkeys(keys) if k not in self._rendered and k not in self._pending]
        if not todo:
            return
        try:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            for key in todo:
                self._pending[key] = self._executor.submit(render_file, *self._job(key))
        except (OSError, RuntimeError):
            # No helper process here (a sandbox, a frozen interpreter): render in this process instead.
            self._pending.clear()

    def render(self, key: PhotoKey) -> bytes:
        # A few hundred distinct variants serve the whole demo, so each is made once per run.
        if key not in self._rendered:
            future = self._pending.pop(key, None)
            self._rendered[key] = future.result() if future is not None else render_file(*self._job(key))
        return self._rendered[key]

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        self._pending.clear()

    def avatar(self, username: str, interests: Sequence[str]) -> bytes:
        """A profile photo for a demo person: a square crop of a photograph that goes with one of
        their interests, different for every username (seeded by it)."""
        rng = random.Random(f"{self.seed}:avatar:{username}")
        avatars = self.catalog.avatars
        names = [
            name for interest in interests for topic in avatars.get(interest, []) for name in self.sources_for(topic)
        ]
        names = names or [name for topic in avatars.get("any", []) for name in self.sources_for(topic)]
        names = names or sorted(self.available)
        name = rng.choice(names)
        path = self.available[name]
        return render_avatar(load_source(str(path)), gray=self.catalog.sources[name].gray, seed=f"{username}:{name}")

    def alt_text(self, name: str, language: str) -> str:
        source = self.catalog.sources[name]
        return (source.alt_zh if language.startswith("zh") else source.alt) or source.alt


_sources_in_process: dict[str, Image.Image] = {}


def load_source(path: str) -> Image.Image:
    image = _sources_in_process.get(path)
    if image is None:
        with Image.open(path) as opened:
            # Decode JPEG sources at reduced scale when they are far larger than we need.
            opened.draft("RGB", (LONG_SIDE * 2, LONG_SIDE * 2))
            image = opened.convert("RGB")
        _sources_in_process[path] = image
    return image


def render_file(path: str, gray: bool, seed: str) -> bytes:
    """One variant of the source at ``path``; module-level so that a helper process can run it."""
    return render_variant(load_source(path), gray=gray, seed=seed)


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
        # Small sources are upscaled; a little sharpening keeps them from looking mushy (an unsharp
        # mask looks slightly better but costs four times as much).
        photo = ImageEnhance.Sharpness(photo).enhance(1.6)
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


AVATAR_SIDE = 400


def render_avatar(image: Image.Image, *, gray: bool, seed: str) -> bytes:
    """A square crop around the middle of the photograph, where its subject is (half to nine tenths of
    the short side, nudged off centre), maybe mirrored and toned."""
    rng = random.Random(seed)
    short = min(image.size)
    side = max(64, int(short * rng.uniform(0.5, 0.9)))
    cx = image.width / 2 + rng.uniform(-0.12, 0.12) * image.width
    cy = image.height / 2 + rng.uniform(-0.12, 0.12) * image.height
    left = int(min(max(0, cx - side / 2), image.width - side))
    top = int(min(max(0, cy - side / 2), image.height - side))
    photo = image.crop((left, top, left + side, top + side)).resize(
        (AVATAR_SIDE, AVATAR_SIDE), Image.Resampling.BICUBIC
    )
    if rng.random() < 0.5:
        photo = ImageOps.mirror(photo)
    if gray:
        dark, light = rng.choice(TONES)
        photo = ImageOps.colorize(photo.convert("L"), black=dark, white=light)
    photo = ImageEnhance.Brightness(photo).enhance(rng.uniform(0.95, 1.1))
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _warmth(photo: Image.Image, amount: float) -> Image.Image:
    """Shift white balance: positive is warmer (more red, less blue), negative cooler."""
    if abs(amount) < 0.01:
        return photo
    red, green, blue = photo.split()
    red = red.point(lambda v: min(255, int(v * (1 + amount))))
    blue = blue.point(lambda v: min(255, int(v * (1 - amount))))
    return Image.merge("RGB", (red, green, blue))
