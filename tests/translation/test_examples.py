"""Few-shot examples retrieved from trusted pairs, and the choice between candidate translations
(translation/examples.py), with the real multilingual encoder; the engine path with the real model."""

from __future__ import annotations

from pathlib import Path

import pytest

from notes.translations import set_author_translation
from translation import ahead, examples, prompts
from translation.engines import registry
from translation.engines.llm_engine import LlmEngine, LlmOptions
from translation.models import TranslationMemory, text_hash

pytestmark = pytest.mark.django_db

BENCH = Path(__file__).resolve().parents[2] / "bench" / "data"
HOTPOT_ZH = "这家火锅店的毛肚特别新鲜，汤底也很香，排队一小时也值了"
HOTPOT_EN = "The tripe at this hot pot place is super fresh and the broth smells great, worth the hour in line"


def _memory(source_text: str, text: str, source: str, target: str, engine: str) -> TranslationMemory:
    return TranslationMemory.objects.create(
        source_hash=text_hash(source_text),
        source_language=source,
        target_language=target,
        engine=engine,
        engine_version="1",
        text=text,
        source_text=source_text,
    )


def test_the_nearest_trusted_pair_of_the_direction_is_chosen(make_user, make_note, on_commit):
    chen = make_user("chen", languages=["zh-Hans"])
    note = make_note(chen, title="", body=HOTPOT_ZH, language="zh-Hans")
    with on_commit():  # the author's translation reaches the memory through its event, as in production
        set_author_translation(author=chen, note_id=note.pk, language="en", title="", body=HOTPOT_EN)
    # Nearer to the post than the author's pair, but the engine's own output: never an example.
    _memory("火锅店的毛肚很新鲜，汤底很香，排队也值了", "Hot pot tripe fresh, soup fragrant.", "zh-Hans", "en", "llm")
    # The other direction's pair about the same hot pot: never an example for a Chinese post.
    _memory(HOTPOT_EN, HOTPOT_ZH, "en", "zh-Hans", "author")

    post = "火锅店的毛肚很新鲜，汤底很香，排队也值了"
    found = examples.nearest(post, "zh-Hans", "en", 2)

    assert found[-1].source_text == HOTPOT_ZH and found[-1].translation == HOTPOT_EN
    assert found[-1].origin == "memory"
    assert all(p.source == "zh" and p.target == "en" for p in found)
    assert "Hot pot tripe fresh, soup fragrant." not in [p.translation for p in found]
    # The other of the two is the nearest shipped pair (the dev split), not a machine pair.
    assert found[0].origin == "shipped"


def test_a_pair_of_the_post_itself_is_left_out():
    shipped = examples.shipped_pairs()[0]
    found = examples.nearest(shipped.source_text, "zh-Hans" if shipped.source == "zh" else "en", shipped.target, 3)
    assert shipped.source_text not in [p.source_text for p in found]


def test_no_test_split_post_is_in_the_shipped_pool():
    shipped = {p.source_text for p in examples.shipped_pairs()}
    assert len(shipped) >= 30
    for name in ("social_posts.tsv", "social_posts_test2.tsv"):
        lines = (BENCH / name).read_text(encoding="utf-8").splitlines()
        test_posts = {line.split("\t")[2] for line in lines if line.strip() and not line.startswith("#")}
        assert test_posts and not test_posts & shipped


def test_retrieved_pairs_follow_the_fixed_prefix_with_markers():
    fixed = prompts.build_messages("今天好开心 🎉", "zh-Hans", "en", terms=[])
    pairs = [("买了 #护肤 小样 😍", "Bought #护肤 samples 😍")]
    messages = prompts.build_messages("今天好开心 🎉", "zh-Hans", "en", terms=[], retrieved=pairs)
    shared = prompts.shared_messages(messages, pairs)
    assert messages[:shared] == fixed[:-1]  # the prefix whose saved model state every post reuses
    assert messages[shared] == {"role": "user", "content": "<post>买了 ⟦1⟧ 小样 ⟦2⟧</post>"}
    assert messages[shared + 1] == {"role": "assistant", "content": "Bought ⟦1⟧ samples ⟦2⟧"}
    assert messages[-1] == fixed[-1]


def test_choose_takes_the_candidate_closest_to_the_source():
    source = "我今天早上在市场买了一些新鲜水果。"
    right = "This morning I bought some fresh fruit at the market."
    wrong = "The train was late again and I missed the meeting."
    assert examples.choose(source, [right, wrong]) == 0
    assert examples.choose(source, [wrong, right]) == 1


def test_ahead_of_time_work_uses_the_settings_and_reader_work_does_not(settings):
    settings.TRANSLATION_AHEAD_EXAMPLES = 2
    settings.TRANSLATION_AHEAD_CANDIDATES = 2
    engine = LlmEngine()
    assert engine._budget() == (0, 1)
    with examples.ahead_of_time():
        assert engine._budget() == (2, 2)
    assert LlmEngine(LlmOptions(few_shot=False))._budget() == (0, 1)


def test_best_of_two_with_retrieved_examples_on_the_real_model(real_model):
    engine = LlmEngine(LlmOptions(retrieve=2, candidates=2))
    result = engine.translate_batch(["姐妹们，这家店的奶茶真的绝了，甜度刚好 🧋"], "zh-Hans", "en")[0]
    assert result.ok, result.error
    assert "🧋" in result.text and "tea" in result.text.lower()
    assert engine.stats["candidate_1_chosen"] + engine.stats["candidate_2_chosen"] == 1


def test_a_note_translated_ahead_of_time_gets_two_candidates_on_the_real_model(
    real_model, settings, make_user, make_note
):
    settings.TRANSLATION_ENGINES = ["llm"]
    settings.TRANSLATION_AHEAD_EXAMPLES = 2
    settings.TRANSLATION_AHEAD_CANDIDATES = 2
    registry._instances.cache_clear()
    note = make_note(
        make_user("chen", languages=["zh-Hans"]), title="", body="周末去吃了火锅，毛肚很新鲜", language="zh-Hans"
    )
    assert ahead.translate_note_ahead(note.pk, ["en"]) == 1
    stats = registry.get("llm").stats  # type: ignore[union-attr]
    assert stats["candidate_1_chosen"] + stats["candidate_2_chosen"] == 1
    assert TranslationMemory.objects.filter(engine="llm", target_language="en").count() == 1
