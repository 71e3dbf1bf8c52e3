"""Video intake with Debian's ffmpeg: probe what a file really is, transcode it, take its poster and frames.

Nothing here trusts the upload. The client's file name and type are ignored; ``ffprobe`` reads the bytes,
and only the container demuxers of ordinary phone and camera video are allowed (MP4/MOV, Matroska/WebM,
AVI), with the ``file`` protocol alone, so a playlist in disguise (HLS, concat) cannot make ffmpeg read
other files or the network. A file is refused before anything is stored when it has no video stream,
when its length is unknown or over ``VIDEO_MAX_SECONDS`` (a 10-hour file is refused by its header, not
after an hour of work), or when its frame is over ``VIDEO_MAX_PIXELS`` (a small file declaring a huge
frame, the video form of a decompression bomb).

Transcoding runs ffmpeg as a subprocess (an argument list, never a shell, ``-nostdin``) under a
wall-clock timeout and kernel limits on memory, CPU time and output file size, and cuts the output at
the length limit whatever the header claimed. The output is H.264/AAC MP4 (``+faststart``, so playback
starts before the download ends) at up to 1280 px on the long side, plus a 640 px copy when the source
is larger; metadata, chapters, subtitles and data streams are dropped, so GPS tags and the like never
leave the worker. The poster frame gives the card its picture, its blurhash placeholder and the
perceptual hash that duplicate detection compares; a few frames sampled across the video are what
screening looks at.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import blurhash
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image

from core.errors import ServiceError
from core.images import dhash

# Demuxers ffmpeg may use on an upload (names as ffmpeg spells them).
ALLOWED_DEMUXERS = ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi")
# ISO media files that are still images (HEIF, AVIF): the photo path refuses them with its own message.
IMAGE_BRANDS = {b"heic", b"heix", b"mif1", b"msf1", b"avif", b"avis"}
LARGE_MAX_SIDE = 1280
SMALL_MAX_SIDE = 640
MAX_SIDE = 8192
MAX_FPS = 30
SCREEN_FRAMES = 4
FRAME_MAX_SIDE = 640


class VideoRejected(ServiceError):
    """The file is not a video we take (wrong kind, too long, too large, damaged)."""

    status = 422


class VideoUnavailable(ServiceError):
    """This server cannot process video (ffmpeg is not installed)."""

    status = 503


@dataclass(frozen=True)
class Probe:
    duration: float
    width: int
    height: int
    has_audio: bool


@dataclass
class Transcoded:
    large: Path
    small: Path | None
    poster: Path
    frames: list[Path]
    width: int
    height: int
    duration: float
    blurhash: str
    phash: str


def looks_like_video(head: bytes, content_type: str = "") -> bool:
    """Whether an upload is meant as a video (the Mastodon media endpoint takes photos and videos):
    a video/* type, or the first bytes of an MP4/MOV, Matroska/WebM or AVI file. ffprobe decides later
    whether it really is one."""
    if content_type.lower().startswith("video/"):
        return True
    if head[4:8] == b"ftyp":
        return head[8:12] not in IMAGE_BRANDS
    return head[:4] == b"\x1a\x45\xdf\xa3" or (head[:4] == b"RIFF" and head[8:11] == b"AVI")


def available() -> bool:
    return all(os.access(p, os.X_OK) for p in (settings.FFMPEG_BINARY, settings.FFPROBE_BINARY))


def require_available() -> None:
    if not available():
        raise VideoUnavailable(
            _("Video is not available on this server (ffmpeg is not installed)."), field="video", code="unavailable"
        )


def _limiter(cpu_seconds: int) -> Callable[[], None]:
    """Kernel limits for one ffmpeg run, applied in the child before exec: memory, CPU time, output file
    size, no core dumps, a lower priority. Values are read here, in the parent."""
    memory = settings.VIDEO_MEMORY_LIMIT_BYTES
    output = 2 * settings.VIDEO_MAX_BYTES

    def apply() -> None:  # pragma: no cover - runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        resource.setrlimit(resource.RLIMIT_FSIZE, (output, output))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.nice(5)

    return apply


def _run(args: list[str], *, timeout: float) -> subprocess.CompletedProcess[bytes]:
    cpu = int(timeout * max(1, settings.VIDEO_THREADS)) + 10
    try:
        return subprocess.run(
            args,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
            preexec_fn=_limiter(cpu),
            env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"},
        )
    except subprocess.TimeoutExpired as exc:
        raise VideoRejected(_("The video took too long to process."), field="video", code="processing_timeout") from exc
    except OSError as exc:
        raise VideoUnavailable(
            _("Video is not available on this server (ffmpeg is not installed)."), field="video", code="unavailable"
        ) from exc


def _input_options() -> list[str]:
    return ["-protocol_whitelist", "file", "-format_whitelist", ",".join(ALLOWED_DEMUXERS)]


def probe(path: Path) -> Probe:
    """What ffprobe finds in the file, or a clear refusal."""
    require_available()
    result = _run(
        [
            settings.FFPROBE_BINARY,
            "-hide_banner",
            "-v",
            "error",
            *_input_options(),
            "-show_entries",
            "format=format_name,duration:stream=codec_type,width,height,duration:stream_disposition=attached_pic",
            "-of",
            "json",
            "file:" + str(path),
        ],
        timeout=settings.VIDEO_PROBE_TIMEOUT_S,
    )
    not_video = VideoRejected(
        _("The file is not a video we can read. Use MP4, MOV or WebM."), field="video", code="not_a_video"
    )
    if result.returncode != 0:
        raise not_video
    try:
        info = json.loads(result.stdout or b"{}")
    except ValueError as exc:
        raise not_video from exc
    streams = [s for s in info.get("streams") or [] if isinstance(s, dict)]
    videos = [
        s for s in streams if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
    ]
    if not videos:
        raise not_video
    width, height = int(videos[0].get("width") or 0), int(videos[0].get("height") or 0)
    if width < 1 or height < 1:
        raise VideoRejected(_("The video is damaged and cannot be read."), field="video", code="damaged")
    if width * height > settings.VIDEO_MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise VideoRejected(
            _("The video's frame is too large (at most %(w)s x %(h)s).") % {"w": 3840, "h": 2160},
            field="video",
            code="too_many_pixels",
        )
    duration = _seconds((info.get("format") or {}).get("duration")) or _seconds(videos[0].get("duration"))
    if duration is None or duration <= 0:
        raise VideoRejected(_("The video's length cannot be read."), field="video", code="damaged")
    if duration > settings.VIDEO_MAX_SECONDS:
        raise VideoRejected(
            _("The video is too long (at most %(s)s seconds).") % {"s": int(settings.VIDEO_MAX_SECONDS)},
            field="video",
            code="too_long",
        )
    has_audio = any(s.get("codec_type") == "audio" for s in streams)
    return Probe(duration=duration, width=width, height=height, has_audio=has_audio)


def _seconds(raw: object) -> float | None:
    try:
        value = float(str(raw))
    except ValueError:
        return None
    return value if value == value and value != float("inf") else None  # NaN and inf are "unknown"


def _scale(max_side: int) -> str:
    """Fit within max_side x max_side, never upscale, even dimensions (H.264 4:2:0 needs them)."""
    return (
        f"scale=w='min({max_side},iw)':h='min({max_side},ih)':force_original_aspect_ratio=decrease"
        ":force_divisible_by=2,setsar=1"
    )


def _output(max_side: int, crf: int, audio_kbps: int, path: Path) -> list[str]:
    return [
        "-map",
        "0:v:0",
        "-map",
        "0:a:0?",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-sn",
        "-dn",
        "-t",
        str(settings.VIDEO_MAX_SECONDS),
        "-vf",
        _scale(max_side),
        "-fpsmax",
        str(MAX_FPS),
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        str(crf),
        "-profile:v",
        "high",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        f"{audio_kbps}k",
        "-ac",
        "2",
        "-movflags",
        "+faststart",
        "-fflags",
        "+bitexact",
        "-threads",
        str(settings.VIDEO_THREADS),
        "-f",
        "mp4",
        "file:" + str(path),
    ]


def _ffmpeg(*args: str) -> list[str]:
    return [settings.FFMPEG_BINARY, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args]


def _damaged() -> VideoRejected:
    return VideoRejected(_("The video is damaged and cannot be read."), field="video", code="damaged")


def transcode(source: Path, workdir: Path) -> Transcoded:
    """Transcode ``source`` into ``workdir``: large.mp4 (and small.mp4), poster.jpg, frame-N.jpg."""
    found = probe(source)
    large, small = workdir / "large.mp4", workdir / "small.mp4"
    outputs = _output(LARGE_MAX_SIDE, 23, 128, large)
    if max(found.width, found.height) > SMALL_MAX_SIDE:
        outputs += _output(SMALL_MAX_SIDE, 26, 96, small)
    result = _run(
        _ffmpeg(
            "-threads",
            str(settings.VIDEO_THREADS),
            *_input_options(),
            "-xerror",
            "-i",
            "file:" + str(source),
            *outputs,
        ),
        timeout=settings.VIDEO_TRANSCODE_TIMEOUT_S,
    )
    if result.returncode != 0 or not large.exists() or large.stat().st_size == 0:
        raise _damaged()
    made = _probe_output(large)
    poster = workdir / "poster.jpg"
    _frame(large, min(1.0, made.duration / 2), poster, LARGE_MAX_SIDE)
    frames = []
    for i in range(SCREEN_FRAMES):
        path = workdir / f"frame-{i}.jpg"
        _frame(large, made.duration * (i + 0.5) / SCREEN_FRAMES, path, FRAME_MAX_SIDE)
        frames.append(path)
    with Image.open(poster) as opened:
        image = opened.convert("RGB")
    tiny = image.copy()
    tiny.thumbnail((64, 64))
    return Transcoded(
        large=large,
        small=small if small.exists() and small.stat().st_size > 0 else None,
        poster=poster,
        frames=frames,
        width=made.width,
        height=made.height,
        duration=made.duration,
        blurhash=blurhash.encode(tiny, x_components=4, y_components=3),
        phash=dhash(image),
    )


def _probe_output(path: Path) -> Probe:
    try:
        return probe(path)
    except VideoRejected as exc:
        raise _damaged() from exc


def _frame(video: Path, at: float, out: Path, max_side: int) -> None:
    result = _run(
        _ffmpeg(
            "-ss",
            f"{max(0.0, at):.3f}",
            "-i",
            "file:" + str(video),
            "-frames:v",
            "1",
            "-vf",
            _scale(max_side),
            "-q:v",
            "3",
            "-f",
            "image2",
            "file:" + str(out),
        ),
        timeout=settings.VIDEO_PROBE_TIMEOUT_S,
    )
    if result.returncode != 0 or not out.exists():
        # Seeking past the last frame can give nothing on a short video: take the first frame then.
        result = _run(
            _ffmpeg("-i", "file:" + str(video), "-frames:v", "1", "-vf", _scale(max_side), "file:" + str(out)),
            timeout=settings.VIDEO_PROBE_TIMEOUT_S,
        )
        if result.returncode != 0 or not out.exists():
            raise _damaged()
