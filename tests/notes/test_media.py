import io

import pytest
from PIL import Image

from core.images import PhotoRejected, process_photo
from tests.conftest import image_bytes


def test_jpeg_is_resized_stripped_and_hashed():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS info
    data = image_bytes(size=(3000, 2000), exif=exif.tobytes())
    result = process_photo(data)
    large = Image.open(io.BytesIO(result.large.read()))
    # Rotated upright from EXIF orientation 6, so portrait, and fitted into 1080 px.
    assert large.size == (720, 1080)
    assert not large.getexif()
    assert (result.width, result.height) == (1365, 2048)
    assert len(result.blurhash) > 6
    assert len(result.phash) == 16
    thumb = Image.open(io.BytesIO(result.thumb.read()))
    assert thumb.width == 400


def test_png_with_alpha_and_webp_accepted():
    assert process_photo(image_bytes("PNG")).width == 640
    assert process_photo(image_bytes("WEBP")).height == 480


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"<html><script>alert(1)</script></html>", "not_an_image"),
        (b"%PDF-1.4 fake", "not_an_image"),
        (image_bytes()[:200], "damaged"),
    ],
)
def test_bad_files_are_refused_with_a_reason(data, code):
    with pytest.raises(PhotoRejected) as info:
        process_photo(data)
    assert info.value.code == code


def test_decompression_bomb_is_refused(settings):
    settings.PHOTO_MAX_PIXELS = 1_000_000
    with pytest.raises(PhotoRejected) as info:
        process_photo(image_bytes("PNG", size=(2000, 2000)))
    assert info.value.code == "too_many_pixels"


def test_oversize_file_is_refused(settings):
    settings.PHOTO_MAX_BYTES = 1000
    with pytest.raises(PhotoRejected) as info:
        process_photo(image_bytes())
    assert info.value.code == "file_too_large"


def test_png_header_bomb_is_refused_before_decoding():
    # A PNG whose header claims 50000x50000 pixels: refused from the header alone.
    import struct
    import zlib

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", 50000, 50000, 8, 2, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")
    )
    with pytest.raises(PhotoRejected) as info:
        process_photo(data)
    assert info.value.code == "too_many_pixels"


def test_a_burst_of_near_cap_images_is_decoded_one_at_a_time(settings):
    """Eight 6300 x 6300 palette PNGs at once (about 15 KB each, 40 MP when decoded): they take turns,
    and one that cannot get a turn in time is told to try again (503), never half-stored."""
    import threading

    from core import images
    from core.images import PhotoBusy, process_photo

    out = io.BytesIO()
    Image.new("P", (6300, 6300), 3).save(out, format="PNG")
    data = out.getvalue()
    results: list[object] = []
    settings.IMAGE_DECODE_WAIT_S = 0.01
    slot = images._DecodeSlot()
    slot.__enter__()  # one decode holds the only slot...
    try:
        with pytest.raises(PhotoBusy) as busy:
            process_photo(data)
        assert busy.value.status == 503 and busy.value.code == "busy"
    finally:
        slot.__exit__()
    settings.IMAGE_DECODE_WAIT_S = 60
    threads = [threading.Thread(target=lambda: results.append(process_photo(data))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8
    assert all(r.width == 2048 and r.height == 2048 for r in results)  # type: ignore[attr-defined]


def test_a_large_jpeg_is_decoded_at_reduced_scale_and_kept_upright():
    from core.images import process_photo

    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    photo = process_photo(image_bytes(size=(6000, 4000), exif=exif.tobytes()))
    assert (photo.width, photo.height) == (1365, 2048)  # upright: portrait, longest side 2048
