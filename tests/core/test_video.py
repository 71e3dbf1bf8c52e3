"""core/video.py with Debian's ffmpeg: what is refused before anything is stored, and what a transcode
gives (H.264/AAC MP4 without the source's metadata, a poster, a blurhash, frames for screening)."""

from __future__ import annotations

import json
import subprocess

import pytest

from core import video
from tests.videos import (
    HLS_PLAYLIST,
    corrupt_video,
    huge_frame_video,
    needs_ffmpeg,
    ten_hour_video,
    video_file,
    zip_bomb,
)

pytestmark = needs_ffmpeg


def _streams(path):
    out = subprocess.run(
        ["/usr/bin/ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_probe_reads_length_size_and_sound():
    found = video.probe(video_file(seconds=2.0, size="320x240"))
    assert found.width == 320 and found.height == 240 and found.has_audio
    assert 1.9 < found.duration < 2.2


def test_probe_takes_webm_and_silent_video():
    found = video.probe(video_file(seconds=1.0, size="320x240", container="webm", audio=False))
    assert (found.width, found.height, found.has_audio) == (320, 240, False)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"just some text, not a video", "not_a_video"),
        (zip_bomb(), "not_a_video"),
        (HLS_PLAYLIST, "not_a_video"),
    ],
    ids=["text", "zip-bomb", "hls-playlist-reading-local-files"],
)
def test_what_is_not_a_video_is_refused(tmp_path, content, code):
    path = tmp_path / "upload"
    path.write_bytes(content)
    with pytest.raises(video.VideoRejected) as exc:
        video.probe(path)
    assert exc.value.code == code
    assert "not a video" in exc.value.message


def test_a_jpeg_is_not_a_video(tmp_path, photo_bytes):
    path = tmp_path / "photo"
    path.write_bytes(photo_bytes())
    with pytest.raises(video.VideoRejected, match="not a video"):
        video.probe(path)


def test_a_ten_hour_file_is_refused_by_its_header(tmp_path):
    path = tmp_path / "long"
    path.write_bytes(ten_hour_video())
    with pytest.raises(video.VideoRejected) as exc:
        video.probe(path)
    assert exc.value.code == "too_long"
    assert "at most 180 seconds" in exc.value.message


def test_a_huge_frame_is_refused(tmp_path):
    path = tmp_path / "huge"
    path.write_bytes(huge_frame_video())
    assert path.stat().st_size < 200_000  # small on disk, 25 megapixels a frame once decoded
    with pytest.raises(video.VideoRejected) as exc:
        video.probe(path)
    assert exc.value.code == "too_many_pixels"


def test_transcode_gives_h264_aac_mp4_without_metadata(tmp_path):
    source = video_file(seconds=2.0, size="1280x720", metadata=True)
    assert _streams(source)["format"]["tags"].get("title") == "Secret title"
    made = video.transcode(source, tmp_path)
    info = _streams(made.large)
    codecs = {s["codec_type"]: s["codec_name"] for s in info["streams"]}
    assert codecs == {"video": "h264", "audio": "aac"}
    assert info["format"]["format_name"].startswith("mov,mp4")
    tags = info["format"].get("tags", {})
    assert "title" not in tags and "location" not in tags
    assert not any(s.get("tags", {}).get("title") for s in info["streams"])
    assert (made.width, made.height) == (1280, 720)
    assert made.small is not None
    small = next(s for s in _streams(made.small)["streams"] if s["codec_type"] == "video")
    assert (small["width"], small["height"]) == (640, 360)
    assert made.poster.read_bytes()[:2] == b"\xff\xd8"
    assert len(made.blurhash) > 10 and len(made.phash) == 16
    assert len(made.frames) == video.SCREEN_FRAMES and all(f.stat().st_size > 0 for f in made.frames)


def test_a_small_video_gets_one_size_and_is_never_upscaled(tmp_path):
    made = video.transcode(video_file(seconds=1.0, size="320x240"), tmp_path)
    assert (made.width, made.height) == (320, 240)
    assert made.small is None


def test_portrait_video_keeps_its_shape_with_even_sides(tmp_path):
    made = video.transcode(video_file(seconds=1.0, size="721x1283", audio=False), tmp_path)
    assert made.height == 1280 and made.width % 2 == 0 and 718 <= made.width <= 722


def test_a_corrupt_stream_is_a_clear_error(tmp_path):
    path = tmp_path / "corrupt"
    path.write_bytes(corrupt_video())
    video.probe(path)  # the header is fine...
    with pytest.raises(video.VideoRejected) as exc:  # ...the frames are not
        video.transcode(path, tmp_path / "out")
    assert exc.value.code == "damaged"


def test_a_transcode_past_its_time_limit_is_stopped(tmp_path, settings):
    settings.VIDEO_TRANSCODE_TIMEOUT_S = 0.05
    with pytest.raises(video.VideoRejected) as exc:
        video.transcode(video_file(seconds=2.0, size="1280x720"), tmp_path)
    assert exc.value.code == "processing_timeout"


def test_without_ffmpeg_video_is_unavailable(tmp_path, settings):
    settings.FFMPEG_BINARY = str(tmp_path / "no-ffmpeg")
    assert not video.available()
    with pytest.raises(video.VideoUnavailable) as exc:
        video.probe(video_file())
    assert exc.value.status == 503 and "not available" in exc.value.message


@pytest.mark.parametrize(
    ("head", "content_type", "expected"),
    [
        (b"\0\0\0\x20ftypisom", "", True),
        (b"\0\0\0\x20ftypheic", "", False),
        (b"\x1a\x45\xdf\xa3\x01", "", True),
        (b"RIFF\0\0\0\0AVI ", "", True),
        (b"\xff\xd8\xff\xe0", "image/jpeg", False),
        (b"PK\x03\x04", "video/mp4", True),
    ],
)
def test_looks_like_video(head, content_type, expected):
    assert video.looks_like_video(head, content_type) is expected
