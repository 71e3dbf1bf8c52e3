"""Translation with the local language model, wrapped in the safety steps the model needs.

Per piece of text: protect spans, delimit, prompt with examples, validate the answer; on failure ask
once more with a differently shaped prompt, validate again, and otherwise report failure so the chain
falls back. Chinese in either direction goes through OpenCC: the model reads and writes Simplified, and
the requested script is produced exactly by conversion.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.conf import settings

from core import languages
from core.language_detection import _opencc
from translation import chunking, examples, llm, progress, prompts, termbase, trace
from translation.engines.base import EngineBase, Result
from translation.engines.gloss import dictionary
from translation.spans import Protected, only_spans, protect
from translation.validation import quality_issues, validate


@dataclass(frozen=True)
class LlmOptions:
    """The safety and quality steps, switchable one by one so the evaluation can measure each."""

    prompt: bool = True  # delimited system prompt (False: a plain one-line request)
    few_shot: bool = True
    spans: bool = True
    validate: bool = True
    retry: bool = True
    script_convert: bool = True
    repair: bool = True  # romanise Chinese names the model left in English output (西湖 -> Xihu)
    terms: bool = True  # the term base's renderings of the post's terms and amounts in the prompt
    postcheck: bool = True  # quality checks (words left untranslated, numbers, terms) with one targeted retry
    # Trusted pairs like the post shown as further examples (translation/examples.py), and candidate
    # translations to choose from. Ahead-of-time work uses at least the settings'
    # TRANSLATION_AHEAD_EXAMPLES and TRANSLATION_AHEAD_CANDIDATES; these force them everywhere (evaluation).
    retrieve: int = 0
    candidates: int = 1


# The second candidate when there are no retrieved examples to leave out: the same prompt, sampled.
CANDIDATE_TEMPERATURE = 0.6


class LlmEngine(EngineBase):
    name = "llm"
    is_fast = False

    def __init__(self, options: LlmOptions | None = None) -> None:
        self.options = options or LlmOptions()
        # How pieces fared, for the evaluation and the operators' status page.
        self.stats: Counter[str] = Counter()

    @property
    def version(self) -> str:  # type: ignore[override]
        return f"{llm.model_path().stem[:60]}/{prompts.PROMPT_VERSION}"

    def available(self) -> bool:
        return llm.is_available()

    def supports(self, source: str, target: str) -> bool:
        codes = settings.CONTENT_LANGUAGES
        return (
            source in codes
            and target in codes
            and source != target
            and not (languages.is_chinese(source) and languages.is_chinese(target))
        )

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Result]:
        return [self._translate_one(text, source, target, index=i) for i, text in enumerate(texts)]

    def _translate_one(self, text: str, source: str, target: str, *, index: int = 0) -> Result:
        if len(text) > settings.TRANSLATION_MAX_CHARS:
            return Result.failed(self, "too long")
        if not llm.is_available():
            return Result.failed(self, "model not installed")
        model_source = source
        if source == "zh-Hant" and self.options.script_convert:
            text, model_source = _opencc("t2s").convert(text), "zh-Hans"
        model_target = "zh-Hans" if languages.is_chinese(target) and self.options.script_convert else target
        out: list[str] = []
        for piece, sep in chunking.split(text):
            if not piece.strip():
                out.append(piece + sep)
                continue
            show = self._drafts(index, "".join(out), piece, target) if progress.listening() else None
            translated, error, draft = self._translate_piece(piece, model_source, model_target, show=show)
            if translated is None:
                return Result.failed(self, error, draft=draft)
            out.append(translated + sep)
        result = "".join(out)
        if languages.is_chinese(target) and self.options.script_convert:
            result = _opencc("s2t" if target == "zh-Hant" else "t2s").convert(result)
        return Result.success(self, result)

    def _drafts(self, index: int, done: str, piece: str, target: str) -> DraftShow:
        """What shows the reader the text so far (translation/progress.py) as the model writes the
        piece: the pieces done, then this one's reply so far, readable (spans put back, the requested
        Chinese script). Only the first attempt is shown; validation comes at the end, as always."""
        convert = languages.is_chinese(target) and self.options.script_convert

        def show(protected: Protected, reply: str) -> None:
            text = _PARTIAL_TAIL.sub("", prompts.clean_reply(reply, piece))
            if self.options.spans:
                text = protected.restore(text)
            text = done + text
            if convert:
                text = _opencc("s2t" if target == "zh-Hant" else "t2s").convert(text)
            progress.report(index, text.strip())

        return show

    def _budget(self) -> tuple[int, int]:
        """(retrieved examples, candidates) for this call: more when working ahead of time."""
        opts = self.options
        retrieve, candidates = opts.retrieve, opts.candidates
        if examples.is_ahead():
            retrieve = max(retrieve, settings.TRANSLATION_AHEAD_EXAMPLES)
            candidates = max(candidates, settings.TRANSLATION_AHEAD_CANDIDATES)
        if not (opts.prompt and opts.few_shot):
            retrieve = 0
        return retrieve, max(1, min(candidates, 2))

    def _translate_piece(
        self, piece: str, source: str, target: str, *, show: DraftShow | None = None
    ) -> tuple[str | None, str, str]:
        """(translation or None, error, last draft). With two candidates, the second is written without
        the retrieved examples (or, without any, sampled at ``CANDIDATE_TEMPERATURE``), and of those
        that pass validation the one closest to the source in the multilingual space is kept."""
        retrieve, candidates = self._budget()
        retrieved: list[tuple[str, str]] = []
        if retrieve:
            trace.mark("retrieve")
            retrieved = [(p.source_text, p.translation) for p in examples.nearest(piece, source, target, retrieve)]
            trace.mark("retrieved", pairs=len(retrieved))
        first = self._attempts(piece, source, target, retrieved=retrieved, show=show)
        if candidates < 2:
            return first
        second = self._attempts(
            piece, source, target, retrieved=[], temperature=0.0 if retrieved else CANDIDATE_TEMPERATURE
        )
        found = [c for c in (first, second) if c[0] is not None]
        if len(found) < 2:
            return found[0] if found else first
        pick = examples.choose(piece, [str(c[0]) for c in found])
        self.stats[f"candidate_{pick + 1}_chosen"] += 1
        return found[pick]

    def _attempts(
        self,
        piece: str,
        source: str,
        target: str,
        *,
        retrieved: list[tuple[str, str]],
        temperature: float = 0.0,
        show: DraftShow | None = None,
    ) -> tuple[str | None, str, str]:
        """One candidate: the first attempt, validated, with its retry and post-check."""
        opts = self.options
        protected = protect(piece) if opts.spans else Protected(text=piece)
        if opts.spans and only_spans(protected):
            return piece, "", ""
        attempts = ["primary", "retry"] if opts.retry else ["primary"]
        errors: list[str] = []
        draft = ""
        families = languages.family(source), languages.family(target)
        for variant in attempts:
            # The retry sends the text as it is: no placeholders to lose, spans checked verbatim after.
            use_placeholders = opts.spans and variant == "primary"
            sent = protected.text if use_placeholders else piece
            hints = termbase.hints(sent, *families) if opts.terms and opts.prompt else None
            if not opts.prompt:
                messages = prompts.zero_shot_messages(sent, source, target)
            else:
                messages = prompts.build_messages(
                    sent,
                    source,
                    target,
                    few_shot=opts.few_shot,
                    with_placeholders=use_placeholders,
                    terms=hints,
                    retrieved=retrieved,
                )
            shared = prompts.shared_messages(messages, retrieved) if opts.prompt else None
            max_tokens = min(settings.LLM_CONTEXT // 2, 48 + 3 * len(sent))
            trace.mark("prompt_built", variant=variant)
            on_text = partial(show, protected) if show is not None and variant == "primary" else None
            reply = llm.chat_complete(
                messages,
                max_tokens=max_tokens,
                temperature=temperature if variant == "primary" else max(temperature, 0.3),
                on_text=on_text,
                shared=shared,
            )
            if reply is None:
                return None, "model failed to answer", draft
            raw, draft, result = self._read_reply(reply, piece, protected, use_placeholders, target)
            if not opts.validate:
                return result, "", draft
            problems = self._problems(piece, draft, source, target, protected, use_placeholders)
            if not problems:
                self.stats[f"{variant}_ok"] += 1
                if opts.postcheck and opts.prompt:
                    result, draft = self._postcheck(
                        messages,
                        raw,
                        result,
                        draft,
                        piece,
                        source,
                        target,
                        protected,
                        use_placeholders,
                        max_tokens,
                        shared,
                    )
                return result, "", draft
            errors.append(f"{variant}: {'; '.join(problems)}")
        self.stats["failed"] += 1
        return None, " | ".join(errors), protected.restore(draft)

    def _read_reply(
        self, reply: str, piece: str, protected: Protected, use_placeholders: bool, target: str
    ) -> tuple[str, str, str]:
        """(the answer as the model wrote it, the draft after repairs, the draft with spans restored)."""
        opts = self.options
        raw = prompts.clean_reply(reply, piece) if opts.prompt else reply.strip()
        draft = raw
        if opts.repair and target == "en":
            draft = romanize_han(draft)
        if opts.repair and use_placeholders:
            draft = protected.reinsert_decorations(protected.reattach_edges(draft))
        result = protected.restore(draft) if use_placeholders else draft
        return raw, draft, result

    def _problems(
        self, piece: str, draft: str, source: str, target: str, protected: Protected, use_placeholders: bool
    ) -> list[str]:
        problems = validate(
            source_text=piece,
            output=draft,
            source=source,
            target=target,
            protected=protected if use_placeholders else None,
            instructions=prompts.instruction_texts(source, target),
        )
        if self.options.spans and not use_placeholders:
            problems += protected.check_verbatim(draft)
        return problems

    def _postcheck(
        self,
        messages: list[dict[str, str]],
        raw: str,
        result: str,
        draft: str,
        piece: str,
        source: str,
        target: str,
        protected: Protected,
        use_placeholders: bool,
        max_tokens: int,
        shared: int | None = None,
    ) -> tuple[str, str]:
        """A valid answer checked for what a reader would find wrong (validation.quality_issues: words
        left untranslated, numbers or currency lost, term-base renderings missing); if anything is, the
        model is asked once more with a note naming the problems. The new answer is taken only when it
        passes validation and has fewer problems. Returns (result, draft)."""
        hints = termbase.hints(piece, languages.family(source), languages.family(target)) if self.options.terms else []
        before = protected.restore(raw) if use_placeholders else raw
        issues = quality_issues(source_text=piece, output=before, source=source, target=target, terms=hints)
        if not issues:
            return result, draft
        self.stats["postcheck_issues"] += 1
        # The same prefix as the first answer's: llama.cpp evaluates only the new last message, and the
        # saved prompt state need not be copied again.
        trace.mark("postcheck", issues=issues)
        reply = llm.chat_complete(
            prompts.with_notes(messages, issues, target),
            max_tokens=max_tokens,
            temperature=0.0,
            remember=False,
            shared=shared,
        )
        if reply is None:
            return result, draft
        raw2, draft2, result2 = self._read_reply(reply, piece, protected, use_placeholders, target)
        if self._problems(piece, draft2, source, target, protected, use_placeholders):
            return result, draft
        after = protected.restore(raw2) if use_placeholders else raw2
        if len(quality_issues(source_text=piece, output=after, source=source, target=target, terms=hints)) >= len(
            issues
        ):
            return result, draft
        self.stats["postcheck_fixed"] += 1
        return result2, draft2


# The end of a reply still being written: half a placeholder ("⟦1") or half the closing tag ("</po").
_PARTIAL_TAIL = re.compile(r"(?:[⟦\[【〔{]\s*\d*|<[^>]*)$")
DraftShow = Callable[[Protected, str], None]

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


def romanize_han(text: str) -> str:
    """Chinese words left in an English translation: a dictionary word where CC-CEDICT has it
    (火锅 -> hotpot), otherwise pinyin (usually a name: 西湖 -> Xihu)."""
    if not _HAN_RUN.search(text):
        return text
    from pypinyin import Style, lazy_pinyin

    words = dictionary().zh

    def swap(match: re.Match[str]) -> str:
        found = words.get(match.group(0))
        if found and len(match.group(0)) > 1 and not found[:1].isupper():
            word = found
        else:
            word = "".join(lazy_pinyin(match.group(0), style=Style.NORMAL)).capitalize()
        before = match.string[match.start() - 1 : match.start()]
        after = match.string[match.end() : match.end() + 1]
        pad_left = " " if before and before.isalnum() else ""
        pad_right = " " if after and after.isalnum() else ""
        return f"{pad_left}{word}{pad_right}"

    return _HAN_RUN.sub(swap, text)
