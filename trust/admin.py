"""Operators' screens for the trust app (Django admin)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from core.errors import ServiceError
from trust import rules
from trust.models import Invite, SecurityEvent, Signup, SignupRule
from trust.waitlist import decide

# --- sign-up defence ----------------------------------------------------------------------------


class SignupRuleForm(forms.ModelForm):
    """The same checks as the operator page (bad ranges, unsafe patterns). Changes made here are not
    audited: the trust operator page (/ops/trust/) is the audited way."""

    class Meta:
        model = SignupRule
        fields = ["kind", "pattern", "action", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["pattern"] = rules.clean(data.get("kind", ""), data.get("pattern", ""))
        except ServiceError as exc:
            raise forms.ValidationError({"pattern": exc.message}) from None
        return data


@admin.register(SignupRule)
class SignupRuleAdmin(admin.ModelAdmin):
    form = SignupRuleForm
    list_display = ("kind", "pattern", "action", "note", "created_at")
    list_filter = ("kind", "action")


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ("code", "created_by", "uses", "max_uses", "expires_at")
    raw_id_fields = ("created_by",)


@admin.register(Signup)
class SignupAdmin(admin.ModelAdmin):
    list_display = ("user", "state", "reason", "email_domain", "created_at", "decided_at")
    list_filter = ("state",)
    raw_id_fields = ("user", "invite")
    actions = ["approve", "refuse"]

    @admin.action(description="Approve (let in now)")
    def approve(self, request: Any, queryset: Any) -> None:
        for signup in queryset:
            decide(signup, approve=True)

    @admin.action(description="Refuse")
    def refuse(self, request: Any, queryset: Any) -> None:
        for signup in queryset:
            decide(signup, approve=False)


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "ip", "subnet", "user", "detail")
    list_filter = ("kind",)
    raw_id_fields = ("user",)
