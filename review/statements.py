"""Statements of reasons: what the author is told, built to the strictest regime (DSA Art 17).

Holds the restriction and its territorial scope, the facts (own initiative or notice, how many
notices), whether automation detected or decided, the ground (our terms clause and the provisions
each country maps it to), and the redress routes with the appeal deadline.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from core.countries import country_name
from review import labels
from review.packs import get_packs

RESTRICTION = {
    "reject": "not published",
    "remove": "removed",
    "withhold": "withheld in the countries listed",
    "approve": "no restriction",
    "hold": "held for review (not visible to others yet)",
}


def content_url(target_type: str, target_id: int) -> str:
    if target_type == "note":
        return f"{settings.SITE_URL}/notes/{target_id}"
    return f"{settings.SITE_URL}/{target_type}s/{target_id}"


def build(
    *,
    action: str,
    reason_code: str,
    target_type: str,
    target_id: int,
    countries: list[str],
    source: str,
    report_count: int,
    automated_detection: bool,
    automated_decision: bool,
    note: str,
    appeal_deadline: datetime | None,
    decision_id: int,
) -> dict[str, Any]:
    packs = get_packs()
    category = packs.categories.get(reason_code, packs.categories.get("other", {}))
    provisions = {k: v for k, v in category.items() if k in ("eu", "uk", "us", "th", "cn")}
    facts = _facts(source, report_count)
    duties = packs.global_pack.duties
    return {
        "decision_id": str(decision_id),
        "content": {"type": target_type, "id": str(target_id), "url": content_url(target_type, target_id)},
        "action": action,
        "source": source,
        "report_count": report_count,
        "reviewer_note": note,
        "restriction": RESTRICTION.get(action, action),
        "territorial_scope": countries or ["everywhere"],
        "duration": "until changed on appeal",
        "facts": facts + (" " + note if note else ""),
        "automated_detection": automated_detection,
        "automated_decision": automated_decision,
        "ground": {
            "category": reason_code,
            "terms_clause": category.get("clause", ""),
            "provisions": provisions,
            "eu_database_category": category.get("eu", ""),
        },
        "redress": {
            "appeal": bool(duties.get("appeals", True)),
            "appeal_deadline": appeal_deadline.isoformat() if appeal_deadline else None,
            "how": _("Open the note and choose Appeal, or POST /api/nb/v1/review/appeals."),
            "out_of_court": _("You may also use a certified out-of-court dispute settlement body or the courts."),
        },
    }


def _facts(source: str, report_count: int) -> str:
    if source == "screening":
        return _("Found by automated screening.")
    if source == "report":
        return _("Reported by %(n)s user notice(s).") % {"n": report_count}
    return _("On appeal.")


_ACTION_OF_RESTRICTION = {text: action for action, text in RESTRICTION.items()}


def summary(statement: dict[str, Any]) -> str:
    """One paragraph for notices and pages, in the active language.

    The statement is kept as sent (English data, codes); the paragraph is written when shown, so an
    author reads it in their own language. Statements from before ``action``/``source`` were kept
    fall back to their stored facts."""
    scope = ", ".join(
        _("everywhere") if code == "everywhere" else country_name(code)
        for code in statement.get("territorial_scope", [])
    )
    ground = statement.get("ground", {})
    deadline = statement.get("redress", {}).get("appeal_deadline")
    action = statement.get("action") or _ACTION_OF_RESTRICTION.get(statement.get("restriction", ""), "")
    if "source" in statement:
        note = statement.get("reviewer_note") or ""
        facts = _facts(statement["source"], int(statement.get("report_count") or 0)) + (" " + note if note else "")
    else:
        facts = statement.get("facts", "")
    text = _("Your %(type)s was %(restriction)s (%(scope)s) under our rule “%(clause)s” [%(code)s]. %(facts)s") % {
        "type": labels.target(statement["content"]["type"]),
        "restriction": labels.restriction(action) if action else statement.get("restriction", ""),
        "scope": scope,
        "clause": labels.clause_text(ground.get("terms_clause", "")),
        "code": labels.category(ground.get("category", "")),
        "facts": facts,
    }
    if deadline:
        text += " " + _("You can appeal until %(date)s.") % {"date": deadline[:10]}
    return text
