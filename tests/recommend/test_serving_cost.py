"""The cheap For-you page (docs/recommend.md, "Serving cost"): the candidate sources and the scoring run
as numpy over the pool's columns and must pick, score and explain exactly what the per-note loops they
replaced did (the loops are kept here as the reference); a reader's list can be ranked ahead, and a
page served from it is a slice plus the access gate, never a stale answer about what the reader may
see."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.shared_cache import shared_cache
from recommend import candidates as c
from recommend import ranking
from recommend.cf import item_neighbours
from recommend.selectors import active_readers, for_you, precompute_for_you
from recommend.training import DEFAULT_WEIGHTS, RANKER_FEATURES, SOURCES, Model, Ranker

TAGS = ["food", "travel", "cars", "music", "books", "pets", "tech", "home"]


def synthetic_pool(seed: int = 3, n: int = 400) -> c.Pool:
    rng = np.random.default_rng(seed)
    ids = np.arange(1000, 1000 + n, dtype=np.int64)[::-1].copy()
    vectors = rng.normal(size=(n, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    has = rng.random(n) > 0.1
    vectors[~has] = 0.0
    tags = []
    for i in range(n):
        k = int(rng.integers(0, 3))
        picked = tuple(TAGS[int(t)] for t in rng.integers(0, len(TAGS), k))
        tags.append(picked + (picked[:1] if i % 37 == 0 else ()))  # now and then a tag twice
    return c.Pool(
        ids=ids,
        authors=rng.integers(1, 40, n).astype(np.int64),
        languages=[["en", "en-GB", "zh-Hans", "th", ""][int(x)] for x in rng.integers(0, 5, n)],
        countries=[["GB", "CN", "TH", ""][int(x)] for x in rng.integers(0, 4, n)],
        created=time.time() - rng.random(n) * 30 * 86400,
        # Rounded: many equal popularities, so the order of ties is tested too.
        popularity=np.round(rng.random(n), 1),
        tags=tags,
        vectors=vectors,
        has_vector=has,
        index={int(pk): i for i, pk in enumerate(ids)},
    )


def synthetic_reader(p: c.Pool, seed: int = 4) -> c.Reader:
    rng = np.random.default_rng(seed)
    picks = [int(x) for x in rng.choice(p.ids, 40, replace=False)]
    history = {pk: float(rng.choice([0.5, 1.0, 2.0])) for pk in picks[:25]}
    kinds = ["like", "collect", "open", "follow"]
    history_kind = {pk: kinds[k % 4] for k, pk in enumerate(history)}
    authors: dict[int, float] = {}
    for pk in history:
        a = int(p.authors[p.index[pk]])
        authors[a] = authors.get(a, 0.0) + history[pk]
    hidden = set(picks[25:30])
    return c.Reader(
        user_id=int(p.authors[0]),
        languages={"en"},
        region="GB",
        interests={"food", "travel"},
        interest_words=[],
        following={3, 5, 7, 11},
        history=history,
        history_kind=history_kind,
        history_authors={a: w for a, w in authors.items() if a != 13},
        hidden_notes=hidden,
        hidden_authors={13: 2, 17: 1},
        blocked_authors={19},
        hidden_tags={"cars": 1.0, "music": 0.4},
        history_vectors={pk: p.vectors[p.index[pk]] for pk in history if p.has_vector[p.index[pk]]},
    )


def synthetic_model(p: c.Pool, *, ranker: bool) -> Model:
    rng = np.random.default_rng(5)
    users = rng.integers(0, 60, 3000)
    items = rng.choice(p.ids, 3000)
    neighbours = item_neighbours(users, items, rng.choice([0.5, 1.0, 2.0], 3000).astype(np.float32))
    learned = None
    if ranker:
        coef = rng.normal(size=len(RANKER_FEATURES))
        learned = Ranker(names=tuple(RANKER_FEATURES), coef=coef, intercept=-1.0)
    return Model(version="t", neighbours=neighbours, ranker=learned)


# --- the per-note loops the numpy columns replaced (the reference) ---------------------------------


def reference_sources(p: c.Pool, r: c.Reader, model: Model | None) -> dict[str, dict[int, float]]:
    now = time.time()
    n = range(len(p))
    follow = (
        c._top({int(p.ids[i]): 0.2 + c._recency(p, i, now) for i in n if int(p.authors[i]) in r.following})
        if r.following
        else {}
    )
    author = c._top(
        {
            int(p.ids[i]): r.history_authors[int(p.authors[i])]
            for i in n
            if int(p.authors[i]) in r.history_authors and int(p.authors[i]) not in r.following
        }
    )
    profile = c.profile_vector(r)
    similar: dict[int, float] = {}
    if profile is not None:
        sims = p.vectors @ profile
        sims[~p.has_vector] = -1.0
        similar = {
            int(p.ids[i]): float(sims[i])
            for i in np.argsort(-sims)[: c.SOURCE_LIMIT]
            if sims[i] > 0.25 and int(p.ids[i]) not in r.history
        }
    cf: dict[int, float] = {}
    if model is not None and r.history:
        scored = reference_neighbour_scores(model, r.history, c.SOURCE_LIMIT * 3)
        cf = c._top({k: v for k, v in scored.items() if k in p.index})
    interest = c._top(
        {int(p.ids[i]): 0.7 + 0.3 * float(p.popularity[i]) for i in n if r.interests.intersection(p.tags[i])}
    )
    trend_lang = c._top({int(p.ids[i]): float(p.popularity[i]) for i in n if r.speaks(p.languages[i])})
    trend_region = c._top({int(p.ids[i]): float(p.popularity[i]) for i in n if p.countries[i] == r.region})
    fresh = {int(p.ids[i]): c._recency(p, int(i), now, c.FRESH_HOURS) for i in np.argsort(-p.created)[: c.SOURCE_LIMIT]}
    popular = c._top({int(p.ids[i]): float(p.popularity[i]) for i in n})
    return dict(
        zip(SOURCES, [follow, author, similar, cf, interest, trend_lang, trend_region, fresh, popular], strict=True)
    )


def reference_neighbour_scores(model: Model, history: dict[int, float], limit: int) -> dict[int, float]:
    nb = model.neighbours
    where = {int(i): k for k, i in enumerate(nb.item_ids)}
    out: dict[int, float] = {}
    for item, weight in history.items():
        k = where.get(int(item))
        if k is None:
            continue
        lo, hi = nb.indptr[k], nb.indptr[k + 1]
        for j, s in zip(nb.indices[lo:hi], nb.scores[lo:hi], strict=True):
            other = int(nb.item_ids[j])
            out[other] = out.get(other, 0.0) + float(s) * weight
    for item in history:
        out.pop(int(item), None)
    return dict(sorted(out.items(), key=lambda kv: kv[1], reverse=True)[:limit])


def reference_score(p: c.Pool, r: c.Reader, model: Model | None) -> dict[int, tuple[float, str, str]]:
    sources = reference_sources(p, r, model)
    weights = dict(DEFAULT_WEIGHTS)
    ranker = model.ranker if model is not None else None
    engaged = {pk for pk in r.history if r.history_kind.get(pk) != "follow"}
    exclude = r.hidden_notes | engaged
    hidden_rows = [p.index[n] for n in r.hidden_notes if n in p.index and p.has_vector[p.index[n]]]
    hidden_vecs = p.vectors[hidden_rows] if hidden_rows else None
    now = time.time()
    out = {}
    for pk in set().union(*sources.values()):
        i = p.index[pk]
        author = int(p.authors[i])
        if pk in exclude or author == r.user_id or author in r.blocked_authors:
            continue
        feats = {name: float(sources[name].get(pk, 0.0)) for name in SOURCES}
        hours = max(0.0, now - float(p.created[i])) / 3600.0
        feats["lang_match"] = 1.0 if r.speaks(p.languages[i]) else 0.0
        feats["author_followed"] = 1.0 if author in r.following else 0.0
        feats["topic_match"] = 1.0 if r.interests.intersection(p.tags[i]) else 0.0
        feats["age"] = min(1.0, math.log1p(hours) / ranking.AGE_SCALE)
        feats["popularity"] = float(p.popularity[i])
        feats["sources"] = sum(1 for name in SOURCES if feats[name] > 0) / len(SOURCES)
        feats["position"] = 0.0
        contrib = {name: weights.get(name, 0.0) * feats[name] for name in SOURCES}
        if ranker is not None:
            total = ranker.probability(feats)
            learned = {name: ranker.weight(name) * feats[name] for name in SOURCES}
            if max(learned.values()) > 0:
                contrib = learned
        else:
            total = sum(contrib.values()) + weights.get("lang_match", 0.0) * feats["lang_match"]
            total += 0.05 * c._recency(p, i, now, 72.0)
        total *= 0.35 ** r.hidden_authors.get(author, 0)
        total *= 0.6 ** sum(r.hidden_tags.get(t, 0.0) for t in p.tags[i])
        if hidden_vecs is not None and p.has_vector[i]:
            closeness = float(np.max(hidden_vecs @ p.vectors[i]))
            total *= 1.0 - 0.8 * max(0.0, min(1.0, (closeness - 0.45) / 0.4))
        best = max(contrib, key=lambda k: contrib[k])
        if contrib[best] <= 0:  # the one change: a note no source weighs is "popular", not "followed"
            best = "popular"
        detail = next((t for t in p.tags[i] if t in r.interests), "") if best == "interest" else ""
        out[pk] = (total, ranking.REASON_OF[best], detail)
    return out


# --- the numpy columns against the loops -------------------------------------------------------------


@pytest.mark.parametrize("seed", [3, 8])
def test_each_source_finds_and_scores_what_the_loop_did(seed):
    p = synthetic_pool(seed)
    r = synthetic_reader(p, seed + 1)
    model = synthetic_model(p, ranker=False)
    got = ranking.gather(p, r, model)
    want = reference_sources(p, r, model)
    for name in SOURCES:
        assert set(got[name]) == set(want[name]), name
        for pk, value in want[name].items():
            assert got[name][pk] == pytest.approx(value, rel=1e-6, abs=1e-12), (name, pk)
    assert want["cf"] and want["follow"] and want["author"] and want["similar"], "the fixture exercises every source"


def test_neighbour_scores_match_the_loop():
    p = synthetic_pool()
    model = synthetic_model(p, ranker=False)
    history = {int(pk): w for pk, w in zip(p.ids[:30], [0.5, 1.0, 2.0] * 10, strict=True)}
    history[123456] = 1.0  # an item the model never saw
    got = model.neighbours.score(history, limit=150)
    want = reference_neighbour_scores(model, history, 150)
    assert list(got.items()) == list(want.items())  # the same sums, added and ordered the same way
    assert model.neighbours.score({}, limit=10) == {}


@pytest.mark.parametrize("learned", [False, True])
def test_scores_reasons_and_order_match_the_loop(learned):
    p = synthetic_pool()
    r = synthetic_reader(p)
    model = synthetic_model(p, ranker=learned)
    got = ranking.score(p, r, model)
    want = reference_score(p, r, model)
    assert {s.note_id for s in got} == set(want)
    for s in got:
        total, reason, detail = want[s.note_id]
        assert s.score == pytest.approx(total, rel=1e-6), s.note_id  # "now" moves between the two
        assert s.reason == reason, s.note_id
        if reason != "similar":
            assert s.detail == detail
    assert [s.score for s in got] == sorted((s.score for s in got), reverse=True)
    # What was left out: hidden, engaged (not a follow), blocked and the reader's own notes.
    served = {s.note_id for s in got}
    assert not served & r.hidden_notes
    assert all(p.authors[p.index[pk]] not in (19, r.user_id) for pk in served)


def full_scan_best(group, out):
    """The re-ranking's pick as it was: every card of the window scored, the first best wins."""
    recent_authors = {s.author_id for s in out[-ranking.AUTHOR_GAP :]}
    last_topics = [s.topic for s in out[-ranking.TOPIC_RUN :]]
    best_i, best_v = 0, -1e18
    for j, s in enumerate(group[: ranking.WINDOW]):
        v = s.score
        if s.author_id in recent_authors:
            v *= 0.05
        if s.topic and len(last_topics) == ranking.TOPIC_RUN and all(t == s.topic for t in last_topics):
            v *= 0.4
        if v > best_v:
            best_i, best_v = j, v
    return best_i


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_early_stopping_pick_is_the_full_scan_pick(seed):
    rng = np.random.default_rng(seed)
    # Few authors and topics, rounded scores: many cuts and many equal scores.
    items = sorted(
        (
            ranking.Scored(
                note_id=k,
                score=round(float(rng.random()), 1),
                reason="popular",
                author_id=int(rng.integers(0, 5)),
                topic=["food", "travel", ""][int(rng.integers(0, 3))],
                language=["en", "th"][int(rng.integers(0, 2))],
            )
            for k in range(200)
        ),
        key=lambda s: s.score,
        reverse=True,
    )
    out: list = []
    group = list(items)
    while group:
        j = ranking._best(group, out)
        assert j == full_scan_best(group, out)
        out.append(group.pop(j))


