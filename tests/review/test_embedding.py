"""The multilingual embedding stage: paraphrases no word list knows, benign look-alikes, Chinese and
English (and Thai, weaker), long posts, failure and bad prototype files, and the separation of the
prototypes from the evaluation texts."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from review.normalize import light_fold
from review.screening import ScreenInput, screen
from review.stages import embedding

ROOT = Path(__file__).resolve().parents[2]
EVAL_FILES = sorted((ROOT / "bench" / "data").glob("review_eval_*.tsv"))


def recording(asked: list[str], label: str):
    """An LLM stand-in that notes what it was asked and answers ``label``."""

    def classify(text: str) -> str:
        asked.append(text)
        return label

    return classify


def run(text, **kwargs):
    kwargs.setdefault("use_duplicates", False)
    kwargs.setdefault("use_llm", False)
    return screen(ScreenInput(text=text), **kwargs)


def embedding_signals(verdict):
    return [s for s in verdict.signals if s.stage == "embedding"]


def nearest_prototype(text: str) -> float:
    model = embedding.model()
    vector = model.encoder.encode([light_fold(text)])
    return float((vector @ model.vectors.T).max())


@pytest.fixture
def prototype_file(tmp_path):
    """Points the stage at another prototype file; the shipped one is restored afterwards."""
    shipped = embedding.PROTOTYPES

    def use(text: str) -> Path:
        path = tmp_path / "prototypes.yaml"
        path.write_text(text, encoding="utf-8")
        embedding.PROTOTYPES = path
        embedding.reset()
        return path

    yield use
    embedding.PROTOTYPES = shipped
    embedding.reset()


# --- separation from the evaluation sets ------------------------------------------------------------


def _eval_texts() -> list[tuple[str, str]]:
    rows = []
    for path in EVAL_FILES:
        with path.open(encoding="utf-8") as fh:
            rows += [(path.name, row["text"]) for row in csv.DictReader(fh, delimiter="\t")]
    return rows


def _trigrams(text: str) -> set[str]:
    squashed = "".join(light_fold(text).casefold().split())
    return {squashed[i : i + 3] for i in range(max(1, len(squashed) - 2))}


def test_eval_files_are_found():
    names = {p.name for p in EVAL_FILES}
    assert {"review_eval_en.tsv", "review_eval_zh_th.tsv", "review_eval_holdout.tsv"} <= names
    assert len(_eval_texts()) > 300


def test_no_prototype_is_a_copy_or_near_copy_of_an_evaluation_text():
    """The figures in docs/benchmarks.md mean nothing if the stage was shown the answers."""
    protos = embedding.load_prototypes()
    rows = _eval_texts()
    eval_grams = [_trigrams(text) for _, text in rows]
    too_close = []
    for proto in protos.texts:
        grams = _trigrams(proto)
        for (source, text), other in zip(rows, eval_grams, strict=True):
            if len(grams & other) / len(grams | other) >= 0.4:
                too_close.append(f"{proto!r} ~ {source}: {text!r} (shared character trigrams)")
    model = embedding.model()
    eval_vectors = model.encoder.encode([light_fold(text) for _, text in rows])
    sims = model.vectors @ eval_vectors.T
    for i, j in zip(*np.nonzero(sims >= 0.8), strict=True):
        too_close.append(f"{protos.texts[i]!r} ~ {rows[j][0]}: {rows[j][1]!r} (cosine {sims[i, j]:.2f})")
    assert too_close == []


# --- what the stage catches and what it leaves alone --------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "honestly the world would be better off if you just disappeared, nobody would notice",
        "I'll make sure you regret ever opening your mouth",
        "we should round them all up and make them disappear",
        "I've decided tonight is the night I stop being a burden to everyone",
        "我会让你后悔出生在这个世界上",
        "我會讓你後悔出生在這個世界上",  # Traditional: folded to Simplified first
        "你这种人就该被全网骂到删号",
        "转账五百元会员费，明天就能拿回五千",
        "今晚就跟这个世界告别吧，再也不用痛苦了",
    ],
)
def test_harmful_paraphrase_no_word_list_knows_is_held_by_the_embedding_stage(db, text):
    assert run(text, stages_enabled={"rules", "glin_profanity"}).signals == []  # no word list matches
    assert nearest_prototype(text) < 0.8  # and it is not a copy of a prototype
    verdict = run(text)
    assert verdict.outcome == "hold"  # held for a human, never rejected on this signal
    (signal,) = embedding_signals(verdict)
    assert signal.score >= 0.5
    assert "examples" in signal.reason


@pytest.mark.parametrize(
    "text",
    [
        "this curry is so spicy I'm dying",
        "I'm starving, who wants tacos?",
        "my doctor changed my blood pressure pills",
        "the dentist pulled two teeth today, ouch",
        "that band absolutely slayed last night",
        "my toddler is a little monster before naps lol",
        "this phone battery is trash, dead by noon",
        "our cat murdered a toy mouse today",
        "麻辣香锅辣得我眼泪都出来了",
        "医生让我每天量一次血压",
        "这个综艺笑得我肚子疼",
        "ต้มยำหม้อนี้เผ็ดมากแต่อร่อย",
        "หมอนัดตรวจเลือดอาทิตย์หน้า",
    ],
)
def test_benign_look_alikes_are_not_held_by_the_embedding_stage(db, text):
    verdict = run(text)
    assert verdict.outcome == "publish", verdict.reasons
    assert all(s.score < 0.5 for s in embedding_signals(verdict))


def test_thai_threat_reaches_the_llm_band_at_least(db):
    # Thai has the fewest prototypes: a paraphrased threat gets a band signal (the LLM is asked), not a hold.
    asked: list[str] = []
    verdict = run(
        "ถ้าเจอหน้าแกอีกครั้ง แกเจ็บตัวแน่",
        use_llm=True,
        llm_classify=recording(asked, "harassment"),
    )
    assert [s.category for s in embedding_signals(verdict)] == ["harassment"]
    assert asked and verdict.outcome == "hold"


def test_embedding_signal_alone_never_rejects_even_for_a_new_account(db):
    from django.utils import timezone

    verdict = screen(
        ScreenInput(text="我会让你后悔出生在这个世界上", author_joined=timezone.now()),
        use_llm=False,
        use_duplicates=False,
    )
    assert verdict.outcome == "hold"


def test_llm_ok_cannot_release_an_item_the_embedding_stage_held(db):
    asked: list[str] = []

    def model(text: str) -> str:
        asked.append(text)
        return "ok"

    verdict = run("I'll make sure you regret ever opening your mouth", use_llm=True, llm_classify=model)
    assert verdict.outcome == "hold" and not verdict.used_llm and asked == []


def test_a_threat_buried_in_a_long_post_asks_the_llm(db):
    before = (
        "Spent the morning at the farmers market, picked up peaches, fresh bread and a bunch of basil for "
        "tonight's pasta. The weather was perfect and the kids loved the petting zoo corner. "
    )
    after = "Anyway, the peach cobbler turned out great and we ate it warm with ice cream on the porch."
    threat = "And to my neighbour who keeps complaining: I'll make sure you regret ever opening your mouth. "
    filler = "We also found a stall selling handmade soap and honey from the hills. "
    assert embedding_signals(run(before + filler + after)) == []
    (signal,) = embedding_signals(run(before + threat + after))
    # Found in its sentence; a sentence alone puts the post in the LLM band, it does not hold it.
    assert signal.category == "harassment" and "one sentence" in signal.reason
    assert 0.3 <= signal.score <= embedding.PIECE_MAX_SCORE
    asked: list[str] = []
    verdict = run(before + threat + after, use_llm=True, llm_classify=recording(asked, "harassment"))
    assert asked and verdict.outcome == "hold"


def test_longer_posts_are_cut_into_sentences_without_lone_fragments():
    text = ("A sentence about the weather and our garden today. " * 6) + "Ask yours."
    pieces = embedding.chunks(text)
    assert pieces[0] == text.strip()
    assert pieces[1:6] == ["A sentence about the weather and our garden today."] * 5
    assert pieces[-1] == "A sentence about the weather and our garden today. Ask yours."
    assert embedding.chunks("short post") == ["short post"]
    unbroken = "x" * 1000  # no sentence end at all
    assert [len(p) for p in embedding.chunks(unbroken)] == [1000] + [embedding.CHUNK_CHARS] * 5
    many = "This is one more sentence in a very long post. " * 100
    assert len(embedding.chunks(many)) == 1 + embedding.MAX_CHUNKS


def test_thresholds_come_from_the_prototypes():
    calibration = embedding.model().calibration
    assert 0 < calibration["band"] < calibration["hold"]
    # By construction about 3% of the benign look-alikes score at the hold level (leave-one-out).
    assert calibration["benign_at_hold"] <= 1 - embedding.HOLD_QUANTILE + 0.01
    assert calibration["harmful_at_hold"] > 0.4


def test_status_says_available_with_the_prototype_count():
    assert embedding.status().startswith("available (")


def test_encoder_and_prototypes_load_without_the_network(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the embedding stage tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    embedding.encoder.cache_clear()
    embedding.reset()
    try:
        assert embedding.status().startswith("available (")
        assert embedding.score(["I will hurt you"]).category
    finally:
        monkeypatch.undo()


# --- failure and bad input ----------------------------------------------------------------------------


def test_stage_failure_holds_and_the_rules_still_work(db, monkeypatch):
    def broken(texts):
        raise RuntimeError("encoder weights unreadable")

    monkeypatch.setattr(embedding.encoder(), "encode", broken)
    benign = run("A lovely walk by the river")
    assert benign.outcome == "hold" and benign.errors == ["embedding"]
    assert any("stage embedding failed" in r for r in benign.reasons)
    violation = run("你去死吧，傻逼")
    assert violation.outcome == "hold"  # a failed stage holds; never publishes
    assert any("rule" in r for r in violation.reasons)


@pytest.mark.parametrize(
    "source, message",
    [
        ("categories: [1, 2]", "needs a 'categories' mapping"),
        ("categories:\n  gossip: {en: [a, b, c, d, e]}\nbenign: {en: [a]}", "unknown category 'gossip'"),
        ("categories:\n  hate:\n    en:\n      - fine\n      - bad: item\n", "item 2 is not a non-empty text"),
        ("categories:\n  hate: {en: [x]}\nbenign: {en: [y]}\n", "needs at least"),
        ("categories: {hate: {en: [unclosed", "prototypes.yaml"),
    ],
)
def test_bad_prototype_file_is_a_clear_error_and_holds_items(db, prototype_file, source, message):
    path = prototype_file(source)
    with pytest.raises(embedding.PrototypeError, match=message):
        embedding.load_prototypes(path)
    assert embedding.status().startswith("unavailable: PrototypeError")
    verdict = run("A lovely walk by the river")
    assert verdict.outcome == "hold" and verdict.errors == ["embedding"]


def test_missing_prototype_file_is_a_clear_error(tmp_path):
    with pytest.raises(embedding.PrototypeError, match=r"nope\.yaml"):
        embedding.load_prototypes(tmp_path / "nope.yaml")
