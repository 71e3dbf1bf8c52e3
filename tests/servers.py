"""Real server processes for tests: the environment that points them at the test database."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import requests
from django.conf import settings
from django.db import connection


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(data_dir: Path, *, redis: bool = True) -> dict[str, str]:
    """The environment of a server process that serves this test's database (data must be committed:
    ``django_db(transaction=True)``), with its own data directory; without Redis if ``redis=False``."""
    env = dict(os.environ, NOTEBRIDGE_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="notebridge.settings")
    env["NOTEBRIDGE_LOCAL_MODEL"] = "0"  # a test's runstack never builds or downloads the translation engine
    db = connection.settings_dict
    if settings.DB_IS_POSTGRES:
        user, host, port = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
        env["DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{db['NAME']}"
    else:
        env["SQLITE_PATH"] = str(db["NAME"])
    if not redis:
        env.pop("REDIS_URL", None)
    return env


def wait_until_serving(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            requests.get(url + "/api/v1/instance", timeout=30)  # the first request loads the app
            return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