def test_keep_cuts_each_language_group_and_leaves_the_reranked_page_unchanged():
    p = synthetic_pool()
    r = synthetic_reader(p)
    model = synthetic_model(p, ranker=True)
    full = ranking.score(p, r, model)
    kept = ranking.score(p, r, model, keep=40 + ranking.WINDOW)
    assert len(kept) < len(full)
    assert sum(1 for s in kept if r.speaks(s.language)) <= 40 + ranking.WINDOW
    page = [s.note_id for s in ranking.rerank(full, r, limit=40)]
    assert [s.note_id for s in ranking.rerank(kept, r, limit=40)] == page


def test_an_empty_pool_and_a_reader_with_nothing_score_nothing_or_popular():
    empty = c.Pool(
        ids=np.zeros(0, dtype=np.int64),
        authors=np.zeros(0, dtype=np.int64),
        languages=[],
        countries=[],
        created=np.zeros(0),
        popularity=np.zeros(0),
        tags=[],
        vectors=np.zeros((0, 32), dtype=np.float32),
        has_vector=np.zeros(0, dtype=bool),
    )
    p = synthetic_pool()
    bare = c.Reader(user_id=-1, languages={"en"})
    assert ranking.score(empty, bare, None) == []
    scored = ranking.score(p, bare, None)
    # Only the sources that need nothing of the reader find anything; no card claims a follow.
    assert scored and {s.reason for s in scored} <= {"popular_language", "new", "popular"}


