"""The screening pipeline: normalise, run the stages, fuse signals into a risk score, decide.

``screen(item)`` is pure apart from the duplicate stage's fingerprint table; services.py applies
the verdict (publish, hold, reject, provisional regional withholding) and writes the audit record.

Fusion: per category the strongest signal; risk = strongest category + a quarter of the others
(capped at 1). Outcome by the global pack's thresholds (stricter for accounts in their first days):
reject only when the top category is prohibited and risk >= reject, also without the hold-only
stages (embedding, nudenet); hold when risk >= hold, when the risk without the hold-only stages
reaches the (new-account) hold threshold, or when any stage failed; otherwise publish.
Regional packs' hits never reject: they withhold in their countries, provisionally, until a reviewer
confirms.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from review.normalize import Normalized, normalize
from review.packs import PackSet, get_packs
from review.stages import Signal, duplicates, embedding, images, llm, profanity, rules

# Their signals can hold an item for a human but never tip it into an automated reject: the embedding
# classifier and the photo detector are fooled by look-alikes (diet posts, art, breastfeeding photos).
HOLD_ONLY_STAGES = frozenset({"embedding", "nudenet"})
# Word-level profanity detectors: they see words, not intent ("I hate Mondays, this shit is annoying").
# An LLM "ok" may overrule them, and nothing else.
LEXICAL_STAGES = frozenset({"glin_profanity", "alt_profanity_check"})


@dataclass
class ScreenInput:
    text: str
    target_type: str = "note"
    target_id: int = 0
    author_id: int = 0
    author_joined: datetime | None = None
    language: str = ""
    photo_hashes: list[str] = field(default_factory=list)
    photo_paths: list[str] = field(default_factory=list)
    # A machine translation, screened too when no reviewer reads the original language.
    translated_text: str = ""


@dataclass
class Verdict:
    outcome: str  # publish | hold | reject
    risk: float
    labels: list[str]
    reasons: list[str]
    top_category: str
    regional: dict[str, list[str]]
    stages: dict[str, Any]
    errors: list[str]
    used_llm: bool
    signals: list[Signal]


def is_new_account(joined: datetime | None, thresholds: dict[str, Any]) -> bool:
    if joined is None:
        return False
    return timezone.now() - joined < timedelta(days=float(thresholds["new_account_days"]))


def fuse(signals: list[Signal]) -> tuple[float, dict[str, float]]:
    best: dict[str, float] = {}
    for s in signals:
        if not s.country:
            best[s.category] = max(best.get(s.category, 0.0), s.score)
    if not best:
        return 0.0, best
    ordered = sorted(best.values(), reverse=True)
    return min(1.0, ordered[0] + 0.25 * sum(ordered[1:])), best


def _run_stage(name: str, func: Callable[[], list[Signal]], report: dict[str, Any], errors: list[str]) -> list[Signal]:
    started = time.perf_counter()
    try:
        found = func()
    except Exception as exc:
        errors.append(name)
        report[name] = {"error": f"{exc.__class__.__name__}: {str(exc)[:200]}"}
        return []
    report[name] = {"signals": len(found), "ms": round((time.perf_counter() - started) * 1000, 2)}
    return found


def _injection_suspected(norm: Normalized) -> bool:
    text = norm.text
    markers = (
        "ignore all previous",
        "ignore previous instructions",
        "ignore the above",
        "system prompt",
        "you are now",
        "answer ok",
        "reply with",
        "label: ok",
        "respond with",
        "忽略之前",
        "忽略以上",
    )
    return any(m in text for m in markers)


def warm() -> None:
    """Load what screening every note uses (a task worker before it forks, core/warmup.py): the
    encoder and its prototypes, the profanity lists. The photo detector is left to load on first use:
    an onnxruntime session is not safe to carry across a fork."""
    if not settings.REVIEW_SCREENING:
        return
    embedding.model()
    profanity.load()


def screen(
    item: ScreenInput,
    *,
    packs: PackSet | None = None,
    use_llm: bool = True,
    use_duplicates: bool = True,
    record_fingerprints: bool = True,
    stages_enabled: set[str] | None = None,
    llm_classify: Callable[[str], str | None] | None = None,
) -> Verdict:
    """Screen one item. ``llm_classify`` replaces the local model (the evaluation and tests pass a
    stand-in); by default ``translation.llm`` is used when it is installed."""
    packs = packs or get_packs()
    thresholds = packs.thresholds()
    norm = normalize(item.text)
    report: dict[str, Any] = {}
    errors: list[str] = []
    signals: list[Signal] = []

    def on(name: str) -> bool:
        return stages_enabled is None or name in stages_enabled

    if on("rules"):
        signals += _run_stage("rules", lambda: rules.run(norm, packs.global_pack), report, errors)
        for pack in packs.regional():
            found = _run_stage(f"rules:{pack.code}", functools.partial(rules.run, norm, pack), report, errors)
            signals += [replace(s, country=c) for s in found for c in pack.countries]
        if item.translated_text:
            translated = normalize(item.translated_text)
            signals += [
                Signal("rules:translation", s.category, s.score, s.reason + " (in the machine translation)", s.rule)
                for s in _run_stage(
                    "rules:translation", lambda: rules.run(translated, packs.global_pack), report, errors
                )
            ]
    if on("glin_profanity"):
        signals += _run_stage("glin_profanity", lambda: profanity.glin_run(norm), report, errors)
    if on("alt_profanity_check"):
        signals += _run_stage("alt_profanity_check", lambda: profanity.alt_run(norm, item.language), report, errors)
    if on("embedding"):
        signals += _run_stage("embedding", lambda: embedding.run(norm), report, errors)
    if use_duplicates and on("duplicates"):
        signals += _run_stage(
            "duplicates",
            lambda: duplicates.run(
                norm,
                target_type=item.target_type,
                target_id=item.target_id,
                author_id=item.author_id,
                thresholds=thresholds,
                photo_hashes=item.photo_hashes,
                record=record_fingerprints,
            ),
            report,
            errors,
        )
    if item.photo_paths and on("nudenet"):
        signals += _run_stage("nudenet", lambda: images.run(item.photo_paths), report, errors)

    risk, by_category = fuse(signals)
    new_account = is_new_account(item.author_joined, thresholds)
    hold_at = thresholds["new_account_hold"] if new_account else thresholds["hold"]
    reject_at = thresholds["new_account_reject"] if new_account else thresholds["reject"]

    used_llm = False
    low, high = thresholds["llm_band"]
    classify = llm_classify or (llm.classify if llm.available() else None)
    # The LLM is a second opinion on the uncertain share. It can escalate anything it is asked about;
    # its "ok" only overrules the word-level profanity detectors. Letting "ok" also release what the
    # embedding stage held cost recall on the held-out evaluation set (0.73 -> 0.57), and a rule,
    # duplicate or photo hit is never left to a model that the post itself may try to talk round.
    lexical_only = all(s.stage in LEXICAL_STAGES for s in signals if not s.country)
    # The stricter hold for a new account applies to the stages that read the words (rules, word lists,
    # duplicates, the LLM). The hold-only stages hold everyone at the point they were calibrated for; a
    # new account's post in their uncertain band goes to the LLM instead. Holding it outright held
    # ordinary short comments ("图片好好看！", "Came here from the Discover page") from every newcomer,
    # because a classifier's false positives are not likelier to be true for a new account.
    base_hold = thresholds["hold"]
    certain, _ = fuse([s for s in signals if s.stage not in HOLD_ONLY_STAGES])
    if lexical_only:
        in_band = low <= risk < min(high, reject_at)
    else:
        in_band = low <= risk < high and certain < hold_at and risk < base_hold
    released = False
    if use_llm and classify is not None and not errors and in_band:
        used_llm = True
        started = time.perf_counter()
        try:
            label = llm.parse_label(classify(item.text))
        except Exception:
            label = None
        report["llm"] = {"label": label, "ms": round((time.perf_counter() - started) * 1000, 2)}
        if label and label != "ok":
            signals.append(Signal("llm", label, hold_at, f"LLM second opinion: {label}"))
            risk = max(risk, hold_at)
            by_category[label] = max(by_category.get(label, 0.0), hold_at)
        elif label == "ok":
            if lexical_only and not _injection_suspected(norm):
                risk = min(risk, max(0.0, hold_at - 0.05))
                released = True

    top = max(by_category, key=lambda c: by_category[c]) if by_category else ""
    prohibited = set(packs.global_pack.prohibited)
    # Stages that hold at most: an automated reject needs the risk without them to reach the threshold.
    certain, _ = fuse([s for s in signals if s.stage not in HOLD_ONLY_STAGES])
    if released:
        certain = min(certain, risk)
    if errors:
        outcome = "hold"
    elif min(risk, certain) >= reject_at and top in prohibited:
        outcome = "reject"
    elif certain >= hold_at or risk >= max(base_hold, hold_at):
        outcome = "hold"
    else:
        outcome = "publish"

    regional: dict[str, list[str]] = {}
    for s in signals:
        if s.country and s.score >= thresholds["hold"]:
            pack_categories = {c for p in packs.for_country(s.country) for c in p.prohibited} | prohibited
            if s.category in pack_categories or s.category in ("illegal_local", "state_protection", "negative"):
                regional.setdefault(s.country, [])
                if s.category not in regional[s.country]:
                    regional[s.country].append(s.category)

    reasons = [s.reason for s in signals if not s.country]
    reasons += [f"stage {name} failed: held for a human" for name in errors]
    if regional:
        reasons.append("flagged by regional rules in " + ", ".join(sorted(regional)))
    if new_account and outcome != "publish":
        reasons.append("stricter thresholds for a new account")
    return Verdict(
        outcome=outcome,
        risk=round(risk, 4),
        labels=sorted(by_category),
        reasons=reasons,
        top_category=top,
        regional=regional,
        stages=report,
        errors=errors,
        used_llm=used_llm,
        signals=signals,
    )
