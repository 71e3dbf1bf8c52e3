"""The background preparation of the local engine (translation/preparation.py, `prepare_translation_model`).

A tiny model in three part wheels, made here in a temporary folder, stands in for the 22 real ones, with
its own expected sha256; nothing is downloaded (``pip_download=False`` / ``--offline``) and the runtime
step is left out (it builds llama-cpp-python for ten minutes).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from packaging.tags import sys_tags

from core import events
from core.events import StackStarted
from translation import preparation
from translation.model_install import PackagedModel

PARTS = [b"GGUF" + bytes(range(256)) * 40, b"second part " * 500, b"\x00\x01tail"]


@pytest.fixture
def dirs(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.NOTEBRIDGE_CACHE_DIR = tmp_path / "cache"
    settings.LOCAL_MODEL_PREPARE = True
    settings.TRANSLATION_MODEL_PATH = tmp_path / "data" / "models" / "tiny.gguf"
    return tmp_path


def _make_parts(folder: Path, parts: list[bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n, data in enumerate(parts, start=1):
        with zipfile.ZipFile(folder / f"tinypart{n}-0.1.0-py3-none-any.whl", "w") as zf:
            zf.writestr(f"tinypart{n}/__init__.py", "raise SystemExit('never imported')\n")
            zf.writestr(f"tinypart{n}/data/part{n:02d}.bin", data)


def _tiny(sha256: str | None = None) -> PackagedModel:
    joined = b"".join(PARTS)
    return PackagedModel(
        name="tiny",
        package_prefix="tinypart",
        version="0.1.0",
        parts=len(PARTS),
        sha256=sha256 or hashlib.sha256(joined).hexdigest(),
        size_hint=len(joined),
    )


def test_joins_verifies_and_reports_progress_and_seconds(dirs, settings):
    _make_parts(preparation.parts_dir(), PARTS)
    lines: list[str] = []
    status = preparation.prepare(model=_tiny(), runtime=False, pip_download=False, out=lines.append)
    dest = Path(settings.TRANSLATION_MODEL_PATH)
    assert status["state"] == "ready" and status["percent"] == 100
    assert dest.read_bytes() == b"".join(PARTS)
    written = json.loads((dirs / "data" / "translation-engine.json").read_text())
    assert written["state"] == "ready" and set(written["seconds"]) == {"download", "join"}
    assert written["log"].endswith("logs/translation-engine.log")
    assert any("download" in line for line in lines) and "ready" in lines[-1]
    assert preparation.preparing() is None  # finished: nobody is told to wait


def test_a_corrupted_part_is_refused_and_nothing_is_installed(dirs, settings):
    corrupted = [PARTS[0], PARTS[1][:-1] + b"X", PARTS[2]]
    _make_parts(preparation.parts_dir(), corrupted)
    status = preparation.prepare(model=_tiny(), runtime=False, pip_download=False)
    dest = Path(settings.TRANSLATION_MODEL_PATH)
    assert status["state"] == "failed" and "sha256 mismatch" in status["message"]
    assert not dest.exists() and not list(dest.parent.glob(".partial-*"))
    assert preparation.read_status()["state"] == "failed"


def test_a_wrong_expected_hash_is_refused(dirs, settings):
    _make_parts(preparation.parts_dir(), PARTS)
    status = preparation.prepare(model=_tiny("0" * 64), runtime=False, pip_download=False)
    assert status["state"] == "failed" and not Path(settings.TRANSLATION_MODEL_PATH).exists()


def test_a_corrupted_model_in_place_is_replaced_by_the_verified_one(dirs, settings):
    _make_parts(preparation.parts_dir(), PARTS)
    dest = Path(settings.TRANSLATION_MODEL_PATH)
    dest.parent.mkdir(parents=True)
    dest.write_bytes(b"GGUF truncated")
    status = preparation.prepare(model=_tiny(), runtime=False, pip_download=False)
    assert status["state"] == "ready" and dest.read_bytes() == b"".join(PARTS)


def test_second_run_is_idempotent_and_needs_no_parts(dirs, settings):
    _make_parts(preparation.parts_dir(), PARTS)
    assert preparation.prepare(model=_tiny(), runtime=False, pip_download=False)["state"] == "ready"
    for wheel in preparation.parts_dir().glob("*.whl"):
        wheel.unlink()
    # Offline and without parts, a second join would fail: the verified file in place is recognised.
    assert preparation.prepare(model=_tiny(), runtime=False, pip_download=False)["state"] == "ready"
    assert Path(settings.TRANSLATION_MODEL_PATH).read_bytes() == b"".join(PARTS)


def test_missing_parts_offline_fail_with_the_reason(dirs):
    _make_parts(preparation.parts_dir(), PARTS[:2])
    status = preparation.prepare(model=_tiny(), runtime=False, pip_download=False)
    assert status["state"] == "failed" and "part 3" in status["message"]


def test_the_off_switch(dirs, settings):
    settings.LOCAL_MODEL_PREPARE = False
    out = StringIO()
    call_command("prepare_translation_model", "--no-runtime", "--offline", stdout=out)
    assert "off" in out.getvalue() and "NOTEBRIDGE_LOCAL_MODEL=0" in out.getvalue()
    assert preparation.read_status()["state"] == "off"
    assert not Path(settings.TRANSLATION_MODEL_PATH).exists()


def test_the_command_fails_loudly(dirs):
    with pytest.raises(CommandError, match="part 1"):
        call_command("prepare_translation_model", "--no-runtime", "--offline", stdout=StringIO())


def test_a_second_preparation_leaves_the_first_alone(dirs, settings):
    """Another process holds the lock: the command says so and changes nothing; afterwards it runs."""
    lock = preparation.lock_path()
    lock.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); "
            "print('locked', flush=True); time.sleep(60)",
            str(lock),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        out = StringIO()
        call_command("prepare_translation_model", "--no-runtime", "--offline", stdout=out)
        assert "busy" in out.getvalue()
        assert preparation.read_status() == {}
    finally:
        holder.kill()
        holder.wait()
    with pytest.raises(CommandError):  # now it runs (and fails: no parts in the cache)
        call_command("prepare_translation_model", "--no-runtime", "--offline", stdout=StringIO())
    assert preparation.read_status()["state"] == "failed"


def test_status_is_running_only_while_heard_from(dirs):
    writer = preparation.StatusWriter()
    writer.progress("download", 0.5, "part 11 of 22")
    status = preparation.preparing()
    assert status is not None and status["stage"] == "download" and status["percent"] == 84
    assert preparation.preparing_percent("zh-Hans", "en") == 84
    assert preparation.preparing_percent("zh-Hans", "zh-Hant") is None  # OpenCC's pair, not the model's
    data = preparation.read_status()
    data["updated_at"] = time.time() - preparation.STALE_AFTER_S - 1
    preparation.status_path().write_text(json.dumps(data))
    assert preparation.preparing() is None and preparation.preparing_percent("zh-Hans", "en") is None


def test_build_progress_from_the_build_tools_counter():
    assert preparation.build_fraction("[12/193] cc ...\n[96/193] cc x.c", 5.0) == pytest.approx(96 / 193)
    assert preparation.build_fraction("[ 40%] Building C object", 5.0) == pytest.approx(0.4)
    assert preparation.build_fraction("Collecting scikit-build-core", 0.0) == 0.0
    assert preparation.build_fraction("no counter yet", 10_000.0) == 0.9


def test_a_cached_runtime_wheel_is_found_for_this_python_only(dirs):
    folder = preparation.wheel_dir()
    folder.mkdir(parents=True)
    assert preparation.cached_wheel() is None
    version = preparation.RUNTIME_VERSION
    (folder / f"llama_cpp_python-{version}-cp27-cp27mu-linux_x86_64.whl").write_bytes(b"")
    (folder / f"llama_cpp_python-{version}-py3-none-win_amd64.whl").write_bytes(b"")
    (folder / f"llama_cpp_python-{version}-not-a-wheel.whl").write_bytes(b"")
    assert preparation.cached_wheel() is None
    # What `pip wheel llama-cpp-python` builds here: pure-Python tags, this platform.
    platform = next(t.platform for t in sys_tags())
    mine = folder / f"llama_cpp_python-{version}-py3-none-{platform}.whl"
    mine.write_bytes(b"")
    assert preparation.cached_wheel() == mine


def test_a_wheel_of_another_build_flavour_is_not_reused(dirs):
    """A wheel built the old way (-march=native, with AMX kernels that crash here) sits directly in the
    wheels folder: it is not this flavour's, so it is built again."""
    platform = next(t.platform for t in sys_tags())
    name = f"llama_cpp_python-{preparation.RUNTIME_VERSION}-py3-none-{platform}.whl"
    old = preparation.cache_dir() / "wheels"
    old.mkdir(parents=True)
    (old / name).write_bytes(b"")
    assert preparation.cached_wheel() is None
    assert preparation.wheel_dir() == old / preparation.BUILD_FLAVOUR


