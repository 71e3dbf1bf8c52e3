"""The review queue's items: which language routes them, opening one (or joining the open one), its severity."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from accounts.models import User
from notes.models import Note
from review import audit
from review.models import (
    ItemStatus,
    Outcome,
    ReviewItem,
    ScreeningResult,
    TargetType,
)
from review.packs import get_packs
from review.screening import Verdict


def guess_language(text: str, declared: str = "") -> str:
    """The item's language for queue routing: the detected one, else a script-based guess."""
    if declared:
        return declared
    if any("\u0e00" <= ch <= "\u0e7f" for ch in text):
        return "th"
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "zh"
    return "en"


def open_item(*, target_type: str, target_id: int, source: str, defaults: dict[str, Any]) -> tuple[ReviewItem, bool]:
    item = (
        ReviewItem.objects.select_for_update()
        .filter(target_type=target_type, target_id=target_id, source=source)
        .exclude(status=ItemStatus.RESOLVED)
        .first()
    )
    if item is not None:
        return item, False
    try:
        with transaction.atomic():
            return ReviewItem.objects.create(
                target_type=target_type, target_id=target_id, source=source, **defaults
            ), True
    except IntegrityError:
        # Another worker opened it a moment ago: merge into theirs.
        item = ReviewItem.objects.get(
            target_type=target_type,
            target_id=target_id,
            source=source,
            status__in=[ItemStatus.OPEN, ItemStatus.ESCALATED],
        )
        return item, False


def severity_of(category: str) -> int:
    info = get_packs().categories.get(category) or {}
    return int(info.get("severity", 1))


def queue_for(
    verdict: Verdict,
    result: ScreeningResult,
    *,
    target_type: str,
    target_id: int,
    author: Any,
    language: str,
    note: Note | None,
    region: str = "",
) -> ReviewItem:
    category = verdict.top_category or (next(iter(verdict.regional.get(region, [])), "") if region else "")
    item, created = open_item(
        target_type=target_type,
        target_id=target_id,
        source="screening",
        defaults={
            "author": author,
            "note": note,
            "language": language,
            "region": region,
            "category": category or "other",
            "severity": severity_of(category),
            "screening": result,
        },
    )
    if not created:
        item.screening = result
        item.severity = max(item.severity, severity_of(category))
        item.save(update_fields=["screening", "severity"])
    return item


IMPERSONATION = "impersonation"
ACCOUNT_RISK = "account_risk"


def queue_impersonation(*, user_id: int, evidence: dict[str, Any]) -> ReviewItem | None:
    """Open (or add to) the review item about a profile suspected of impersonating a protected account.

    ``evidence`` holds plain values (which protected account, which signal, the score, both values and
    a detail). It is kept in the item's screening result (``stages["impersonation"]``, one entry per
    finding, and a readable line in ``reasons``) for the console; nothing happens to the account itself."""
    score = float(evidence.get("score", 0.0))
    reason = (
        f"impersonation: {evidence.get('signal')} {score:.2f}: {evidence.get('subject')} "
        f"{evidence.get('candidate_value')!r} ~ @{evidence.get('protected_username')} "
        f"{evidence.get('protected_value')!r} ({evidence.get('detail')})"
    )
    return _queue_account_finding(
        user_id=user_id,
        source=IMPERSONATION,
        category=IMPERSONATION,
        evidence=evidence,
        reasons=[reason],
        score=score,
        language_hint=str(evidence.get("protected_value", "")),
    )


def queue_account_risk(*, user_id: int, score: float, rules: list[str], reasons: list[str]) -> ReviewItem | None:
    """Open (or add to) the review item about an account whose counterfeit/spam risk is high (trust.risk):
    the score and the rules that fired, for a person to judge; the account itself is left alone."""
    return _queue_account_finding(
        user_id=user_id,
        source=ACCOUNT_RISK,
        category="spam",
        evidence={"score": score, "rules": rules, "reasons": reasons},
        reasons=[f"account risk {score:.2f}: {'; '.join(reasons)}"],
        score=score,
        language_hint="",
    )


def _queue_account_finding(
    *,
    user_id: int,
    source: str,
    category: str,
    evidence: dict[str, Any],
    reasons: list[str],
    score: float,
    language_hint: str,
) -> ReviewItem | None:
    """One open review item per profile and ``source``; each finding is appended to its screening
    result's ``stages[source]`` (best first) and ``reasons``, and audited."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    language = guess_language(f"{user.display_name} {language_hint}")
    with transaction.atomic():
        item = (
            ReviewItem.objects.select_for_update()
            .filter(target_type=TargetType.PROFILE, target_id=user.pk, source=source)
            .exclude(status=ItemStatus.RESOLVED)
            .first()
        )
        result = item.screening if item is not None and item.screening is not None else None
        if result is None:
            result = ScreeningResult.objects.create(
                target_type=TargetType.PROFILE,
                target_id=user.pk,
                author=user,
                language=language,
                labels=[category],
                outcome=Outcome.HOLD,
                stages={source: []},
            )
        findings = list(result.stages.get(source, []))
        findings.append(evidence)
        findings.sort(key=lambda e: -float(e.get("score", 0.0)))
        result.stages = {**result.stages, source: findings}
        result.reasons = [*result.reasons, *reasons]
        result.risk = max(result.risk, score)
        result.save(update_fields=["stages", "reasons", "risk"])
        item, _created = open_item(
            target_type=TargetType.PROFILE,
            target_id=user.pk,
            source=source,
            defaults={
                "author": user,
                "language": language,
                "category": category,
                "severity": severity_of(category),
                "screening": result,
            },
        )
        audit.record(
            f"{source}_flagged",
            target_type=TargetType.PROFILE,
            target_id=user.pk,
            reason_code=category,
            language=language,
            after={"score": score},
            detail=evidence,
        )
    return item
