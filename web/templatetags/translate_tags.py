"""``{% translatable "note" note %}``: an object's text with its translation controls (see web/translation.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from web.translation import build_block

register = template.Library()


@register.inclusion_tag("web/_translatable.html", takes_context=True)
def translatable(context: template.Context, kind: str, obj: Any) -> dict[str, Any]:
    request = context["request"]
    block = build_block(request, kind, obj, mode=context.get("translate_mode") or "auto")
    note = context.get("note")
    block.page_url = reverse("web:note", args=[note.pk]) if note is not None else request.path
    return {"block": block}
