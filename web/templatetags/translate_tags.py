"""Translation in templates (see web/translation.py).

``{% translatable "note" note %}``: an object's text with its translation controls; ``block=`` passes
one the view already built, ``batched=True`` leaves an "auto" block to the page's batch request.
``{% translate_batch "card" notes %}`` / ``{% translate_batch "comment" comments %}``: one hidden element
that asks for the translations of a whole page of cards or comments in a single request, when the viewer
has auto-translate on and something there is in a language they do not read.
``{% search_match note search_terms as m %}``: a search result's original title with the match marked.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.encoding import iri_to_uri

from web.highlight import CardMatch, card_match
from web.translation import Block, batch_url, build_block, cards_to_translate, comments_to_translate

register = template.Library()


def _page_url(context: template.Context, kind: str, obj: Any) -> str:
    note = context.get("note")
    if kind in ("note", "comment") or (kind == "bio" and note is not None):
        return reverse("web:note", args=[note.pk]) if note is not None else ""
    if kind == "tag":
        return reverse("web:tag", args=[obj.name])
    if kind == "bio":
        return reverse("web:profile", args=[obj.username])
    return iri_to_uri(context["request"].path)


@register.inclusion_tag("web/_translatable.html", takes_context=True)
def translatable(
    context: template.Context, kind: str, obj: Any, block: Block | None = None, batched: bool = False
) -> dict[str, Any]:
    request = context["request"]
    if block is None:
        block = build_block(request, kind, obj, mode=context.get("translate_mode") or "auto")
        block.page_url = _page_url(context, kind, obj)
    block.batched = batched and block.state == "auto"
    return {"block": block}


@register.inclusion_tag("web/_translate_trigger.html", takes_context=True)
def translate_batch(context: template.Context, kind: str, objects: Any) -> dict[str, Any]:
    request = context["request"]
    if kind == "card":
        ids = cards_to_translate(request, objects)
    else:
        ids = comments_to_translate(request, objects, context.get("translate_mode") or "auto")
    # Search results keep the original that matched; the translation goes below it.
    keep = kind == "card" and bool(context.get("search_terms"))
    return {"url": batch_url(kind, ids, keep=keep) if ids else "", "kind": kind, "ids": ids}


@register.simple_tag
def search_match(note: Any, terms: list[str]) -> CardMatch:
    """A search result card's title as written, the match marked (and the matching text if elsewhere)."""
    return card_match(note.title, note.body, [t.display for t in note.tags.all()], terms)
