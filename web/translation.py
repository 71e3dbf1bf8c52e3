"""Translation on the web pages: which texts to offer, and what a translatable block shows.

A block is one object's text (a note's title and body with its photos' alt texts and its tags, a
comment, a bio, a tag name). Its states: ``original`` (nothing to translate), ``offer`` (original +
Translate button), ``auto`` (original, and htmx asks for the translation as the page loads), ``pending``
(original + "Translating…", polled; fields already done are shown translated), ``failed`` (original +
the reason + Try again), ``ready`` (the translation, labelled, + Show original).
The page never waits for an engine: ``get_or_request_translation`` answers at once.

Batches: feed cards and a note's comments are translated in one request per page of cards (or per
comment list) instead of one per item: ``translate_cards`` / ``translate_comments`` answer what is
ready and the ids still pending, which the page asks for again (one request) two seconds later.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import User
from core import languages
from notes.models import Comment, Note, Tag
from translation import fields
from translation.fields import TranslatableField
from translation.services import Status, needs_translation

KINDS = ("note", "comment", "bio", "tag")
BATCH_KINDS = ("card", "comment")
MAX_BATCH = 60  # two pages of cards; a longer list is refused (400)
MAX_POLLS = 30  # about a minute at 2 s; then the reader is told to try again later

ENGINE_NAMES = {"opencc": "OpenCC", "libretranslate": "LibreTranslate", "deepl": "DeepL"}


def engine_label(engine: str, is_gloss: bool) -> str:
    if is_gloss:
        return _("Word gloss (not a translation)")
    if engine == "llm":
        return _("Translated by this server's language model")
    return _("Translated by %(engine)s") % {"engine": ENGINE_NAMES.get(engine, engine)}


@dataclass
class Field:
    """One translatable text (``of``, as ``translation.fields`` defines it) and what the page shows."""

    of: TranslatableField
    text: str = ""  # what is shown: the original or the translation
    translated: bool = False
    is_gloss: bool = False
    engine: str = ""
    target: str = ""

    def __post_init__(self) -> None:
        self.text = self.text or self.of.text

    @property
    def name(self) -> str:
        return self.of.name

    @property
    def original(self) -> str:
        return self.of.text

    @property
    def source(self) -> str:
        return self.of.source

    @property
    def role(self) -> str:
        return self.of.role

    @property
    def link(self) -> str:
        return self.of.link

    @property
    def obj_id(self) -> int:
        return self.of.obj_id

    @property
    def lang(self) -> str:
        return self.target if self.translated else self.source

    @property
    def shows_translation(self) -> bool:
        """Tags: the translation is shown beside the original, unless it reads the same."""
        return self.translated and self.text.strip().casefold() != self.original.strip().casefold()


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
    batched: bool = False  # "auto" without its own request: a batch request on the page asks for it
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def dom_id(self) -> str:
        return f"tr-{self.kind}-{self.obj_id}"

    @property
    def url(self) -> str:
        return reverse("web:translate", args=[self.kind, self.obj_id])

    @property
    def main_fields(self) -> list[Field]:
        return [f for f in self.fields if f.role == "main"]

    @property
    def alt_fields(self) -> list[Field]:
        return [f for f in self.fields if f.role == "alt"]

    @property
    def tag_fields(self) -> list[Field]:
        return [f for f in self.fields if f.role == "tag"]

    @property
    def label(self) -> str:
        return engine_label(self.engine, self.is_gloss)


def target_language(request: HttpRequest) -> str:
    """The viewer's preferred reading language; for visitors, the interface language."""
    user = request.user
    if user.is_authenticated:
        return languages.normalize(user.preferred_language)
    return languages.normalize(get_language())


def auto_translating(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.auto_translate)


def translate_mode(request: HttpRequest) -> str:
    """``?translate=1`` (translate now, the no-JavaScript path), ``?translate=0`` (original), else auto."""
    return {"1": "translate", "0": "original"}.get(request.GET.get("translate", ""), "auto")


def _fields(kind: str, obj: Any) -> tuple[str, list[Field]]:
    if kind == "note":
        found = fields.note_fields(obj)
    elif kind == "comment":
        found = fields.comment_fields(obj)
    elif kind == "tag":
        found = fields.tag_fields(obj)
    else:
        found = fields.bio_fields(obj)
    return found[0].source, [Field(f) for f in found]


def build_block(request: HttpRequest, kind: str, obj: Note | Comment | User | Tag, *, mode: str) -> Block:
    """``mode``: "auto" (the viewer's setting decides), "translate" (ask now), "original"."""
    source, fields = _fields(kind, obj)
    target = target_language(request)
    for f in fields:
        f.target = target
    block = Block(kind=kind, obj_id=obj.pk, source=source, target=target, fields=fields)
    if not any(needs_translation(f.original, f.source, target) for f in fields):
        return block
    if mode == "original":
        block.state = "offer"
        return block
    if mode == "auto":
        block.state = "auto" if auto_translating(request) else "offer"
        return block
    return translate_block(block)


