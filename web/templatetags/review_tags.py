"""Labels for the review pages: codes (categories, sources, actions, countries) shown as words in the
viewer's language, and ages in seconds as a localised duration."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from core.countries import country_name
from review import labels
from trust import labels as trust_labels

register = template.Library()


@register.filter
def category_label(code: str) -> str:
    return labels.category(str(code or ""))


@register.filter
def clause_label(code: str) -> str:
    return labels.clause(str(code or ""))


@register.filter
def source_label(code: str) -> str:
    return labels.source(str(code or ""))


@register.filter
def impersonation_signal_label(code: str) -> str:
    return trust_labels.signal(str(code or ""))


@register.filter
def impersonation_subject_label(code: str) -> str:
    return trust_labels.subject(str(code or ""))


@register.filter
def action_label(code: str) -> str:
    return labels.action(str(code or ""))


@register.filter
def target_label(code: str) -> str:
    return labels.target(str(code or ""))


@register.filter
def appeal_status_label(code: str) -> str:
    return labels.appeal_status(str(code or ""))


@register.filter
def country_label(code: str) -> str:
    return country_name(str(code or ""))


@register.filter
def age(seconds: int | float | None) -> str:
    """How long ago, from a number of seconds ("3 hours, 5 minutes"), in the active language."""
    now = timezone.now()
    return timesince(now - timedelta(seconds=float(seconds or 0)), now)
