"""Admin: reviewer roles and policy packs (validated on save), read-only review records and audit log.
Only staff reach the admin; only superusers may change packs and roles."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction

from review import audit, rescreen
from review.models import (
    Appeal,
    AuditEvent,
    Decision,
    PolicyPackOverride,
    Report,
    Reviewer,
    ReviewItem,
    ScreeningResult,
    Strike,
    Withholding,
)
from review.pack_edits import packs_changed
from review.packs import PACK_CODES, PackError, get_packs, parse_pack


class SuperuserOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)


class PackForm(forms.ModelForm):
    class Meta:
        model = PolicyPackOverride
        fields = ["code", "source"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code, source = data.get("code"), data.get("source")
        if code not in PACK_CODES:
            raise forms.ValidationError("Unknown pack code.")
        try:
            known = set(get_packs().categories) if code != "global" else None
            parse_pack(source or "", expected_code=code, known_categories=known)
        except PackError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


@admin.register(PolicyPackOverride)
class PackAdmin(SuperuserOnly):
    form = PackForm
    list_display = ["code", "updated_by", "updated_at"]

    def save_model(self, request: Any, obj: PolicyPackOverride, form: Any, change: bool) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        audit.record("pack_update", actor=request.user, reason_code=obj.code, detail={"via": "admin"})
        self._changed(request, obj.code)

    def delete_model(self, request: Any, obj: PolicyPackOverride) -> None:
        # Deleting an override brings the shipped file back: a pack change like any other.
        code = obj.code
        super().delete_model(request, obj)
        audit.record("pack_update", actor=request.user, reason_code=code, detail={"via": "admin", "deleted": True})
        self._changed(request, code)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        codes = list(queryset.values_list("code", flat=True))
        super().delete_queryset(request, queryset)
        for code in codes:
            audit.record("pack_update", actor=request.user, reason_code=code, detail={"via": "admin", "deleted": True})
        if codes:
            # Several packs at once: the global scope rescreens for every pack.
            self._changed(request, codes[0] if len(codes) == 1 else "global")

    def _changed(self, request: Any, code: str) -> None:
        # Other processes reload on the version bump, so bump it only once the edit is committed.
        transaction.on_commit(packs_changed)
        # Existing content meets the new rules in the background (review queue, batched).
        rescreen.schedule(pack=code, actor=request.user)


@admin.register(Reviewer)
class ReviewerAdmin(SuperuserOnly):
    list_display = ["user", "languages", "regions", "senior", "active"]
    raw_id_fields = ["user"]

    def save_model(self, request: Any, obj: Reviewer, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit.record(
            "reviewer_set",
            actor=request.user,
            target_type="profile",
            target_id=obj.user_id,
            after={"languages": obj.languages, "regions": obj.regions, "senior": obj.senior, "active": obj.active},
            detail={"via": "admin"},
        )


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditAdmin(ReadOnly):
    list_display = ["created_at", "actor", "action", "target_type", "target_id", "reason_code"]
    list_filter = ["action"]
    search_fields = ["reason_code", "action"]


for model in (ReviewItem, ScreeningResult, Decision, Appeal, Report, Strike, Withholding):
    admin.site.register(model, ReadOnly)