def translate_block(block: Block) -> Block:
    """Ask for every field's translation (never waits) and set the block's state from the answers.

    A tag or alt text that fails does not fail the block when its title and text are translated: the
    tag is simply shown without a translation.
    """
    needed = [f for f in block.fields if needs_translation(f.original, f.source, block.target)]
    views = {f.name: f.of.translation(block.target) for f in needed}
    for f in needed:
        view = views[f.name]
        if view.status == Status.READY:
            f.text, f.translated, f.is_gloss, f.engine = view.text, True, view.is_gloss, view.engine
    statuses = {v.status for v in views.values()}
    translated = [f for f in needed if f.translated]
    main_failed = any(views[f.name].status == Status.FAILED for f in needed if f.role == "main")
    if Status.PENDING in statuses:
        block.state = "pending"
    elif main_failed or (Status.FAILED in statuses and not translated):
        block.state = "failed"
        block.error = next(v.error for v in views.values() if v.status == Status.FAILED)
    elif translated:
        block.state = "ready"
    else:
        block.state = "original"
    labelled = [f for f in translated if f.role == "main"] or translated
    block.is_gloss = any(f.is_gloss for f in labelled)
    block.engine = ", ".join(sorted({f.engine for f in labelled if f.engine}))
    return block


# --- batches: feed cards and comments ---------------------------------------------------------


@dataclass
class CardTitle:
    """A card's title in the reader's language, swapped into the card when it is ready."""

    note_id: int
    text: str
    lang: str
    engine: str
    is_gloss: bool

    @property
    def label(self) -> str:
        return engine_label(self.engine, self.is_gloss)


def cards_to_translate(request: HttpRequest, notes: Iterable[Note]) -> list[int]:
    """Ids of the cards whose titles the viewer wants translated as the page loads (auto-translate)."""
    if not auto_translating(request):
        return []
    target = target_language(request)
    out = []
    for note in notes:
        f = fields.card_field(note)
        if needs_translation(f.text, f.source, target):
            out.append(note.pk)
    return out


def translate_cards(request: HttpRequest, notes: Iterable[Note]) -> tuple[list[CardTitle], list[int]]:
    """(titles ready now, ids still pending); failed or unneeded ones keep their original title."""
    target = target_language(request)
    ready: list[CardTitle] = []
    pending: list[int] = []
    for note in notes:
        f = fields.card_field(note)
        if not needs_translation(f.text, f.source, target):
            continue
        view = f.translation(target)
        if view.status == Status.READY:
            ready.append(CardTitle(note.pk, view.text, target, view.engine, view.is_gloss))
        elif view.status == Status.PENDING:
            pending.append(note.pk)
    return ready, pending


def _flat(comments: Iterable[Comment]) -> list[Comment]:
    out: list[Comment] = []
    for c in comments:
        out.append(c)
        out.extend(getattr(c, "thread_replies", []))
    return out


def comments_to_translate(request: HttpRequest, comments: Iterable[Comment], mode: str) -> list[int]:
    """Ids of comments shown "auto" on this page: the batch request translates them together."""
    if mode != "auto" or not auto_translating(request):
        return []
    target = target_language(request)
    return [c.pk for c in _flat(comments) if needs_translation(c.body, c.language or "", target)]


def translate_comments(request: HttpRequest, comments: Iterable[Comment]) -> tuple[list[Block], list[int]]:
    """(blocks that changed: ready, failed or nothing to do; ids still pending)."""
    done: list[Block] = []
    pending: list[int] = []
    for comment in comments:
        block = build_block(request, "comment", comment, mode="translate")
        block.page_url = reverse("web:note", args=[comment.note_id])
        if block.state == "pending":
            pending.append(comment.pk)
        else:
            done.append(block)
    return done, pending


def batch_url(kind: str, ids: Iterable[int], polls: int = 0) -> str:
    query = {"ids": ",".join(str(i) for i in ids)}
    if polls:
        query["n"] = str(polls)
    return reverse("web:translate_batch", args=[kind]) + "?" + urlencode(query)


class BadBatch(ValueError):
    """The batch request's ids are malformed: the view answers 400 with this message."""


def parse_batch_ids(raw: str | None) -> list[int]:
    """``"1,2,3"`` -> [1, 2, 3]: at least one, at most MAX_BATCH, each a positive number."""
    parts = [p for p in (raw or "").split(",") if p.strip()]
    if not parts:
        raise BadBatch("ids: give a comma-separated list of ids")
    if len(parts) > MAX_BATCH:
        raise BadBatch(f"ids: at most {MAX_BATCH} at a time")
    ids = []
    for part in parts:
        part = part.strip()
        if not part.isdigit() or len(part) > 20:
            raise BadBatch(f"ids: {part[:30]!r} is not an id")
        ids.append(int(part))
    return list(dict.fromkeys(ids))


def parse_polls(raw: str | None) -> int:
    if not raw:
        return 0
    if not raw.isdigit() or len(raw) > 6:
        raise BadBatch("n: the poll count must be a number")
    return min(int(raw), MAX_POLLS)
