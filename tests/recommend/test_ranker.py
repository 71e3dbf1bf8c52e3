"""The learned ranker: impressions keep their served features, training fits a logistic regression on
them, serving uses it and falls back (previous version, then the hand blend) when it cannot."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from recommend import training
from recommend.candidates import rebuild_pool
from recommend.models import Interaction
from recommend.selectors import for_you
from recommend.services import record_client_events

FOOD = ("#food", "#美食")


def impressions_and_opens(user, *, opens_if):
    """The reader scrolls their first For-you page: every card shown, the ones ``opens_if`` likes opened."""
    cards, _ = for_you(user, limit=18)
    events = [{"note_id": c.note.pk, "kind": "impression", "surface": "for_you", "position": c.position} for c in cards]
    events += [{"note_id": c.note.pk, "kind": "open", "surface": "for_you"} for c in cards if opens_if(c.note)]
    record_client_events(user=user, events=events)
    return cards


def is_food(note) -> bool:
    return any(t in note.body for t in FOOD)


def test_a_for_you_impression_keeps_the_features_it_was_served_with(catalogue, reader):
    cards = impressions_and_opens(reader, opens_if=lambda n: False)
    rows = list(Interaction.objects.filter(user=reader, kind="impression"))
    assert len(rows) == len(cards) > 0
    expected = set(training.RANKER_FEATURES) - {"position"}
    for row in rows:
        assert row.features is not None
        assert set(row.features) == expected, row.features
        assert all(0.0 <= v <= 1.0 for v in row.features.values())
    # The interest feature is what it says: the reader follows #food and #travel.
    by_note = {r.note_id: r.features or {} for r in rows}
    food = [c.note.pk for c in cards if "#food" in c.note.body]
    assert food and all(by_note[pk]["topic_match"] == 1.0 for pk in food)
    # A Discover impression carries none; the server's features, never the client's.
    note = cards[0].note
    record_client_events(
        user=reader,
        events=[
            {"note_id": note.pk, "kind": "impression", "surface": "discover", "position": 3, "features": {"cf": 9}},
        ],
    )
    assert Interaction.objects.get(user=reader, surface="discover").features is None


def test_labels_are_engagement_after_an_impression_and_a_hide_is_negative(catalogue, reader):
    cards = impressions_and_opens(reader, opens_if=is_food)
    opened = [c.note.pk for c in cards if is_food(c.note)]
    assert len(opened) >= 2
    record_client_events(user=reader, events=[{"note_id": opened[0], "kind": "hide", "surface": "for_you"}])
    x, y = training.ranker_examples(30)
    assert x.shape == (len(cards), len(training.RANKER_FEATURES))
    assert int(y.sum()) == len(opened) - 1
    positions = x[:, training.RANKER_FEATURES.index("position")]
    assert positions.min() == 0.0 and positions.max() > 0.0  # the served slot, not the serving-time 0


@pytest.fixture
def food_readers(catalogue, make_user, settings):
    """Twelve readers who follow #food and #travel and open only the food notes they are shown."""
    settings.RECOMMEND_RANKER_MIN_IMPRESSIONS = 60
    settings.RECOMMEND_RANKER_MIN_POSITIVES = 10
    for i in range(12):
        impressions_and_opens(
            make_user(f"eater{i}", languages=["en"], region="GB", interests=["food", "travel"]), opens_if=is_food
        )


