"""Item-item collaborative filtering on implicit feedback, in plain numpy/scipy.

Each reader's interactions with a note are summed with ``WEIGHTS`` (a collect counts more than an
open; hides are left out), dampened with log1p, and the items' columns are compared by cosine. Each
item keeps its ``k`` most similar items. Used by training here and by ``bench/recommend_eval.py``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass
class ItemNeighbours:
    item_ids: np.ndarray  # int64, the items in index order
    indptr: np.ndarray  # CSR over items: the neighbours of item i are indices[indptr[i]:indptr[i+1]]
    indices: np.ndarray
    scores: np.ndarray

    def index(self) -> dict[int, int]:
        return {int(i): n for n, i in enumerate(self.item_ids)}

    def score(self, history: dict[int, float], *, limit: int = 300) -> dict[int, float]:
        """Items like those in ``history`` (item id -> weight), summed over the history."""
        where = self.index()
        out: dict[int, float] = {}
        for item, weight in history.items():
            n = where.get(int(item))
            if n is None:
                continue
            lo, hi = self.indptr[n], self.indptr[n + 1]
            for j, s in zip(self.indices[lo:hi], self.scores[lo:hi], strict=True):
                other = int(self.item_ids[j])
                out[other] = out.get(other, 0.0) + float(s) * weight
        for item in history:
            out.pop(int(item), None)
        return dict(sorted(out.items(), key=lambda kv: kv[1], reverse=True)[:limit])


def item_neighbours(
    users: np.ndarray, items: np.ndarray, weights: np.ndarray, *, k: int = 40, shrink: float = 2.0
) -> ItemNeighbours:
    """Top-``k`` cosine neighbours of every item from (user, item, weight) triples (weights > 0)."""
    item_ids, item_idx = np.unique(items, return_inverse=True)
    _user_ids, user_idx = np.unique(users, return_inverse=True)
    x = sp.csr_matrix(
        (np.log1p(weights.astype(np.float32)), (user_idx, item_idx)),
        shape=(int(user_idx.max(initial=-1)) + 1, len(item_ids)),
    )
    x.sum_duplicates()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=0)).ravel())
    inv = sp.diags(1.0 / np.maximum(norms, 1e-9))
    xn = (x @ inv).tocsc()
    sim = (xn.T @ xn).tocsr()
    # Shrink similarities resting on few co-occurrences (two readers in common is weak evidence).
    binary = (x > 0).astype(np.float32)
    co = (binary.T @ binary).tocsr()
    co.data = co.data / (co.data + shrink)
    sim = sim.multiply(co).tocsr()
    sim.setdiag(0)
    sim.eliminate_zeros()
    indptr = [0]
    indices: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    for i in range(sim.shape[0]):
        lo, hi = sim.indptr[i], sim.indptr[i + 1]
        cols, vals = sim.indices[lo:hi], sim.data[lo:hi]
        if len(cols) > k:
            top = np.argpartition(-vals, k)[:k]
            cols, vals = cols[top], vals[top]
        indices.append(cols.astype(np.int32))
        scores.append(vals.astype(np.float32))
        indptr.append(indptr[-1] + len(cols))
    return ItemNeighbours(
        item_ids=item_ids.astype(np.int64),
        indptr=np.asarray(indptr, dtype=np.int64),
        indices=np.concatenate(indices) if indices else np.zeros(0, np.int32),
        scores=np.concatenate(scores) if scores else np.zeros(0, np.float32),
    )
