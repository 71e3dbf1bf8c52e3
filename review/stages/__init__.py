"""Screening stages. Each takes the normalised item and returns signals; an exception means "unknown",
which the pipeline turns into a hold for a human (never a publish)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Signal:
    stage: str
    category: str
    score: float  # 0..1, this stage's confidence that the item breaks the category's rule
    reason: str  # human-readable, shown to reviewers and (summarised) in statements of reasons
    rule: str = ""
    country: str = ""  # set when a regional pack raised it: the item is withheld there, not removed
