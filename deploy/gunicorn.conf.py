"""gunicorn's settings for the production stack (`make run-prod`, `runstack --prod`, the systemd unit).

Everything can be overridden by the environment; docs/deploy.md says what each is for.

Workers: one per core by default. On the 2-core machine of docs/benchmarks.md the home timeline served
205 req/s (SQLite) and 249 (PostgreSQL + Redis) with 2 workers and 177 / 181 with 3 (issue 13, 2026-12-02):
past one per core the processes only take turns on the CPU. Each worker has 4 threads, so a request
that waits on the database, Redis or an upload does not hold a whole worker.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_env = os.environ.get
_data_dir = Path(_env("NOTEBRIDGE_DATA_DIR") or Path(__file__).resolve().parent.parent / "var")

bind = _env("WEB_BIND", f"{_env('HOST', '127.0.0.1')}:{_env('PORT', '8000')}")
workers = int(_env("WEB_WORKERS") or os.cpu_count() or 2)
threads = int(_env("WEB_THREADS", "4"))
# A request longer than this is stuck: the worker is replaced (uploads are capped at 12 MB).
timeout = int(_env("WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Replace each worker after this many requests (with jitter, so not all at once): bounds slow leaks.
max_requests = int(_env("WEB_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# Load the application once in the arbiter: workers fork with it already imported (faster restarts,
# shared pages). Connections are opened per worker after the fork, never shared.
preload_app = True
# Its own control socket in the data directory: two instances on one machine never remove each other's.
control_socket = str(_data_dir / "gunicorn.ctl")
# X-Forwarded-* are believed only from the reverse proxies named in TRUSTED_PROXIES (as the rate limits
# and the viewer's country do, core/network.py); gunicorn's default trusts 127.0.0.1 only.
forwarded_allow_ips = _env("TRUSTED_PROXIES") or "127.0.0.1,::1"
accesslog: str | None = "-"
errorlog: str | None = "-"
loglevel = _env("LOG_LEVEL", "info").lower()


# How long a thread running Python keeps the interpreter before one waiting for it gets it (Python's
# default is 5 ms). A request that comes back from the database or Redis needs the interpreter again,
# and while another thread of its worker runs Python (a sign-up's checks and inserts in a burst) it
# waited up to 5 ms at each of those returns, and a page read makes several (docs/trust.md, "Keeping page
# reads fast during a burst"; docs/deploy.md).
switch_interval_s = float(_env("WEB_SWITCH_INTERVAL_MS") or "1") / 1000


def post_fork(server: object, worker: object) -> None:
    """Each web worker hands the interpreter over every ``WEB_SWITCH_INTERVAL_MS`` (above)."""
    if switch_interval_s > 0:
        sys.setswitchinterval(switch_interval_s)


def when_ready(server: object) -> None:
    """With ``preload_app`` the application is imported in the arbiter, before the workers fork: a database
    connection opened while importing must not be inherited (two processes talking on one socket)."""
    from django.db import connections

    connections.close_all()


if _env("LOG_FORMAT", "text") == "json":
    # The access and error logs as JSON lines too (core/json_logs.py): method, path, status, bytes,
    # duration, client address and user agent as fields. gunicorn's own text handlers are left out, or
    # every line would come twice.
    accesslog = None
    errorlog = None
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "core.json_logs.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
