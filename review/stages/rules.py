"""Policy rules from the packs: words, phrases, CJK/Thai substrings, patterns, blocked link domains."""

from __future__ import annotations

from review.normalize import Normalized, dedupe_runs, match_text
from review.packs import Pack, Rule
from review.stages import Signal

STAGE = "rules"


def _strip_exceptions(rule: Rule, text: str, squashed: str) -> tuple[str, str]:
    for phrase, squashed_form in rule.exceptions:
        if phrase:
            text = text.replace(phrase, " ")
        if squashed_form:
            squashed = squashed.replace(squashed_form, "|")
    return text, squashed


def _hit(rule: Rule, norm: Normalized, text: str, squashed: str, words: set[str]) -> str | None:
    if rule.exceptions:
        text, squashed = _strip_exceptions(rule, text, squashed)
        words = {dedupe_runs(t) for t in text.split()}
    for word in rule.words:
        if word in words:
            return word
    for phrase in rule.phrases:
        if " " + phrase + " " in text:
            return phrase
    for sub in rule.substrings:
        if sub in squashed:
            return sub
    for pattern in rule.patterns:
        found = pattern.search(norm.text)
        if found:
            return found.group(0)[:40]
    return None


def run(norm: Normalized, pack: Pack, *, country: str = "") -> list[Signal]:
    text = match_text(norm)
    words = {dedupe_runs(t) for t in text.split()}
    signals = []
    for rule in pack.rules:
        matched = _hit(rule, norm, text, norm.squashed, words)
        if matched is not None:
            signals.append(
                Signal(STAGE, rule.category, rule.score, f"rule {rule.id} matched “{matched}”", rule.id, country)
            )
    for domain in norm.domains:
        if any(domain == d or domain.endswith("." + d) for d in pack.blocked_domains):
            signals.append(Signal(STAGE, "scam", 0.95, f"link to blocked domain {domain}", "blocked_domain", country))
    return signals