def test_training_fits_a_ranker_that_serving_uses(food_readers, make_user, caplog):
    model = training.train(embed=False)
    assert model.ranker is not None
    assert model.ranker.examples == Interaction.objects.filter(kind="impression").count()
    assert model.ranker.positives == Interaction.objects.filter(kind="open").count()
    loaded = training.current_model()
    assert loaded is not None and loaded.ranker is not None
    assert np.allclose(loaded.ranker.coef, model.ranker.coef)
    # Food notes were opened, travel notes (as interest-matched) were not: the ranker learned the difference.
    newcomer = make_user("newcomer", languages=["en"], region="GB", interests=["food", "travel"])
    rebuild_pool()
    with caplog.at_level(logging.WARNING, logger="recommend"):
        cards, _ = for_you(newcomer, limit=6)
    assert "hand blend" not in caplog.text
    # What it learned: the impressions readers opened score above those they passed by.
    x, y = training.ranker_examples(30)
    names = training.RANKER_FEATURES
    scores = np.array([loaded.ranker.probability(dict(zip(names, row, strict=True))) for row in x])
    assert scores[y == 1].mean() > scores[y == 0].mean() + 0.1
    # And served: a food note first and most of the first four (re-ranking for topic runs may interleave
    # a travel note, so not all of them).
    assert is_food(cards[0].note) and sum(is_food(c.note) for c in cards[:4]) >= 2, [c.note.title for c in cards]
    assert all(c.why for c in cards)


def test_too_few_impressions_keep_the_previous_ranker_then_the_hand_blend(food_readers, settings, caplog):
    first = training.train(embed=False)
    assert first.ranker is not None
    settings.RECOMMEND_RANKER_MIN_IMPRESSIONS = 10**6
    with caplog.at_level(logging.WARNING, logger="recommend"):
        second = training.train(embed=False)
    assert second.ranker is not None and np.allclose(second.ranker.coef, first.ranker.coef)
    assert f"keeping the ranker of {first.version}" in caplog.text
    # With no version that has one, the hand blend serves, and says so.
    for path in training.model_dir().glob("model-*.npz"):
        path.unlink()
    training.forget_loaded()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="recommend"):
        third = training.train(embed=False)
        assert third.ranker is None
        training.forget_loaded()
        assert training.current_model() is not None
    assert "serving the hand blend" in caplog.text


@pytest.mark.parametrize(
    "damage",
    [
        lambda z: z.update(ranker_coef=np.array([1.0, 2.0])),  # shape differs from the names
        lambda z: z.update(ranker_coef=np.full(len(z["ranker_names"]), np.nan)),
        lambda z: z.update(ranker_names=np.array(["cf", "evil"] + ["x"] * (len(z["ranker_names"]) - 2))),
    ],
    ids=["shape", "nan", "unknown-feature"],
)
def test_a_damaged_ranker_falls_back_to_the_previous_version(food_readers, reader, damage, caplog):
    first = training.train(embed=False)
    second = training.train(embed=False)
    assert second.path is not None and first.ranker is not None
    with np.load(second.path, allow_pickle=False) as z:
        arrays = dict(z)
    damage(arrays)
    with open(second.path, "wb") as f:
        np.savez(f, **arrays)
    training.forget_loaded()
    with caplog.at_level(logging.WARNING, logger="recommend"):
        model = training.current_model()
        cards, _ = for_you(reader, limit=5)
    assert model is not None and model.version == first.version and model.ranker is not None
    assert "unusable" in caplog.text
    assert cards


def test_a_missing_or_unreadable_model_file_still_serves(food_readers, reader, caplog):
    model = training.train(embed=False)
    assert model.path is not None
    model.path.write_bytes(b"\x00" * 10)
    training.forget_loaded()
    with caplog.at_level(logging.WARNING, logger="recommend"):
        cards, _ = for_you(reader, limit=5)
    assert cards and "unusable" in caplog.text and "no usable model" in caplog.text
    model.path.unlink()
    (training.model_dir() / "model-99999999999999999999.npz").mkdir()  # not even a file
    training.forget_loaded()
    from django.core.cache import cache

    cache.clear()
    assert for_you(reader, limit=5)[0]


def test_a_version_one_file_without_a_ranker_still_loads(food_readers):
    model = training.train(embed=False)
    assert model.path is not None
    with np.load(model.path, allow_pickle=False) as z:
        arrays = {k: v for k, v in z.items() if not k.startswith("ranker_")}
    arrays["format"] = np.array([1])
    with open(model.path, "wb") as f:
        np.savez(f, **arrays)
    training.forget_loaded()
    loaded = training.current_model()
    assert loaded is not None and loaded.version == model.version and loaded.ranker is None
