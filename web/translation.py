"""Translation on the web pages: which texts to offer, and what a translatable block shows.

A block is one object's text (a note's title and body, a comment, a bio). Its states:
``original`` (nothing to translate), ``offer`` (original + Translate button), ``auto`` (original, and
htmx asks for the translation as the page loads), ``pending`` (original + "Translating…", polled),
``failed`` (original + the reason + Try again), ``ready`` (the translation, labelled, + Show original).
The page never waits for an engine: ``get_or_request_translation`` answers at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import User
from notes.models import Comment, Note
from translation import languages
from translation.models import ObjectKind
from translation.services import Status, get_or_request_translation, needs_translation

KINDS = ("note", "comment", "bio")
MAX_POLLS = 30  # about a minute at 2 s; then the reader is told to try again later

ENGINE_NAMES = {"opencc": "OpenCC", "libretranslate": "LibreTranslate", "deepl": "DeepL"}


@dataclass
class Field:
    name: str
    original: str
    text: str  # what is shown: the original or the translation


@dataclass
class Block:
    kind: str
    obj_id: int
    source: str
    target: str
    fields: list[Field]
    state: str = "original"
    engine: str = ""
    is_gloss: bool = False
    error: str = ""
    polls: int = 0
    page_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def dom_id(self) -> str:
        return f"tr-{self.kind}-{self.obj_id}"

    @property
    def url(self) -> str:
        return reverse("web:translate", args=[self.kind, self.obj_id])

    @property
    def lang(self) -> str:
        return self.target if self.state == "ready" else self.source

    @property
    def label(self) -> str:
        if self.is_gloss:
            return _("Word gloss (not a translation)")
        if self.engine == "llm":
            return _("Translated by this server's language model")
        return _("Translated by %(engine)s") % {"engine": ENGINE_NAMES.get(self.engine, self.engine)}


def target_language(request: HttpRequest) -> str:
    """The viewer's preferred reading language; for visitors, the interface language."""
    user = request.user
    if user.is_authenticated:
        return languages.normalize(user.preferred_language)
    return languages.normalize(get_language())


def _texts(kind: str, obj: Any) -> tuple[str, list[tuple[str, str]]]:
    if kind == "note":
        return obj.language or "", [("title", obj.title), ("body", obj.body)]
    if kind == "comment":
        return obj.language or "", [("body", obj.body)]
    return obj.bio_language or "", [("bio", obj.bio)]


_OBJECT_KIND = {"note": ObjectKind.NOTE, "comment": ObjectKind.COMMENT, "bio": ObjectKind.BIO}


def build_block(request: HttpRequest, kind: str, obj: Note | Comment | User, *, mode: str) -> Block:
    """``mode``: "auto" (the viewer's setting decides), "translate" (ask now), "original"."""
    source, texts = _texts(kind, obj)
    target = target_language(request)
    block = Block(
        kind=kind,
        obj_id=obj.pk,
        source=source,
        target=target,
        fields=[Field(name, text, text) for name, text in texts],
    )
    if not any(needs_translation(text, source, target) for _name, text in texts):
        return block
    if mode == "original":
        block.state = "offer"
        return block
    if mode == "auto":
        user = request.user
        block.state = "auto" if user.is_authenticated and user.auto_translate else "offer"
        return block
    return translate_block(block)


def translate_block(block: Block) -> Block:
    """Ask for every field's translation (never waits) and set the block's state from the answers."""
    views = {
        f.name: get_or_request_translation(
            obj_kind=_OBJECT_KIND[block.kind],
            obj_id=block.obj_id,
            field=f.name,
            text=f.original,
            source=block.source,
            target=block.target,
        )
        for f in block.fields
    }
    statuses = {v.status for v in views.values()}
    if Status.PENDING in statuses:
        block.state = "pending"
    elif Status.FAILED in statuses:
        block.state = "failed"
        block.error = next(v.error for v in views.values() if v.status == Status.FAILED)
    elif statuses <= {Status.NOT_NEEDED}:
        block.state = "original"
    else:
        block.state = "ready"
        for f in block.fields:
            view = views[f.name]
            if view.status == Status.READY:
                f.text = view.text
        ready = [v for v in views.values() if v.status == Status.READY]
        block.is_gloss = any(v.is_gloss for v in ready)
        block.engine = ", ".join(sorted({v.engine for v in ready if v.engine}))
    return block
