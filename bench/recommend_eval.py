"""Offline evaluation of For you on a seeded simulator (docs/recommend.md, figures in docs/benchmarks.md).

Users have latent interests over topics, one language and a region; some also like notes in other
languages. Notes have a topic, a language, an author, an age and a quality. Engagement is drawn from
a known preference model. Each user's last interactions are held out; the rest trains the item-item
model and feeds the real blend and re-ranking (``recommend.ranking``), with note embeddings simulated
as language-independent topic vectors plus noise (what the multilingual encoder gives, idealised).

    .venv/bin/python bench/recommend_eval.py            # about a minute on 2 cores
    .venv/bin/python bench/recommend_eval.py --users 200 --notes 1000   # quicker
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LANGS = ["en", "zh-Hans", "th"]
LANG_SHARE = [0.5, 0.4, 0.1]
REGION = {"en": "GB", "zh-Hans": "CN", "th": "TH"}
TOPICS = ["food", "travel", "beauty", "fashion", "pets", "fitness", "books", "music", "gaming", "cars", "home", "tech"]


def simulate(rng: np.random.Generator, n_users: int, n_notes: int, events: int) -> dict:
    t = len(TOPICS)
    note_topic = rng.integers(0, t, n_notes)
    note_lang = rng.choice(len(LANGS), n_notes, p=LANG_SHARE)
    note_quality = rng.lognormal(0.0, 0.6, n_notes)
    note_age_h = rng.uniform(0, 30 * 24, n_notes)
    note_author = rng.integers(0, max(20, n_notes // 15), n_notes) * 10 + note_lang  # authors write in one language
    user_lang = rng.choice(len(LANGS), n_users, p=LANG_SHARE)
    user_taste = rng.dirichlet(np.full(t, 0.25), n_users)  # a few topics each
    cross = np.where(rng.random(n_users) < 0.3, rng.uniform(0.3, 0.9, n_users), 0.03)
    # Preference of user u for note i: topic taste x quality x (1 in their language, cross otherwise).
    same = user_lang[:, None] == note_lang[None, :]
    pref = user_taste[:, note_topic] * note_quality[None, :] * np.where(same, 1.0, cross[:, None])
    histories = []
    for u in range(n_users):
        # Exposure: what a user comes across (their language mostly, and some of everything), then engagement.
        exposure = np.where(same[u], 1.0, 0.25) * (0.5 + note_quality)
        exposure = exposure / exposure.sum()
        seen = rng.choice(n_notes, size=min(n_notes, events * 8), replace=False, p=exposure)
        p = np.sqrt(pref[u, seen] / (pref[u, seen].max() + 1e-9))
        liked = seen[rng.random(len(seen)) < p][:events]
        histories.append(list(liked))  # in time order
    return {
        "note_topic": note_topic,
        "note_lang": note_lang,
        "note_quality": note_quality,
        "note_age_h": note_age_h,
        "note_author": note_author,
        "user_lang": user_lang,
        "user_taste": user_taste,
        "cross": cross,
        "pref": pref,
        "histories": histories,
    }


def ndcg(ranked: list[int], relevant: set[int], k: int) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, x in enumerate(ranked[:k]) if x in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def recall(ranked: list[int], relevant: set[int], k: int) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--notes", type=int, default=1500)
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--holdout", type=float, default=0.2)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")
    import django

    django.setup()
    from notes.selectors import popularity
    from recommend import candidates as c
    from recommend import ranking
    from recommend.cf import item_neighbours
    from recommend.training import DEFAULT_WEIGHTS, Model

    started = time.monotonic()
    rng = np.random.default_rng(args.seed)
    sim = simulate(rng, args.users, args.notes, args.events)
    n_notes = args.notes
    ids = np.arange(1, n_notes + 1, dtype=np.int64)  # note i has id i + 1
    train: list[list[int]] = []
    test: list[set[int]] = []
    for h in sim["histories"]:
        cut = max(1, round(len(h) * (1 - args.holdout))) if len(h) > 1 else len(h)
        train.append(h[:cut])
        test.append(set(h[cut:]))
    users = np.array([u for u, h in enumerate(train) for _ in h], dtype=np.int64)
    items = np.array([i + 1 for h in train for i in h], dtype=np.int64)
    weights = np.ones(len(items), dtype=np.float32)
    t0 = time.monotonic()
    model = Model(version="sim", neighbours=item_neighbours(users, items, weights), weights=dict(DEFAULT_WEIGHTS))
    train_s = time.monotonic() - t0
    counts = np.bincount(items - 1, minlength=n_notes).astype(np.float64)
    now = time.time()
    created = now - sim["note_age_h"] * 3600
    pop = np.array([popularity(int(counts[i]), 0, 0, sim["note_age_h"][i]) for i in range(n_notes)])
    # Embeddings: a unit vector per topic, plus noise; the same space for every language.
    topic_vecs = rng.normal(size=(len(TOPICS), 512)).astype(np.float32)
    vecs = topic_vecs[sim["note_topic"]] + rng.normal(scale=1.1, size=(n_notes, 512)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    pool = c.Pool(
        ids=ids,
        authors=sim["note_author"].astype(np.int64),
        languages=[LANGS[x] for x in sim["note_lang"]],
        countries=[REGION[LANGS[x]] for x in sim["note_lang"]],
        created=created,
        popularity=pop / pop.max(),
        tags=[(TOPICS[x],) for x in sim["note_topic"]],
        vectors=vecs,
        has_vector=np.ones(n_notes, dtype=bool),
        index={int(pk): i for i, pk in enumerate(ids)},
    )

    def reader(u: int, history: list[int], interests: list[str] | None = None) -> c.Reader:
        lang = LANGS[sim["user_lang"][u]]
        hist = dict.fromkeys((i + 1 for i in history), 1.0)
        return c.Reader(
            user_id=-1 - u,
            languages={c.base_language(lang)},
            region=REGION[lang],
            interests=set(interests or []),
            interest_words=[],
            following=set(),
            history=hist,
            history_kind=dict.fromkeys(hist, "like"),
            history_authors={},
            hidden_notes=set(),
            hidden_authors={},
            blocked_authors=set(),
            hidden_tags={},
            language_mix=2,
            history_vectors={k: vecs[k - 1] for k in hist},
        )

    def ours(u: int, history: list[int], k: int = 50, interests: list[str] | None = None) -> list[int]:
        r = reader(u, history, interests)
        scored = ranking.score(pool, r, model)
        return [s.note_id for s in ranking.rerank(scored, r, limit=k, observed_own=ranking.observed_own_share(pool, r))]

    pop_order = [int(x) + 1 for x in np.argsort(-counts)]
    new_order = [int(x) + 1 for x in np.argsort(sim["note_age_h"])]

    def baseline(order: list[int], history: list[int], k: int = 50) -> list[int]:
        seen = {i + 1 for i in history}
        return [x for x in order if x not in seen][:k]

    results: dict[str, list[float]] = {}
    recommended: set[int] = set()
    foreign_share, true_foreign = [], []
    evaluated = [u for u in range(args.users) if test[u] and train[u]]
    for u in evaluated:
        rel = {i + 1 for i in test[u]}
        for name, ranked in (
            ("ours", ours(u, train[u])),
            ("popularity", baseline(pop_order, train[u])),
            ("recency", baseline(new_order, train[u])),
        ):
            results.setdefault(f"{name} ndcg20", []).append(ndcg(ranked, rel, 20))
            results.setdefault(f"{name} recall50", []).append(recall(ranked, rel, 50))
            if name == "ours":
                recommended.update(ranked[:20])
                langs = sim["note_lang"][np.array(ranked[:20]) - 1]
                foreign_share.append(float(np.mean(langs != sim["user_lang"][u])))
                top = np.argsort(-sim["pref"][u])[:100]
                true_foreign.append(float(np.mean(sim["note_lang"][top] != sim["user_lang"][u])))
    print(f"simulator: {args.users} users, {n_notes} notes, {len(items)} training events, seed {args.seed}")
    print(f"item-item training: {train_s:.2f}s")
    for key in sorted(results):
        print(f"  {key:<22} {np.mean(results[key]):.4f}")
    ratio = float(np.mean(results["ours ndcg20"])) / max(float(np.mean(results["popularity ndcg20"])), 1e-9)
    print(f"NDCG@20 ours / popularity: {ratio:.2f}x (target 1.5x)")
    print(f"catalogue coverage of top-20 lists: {len(recommended) / n_notes:.1%}")
    cross = sim["cross"][evaluated] > 0.1
    fs, tf = np.array(foreign_share), np.array(true_foreign)
    print(
        f"other-language share of top 20: users with cross-language taste {fs[cross].mean():.1%} "
        f"(true taste, top 100: {tf[cross].mean():.1%}); others {fs[~cross].mean():.1%} (true {tf[~cross].mean():.1%})"
    )
    # Cold start: the evaluated users again, as if new, after 0, 5 and 20 of their events (interests:
    # their two strongest topics, as picked at onboarding). Relevant: their next 10 events.
    for n in (0, 5, 20):
        o, p = [], []
        for u in evaluated[:200]:
            h = sim["histories"][u]
            if len(h) < n + 5:
                continue
            interests = [TOPICS[x] for x in np.argsort(-sim["user_taste"][u])[:2]]
            rel = {i + 1 for i in h[n : n + 10]}
            o.append(ndcg(ours(u, h[:n], interests=interests), rel, 20))
            p.append(ndcg(baseline(pop_order, h[:n]), rel, 20))
        print(
            f"cold start after {n:>2} events: NDCG@20 ours {np.mean(o):.4f}, "
            f"popularity {np.mean(p):.4f} ({len(o)} users)"
        )
    print(f"total {time.monotonic() - started:.1f}s")


if __name__ == "__main__":
    main()
