"""Real server processes for tests: the environment that points them at the test database, and a Redis
and a PostgreSQL of a test's own that it may stop, kill and restart (never the shared ones)."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import redis
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


@contextlib.contextmanager
def database_unreachable() -> Iterator[None]:
    """Point this thread's connection at nothing (a free port, a folder that does not exist) and back."""
    saved = dict(connection.settings_dict)
    connection.close()
    if settings.DB_IS_POSTGRES:
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    else:
        connection.settings_dict["NAME"] = "/nonexistent-folder/notebridge.sqlite3"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


class OwnRedis:
    """A redis-server of this test's own, persisted to its folder (append-only file, written before each
    reply) as docs/deploy.md says a production Redis should be, so that a restart, even after SIGKILL,
    finds everything written before it stopped; ``persist=False``: nothing survives a restart (CI's Redis,
    a cache-only Redis)."""

    def __init__(self, folder: Path, *, persist: bool = True) -> None:
        self.folder = folder
        self.persist = persist
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder), "--save", ""]
        args += ["--appendonly", "yes", "--appendfsync", "always"] if self.persist else ["--appendonly", "no"]
        self.proc = subprocess.Popen(["redis-server", *args], stdout=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 30
        while True:
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def kill(self) -> None:
        """SIGKILL: a crash, not a shutdown (no final save, connections cut)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)


def postgres_bin() -> Path | None:
    """The folder of initdb and pg_ctl: the one on PATH, else the newest Debian one."""
    found = shutil.which("pg_ctl")
    candidates = [Path(found).resolve().parent] if found else []
    versions = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()]
    candidates += sorted(versions, key=lambda p: int(p.parent.name), reverse=True)
    return next((c for c in candidates if (c / "initdb").exists() and (c / "pg_ctl").exists()), None)


def own_postgres_problem() -> str | None:
    """Why this machine cannot run a PostgreSQL of a test's own, or None when it can."""
    if postgres_bin() is None:
        return "needs PostgreSQL's server binaries (initdb, pg_ctl: apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "initdb refuses root and there is no postgres user to run it as"
        if shutil.which("runuser") is None:
            return "initdb refuses root and runuser is missing"
    return None


class OwnPostgres:
    """A PostgreSQL cluster of this test's own: initdb in a temporary folder, a free port, trust
    authentication, no fsync (it is thrown away; a commit still survives a restart of PostgreSQL). The
    test may stop and start it. As root (CI) it runs as the postgres user, since initdb refuses root."""

    def __init__(self) -> None:
        bindir = postgres_bin()
        assert bindir is not None, own_postgres_problem()
        self.bin = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="nb-own-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.folder, "postgres")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _ctl(self, program: str, *args: str) -> None:
        with (self.folder / "ctl.log").open("ab") as log:
            command = [*self.as_user, str(self.bin / program), *args]
            # From its own folder: the postgres user may not read the test's working directory.
            done = subprocess.run(command, stdout=log, stderr=log, timeout=120, cwd=self.folder)
        if done.returncode:
            server_log = self.folder / "server.log"
            raise RuntimeError(
                f"{program} {' '.join(args)} failed:\n{(self.folder / 'ctl.log').read_text()[-2000:]}\n"
                + (server_log.read_text()[-2000:] if server_log.exists() else "")
            )

    def init(self) -> None:
        self._ctl("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "-N")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder} "
            # No fsync: only an operating system crash could lose a commit, and the cluster is thrown away.
            "-c fsync=off -c full_page_writes=off"
        )
        log = str(self.folder / "server.log")
        self._ctl("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """``fast``: what a restart does (sessions are ended, open transactions rolled back)."""
        self._ctl("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def create_database(self, name: str) -> None:
        self._ctl("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-c", f"CREATE DATABASE {name}")

    def copy_database(self, source: dict[str, object], name: str) -> None:
        """Create ``name`` here as a copy (schema and rows) of the database ``source`` describes (a Django
        connection's settings), through pg_dump."""
        self.create_database(name)
        env = dict(os.environ, PGPASSWORD=str(source.get("PASSWORD") or ""))
        host, port = str(source.get("HOST") or "127.0.0.1"), str(source.get("PORT") or 5432)
        dump = [str(self.bin / "pg_dump"), "-h", host, "-p", port, "-U", str(source.get("USER") or "postgres")]
        dump += ["--no-owner", "--no-privileges", str(source["NAME"])]
        load = [str(self.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", self.url(name)]
        dumped = subprocess.run(dump, env=env, capture_output=True, check=True, timeout=300)
        subprocess.run(load, input=dumped.stdout, capture_output=True, check=True, timeout=300)

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
