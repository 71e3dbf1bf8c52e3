"""The append-only audit log: every screening result and every human action."""

from __future__ import annotations

from typing import Any

from review.models import AuditEvent


def record(
    action: str,
    *,
    actor: Any = None,
    target_type: str = "",
    target_id: int | None = None,
    reason_code: str = "",
    language: str = "",
    countries: list[str] | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    actor_id = getattr(actor, "pk", None) if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason_code=reason_code,
        language=language,
        countries=countries or [],
        before=before or {},
        after=after or {},
        detail=detail or {},
    )
