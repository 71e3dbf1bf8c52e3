"""The trust operator page (staff only): influx mode, sign-up mode and waitlist capacity, sign-up rules
and rate limits. Every change goes through ``trust.operator``, which announces it; review audits it.
Thin: parse the form, call the service, show the page again with the error or the change."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import ServiceError
from trust import limits, operator
from trust.models import SignupRule
from web.forms import UI_LANGUAGE_CHOICES
from web.views.ops import staff_only

ACTIONS = ("influx_on", "influx_off", "signups", "add_rule", "delete_rule", "limits")


def _number(raw: str, field: str) -> int | None:
    text = (raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise ServiceError(_("Write a whole number, or leave it empty for the default."), field=field)
    return int(text)


def _apply(request: HttpRequest, action: str) -> str:
    """Carry out one form's action; the message to show."""
    actor_id = request.user.pk
    post = request.POST
    if action in ("influx_on", "influx_off"):
        on = action == "influx_on"
        language = post.get("language", "")[:16]
        if language and language not in dict(UI_LANGUAGE_CHOICES):
            raise ServiceError(_("Unknown language."), field="language")
        switched = operator.set_influx(
            actor_id=actor_id, active=on, manual=True, language=language, detail="switched by an operator"
        )
        if not switched:
            return _("Nothing changed.")
        return _("Influx mode is on.") if on else _("Influx mode is off.")
    if action == "signups":
        changed = operator.update_signups(
            actor_id=actor_id,
            signup_mode=post.get("signup_mode", "")[:16],
            capacity_per_hour=_number(post.get("capacity_per_hour", ""), "capacity_per_hour"),
            influx_capacity_per_hour=_number(post.get("influx_capacity_per_hour", ""), "influx_capacity_per_hour"),
        )
        return _("Sign-up settings saved.") if changed else _("Nothing changed.")
    if action == "add_rule":
        operator.add_rule(
            actor_id=actor_id,
            kind=post.get("kind", "")[:16],
            pattern=post.get("pattern", "")[:400],
            action=post.get("rule_action", "")[:16],
            note=post.get("note", "")[:200],
        )
        return _("Rule added.")
    if action == "delete_rule":
        rule_id = post.get("rule_id", "")
        if not rule_id.isdigit() or not operator.delete_rule(actor_id=actor_id, rule_id=int(rule_id[:18])):
            raise ServiceError(_("No such rule."), field="rule_id")
        return _("Rule deleted.")
    values = {name: post.get(f"rate:{name}", "")[:40] for name in limits.DEFAULT_RATES if f"rate:{name}" in post}
    changed = operator.update_rate_limits(actor_id=actor_id, values=values)
    return _("Rate limits saved.") if changed else _("Nothing changed.")


@require_http_methods(["GET", "POST"])
def trust_page(request: HttpRequest) -> HttpResponse:
    denied = staff_only(request)
    if denied:
        return denied
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            messages.error(request, _("Unknown action."))
            status = 422
        else:
            try:
                messages.success(request, _apply(request, action))
                return redirect("web:ops_trust")
            except ServiceError as exc:
                messages.error(request, exc.message)
                status = 422
    row = operator.row()
    overrides = row.rate_limits or {}
    rates = [
        {
            "name": name,
            "default": (getattr(settings, "RATE_LIMITS", {}) or {}).get(name, default) or "off",
            "override": overrides.get(name, ""),
        }
        for name, default in limits.DEFAULT_RATES.items()
    ]
    context = {
        "row": row,
        "mode": operator.signup_mode(),
        "modes": operator.SIGNUP_MODES,
        "default_mode": getattr(settings, "SIGNUP_MODE", "open"),
        "default_capacity": getattr(settings, "SIGNUP_CAPACITY_PER_HOUR", 0),
        "default_influx_capacity": getattr(settings, "SIGNUP_INFLUX_CAPACITY_PER_HOUR", 600),
        "capacity": operator.capacity_per_hour(),
        "rules": SignupRule.objects.order_by("id"),
        "kinds": SignupRule.KINDS,
        "rule_actions": SignupRule.ACTIONS,
        "rates": rates,
        "languages": UI_LANGUAGE_CHOICES,
        "posted": request.POST if status != 200 else {},
    }
    return render(request, "trust/operator.html", context, status=status)