def test_the_runtime_is_built_for_the_cpu_without_amx():
    cpuinfo = "processor\t: 0\nflags\t\t: fpu sse avx avx2 fma f16c bmi2 avx512f amx_tile amx_int8\n"
    flags = preparation.cpu_flags(cpuinfo)
    assert {"avx2", "amx_tile"} <= flags
    args = preparation.build_cmake_args(flags).split()
    assert "-DGGML_NATIVE=OFF" in args  # -march=native would compile the AMX kernels in
    assert {"-DGGML_AVX2=ON", "-DGGML_FMA=ON", "-DGGML_F16C=ON", "-DGGML_AVX512=ON"} <= set(args)
    assert not [a for a in args if "AMX" in a and a.endswith("=ON")]
    # An older CPU gets only what it lists.
    small = preparation.build_cmake_args(preparation.cpu_flags("flags : sse avx\n")).split()
    assert "-DGGML_AVX=ON" in small and "-DGGML_AVX2=ON" not in small and "-DGGML_AVX512=ON" not in small
    assert preparation.cpu_flags("no flags line") == set()


def test_a_runtime_without_this_flavours_stamp_is_not_current(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    assert not preparation.runtime_current()
    preparation.flavour_stamp().write_text("something-else\n")
    assert not preparation.runtime_current()


def test_turned_off_nothing_is_promised_even_with_a_running_status(dirs, settings):
    preparation.StatusWriter().progress("runtime", 0.5)
    assert preparation.preparing_percent("en", "zh-Hans") is not None
    settings.LOCAL_MODEL_PREPARE = False
    assert preparation.preparing_percent("en", "zh-Hans") is None


def test_a_preparation_runstack_launches_is_announced_before_it_can_speak(
    dirs, settings, db, django_capture_on_commit_callbacks
):
    """At the lowest priority on a busy machine the preparation process takes minutes to write its own
    status; meanwhile readers were told this server cannot translate their language."""
    assert preparation.preparing_percent("zh-Hans", "en") is None
    with django_capture_on_commit_callbacks(execute=True):  # runstack emits it outside any transaction
        events.emit(StackStarted(background_preparation=True))
    assert preparation.read_status()["stage"] == "starting"
    assert preparation.preparing_percent("zh-Hans", "en") == 0
    data = preparation.read_status()
    data["updated_at"] = time.time() - preparation.STALE_AFTER_S - 1
    preparation.status_path().write_text(json.dumps(data))
    assert preparation.preparing_percent("zh-Hans", "en") == 0, "a launched process gets longer to start"
    data["updated_at"] = time.time() - preparation.STARTING_STALE_AFTER_S - 1
    preparation.status_path().write_text(json.dumps(data))
    assert preparation.preparing_percent("zh-Hans", "en") is None, "one that never started is not waited for"


def test_the_announcement_leaves_a_running_preparation_and_the_off_switch_alone(
    dirs, settings, db, django_capture_on_commit_callbacks
):
    preparation.StatusWriter().progress("download", 0.5, "part 11 of 22")
    with django_capture_on_commit_callbacks(execute=True) as ran:
        events.emit(StackStarted(background_preparation=True))
    assert ran, "the subscriber ran"
    assert preparation.read_status()["stage"] == "download"
    assert preparation.preparing_percent("zh-Hans", "en") == 84
    preparation.status_path().unlink()
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(StackStarted(background_preparation=False))
    assert preparation.read_status() == {}
    settings.LOCAL_MODEL_PREPARE = False
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(StackStarted(background_preparation=True))
    assert preparation.read_status() == {}
