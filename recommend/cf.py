"""Item-item collaborative filtering on implicit feedback, in plain numpy/scipy.

Each reader's interactions with a note are summed with ``WEIGHTS`` (a collect counts more than an
open; hides are left out), dampened with log1p, and the items' columns are compared by cosine. Each
item keeps its ``k`` most similar items. Used by training here and by ``bench/recommend_eval.py``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp


@dataclass
class ItemNeighbours:
    item_ids: np.ndarray  # int64, the items in index order
    indptr: np.ndarray  # CSR over items: the neighbours of item i are indices[indptr[i]:indptr[i+1]]
    indices: np.ndarray
    scores: np.ndarray

    def index(self) -> dict[int, int]:
        return dict(self._where)

    @cached_property
    def _where(self) -> dict[int, int]:
        """Item id -> index, built once per loaded model (serving scores many readers against it)."""
        return {int(i): n for n, i in enumerate(self.item_ids.tolist())}

    def score_arrays(self, history: dict[int, float], *, limit: int = 300) -> tuple[np.ndarray, np.ndarray]:
        """``score`` as arrays (item ids, scores), best first: the neighbours' scores times the history
        item's weight, summed per item in float64, with numpy rather than a loop per neighbour."""
        where = self._where
        found = [(where[int(item)], float(weight)) for item, weight in history.items() if int(item) in where]
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        rows = np.array([n for n, _w in found], dtype=np.int64)
        weights = np.array([w for _n, w in found], dtype=np.float64)
        lo, hi = self.indptr[rows], self.indptr[rows + 1]
        counts = (hi - lo).astype(np.int64)
        if not counts.sum():
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        # The flat positions of every history item's neighbours, in history order.
        starts = np.repeat(lo - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        flat = starts + np.arange(int(counts.sum()))
        cols = self.indices[flat].astype(np.int64)
        vals = self.scores[flat].astype(np.float64) * np.repeat(weights, counts)
        total = np.bincount(cols, weights=vals, minlength=len(self.item_ids))
        # Equal sums keep the order the items were first met in, as the loop this replaced did.
        candidates, first = np.unique(cols, return_index=True)
        keep = ~np.isin(candidates, rows)
        candidates, first = candidates[keep], first[keep]
        best = candidates[np.lexsort((first, -total[candidates]))[:limit]]
        return self.item_ids[best].astype(np.int64), total[best]

    def score(self, history: dict[int, float], *, limit: int = 300) -> dict[int, float]:
        """Items like those in ``history`` (item id -> weight), summed over the history."""
        items, scores = self.score_arrays(history, limit=limit)
        return dict(zip(items.tolist(), scores.tolist(), strict=True))


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