def test_features_packed_at_once_are_the_bytes_packed_one_by_one():
    from recommend.training import pack_features, pack_many, pack_rows, unpack_features

    p = synthetic_pool()
    r = synthetic_reader(p)
    scored = ranking.score(p, r, synthetic_model(p, ranker=True))[:50]
    packed = pack_many([s.features for s in scored])
    assert packed == [pack_features(s.features) for s in scored]
    # From the feature rows as ranking keeps them (no dict per note), with a row missing: the same bytes.
    scored[3].row = None
    assert pack_rows([s.row for s in scored]) == pack_many([s.features for s in scored])
    assert pack_rows([s.row for s in scored])[3] == pack_features({}) and pack_rows([]) == []
    assert unpack_features(packed[0]) is not None
    assert pack_many([]) == []


# --- ranked ahead, served as a slice plus the gate ----------------------------------------------------


def interaction_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "recommend_interaction" in q["sql"]]


def test_a_reader_ranked_ahead_is_served_a_slice_without_ranking(catalogue, reader):
    cache.clear()
    shared_cache.clear()
    assert precompute_for_you([reader.pk]) == 1
    assert precompute_for_you([reader.pk]) == 0  # fresh: nothing to do
    with CaptureQueriesContext(connection) as ctx:
        cards, cursor = for_you(reader, limit=5)
    assert cards and cursor == "5"
    assert not interaction_queries(ctx.captured_queries), "the page ranked again"


