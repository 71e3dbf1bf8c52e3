"""Regional policy packs: YAML data files, validated, compiled once, replaced by admin overrides.

A pack names prohibited categories, rules (word, phrase and pattern lists per script), blocked link
domains, thresholds, age rules and whether IP-location labels are required. ``global`` applies to every
item; a regional pack applies to viewers in its ``countries`` and can only withhold there.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db.utils import DatabaseError

from core import request_reads
from review.models import PolicyPackOverride
from review.normalize import fold_phrase, fold_substring, fold_word, is_cjk_or_thai

PACK_DIR = Path(__file__).resolve().parent / "policy_packs"
PACK_CODES = ["global", "US", "GB", "EU", "TH", "CN"]
MAX_PACK_BYTES = 512 * 1024
MAX_PATTERN_LENGTH = 300

DEFAULT_THRESHOLDS: dict[str, Any] = {
    "hold": 0.5,
    "reject": 0.9,
    "llm_band": [0.3, 0.9],
    "new_account_days": 7,
    "new_account_hold": 0.4,
    "new_account_reject": 0.85,
    "duplicate_accounts_hold": 3,
    "duplicate_accounts_reject": 8,
    "duplicate_window_hours": 72,
    "duplicate_min_weight": 80,
    "payload_accounts_hold": 3,
    "payload_accounts_reject": 6,
    "wave_cluster_hours": 24,
    "strike_expiry_days": 90,
    "claim_minutes": 15,
}
_TOP_KEYS = {
    "code",
    "name",
    "countries",
    "categories",
    "prohibited_categories",
    "thresholds",
    "age_rules",
    "ip_location_label",
    "duties",
    "blocked_domains",
    "rules",
}
_RULE_KEYS = {"id", "category", "score", "words", "phrases", "zh", "th", "patterns", "except"}
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_DOMAIN = re.compile(r"^[a-z0-9.-]{3,253}$")


class PackError(ValueError):
    """A policy pack that does not validate; the message says where."""


@dataclass
class Rule:
    id: str
    category: str
    score: float
    words: frozenset[str]
    phrases: tuple[str, ...]
    substrings: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    exceptions: tuple[tuple[str, str], ...]  # (phrase form, squashed form)


@dataclass
class Pack:
    code: str
    name: str
    countries: list[str]
    categories: dict[str, dict[str, Any]]
    prohibited: list[str]
    thresholds: dict[str, Any]
    age_rules: dict[str, Any]
    ip_location_label: bool
    duties: dict[str, Any]
    blocked_domains: frozenset[str]
    rules: list[Rule] = field(default_factory=list)


def _require(cond: bool, where: str, message: str) -> None:
    if not cond:
        raise PackError(f"{where}: {message}")


def _str_list(value: Any, where: str) -> list[str]:
    _require(isinstance(value, list), where, "must be a list")
    for item in value:
        _require(isinstance(item, str) and 0 < len(item) <= 200, where, f"bad entry {item!r}")
    return list(value)


def parse_pack(source: str, *, expected_code: str | None = None, known_categories: set[str] | None = None) -> Pack:
    """Parse and validate one pack's YAML text. Raises PackError with the first problem found."""
    _require(len(source.encode()) <= MAX_PACK_BYTES, "pack", "too large")
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise PackError(f"pack: not valid YAML ({exc.__class__.__name__})") from exc
    _require(isinstance(data, dict), "pack", "must be a mapping")
    unknown = set(data) - _TOP_KEYS
    _require(not unknown, "pack", f"unknown keys {sorted(unknown)}")
    code = data.get("code")
    _require(isinstance(code, str) and code in PACK_CODES + [c for c in [expected_code] if c], "code", "unknown")
    if expected_code:
        _require(code == expected_code, "code", f"must be {expected_code}")
    categories = data.get("categories") or {}
    _require(isinstance(categories, dict), "categories", "must be a mapping")
    if code == "global":
        _require(bool(categories), "categories", "the global pack defines the taxonomy")
    for name, info in categories.items():
        _require(
            isinstance(info, dict) and isinstance(info.get("severity"), int), f"categories.{name}", "needs severity"
        )
        _require(1 <= info["severity"] <= 4, f"categories.{name}", "severity 1..4")
    known = set(categories) | (known_categories or set())
    countries = _str_list(data.get("countries") or [], "countries")
    for c in countries:
        _require(bool(_COUNTRY.match(c)), "countries", f"{c!r} is not an ISO code")
    if code != "global":
        _require(bool(countries), "countries", "a regional pack names its countries")
    prohibited = _str_list(data.get("prohibited_categories") or [], "prohibited_categories")
    for cat in prohibited:
        _require(cat in known, "prohibited_categories", f"unknown category {cat!r}")
    thresholds = data.get("thresholds") or {}
    _require(isinstance(thresholds, dict), "thresholds", "must be a mapping")
    for key, value in thresholds.items():
        _require(key in DEFAULT_THRESHOLDS, "thresholds", f"unknown key {key!r}")
        if key == "llm_band":
            _require(
                isinstance(value, list) and len(value) == 2 and all(isinstance(v, int | float) for v in value),
                "thresholds.llm_band",
                "two numbers",
            )
        else:
            _require(isinstance(value, int | float) and value >= 0, f"thresholds.{key}", "a number >= 0")
    for low, high in (("hold", "reject"), ("new_account_hold", "new_account_reject")):
        if low in thresholds and high in thresholds:
            _require(thresholds[low] < thresholds[high], "thresholds", f"{low} must be below {high}")
    domains = _str_list(data.get("blocked_domains") or [], "blocked_domains")
    for d in domains:
        _require(bool(_DOMAIN.match(d)), "blocked_domains", f"bad domain {d!r}")
    rules_data = data.get("rules") or []
    _require(isinstance(rules_data, list), "rules", "must be a list")
    rules: list[Rule] = []
    seen_ids: set[str] = set()
    for index, rd in enumerate(rules_data):
        where = f"rules[{index}]"
        _require(isinstance(rd, dict), where, "must be a mapping")
        unknown = set(rd) - _RULE_KEYS
        _require(not unknown, where, f"unknown keys {sorted(unknown)}")
        rid = rd.get("id")
        _require(isinstance(rid, str) and bool(rid) and rid not in seen_ids, where, "needs a unique id")
        seen_ids.add(rid)
        _require(rd.get("category") in known, where, f"unknown category {rd.get('category')!r}")
        score = rd.get("score")
        _require(isinstance(score, int | float) and 0 < score <= 1, where, "score in (0, 1]")
        words: set[str] = set()
        phrases: list[str] = []
        substrings: list[str] = []
        for key in ("words", "phrases", "zh", "th"):
            for entry in _str_list(rd.get(key) or [], f"{where}.{key}"):
                if is_cjk_or_thai(entry):
                    substrings.append(fold_substring(entry))
                elif " " in entry.strip():
                    phrases.append(fold_phrase(entry))
                else:
                    words.add(fold_word(entry))
        patterns = []
        for raw in _str_list(rd.get("patterns") or [], f"{where}.patterns"):
            _require(len(raw) <= MAX_PATTERN_LENGTH, where, "pattern too long")
            try:
                patterns.append(re.compile(raw, re.IGNORECASE))
            except re.error as exc:
                raise PackError(f"{where}.patterns: {exc}") from exc
        exceptions = [(fold_phrase(e), fold_substring(e)) for e in _str_list(rd.get("except") or [], f"{where}.except")]
        rules.append(
            Rule(
                id=rid,
                category=rd["category"],
                score=float(score),
                words=frozenset(w for w in words if w),
                phrases=tuple(p for p in phrases if p),
                substrings=tuple(s for s in substrings if s),
                patterns=tuple(patterns),
                exceptions=tuple(e for e in exceptions if e[0] or e[1]),
            )
        )
    age_rules = data.get("age_rules") or {}
    duties = data.get("duties") or {}
    _require(isinstance(age_rules, dict) and isinstance(duties, dict), "pack", "age_rules and duties are mappings")
    return Pack(
        code=code,
        name=str(data.get("name") or code),
        countries=countries,
        categories=categories,
        prohibited=prohibited,
        thresholds=thresholds,
        age_rules=age_rules,
        ip_location_label=bool(data.get("ip_location_label", False)),
        duties=duties,
        blocked_domains=frozenset(domains),
        rules=rules,
    )


