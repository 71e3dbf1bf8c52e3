"""Photo intake: check what a file really is, refuse bombs, strip metadata, make renditions.

Every upload is decoded by Pillow from its bytes (the extension and the declared type are ignored),
size-capped before decoding, rotated upright from its EXIF orientation, and re-encoded, which drops
EXIF (GPS included) and any trailing payload. Renditions: ``large`` (longest side 1080 px) for the
note page, ``thumb`` (400 px wide) for cards, plus width, height, a blurhash and a perceptual hash.

Decoding is bounded so that a burst of large uploads cannot exhaust memory: at most
``IMAGE_DECODE_CONCURRENCY`` images are decoded at once per process (others wait up to
``IMAGE_DECODE_WAIT_S``, then get "busy, try again"), a JPEG is decoded at reduced scale when that
still gives the largest rendition (Pillow's draft mode), and every image is shrunk to the largest
rendition's size before it is converted or composited, so the full-size pixels are held only once.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import blurhash
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import ServiceError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
ORIGINAL_MAX_SIDE = 2048
LARGE_MAX_SIDE = 1080
THUMB_WIDTH = 400


class PhotoRejected(ServiceError):
    status = 422


class PhotoBusy(ServiceError):
    """Too many images are being decoded right now: the client should try again shortly."""

    status = 503


_decoding: threading.BoundedSemaphore | None = None
_decoding_lock = threading.Lock()


def _decode_slots() -> threading.BoundedSemaphore:
    global _decoding
    with _decoding_lock:
        if _decoding is None:
            _decoding = threading.BoundedSemaphore(max(1, settings.IMAGE_DECODE_CONCURRENCY))
        return _decoding


class _DecodeSlot:
    def __enter__(self) -> None:
        if not _decode_slots().acquire(timeout=settings.IMAGE_DECODE_WAIT_S):
            raise PhotoBusy(
                _("Many photos are being processed right now. Please try again in a moment."),
                field="file",
                code="busy",
            )

    def __exit__(self, *exc: object) -> None:
        _decode_slots().release()


@dataclass
class ProcessedPhoto:
    original: ContentFile
    large: ContentFile
    thumb: ContentFile
    width: int
    height: int
    blurhash: str
    phash: str


def _read_capped(upload: IO[bytes] | bytes) -> bytes:
    limit = settings.PHOTO_MAX_BYTES
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(limit + 1)
    if not data:
        raise PhotoRejected(_("The file is empty."), field="file", code="empty_file")
    if len(data) > limit:
        raise PhotoRejected(
            _("The file is too large (at most %(mb)s MB).") % {"mb": limit // (1024 * 1024)},
            field="file",
            code="file_too_large",
        )
    return data


@contextmanager
def _reading_image() -> Iterator[None]:
    """Pillow's complaints about the bytes, as the PhotoRejected a person can read; a decompression-bomb
    warning is an error here."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except PhotoRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        if isinstance(exc, UnidentifiedImageError):
            raise PhotoRejected(_("The file is not an image."), field="file", code="not_an_image") from exc
        raise PhotoRejected(_("The image has too many pixels."), field="file", code="too_many_pixels") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise PhotoRejected(_("The image is damaged and cannot be read."), field="file", code="damaged") from exc


def _header_checked(data: bytes) -> Image.Image:
    """The image opened (nothing decoded yet) once its header's format and pixel count pass; inside
    ``_reading_image``."""
    probe = Image.open(io.BytesIO(data))
    if probe.format not in ALLOWED_FORMATS:
        raise PhotoRejected(
            _("Unsupported image type. Use JPEG, PNG, WebP or GIF."), field="file", code="unsupported_type"
        )
    width, height = probe.size
    if width * height > settings.PHOTO_MAX_PIXELS or width > 20000 or height > 20000:
        raise PhotoRejected(
            _("The image has too many pixels (at most %(mp)s megapixels).")
            % {"mp": settings.PHOTO_MAX_PIXELS // 1_000_000},
            field="file",
            code="too_many_pixels",
        )
    if width < 1 or height < 1:
        raise PhotoRejected(_("The image is empty."), field="file", code="empty_image")
    return probe


def open_image(data: bytes) -> Image.Image:
    """Decode bytes into an upright RGB image, refusing non-images and decompression bombs."""
    with _reading_image():
        probe = _header_checked(data)
        if probe.format in ("JPEG", "MPO"):
            # Decode at 1/2, 1/4 or 1/8 scale when that is still at least the largest rendition.
            probe.draft("RGB", (ORIGINAL_MAX_SIDE, ORIGINAL_MAX_SIDE))
        probe.load()
        if max(probe.size) > ORIGINAL_MAX_SIDE:
            probe.thumbnail((ORIGINAL_MAX_SIDE, ORIGINAL_MAX_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
        image = ImageOps.exif_transpose(probe) or probe
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.split()[-1])
        return background
    return image.convert("RGB")


def _encode_jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def _fit(image: Image.Image, max_side: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return copy


def dhash(image: Image.Image) -> str:
    """64-bit difference hash: near-identical photos (re-encoded, resized) share most bits."""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = list(small.getdata())
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | int(pixels[row * 9 + col] > pixels[row * 9 + col + 1])
    return f"{bits:016x}"


def process_photo(upload: IO[bytes] | bytes) -> ProcessedPhoto:
    data = _read_capped(upload)
    with _DecodeSlot():
        return _renditions(open_image(data))


def check_photo(upload: IO[bytes] | bytes) -> bytes:
    """The cheap checks of an upload, done while the client waits: size, what the bytes really are, and
    the pixel count from the header (nothing is decoded). Returns the bytes; the full decode, the
    renditions and the metadata stripping are the media worker's (``process_photo``)."""
    data = _read_capped(upload)
    with _reading_image():
        _header_checked(data)
    return data


def _renditions(image: Image.Image) -> ProcessedPhoto:
    original = _fit(image, ORIGINAL_MAX_SIDE)
    large = _fit(image, LARGE_MAX_SIDE)
    thumb_height = max(1, round(image.height * THUMB_WIDTH / image.width))
    thumb = image.resize((THUMB_WIDTH, thumb_height), Image.Resampling.LANCZOS) if image.width > THUMB_WIDTH else image
    tiny = _fit(image, 64)
    return ProcessedPhoto(
        original=ContentFile(_encode_jpeg(original, 88)),
        large=ContentFile(_encode_jpeg(large, 84)),
        thumb=ContentFile(_encode_jpeg(thumb, 80)),
        width=original.width,
        height=original.height,
        blurhash=blurhash.encode(tiny, x_components=4, y_components=3),
        phash=dhash(image),
    )


def process_avatar(upload: IO[bytes] | bytes) -> ContentFile:
    data = _read_capped(upload)
    with _DecodeSlot():
        return _avatar(open_image(data))


def _avatar(image: Image.Image) -> ContentFile:
    side = min(image.size)
    left = (image.width - side) // 2
    top = (image.height - side) // 2
    square = image.crop((left, top, left + side, top + side)).resize((400, 400), Image.Resampling.LANCZOS)
    return ContentFile(_encode_jpeg(square, 85))
