"""Video transcoding time per minute of video, on the worker's settings (``VIDEO_THREADS``, default 2).

Makes source clips with ffmpeg itself (lavfi ``testsrc2`` with a ``sine`` tone, encoded as a phone
would: H.264/AAC, 30 fps) of the given sizes, then runs ``core.video.transcode`` on each, the whole
worker step: the 1280 px (and 640 px) H.264/AAC MP4s, the poster, its blurhash and the screening frames.
Prints, per source size, the median wall seconds over ``--runs`` and the seconds per minute of video,
plus the load average before and after (the machine is shared; say it with the figure).

    python bench/video_transcode.py [--seconds 30] [--sizes 1920x1080,1280x720,720x1280] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")


def make_source(path: Path, size: str, seconds: float) -> None:
    subprocess.run(
        [
            "/usr/bin/ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=30:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-c:a", "aac", "-shortest", str(path),
        ],
        check=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--sizes", default="1920x1080,1280x720,720x1280")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings

    from core.video import transcode

    settings.VIDEO_TRANSCODE_TIMEOUT_S = 3600
    load_before = os.getloadavg()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-video-") as tmp:
        root = Path(tmp)
        for size in args.sizes.split(","):
            source = root / f"source-{size}.mp4"
            make_source(source, size, args.seconds)
            times = []
            for run in range(args.runs):
                out = root / f"out-{size}-{run}"
                out.mkdir()
                started = time.perf_counter()
                made = transcode(source, out)
                times.append(time.perf_counter() - started)
            median = statistics.median(times)
            results.append(
                {
                    "source": size,
                    "output": f"{made.width}x{made.height}" + (" + 640 px" if made.small else ""),
                    "video_seconds": round(made.duration, 2),
                    "median_s": round(median, 2),
                    "runs_s": [round(t, 2) for t in times],
                    "seconds_per_minute_of_video": round(median * 60 / made.duration, 1),
                }
            )
    print(
        json.dumps(
            {
                "threads": settings.VIDEO_THREADS,
                "cpus": os.cpu_count(),
                "load_before": [round(x, 2) for x in load_before],
                "load_after": [round(x, 2) for x in os.getloadavg()],
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
