"""Translation on the web pages: which texts to offer, and what a translatable block shows.

A block is one object's text (a note's title and body with its photos' alt texts and its tags, a
comment, a bio, a tag name). Its states: ``original`` (nothing to translate), ``offer`` (original +
Translate button), ``auto`` (original, and htmx asks for the translation as the page loads), ``pending``
(original + a quiet "Translating…", polled; fields already done are shown translated), ``failed``
(original + the reason in the reader's language + Try again), ``ready`` (the translation, each field
labelled with its engine, + Show original).
The page never waits for an engine: ``get_or_request_translation`` answers at once.

Trust rules: auto-translate applies only to text in a language the reader did not say they read
(``wants_auto``) and only with a real translation; a word gloss is shown only when the reader asks for
one (mode "gloss", offered where no translation could be made) and is labelled on the field it replaces.

Batches: feed cards and a note's comments are translated in one request per page of cards (or per
comment list) instead of one per item: ``translate_cards`` / ``translate_comments`` answer what is
ready and the ids still pending, which the page asks for again (one request) two seconds later.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import User
from core import languages
from notes.models import Comment, Note, Tag
from translation import fields
from translation.fields import TranslatableField
from translation.services import Status, TranslationView, drafts, get_or_request_translation, needs_translation

KINDS = ("note", "comment", "bio", "tag")
BATCH_KINDS = ("card", "comment")
MAX_BATCH = 60  # two pages of cards; a longer list is refused (400)
MAX_POLLS = 30  # about a minute at 2 s; then the reader is told to try again later

ENGINE_NAMES = {"opencc": "OpenCC", "libretranslate": "LibreTranslate", "deepl": "DeepL"}

# How a block is asked for. "auto": the page decides (the "auto" state when auto-translate applies,
# else "offer"); "unread": translate now the fields in languages the reader does not read (what the
# page asks for as it loads); "translate": every field in another language (the reader tapped
# Translate); "gloss": the same, a word gloss acceptable where no translation can be made; "retry": the
# same, failed fields queued again now; "original": the original with the Translate offer.
MODES = ("auto", "unread", "translate", "gloss", "retry", "original")
# The request parameters of each mode on the fragment URL, and ``?translate=`` on a page (no JavaScript).
_FRAGMENT_PARAMS = {"unread": {"auto": "1"}, "gloss": {"gloss": "1"}, "retry": {"retry": "1"}}
_PAGE_PARAMS = {"translate": "1", "gloss": "gloss", "retry": "retry", "original": "0", "unread": "1"}


def engine_label(engine: str, is_gloss: bool) -> str:
    if is_gloss:
        return _("Word gloss (not a translation)")
    if engine == "llm":
        return _("Translated by this server's language model")
    if engine == "author":
        return _("Translated by the author")
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
    status: str = ""  # the translation's status, once asked for
    error: str = ""  # why it is not translated, in the reader's language
    can_retry: bool = False
    gloss_available: bool = False
    # The translation so far while a worker writes it (translation/progress.py): shown as a draft.
    draft: str = ""

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
        return self.target if self.translated or self.draft else self.source

    @property
    def shown(self) -> str:
        """What the field shows: the draft while one is being written, else ``text``."""
        return self.draft or self.text

    @property
    def label(self) -> str:
        return engine_label(self.engine, self.is_gloss) if self.translated else ""

    @property
    def failed(self) -> bool:
        return self.status == Status.FAILED

    @property
    def shows_translation(self) -> bool:
        """Tags: the translation is shown beside the original, unless it reads the same."""
        return self.translated and self.text.strip().casefold() != self.original.strip().casefold()

    def take(self, view: TranslationView) -> None:
        self.status = view.status
        if view.status == Status.READY:
            self.text, self.translated, self.is_gloss, self.engine = view.text, True, view.is_gloss, view.engine
        elif view.status == Status.FAILED:
            self.error, self.can_retry, self.gloss_available = view.error, view.can_retry, view.gloss_available


@dataclass
class Block:
    kind: str
    obj_id: int
    source: str
    target: str
    fields: list[Field]
    state: str = "original"
    mode: str = "auto"
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

    def _link(self, params: dict[str, str]) -> str:
        return self.url + ("?" + urlencode(params) if params else "")

    @property
    def partial_url(self) -> str:
        """Where the page reads the drafts while the block is pending (web/views/translations.py)."""
        return reverse("web:translate_partial", args=[self.kind, self.obj_id])

    @property
    def has_draft(self) -> bool:
        return any(f.draft for f in self.main_fields)

    @property
    def auto_url(self) -> str:
        return self._link(_FRAGMENT_PARAMS["unread"])

    @property
    def poll_url(self) -> str:
        return self._link({**_FRAGMENT_PARAMS.get(self.mode, {}), "n": str(self.polls + 1)})

    @property
    def retry_url(self) -> str:
        return self._link(_FRAGMENT_PARAMS["retry"])

    @property
    def gloss_url(self) -> str:
        return self._link(_FRAGMENT_PARAMS["gloss"])

    @property
    def original_url(self) -> str:
        return self._link({"show": "original"})

    def page_link(self, mode: str) -> str:
        """The page itself with ``?translate=`` for ``mode``: the same action without JavaScript."""
        return f"{self.page_url}?translate={_PAGE_PARAMS[mode]}#{self.dom_id}"

    @property
    def page_translate(self) -> str:
        return self.page_link("translate")

    @property
    def page_original(self) -> str:
        return self.page_link("original")

    @property
    def page_gloss(self) -> str:
        return self.page_link("gloss")

    @property
    def page_retry(self) -> str:
        return self.page_link("retry")

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
    def labels(self) -> list[str]:
        """The engine labels of the translated text, one per engine (a gloss is labelled apart)."""
        shown = [f for f in self.main_fields if f.translated] or [f for f in self.fields if f.translated]
        return list(dict.fromkeys(f.label for f in shown))

    @property
    def label(self) -> str:
        """The one label of the whole block, when every translated field has the same one."""
        labels = self.labels
        return labels[0] if len(labels) == 1 else ""

    @property
    def labels_per_field(self) -> bool:
        return len(self.labels) > 1

    @property
    def is_gloss(self) -> bool:
        return any(f.is_gloss for f in self.main_fields if f.translated)

    @property
    def suggest_url(self) -> str:
        """Where a signed-in reader (not the author) suggests a better translation: offered on a note
        shown in a machine translation (never on the author's own, nor on a word gloss)."""
        machine = any(f.translated and not f.is_gloss and f.engine != "author" for f in self.main_fields)
        return str(self.extra.get("suggest_url", "")) if machine else ""

    @property
    def failed_fields(self) -> list[Field]:
        """The main text's fields that failed; when only alt texts or tags were asked for, those."""
        main = [f for f in self.main_fields if f.failed]
        if main or any(f.status for f in self.main_fields):
            return main
        return [f for f in self.fields if f.failed]

    @property
    def errors(self) -> list[str]:
        return list(dict.fromkeys(f.error for f in self.failed_fields if f.error))

    @property
    def error(self) -> str:
        return " ".join(self.errors)

    @property
    def can_retry(self) -> bool:
        return any(f.can_retry for f in self.failed_fields)

    @property
    def offers_gloss(self) -> bool:
        return self.mode != "gloss" and any(f.gloss_available for f in self.failed_fields)


def target_language(request: HttpRequest) -> str:
    """The viewer's preferred reading language; for visitors, the interface language."""
    user = request.user
    if user.is_authenticated:
        return languages.normalize(user.preferred_language)
    return languages.normalize(get_language())


def read_languages(request: HttpRequest) -> list[str]:
    """The content languages the viewer said they read (visitors: the interface language)."""
    user = request.user
    codes = [languages.normalize(c) for c in (user.languages or [])] if user.is_authenticated else []
    return [c for c in codes if c] or [target_language(request)]


def wants_auto(request: HttpRequest, source: str) -> bool:
    """Whether text in ``source`` is translated without being asked: auto-translate is on and the
    reader did not say they read that language.

    Chinese counts as one language here: a reader of either script is never sent a machine translation
    of Chinese unasked. Only the exact script conversion (OpenCC) into the script they prefer is
    automatic, for a reader who reads Chinese in the other script only.
    """
    user = request.user
    if not (user.is_authenticated and user.auto_translate) or not source:
        return False
    reads = read_languages(request)
    if source in reads:
        return False
    if languages.is_chinese(source) and any(languages.is_chinese(c) for c in reads):
        return languages.is_chinese(target_language(request))
    return True


def auto_translating(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.auto_translate)


def translate_mode(request: HttpRequest | QueryDict) -> str:
    """``?translate=1`` (translate now, the no-JavaScript path), ``gloss``, ``retry``, ``0`` (original),
    else auto."""
    params = request.GET if isinstance(request, HttpRequest) else request
    return {"1": "translate", "0": "original", "gloss": "gloss", "retry": "retry"}.get(
        params.get("translate", ""), "auto"
    )


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
    """``mode``: one of MODES."""
    source, fields = _fields(kind, obj)
    target = target_language(request)
    for f in fields:
        f.target = target
    block = Block(kind=kind, obj_id=obj.pk, source=source, target=target, fields=fields, mode=mode)
    if kind == "note" and request.user.is_authenticated and getattr(obj, "author_id", None) != request.user.pk:
        block.extra["suggest_url"] = (
            reverse("web:suggest_translation", args=[obj.pk]) + "?" + urlencode({"lang": target})
        )
    needed = [f for f in fields if needs_translation(f.original, f.source, target)]
    if not needed:
        return block
    if mode == "original":
        block.state = "offer"
        return block
    unread = [f for f in needed if wants_auto(request, f.source)]
    if mode == "auto":
        block.state = "auto" if unread else "offer"
        return block
    if mode == "unread" and not unread:
        block.state = "offer"
        return block
    return translate_block(block, only=unread if mode == "unread" else needed)


def _request(f: Field, target: str, *, gloss: bool = False, retry: bool = False) -> TranslationView:
    return get_or_request_translation(
        obj_kind=f.of.obj_kind,
        obj_id=f.of.obj_id,
        field=f.of.field,
        text=f.original,
        source=f.source,
        target=target,
        gloss=gloss,
        retry=retry,
    )


def translate_block(block: Block, *, only: list[Field] | None = None) -> Block:
    """Ask for the fields' translations (never waits) and set the block's state from the answers.

    Each field keeps its own answer: a translated title above a text that failed shows the title
    translated (labelled) and the text in the original with its reason. A tag or alt text that fails is
    simply shown untranslated.
    """
    if only is None:
        only = [f for f in block.fields if needs_translation(f.original, f.source, block.target)]
    needed = only
    retry = block.mode == "retry"
    if retry:
        block.mode = "translate"  # the polls that follow ask again, they do not retry again
    for f in needed:
        f.take(_request(f, block.target, gloss=block.mode == "gloss", retry=retry))
    statuses = {f.status for f in needed}
    main = [f for f in needed if f.role == "main"]
    if Status.PENDING in statuses:
        block.state = "pending"
        show_drafts([f for f in main if f.status == Status.PENDING], block.target)
    elif any(f.translated for f in main) or (not main and any(f.translated for f in needed)):
        block.state = "ready"
    elif Status.FAILED in statuses:
        block.state = "failed"
    else:
        block.state = "original"
    return block


def _drafts_of(fields: list[Field], target: str) -> tuple[dict[str, str], bool]:
    """The drafts of ``fields`` (field name -> draft) and whether any is still being translated: those of
    the first field's object, the one a block shows."""
    first = fields[0].of
    return drafts(
        obj_kind=first.obj_kind,
        obj_id=first.obj_id,
        target=target,
        texts={f.of.field: f.original for f in fields if f.of.obj_id == first.obj_id},
    )


def show_drafts(pending: list[Field], target: str) -> dict[str, str]:
    """Put the drafts of the pending main fields on them (field name -> draft); those of one object."""
    if not pending:
        return {}
    first = pending[0].of
    found, _ = _drafts_of(pending, target)
    for f in pending:
        f.draft = found.get(f.of.field, "") if f.of.obj_id == first.obj_id else ""
    return found


def draft_state(request: HttpRequest, kind: str, obj: Note | Comment | User | Tag) -> dict[str, Any]:
    """What the page polls while a block is pending: the drafts of its main fields (by field name, as
    the page marks them) and whether any is still being translated."""
    _, all_fields = _fields(kind, obj)
    target = target_language(request)
    main = [f for f in all_fields if f.role == "main" and needs_translation(f.original, f.source, target)]
    if not main:
        return {"pending": False, "target": target, "fields": {}}
    found, waiting = _drafts_of(main, target)
    return {
        "pending": waiting,
        "target": target,
        "fields": {f.name: found[f.of.field] for f in main if f.of.field in found},
    }


# --- batches: feed cards and comments ---------------------------------------------------------


@dataclass
class CardTitle:
    """A card's title in the reader's language (always a real translation), swapped into the card."""

    note_id: int
    text: str
    lang: str
    engine: str

    @property
    def label(self) -> str:
        return engine_label(self.engine, False)


def _auto_card(request: HttpRequest, note: Note, target: str) -> Field | None:
    """The card's title (its text when it has none), when the viewer wants it translated as the page loads."""
    f = Field(fields.card_field(note))
    return f if needs_translation(f.original, f.source, target) and wants_auto(request, f.source) else None


def cards_to_translate(request: HttpRequest, notes: Iterable[Note]) -> list[int]:
    """Ids of the cards whose titles the viewer wants translated as the page loads: auto-translate is
    on and the title is in a language the viewer did not say they read."""
    if not auto_translating(request):
        return []
    target = target_language(request)
    return [note.pk for note in notes if _auto_card(request, note, target) is not None]


def translate_cards(request: HttpRequest, notes: Iterable[Note]) -> tuple[list[CardTitle], list[int]]:
    """(titles ready now, ids still pending). Only real translations replace a title; failed ones, and
    titles in a language the viewer reads, keep the original."""
    target = target_language(request)
    ready: list[CardTitle] = []
    pending: list[int] = []
    for note in notes:
        f = _auto_card(request, note, target)
        if f is None:
            continue
        view = _request(f, target)
        if view.status == Status.READY and not view.is_gloss:
            ready.append(CardTitle(note.pk, view.text, target, view.engine))
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
    return [
        c.pk
        for c in _flat(comments)
        if needs_translation(c.body, c.language or "", target) and wants_auto(request, c.language or "")
    ]


def translate_comments(request: HttpRequest, comments: Iterable[Comment]) -> tuple[list[Block], list[int]]:
    """(blocks that changed: ready, failed or nothing to do; ids still pending)."""
    done: list[Block] = []
    pending: list[int] = []
    for comment in comments:
        block = build_block(request, "comment", comment, mode="unread")
        block.page_url = reverse("web:note", args=[comment.note_id])
        if block.state == "pending":
            pending.append(comment.pk)
        else:
            done.append(block)
    return done, pending


def batch_url(kind: str, ids: Iterable[int], polls: int = 0, *, keep: bool = False) -> str:
    """``keep``: search results, whose cards keep the matched original and show the translation below."""
    query = {"ids": ",".join(str(i) for i in ids)}
    if keep:
        query["keep"] = "1"
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
