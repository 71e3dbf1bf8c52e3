"""Stage times of on-demand translations, for the latency benchmark (bench/translation_latency.py).

With ``TRANSLATION_TRACE_PATH`` set, each process appends one JSON line per stage it passes
(``{"t": wall-clock seconds, "stage": name, "pid": ..., ...}``): the page's request, the job queued,
the worker's start, the prompt built, the model's first piece, the first draft written, the page's
poll that returns it, the final. The benchmark lines them up with the browser's own times (the
clock is the same machine's). Off (the default) it costs one settings lookup per stage.
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

from django.conf import settings

_lock = threading.Lock()


def mark(stage: str, **fields: Any) -> None:
    path = getattr(settings, "TRANSLATION_TRACE_PATH", "")
    if not path:
        return
    line = json.dumps({"t": time.time(), "stage": stage, "pid": os.getpid(), **fields}, default=str)
    with _lock, open(path, "a", encoding="utf-8") as out:
        out.write(line + "\n")