def test_a_list_ranked_ahead_still_passes_the_gate_at_serving(catalogue, reader):
    from accounts.services import block

    authors, _notes = catalogue
    cache.clear()
    shared_cache.clear()
    precompute_for_you([reader.pk])
    before = {card.note.author_id for card in for_you(reader, limit=60)[0]}
    assert authors["chef"].pk in before
    block(blocker=reader, blocked=authors["chef"])
    after = for_you(reader, limit=60)[0]
    assert after and all(card.note.author_id != authors["chef"].pk for card in after)


def test_a_hide_after_ranking_ahead_changes_the_next_page(catalogue, reader):
    from recommend.services import hide_note

    cache.clear()
    shared_cache.clear()
    precompute_for_you([reader.pk])
    first, cursor = for_you(reader, limit=3)
    hidden = first[0].note
    hide_note(user=reader, note_id=hidden.pk, reason="author")
    # Ranked ahead again (the schedule) or on the page itself: either way what was shown stays shown,
    # and the rest no longer holds the hidden author.
    assert precompute_for_you([reader.pk]) == 1
    rest = for_you(reader, cursor=cursor, limit=40)[0]
    assert rest and all(card.note.author_id != hidden.author_id for card in rest)
    assert not {card.note.pk for card in first} & {card.note.pk for card in rest}