class PackSet:
    """All packs, compiled: the global one with defaults filled in, and the regional ones."""

    def __init__(self, packs: dict[str, Pack]) -> None:
        self.packs = packs
        self.global_pack = packs["global"]
        self.global_pack.thresholds = {**DEFAULT_THRESHOLDS, **self.global_pack.thresholds}
        self.by_country: dict[str, list[Pack]] = {}
        for pack in packs.values():
            for country in pack.countries:
                self.by_country.setdefault(country, []).append(pack)

    @property
    def categories(self) -> dict[str, dict[str, Any]]:
        return self.global_pack.categories

    def regional(self) -> list[Pack]:
        return [p for code, p in self.packs.items() if code != "global"]

    def for_country(self, country: str) -> list[Pack]:
        return self.by_country.get(country.upper(), [])

    def thresholds(self, country: str | None = None) -> dict[str, Any]:
        merged = dict(self.global_pack.thresholds)
        for pack in self.for_country(country or ""):
            # A regional pack may only make thresholds stricter, never looser.
            for key, value in pack.thresholds.items():
                if key in ("hold", "reject", "new_account_hold", "new_account_reject"):
                    merged[key] = min(merged[key], value)
        return merged

    def ip_location_label_required(self, country: str) -> bool:
        return any(p.ip_location_label for p in self.for_country(country))


def shipped_source(code: str) -> str:
    return (PACK_DIR / f"{code}.yaml").read_text(encoding="utf-8")


def _override_sources() -> dict[str, str]:
    try:
        return dict(PolicyPackOverride.objects.values_list("code", "source"))
    except DatabaseError:
        # Before migrations (first start, some management commands): the shipped files alone.
        return {}


def build_packs(overrides: dict[str, str] | None = None) -> PackSet:
    overrides = overrides or {}
    global_pack = parse_pack(overrides.get("global") or shipped_source("global"), expected_code="global")
    known = set(global_pack.categories)
    packs = {"global": global_pack}
    for code in PACK_CODES[1:]:
        packs[code] = parse_pack(
            overrides.get(code) or shipped_source(code), expected_code=code, known_categories=known
        )
    return PackSet(packs)


_lock = threading.Lock()
_cache: dict[str, Any] = {}


# Read with the other instance-wide entries, once per request (core/request_reads.py).
PACKS_VERSION_KEY = request_reads.shared("review:packs-version")


def get_packs() -> PackSet:
    """The compiled packs; rebuilt when an admin's edit (in any process) bumps the cached version."""
    version = request_reads.get(PACKS_VERSION_KEY)
    with _lock:
        if "packs" not in _cache or _cache.get("version") != version:
            _cache["packs"] = build_packs(_override_sources())
            _cache["version"] = version  # type: ignore[assignment]
        return _cache["packs"]


def reload_packs() -> PackSet:
    with _lock:
        _cache.pop("packs", None)
    return get_packs()


def validate_shipped_packs() -> PackSet:
    """Called at start-up (AppConfig.ready): a broken shipped pack stops the process with the reason."""
    return build_packs({})
