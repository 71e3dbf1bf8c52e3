"""Small test videos made by ffmpeg itself (lavfi testsrc and sine) in a temporary directory, once per
test session for each shape; tests read their bytes. Nothing binary is kept in the repository."""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

FFMPEG = "/usr/bin/ffmpeg"

needs_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg", path="/usr/bin") is None,
    reason="Debian's ffmpeg is not installed (make test installs it: scripts/system-packages)",
)

_DIR = Path(tempfile.mkdtemp(prefix="notebridge-test-videos-"))


def _ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args], check=True, timeout=120)


@functools.cache
def video_file(
    seconds: float = 2.0,
    size: str = "320x240",
    *,
    audio: bool = True,
    container: str = "mp4",
    rate: str = "25",
    metadata: bool = False,
    seed: int = 0,
) -> Path:
    """A test pattern (with a 440 Hz tone) of the given length and size; ``metadata`` adds a title and a
    GPS location tag, as phones write them; ``seed`` shifts the pattern so posters differ."""
    out = _DIR / f"v-{seconds}-{size}-{audio}-{rate}-{metadata}-{seed}.{container}"
    if out.exists():
        return out
    source = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={seconds}"]
    if seed:
        source = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={seconds},hue=h={seed * 37}"]
    if audio:
        source += ["-f", "lavfi", "-i", f"sine=frequency={440 + seed}:duration={seconds}"]
    codecs = (
        ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-c:a", "libopus"]
        if container == "webm"
        else ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"]
    )
    tags = ["-metadata", "title=Secret title", "-metadata", "location=+48.8584+002.2945/"] if metadata else []
    _ffmpeg(*source, *codecs, *tags, "-shortest", str(out))
    return out


def video_bytes(**kwargs: object) -> bytes:
    return video_file(**kwargs).read_bytes()  # type: ignore[arg-type]


@functools.cache
def ten_hour_video() -> bytes:
    """A real ten-hour video, a few kilobytes: one tiny frame every ten minutes."""
    out = _DIR / "ten-hours.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=1/600:duration=36000", "-c:v", "libx264", str(out))
    return out.read_bytes()


@functools.cache
def huge_frame_video() -> bytes:
    """A decompression bomb in video form: a small file whose frames are 5000 x 5000 pixels."""
    out = _DIR / "huge-frame.mp4"
    _ffmpeg(
        "-f", "lavfi", "-i", "color=c=black:size=5000x5000:rate=1:duration=1",
        "-c:v", "libx264", "-preset", "ultrafast", str(out),
    )  # fmt: skip
    return out.read_bytes()


def corrupt_video() -> bytes:
    """A video whose header is intact (ffprobe reads it) and whose frames are garbage."""
    data = bytearray(video_bytes(seconds=2.0, size="320x240", audio=False))
    moov = data.find(b"moov")
    mdat = data.find(b"mdat")
    start = mdat + 8 if mdat > moov else 64
    for i in range(start, len(data) if mdat > moov else moov - 8):
        data[i] = (data[i] * 7 + 13) & 0xFF
    return bytes(data)


def zip_bomb() -> bytes:
    """A zip archive of 50 MB of zeros (about 50 KB), named and typed as a video by the tests."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("movie.mp4", b"\0" * (50 * 1024 * 1024))
    return out.getvalue()


HLS_PLAYLIST = b"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"