def test_active_readers_are_those_served_for_you_lately(catalogue, reader, make_user):
    from recommend.services import record_client_events

    other = make_user("other", languages=["en"])
    cards, _ = for_you(reader, limit=2)
    record_client_events(
        user=reader,
        events=[{"note_id": cards[0].note.pk, "kind": "impression", "surface": "for_you", "position": 0}],
    )
    record_client_events(
        user=other, events=[{"note_id": cards[0].note.pk, "kind": "impression", "surface": "discover", "position": 0}]
    )
    assert active_readers(hours=1) == [reader.pk]


def test_the_scheduled_task_ranks_active_readers(catalogue, reader):
    from recommend import tasks
    from recommend.services import record_client_events

    cards, _ = for_you(reader, limit=2)
    record_client_events(
        user=reader,
        events=[{"note_id": cards[0].note.pk, "kind": "impression", "surface": "for_you", "position": 0}],
    )
    cache.clear()
    shared_cache.clear()
    result = tasks.precompute_for_you.enqueue()
    assert result.return_value == 1


def _age_list(user_id: int, seconds: float) -> None:
    """Make the reader's cached list look ranked ``seconds`` ago."""
    from recommend.selectors import RANK_KEY

    at, ranked = shared_cache.get(RANK_KEY.format(user_id))
    shared_cache.set(RANK_KEY.format(user_id), (at - seconds, ranked), 3600)


def test_a_stale_list_is_served_as_it_is_and_ranked_again_in_the_background(
    catalogue, reader, django_capture_on_commit_callbacks
):
    from recommend.selectors import RANK_KEY, RANKING_SECONDS

    cache.clear()
    shared_cache.clear()
    first, cursor = for_you(reader, limit=5)
    _age_list(reader.pk, RANKING_SECONDS + 1)
    stale_at = shared_cache.get(RANK_KEY.format(reader.pk))[0]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        with CaptureQueriesContext(connection) as ctx:
            nxt, _ = for_you(reader, cursor=cursor, limit=5)
        assert nxt and not interaction_queries(ctx.captured_queries), "the page ranked on the request"
        for_you(reader, cursor="10", limit=5)
    assert len(queued) == 1, "one refresh at a time per reader"
    queued[0]()  # the refresh task, as the queue runs it: keeps what was shown, re-ranks the rest
    at, ranked = shared_cache.get(RANK_KEY.format(reader.pk))
    assert at > stale_at
    shown = [c.note.pk for c in first + nxt]
    assert [pk for pk, _r, _d in ranked[: len(shown)]] == shown


def test_the_refresh_task_ranks_and_releases_its_lock(catalogue, reader, on_commit):
    from recommend import tasks
    from recommend.selectors import RANK_KEY, RANKING_SECONDS, REFRESH_LOCK_KEY

    cache.clear()
    shared_cache.clear()
    for_you(reader, limit=5)
    _age_list(reader.pk, RANKING_SECONDS + 1)
    # The immediate backend of the tests runs the task when the page's queueing commits.
    with on_commit():
        for_you(reader, cursor="5", limit=5)
    at, _ranked = shared_cache.get(RANK_KEY.format(reader.pk))
    assert time.time() - at < RANKING_SECONDS
    assert shared_cache.get(REFRESH_LOCK_KEY.format(reader.pk)) is None
    assert tasks.refresh_for_you.enqueue(reader.pk).return_value is False  # fresh now: nothing to do


def test_a_stale_list_still_passes_the_gate(catalogue, reader):
    from accounts.services import block, mute
    from notes.models import NoteState
    from notes.services import set_note_state
    from recommend.selectors import RANKING_SECONDS

    authors, _notes = catalogue
    cache.clear()
    shared_cache.clear()
    ranked = [c.note for c in for_you(reader, limit=60)[0]]
    _age_list(reader.pk, RANKING_SECONDS + 1)
    block(blocker=reader, blocked=authors["chef"])
    mute(muter=reader, muted=authors["wok"])
    held = next(n for n in ranked if n.author_id not in (authors["chef"].pk, authors["wok"].pk))
    set_note_state(note=held, state=NoteState.HELD)
    served = for_you(reader, limit=60)[0]
    assert served
    assert all(c.note.author_id not in (authors["chef"].pk, authors["wok"].pk) for c in served)
    assert held.pk not in {c.note.pk for c in served}


