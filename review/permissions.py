"""Who may do what in review. Every view, endpoint and service checks through these."""

from __future__ import annotations

from typing import Any

from review.models import Reviewer


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.is_staff))


def reviewer_for(user: Any) -> Reviewer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        reviewer = user.reviewer
    except Reviewer.DoesNotExist:
        return None
    return reviewer if reviewer.active else None


def is_reviewer(user: Any) -> bool:
    return reviewer_for(user) is not None


def reads_language(reviewer: Reviewer, language: str) -> bool:
    """A reviewer who reads "zh" reads "zh-Hans" and "zh-Hant"; no languages declared means none."""
    if not language:
        return True
    base = language.split("-")[0].lower()
    return any(lang.split("-")[0].lower() == base for lang in reviewer.languages)


def covers_region(reviewer: Reviewer, region: str) -> bool:
    return not region or not reviewer.regions or region.upper() in {r.upper() for r in reviewer.regions}
