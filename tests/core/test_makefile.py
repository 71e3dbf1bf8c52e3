"""`make run` tells the operator where it serves: the printed admin link follows HOST and PORT."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _site_url(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> str:
    probe = tmp_path / "probe.mk"
    probe.write_text("include Makefile\nprint-site-url:\n\t@echo $$SITE_URL\n")
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", "-f", str(probe), "print-site-url", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
    )
    return result.stdout.strip()


def test_site_url_follows_port_and_host(tmp_path: Path) -> None:
    assert _site_url(tmp_path) == "http://127.0.0.1:8000"
    assert _site_url(tmp_path, "PORT=8123") == "http://127.0.0.1:8123"
    assert _site_url(tmp_path, "HOST=0.0.0.0", "PORT=9000") == "http://0.0.0.0:9000"


def test_an_explicit_site_url_wins(tmp_path: Path) -> None:
    assert _site_url(tmp_path, "PORT=8123", env={"SITE_URL": "https://notes.example"}) == "https://notes.example"