def test_a_like_on_a_list_ranked_ahead_is_on_the_next_page(catalogue, reader, on_commit):
    from notes.services import like_note
    from recommend.selectors import RANK_KEY

    cache.clear()
    shared_cache.clear()
    precompute_for_you([reader.pk])
    first, cursor = for_you(reader, limit=3)
    before = shared_cache.get(RANK_KEY.format(reader.pk))
    with on_commit():
        like_note(user=reader, note_id=first[0].note.pk)
    with CaptureQueriesContext(connection) as ctx:
        rest = for_you(reader, cursor=cursor, limit=20)[0]
    assert interaction_queries(ctx.captured_queries), "the like did not re-rank the next page"
    after = shared_cache.get(RANK_KEY.format(reader.pk))
    assert after[0] >= before[0] and after[1][:3] == before[1][:3]
    assert not {c.note.pk for c in first} & {c.note.pk for c in rest}


def test_ranking_ahead_puts_the_first_pages_notes_in_the_note_cache(catalogue, reader, settings):
    settings.NOTE_CACHE_SECONDS = 300  # as with Redis: long enough for warming to matter
    cache.clear()
    shared_cache.clear()
    precompute_for_you([reader.pk])
    with CaptureQueriesContext(connection) as ctx:
        cards, _ = for_you(reader, limit=10)
    assert cards
    assert not [q["sql"] for q in ctx.captured_queries if 'FROM "notes_note"' in q["sql"]], "notes read again"


def test_the_interests_column_is_worked_out_once_per_pool_and_set_of_interests():
    """It depends on the pool and the reader's interests alone: readers who chose the same onboarding
    interests share one read-only column until the pool is rebuilt."""
    from dataclasses import replace

    p = synthetic_pool()
    r = synthetic_reader(p)
    first = c.interests_column(p, r)
    assert np.array_equal(first, c._interests_column(p, r)) and not first.flags.writeable
    assert c.interests_column(p, replace(r, user_id=r.user_id + 1, history={})) is first
    other = c.interests_column(p, replace(r, interests={"cars"}))
    assert other is not first and np.array_equal(other, c._interests_column(p, replace(r, interests={"cars"})))
    assert c.interests_column(synthetic_pool(), r) is not first  # a new pool, worked out again


def test_a_reader_is_read_in_one_query(catalogue, reader, on_commit, django_assert_num_queries):
    """Interactions, follows and the language-mix setting come back from one query (``_signals``), in
    the shapes ranking reads: newest interaction first, the follows as a set, the setting or the
    default."""
    from accounts.services import follow
    from notes.services import like_note
    from recommend.models import HideReason, LanguageMix
    from recommend.services import hide_note, set_language_mix

    authors, notes = catalogue
    with django_assert_num_queries(1):
        fresh = c.reader_for(reader)
    assert fresh.following == set() and fresh.history == {} and fresh.language_mix == LanguageMix.MIX
    with on_commit():
        follow(follower=reader, followee=authors["hiker"])
        like_note(user=reader, note_id=notes[0].pk)
        like_note(user=reader, note_id=notes[3].pk)
        hide_note(user=reader, note_id=notes[8].pk, reason=HideReason.AUTHOR)
    set_language_mix(user=reader, language_mix=LanguageMix.WORLD)
    with django_assert_num_queries(2):  # and the hidden note's tags
        r = c.reader_for(reader)
    assert r.following == {authors["hiker"].pk}
    assert r.language_mix == LanguageMix.WORLD
    assert list(r.history)[:2] == [notes[3].pk, notes[0].pk] and r.history_kind[notes[0].pk] == "like"
    assert r.hidden_notes == {notes[8].pk} and r.blocked_authors == {authors["coder"].pk}


def test_a_first_page_keeps_the_mix_with_the_list_and_a_change_marked_meanwhile(
    catalogue, reader, django_assert_num_queries
):
    """The list, its features and the language mix are written together; a "changed" mark the caller
    did not read (set while the list was ranked) is left for the next page to act on."""
    from recommend import selectors
    from recommend.models import LanguageMix
    from recommend.services import DIRTY_KEY, mark_changed, set_language_mix

    set_language_mix(user=reader, language_mix=LanguageMix.WORLD)
    shared_cache.delete(DIRTY_KEY.format(reader.pk))
    for_you(reader, limit=5)
    with django_assert_num_queries(0):
        assert selectors.language_mix_of(reader) == LanguageMix.WORLD
    mark_changed(reader.pk)  # as a like landing while the next ranking runs
    selectors._rerank(reader, offset=0, cached=None, old_features={}, dirty=False)
    assert shared_cache.get(DIRTY_KEY.format(reader.pk))
    selectors._rerank(reader, offset=0, cached=None, old_features={}, dirty=True)
    assert shared_cache.get(DIRTY_KEY.format(reader.pk)) is None
