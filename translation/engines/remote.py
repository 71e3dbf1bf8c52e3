"""Remote engines configured like Mastodon's: a LibreTranslate-compatible endpoint and DeepL.

Both are plain JSON over HTTP with a timeout. Anything but a well-formed answer with one text per input
(a refused connection, a timeout, an HTTP error, a malformed body, a wrong count) fails the whole batch
with a reason, and each returned text still goes through validation so garbage is not shown as a
translation.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings

from translation.engines.base import EngineBase, Result
from translation.spans import protect
from translation.validation import validate

MAX_RESPONSE_BYTES = 2 * 1024 * 1024


class RemoteError(Exception):
    pass


def post_json(url: str, payload: dict[str, Any], headers: dict[str, str], timeout: float) -> Any:
    data = json.dumps(payload).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 (URL comes from the operator's settings)
        url, data=data, headers={"Content-Type": "application/json", "Accept": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise RemoteError(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise RemoteError(f"unreachable: {getattr(exc, 'reason', exc)}") from exc
    if len(body) > MAX_RESPONSE_BYTES:
        raise RemoteError("response too large")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RemoteError("response is not JSON") from exc


class RemoteEngine(EngineBase):
    """Shared batch handling: size limits, one request, per-text validation."""

    version = "api"

    def _request(self, texts: list[str], source: str, target: str) -> list[str]:
        raise NotImplementedError

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Result]:
        if not self.available():
            return [Result.failed(self, "not configured") for _ in texts]
        results: list[Result | None] = [None] * len(texts)
        sendable = []
        for i, text in enumerate(texts):
            if len(text) > settings.TRANSLATION_MAX_CHARS:
                results[i] = Result.failed(self, "too long")
            else:
                sendable.append(i)
        if sendable:
            try:
                outputs = self._request([texts[i] for i in sendable], source, target)
            except RemoteError as exc:
                outputs = []
                for i in sendable:
                    results[i] = Result.failed(self, str(exc))
            for i, output in zip(sendable, outputs, strict=False):
                problems = (
                    validate(source_text=texts[i], output=output, source=source, target=target, protected=None)
                    if isinstance(output, str)
                    else ["not a string"]
                )
                # Remote engines are trusted to keep links and tags but not to be sane: check what matters.
                spans = protect(texts[i]).spans
                missing = [s for s in spans if isinstance(output, str) and s not in output and not s.isdigit()]
                if missing:
                    problems.append(f"protected spans lost: {missing[:3]}")
                results[i] = (
                    Result.failed(self, "; ".join(problems), draft=str(output))
                    if problems
                    else (Result.success(self, output))
                )
        return [r if r is not None else Result.failed(self, "no answer") for r in results]


class LibreTranslateEngine(RemoteEngine):
    name = "libretranslate"

    def available(self) -> bool:
        return bool(settings.LIBRETRANSLATE_URL)

    def supports(self, source: str, target: str) -> bool:
        return source != target and source in settings.CONTENT_LANGUAGES and target in settings.CONTENT_LANGUAGES

    def _request(self, texts: list[str], source: str, target: str) -> list[str]:
        payload: dict[str, Any] = {"q": texts, "source": source, "target": target, "format": "text"}
        if settings.LIBRETRANSLATE_API_KEY:
            payload["api_key"] = settings.LIBRETRANSLATE_API_KEY
        body = post_json(f"{settings.LIBRETRANSLATE_URL}/translate", payload, {}, settings.TRANSLATION_REMOTE_TIMEOUT)
        translated = body.get("translatedText") if isinstance(body, dict) else None
        if isinstance(translated, str) and len(texts) == 1:
            translated = [translated]
        if not isinstance(translated, list) or len(translated) != len(texts):
            raise RemoteError("malformed response")
        return translated


# DeepL's codes: Chinese is "ZH" as a source, a script-specific target; English needs a variant as target.
_DEEPL_SOURCE = {"en": "EN", "zh-Hans": "ZH", "zh-Hant": "ZH", "ja": "JA", "ko": "KO", "th": "TH"}
_DEEPL_TARGET = {"en": "EN-US", "zh-Hans": "ZH-HANS", "zh-Hant": "ZH-HANT", "ja": "JA", "ko": "KO", "th": "TH"}


class DeepLEngine(RemoteEngine):
    name = "deepl"
    version = "v2"

    def available(self) -> bool:
        return bool(settings.DEEPL_API_KEY)

    def supports(self, source: str, target: str) -> bool:
        return source != target and source in _DEEPL_SOURCE and target in _DEEPL_TARGET

    def _request(self, texts: list[str], source: str, target: str) -> list[str]:
        payload = {"text": texts, "source_lang": _DEEPL_SOURCE[source], "target_lang": _DEEPL_TARGET[target]}
        headers = {"Authorization": f"DeepL-Auth-Key {settings.DEEPL_API_KEY}"}
        body = post_json(f"{settings.DEEPL_URL}/v2/translate", payload, headers, settings.TRANSLATION_REMOTE_TIMEOUT)
        items = body.get("translations") if isinstance(body, dict) else None
        if not isinstance(items, list) or len(items) != len(texts):
            raise RemoteError("malformed response")
        out = []
        for item in items:
            text = item.get("text") if isinstance(item, dict) else None
            if not isinstance(text, str):
                raise RemoteError("malformed response")
            out.append(text)
        return out
