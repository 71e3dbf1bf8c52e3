"""Content review: ``/api/nb/v1/review``.

Everyone: reports, their notices and decisions, appeals, the transparency report (public). Reviewers:
queues, items, claim, decide, escalate, bulk decisions. Admins: policy packs, reviewer roles,
withholding, the audit log, the pipeline's status. Everything a reviewer does goes through
``review.decisions``, everything else through the review modules (reports, appeals, withholding,
pack_edits, reviewers); they check permissions too, and their ``ServiceError`` becomes a 4xx.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from accounts.models import User
from api.nb import common
from api.nb.schemas import Payload
from core.ids import parse_id
from notes.models import Note
from review import appeals, decisions, pack_edits, reports, reviewers, selectors, withholding
from review.models import Decision, PolicyPackOverride, ReviewItem
from review.normalize import opencc_available
from review.packs import PACK_CODES, get_packs, shipped_source
from review.permissions import is_admin, is_reviewer
from review.stages import embedding, images, llm
from review.translate import translation_for_reviewer

router = Router(tags=["review"])


def _user(request: HttpRequest) -> User:
    return common.require_user(request)


def _id(value: str) -> int:
    parsed = parse_id(value)
    if parsed is None:
        raise HttpError(404, "Record not found")
    return parsed


def _require_reviewer(request: HttpRequest) -> None:
    if not is_reviewer(_user(request)):
        raise HttpError(403, "Only reviewers can do this.")


def _require_admin(request: HttpRequest) -> None:
    if not is_admin(_user(request)):
        raise HttpError(403, "Only admins can do this.")


class ReportIn(Payload):
    target_type: str
    target_id: str
    category: str
    country: str = ""
    explanation: str = ""
    good_faith: bool = False


class DecideIn(Payload):
    action: str
    reason_code: str
    note: str = ""
    countries: list[str] = []


class BulkIn(Payload):
    item_ids: list[str]
    action: str
    reason_code: str
    note: str = ""


class AppealIn(Payload):
    decision_id: str
    text: str


class PackIn(Payload):
    source: str


class ReviewerIn(Payload):
    languages: list[str]
    regions: list[str] = []
    senior: bool = False
    active: bool = True


class WithholdIn(Payload):
    note_id: str
    countries: list[str]
    reason_code: str


def item_json(item: ReviewItem, *, full: bool = False, target_language: str = "en") -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(item.pk),
        "target_type": item.target_type,
        "target_id": str(item.target_id),
        "author_id": str(item.author_id),
        "language": item.language,
        "region": item.region,
        "category": item.category,
        "severity": item.severity,
        "source": item.source,
        "status": item.status,
        "report_count": item.report_count,
        "created_at": item.created_at.isoformat(),
        "claimed_by": str(item.claimed_by_id) if item.claimed_by_id else None,
        "claim_expires_at": item.claim_expires_at.isoformat() if item.claim_expires_at else None,
    }
    if item.screening_id and item.screening is not None:
        data["screening"] = {
            "risk": item.screening.risk,
            "labels": item.screening.labels,
            "reasons": item.screening.reasons,
        }
    if full:
        content = selectors.item_content(item)
        data["content"] = content
        data["translation"] = (
            translation_for_reviewer(
                target_type=item.target_type,
                target_id=item.target_id,
                title=content.get("title", ""),
                body=content.get("body", ""),
                source=item.language,
                target=target_language,
            )
            if content
            else None
        )
        data["reports"] = [
            {
                "category": r.category,
                "country": r.country,
                "explanation": r.explanation,
                "created_at": r.created_at.isoformat(),
            }
            for r in item.reports.all().order_by("id")[:50]
        ]
    return data


def decision_json(d: Decision) -> dict[str, Any]:
    return {
        "id": str(d.pk),
        "target_type": d.target_type,
        "target_id": str(d.target_id),
        "action": d.action,
        "reason_code": d.reason_code,
        "countries": d.countries,
        "statement": d.statement,
        "appeal_deadline": d.appeal_deadline.isoformat() if d.appeal_deadline else None,
        "created_at": d.created_at.isoformat(),
    }


# --- everyone -------------------------------------------------------------------------------


@router.post("/reports", response={201: dict})
def create_report(request: HttpRequest, payload: ReportIn) -> tuple[int, dict[str, Any]]:
    report = reports.file_report(
        reporter=_user(request),
        target_type=payload.target_type,
        target_id=_id(payload.target_id),
        category=payload.category,
        country=payload.country,
        explanation=payload.explanation,
        good_faith=payload.good_faith,
    )
    return 201, {"id": str(report.pk), "item_id": str(report.item_id), "received_at": report.created_at.isoformat()}


@router.get("/notices")
def my_notices(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": str(n.pk),
            "kind": n.kind,
            "text": n.text,
            "target_type": n.target_type,
            "target_id": str(n.target_id) if n.target_id else None,
            "decision_id": str(n.decision_id) if n.decision_id else None,
            "read": n.read,
            "created_at": n.created_at.isoformat(),
        }
        for n in selectors.notices_for(_user(request))
    ]


@router.get("/decisions")
def my_decisions(request: HttpRequest) -> list[dict[str, Any]]:
    return [decision_json(d) for d in selectors.decisions_for_author(_user(request))[:100]]


@router.post("/appeals", response={201: dict})
def create_appeal(request: HttpRequest, payload: AppealIn) -> tuple[int, dict[str, Any]]:
    decision = Decision.objects.filter(pk=_id(payload.decision_id), author=_user(request)).first()
    if decision is None:
        raise HttpError(404, "Record not found")
    appeal = appeals.file_appeal(user=_user(request), decision=decision, text=payload.text)
    return 201, {"id": str(appeal.pk), "status": appeal.status}


@router.get("/transparency", auth=None)
def transparency(request: HttpRequest) -> dict[str, Any]:
    return selectors.transparency_report()


# --- reviewers ------------------------------------------------------------------------------


@router.get("/queues")
def queues(request: HttpRequest) -> list[dict[str, Any]]:
    _require_reviewer(request)
    return selectors.queue_summary(_user(request))


@router.get("/items")
def items(
    request: HttpRequest,
    language: str = "",
    region: str = "",
    category: str = "",
    severity: int = 0,
    source: str = "",
    limit: int = 50,
) -> list[dict[str, Any]]:
    _require_reviewer(request)
    qs = selectors.queue_for(
        _user(request), language=language, region=region, category=category, severity=severity or None, source=source
    )
    return [item_json(i) for i in qs[: max(1, min(limit, 200))]]


# Before "/items/{item_id}": the first route whose path matches answers, and "bulk" would be an item id.
@router.post("/items/bulk")
def bulk(request: HttpRequest, payload: BulkIn) -> dict[str, Any]:
    _require_reviewer(request)
    ids = [parse_id(i) for i in payload.item_ids]
    return decisions.bulk_decide(
        user=_user(request),
        item_ids=[i for i in ids if i is not None],
        action=payload.action,
        reason_code=payload.reason_code,
        note=payload.note,
    )


@router.get("/items/{item_id}")
def item_detail(request: HttpRequest, item_id: str) -> dict[str, Any]:
    _require_reviewer(request)
    item = selectors.visible_item(_user(request), _id(item_id))
    if item is None:
        raise HttpError(404, "Record not found")
    user = _user(request)
    return item_json(item, full=True, target_language=getattr(user, "preferred_language", "en") or "en")


@router.post("/items/{item_id}/claim")
def claim(request: HttpRequest, item_id: str) -> dict[str, Any]:
    _require_reviewer(request)
    return item_json(decisions.claim(user=_user(request), item_id=_id(item_id)))


@router.post("/items/{item_id}/release")
def release(request: HttpRequest, item_id: str) -> dict[str, bool]:
    _require_reviewer(request)
    decisions.release(user=_user(request), item_id=_id(item_id))
    return {"released": True}


@router.post("/items/{item_id}/decide")
def decide(request: HttpRequest, item_id: str, payload: DecideIn) -> dict[str, Any]:
    _require_reviewer(request)
    decision = decisions.decide(
        user=_user(request),
        item_id=_id(item_id),
        action=payload.action,
        reason_code=payload.reason_code,
        note=payload.note,
        countries=payload.countries,
    )
    return decision_json(decision)


@router.post("/items/{item_id}/escalate")
def escalate(request: HttpRequest, item_id: str) -> dict[str, Any]:
    _require_reviewer(request)
    return item_json(decisions.escalate(user=_user(request), item_id=_id(item_id)))


@router.get("/reason-codes")
def reason_codes(request: HttpRequest) -> dict[str, Any]:
    return get_packs().categories


# --- admins ---------------------------------------------------------------------------------


@router.get("/packs")
def packs(request: HttpRequest) -> list[dict[str, Any]]:
    _require_admin(request)
    loaded = get_packs()
    return [
        {
            "code": p.code,
            "name": p.name,
            "countries": p.countries,
            "prohibited": p.prohibited,
            "rules": len(p.rules),
            "ip_location_label": p.ip_location_label,
            "age_rules": p.age_rules,
        }
        for p in loaded.packs.values()
    ]


@router.get("/packs/{code}")
def pack_source(request: HttpRequest, code: str) -> dict[str, str]:
    _require_admin(request)
    if code not in PACK_CODES:
        raise HttpError(404, "Record not found")
    override = PolicyPackOverride.objects.filter(code=code).first()
    return {
        "code": code,
        "source": override.source if override else shipped_source(code),
        "origin": "override" if override else "shipped",
    }


@router.put("/packs/{code}")
def update_pack(request: HttpRequest, code: str, payload: PackIn) -> dict[str, Any]:
    _require_admin(request)
    pack_edits.update_pack(actor=_user(request), code=code, source=payload.source)
    # Recent content is rescreened with the new pack in the background (review/rescreen.py).
    return {"code": code, "origin": "override", "rescreen_days": settings.REVIEW_RESCREEN_DAYS}


@router.put("/reviewers/{user_id}")
def set_reviewer(request: HttpRequest, user_id: str, payload: ReviewerIn) -> dict[str, Any]:
    _require_admin(request)
    user = User.objects.filter(pk=_id(user_id)).first()
    if user is None:
        raise HttpError(404, "Record not found")
    r = reviewers.set_reviewer(
        actor=_user(request),
        user=user,
        languages=payload.languages,
        regions=payload.regions,
        senior=payload.senior,
        active=payload.active,
    )
    return {
        "user_id": str(user.pk),
        "languages": r.languages,
        "regions": r.regions,
        "senior": r.senior,
        "active": r.active,
    }


@router.post("/withholdings")
def withhold(request: HttpRequest, payload: WithholdIn) -> dict[str, Any]:
    _require_admin(request)
    note = Note.objects.filter(pk=_id(payload.note_id)).first()
    if note is None:
        raise HttpError(404, "Record not found")
    rows = withholding.withhold_note(
        actor=_user(request),
        note=note,
        countries=payload.countries,
        reason_code=payload.reason_code,
    )
    return {"note_id": str(note.pk), "countries": [r.country for r in rows]}


@router.delete("/withholdings/{note_id}")
def lift_withholding(request: HttpRequest, note_id: str, countries: str = "") -> dict[str, Any]:
    _require_admin(request)
    note = Note.objects.filter(pk=_id(note_id)).first()
    if note is None:
        raise HttpError(404, "Record not found")
    wanted = [c for c in countries.replace(",", " ").split() if c] or None
    lifted = withholding.lift_withholding(actor=_user(request), note=note, countries=wanted)
    return {"note_id": str(note.pk), "lifted": lifted, "withheld_in": selectors.withheld_countries(note.pk)}


@router.get("/audit")
def audit_log(
    request: HttpRequest, q: str = "", action: str = "", actor_id: str = "", target_id: str = "", limit: int = 100
) -> list[dict[str, Any]]:
    _require_admin(request)
    events = selectors.search_audit(
        q=q,
        action=action,
        actor_id=parse_id(actor_id) if actor_id else None,
        target_id=parse_id(target_id) if target_id else None,
        limit=limit,
    )
    return [
        {
            "id": str(e.pk),
            "actor_id": str(e.actor_id) if e.actor_id else None,
            "action": e.action,
            "target_type": e.target_type,
            "target_id": str(e.target_id) if e.target_id else None,
            "reason_code": e.reason_code,
            "countries": e.countries,
            "before": e.before,
            "after": e.after,
            "detail": e.detail,
            "created_at": e.created_at.isoformat(),
        }
        for e in events
    ]


@router.get("/status")
def pipeline_status(request: HttpRequest) -> dict[str, Any]:
    _require_admin(request)
    return {
        "opencc": opencc_available(),
        "embedding": embedding.status(),
        "nudenet": images.status(),
        "llm": "available" if llm.available() else "unavailable",
        "packs": list(get_packs().packs),
    }
