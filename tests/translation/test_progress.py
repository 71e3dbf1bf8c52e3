"""Drafts as the local model writes them: what the reader is shown of a reply still being written, and
where the drafts of a batch go. No model needed: the replies so far are given as the model writes them
(the real model's stream: test_llm_streaming.py)."""

from __future__ import annotations

from translation import progress
from translation.engines.llm_engine import LlmEngine
from translation.spans import protect


def _shown(replies: list[str], *, piece: str, target: str, done: str = "", index: int = 0) -> list[tuple[int, str]]:
    seen: list[tuple[int, str]] = []
    show = LlmEngine()._drafts(index, done, piece, target)
    protected = protect(piece)
    with progress.reporting(lambda i, text: seen.append((i, text))):
        for reply in replies:
            show(protected, reply)
    return seen


def test_a_draft_reads_as_text_not_as_the_models_markup():
    piece = "看这个 https://example.com/a 吧"
    replies = ["<post>", "<post>Look at", "<post>Look at ⟦1", "<post>Look at ⟦1⟧ then</po"]
    seen = _shown(replies, piece=piece, target="en")
    # Nothing to show while the model has written only its tag; half a placeholder or tag is held back.
    assert seen == [(0, "Look at"), (0, "Look at"), (0, "Look at https://example.com/a then")]


def test_a_draft_is_in_the_script_asked_for_after_the_pieces_done():
    # The pieces done are in the model's script (Simplified) until the end, like the one being written.
    seen = _shown(["这里的豆浆"], piece="The soy milk here", target="zh-Hant", done="开头。\n", index=3)
    assert seen == [(3, "開頭。\n這裏的豆漿")]


def test_nobody_listening_nothing_reported_and_a_failing_listener_costs_nothing():
    assert not progress.listening()
    progress.report(0, "ignored")  # no callback: nothing happens

    def broken(index: int, text: str) -> None:
        raise RuntimeError("the database is gone")

    with progress.reporting(broken):
        assert progress.listening()
        progress.report(0, "still fine")  # logged, not raised: the translation goes on
    assert not progress.listening()


def test_an_engine_given_part_of_a_batch_reports_for_the_batchs_texts():
    seen: list[tuple[int, str]] = []
    with progress.reporting(lambda i, text: seen.append((i, text))), progress.reporting(progress.remap([2, 5])):
        progress.report(0, "second")
        progress.report(1, "fifth")
        progress.report(2, "out of range")
    assert seen == [(2, "second"), (5, "fifth")]
    with progress.reporting(None):
        assert progress.remap([1]) is None
