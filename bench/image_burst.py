"""Memory and time of a burst of large uploads decoded at once (the photo intake, in-process).

Eight threads each take a 6300 x 6300 palette PNG (about 5 KB on disk, just under the 40-megapixel
cap) through ``core.images.process_photo``, as eight simultaneous uploads would in gunicorn's threads.
Prints the process's peak resident memory before and after, wall time, and how many were refused
as busy (``IMAGE_DECODE_WAIT_S`` passed).

    python bench/image_burst.py [--uploads 8] [--side 6300]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--uploads", type=int, default=8)
    parser.add_argument("--side", type=int, default=6300)
    args = parser.parse_args()
    import django

    django.setup()
    from PIL import Image

    from core.errors import ServiceError
    from core.images import process_photo

    out = io.BytesIO()
    Image.new("P", (args.side, args.side), 3).save(out, format="PNG")
    data = out.getvalue()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    refused = []

    def one() -> None:
        try:
            process_photo(data)
        except ServiceError as exc:
            refused.append(exc.code)

    started = time.monotonic()
    threads = [threading.Thread(target=one) for _ in range(args.uploads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(
        json.dumps(
            {
                "uploads": args.uploads,
                "file_kb": round(len(data) / 1024, 1),
                "seconds": round(time.monotonic() - started, 2),
                "peak_rss_mb_before": round(before),
                "peak_rss_mb_after": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "refused": refused,
            }
        )
    )


if __name__ == "__main__":
    main()
