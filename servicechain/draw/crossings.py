"""Counting edge crossings between adjacent columns of a layered layout, in time and memory
that stay modest for large diagrams, and the barycentre sweep that reduces them."""

from __future__ import annotations

import numpy as np

__all__ = ["Spans", "inversions", "sweep"]

#: Gaps crossed by up to this many edges count crossings pairwise (an n x n array); larger
#: ones by a merge sort, in memory that grows linearly with the edges.
_DENSE_SPANS = 2000
_ROWS = 128


class Spans:
    """The pieces of every edge between adjacent columns, as arrays, built once per layout so
    that counting the crossings of an order is a few array operations."""

    def __init__(self, column: dict, edges: list[tuple]):
        index: dict = {}
        rows = []  # (gap, u, v, t0, t1), u in the left column
        for u, v in edges:
            cu, cv = column[u], column[v]
            if cu == cv:
                continue
            if cu > cv:
                u, v, cu, cv = v, u, cv, cu
            iu, iv = index.setdefault(u, len(index)), index.setdefault(v, len(index))
            for c in range(cu, cv):
                rows.append((c, iu, iv, (c - cu) / (cv - cu), (c + 1 - cu) / (cv - cu)))
        self.index = index
        rows.sort(key=lambda row: row[0])  # stable: edges keep their order inside a gap
        table = np.array(rows, dtype=float).reshape(-1, 5)
        self.u, self.v = table[:, 1].astype(np.intp), table[:, 2].astype(np.intp)
        self.t0, self.t1 = table[:, 3], table[:, 4]
        gaps = table[:, 0]
        self.bounds = np.flatnonzero(np.r_[True, gaps[1:] != gaps[:-1], True]) if len(gaps) else []

    def count(self, order: list[list]) -> int:
        """Crossings of the edges drawn as straight lines between rank positions."""
        where = np.zeros(len(self.index))
        index = self.index
        for col in order:
            known = [(i, index[n]) for i, n in enumerate(col) if n in index]
            if known:
                rank, at = np.array(known).T
                where[at] = (rank + 0.5) / len(col)
        pu, pv = where[self.u], where[self.v]
        a = pu + (pv - pu) * self.t0
        b = pu + (pv - pu) * self.t1
        total = 0
        for lo, hi in zip(self.bounds[:-1], self.bounds[1:], strict=True):
            ga, gb = a[lo:hi], b[lo:hi]
            if hi - lo > _DENSE_SPANS:
                total += inversions(ga, gb)
                continue
            pairs = 0
            for i in range(0, hi - lo, _ROWS):  # in blocks of rows: small arrays stay in cache
                da = ga[i : i + _ROWS, None] - ga[None, :]
                da *= gb[i : i + _ROWS, None] - gb[None, :]
                pairs += int(np.count_nonzero(da < -1e-12))
            total += pairs // 2
        return total


def inversions(a: np.ndarray, b: np.ndarray) -> int:
    """Pairs of segments ``(a, b)`` that cross (``a`` and ``b`` strictly in opposite order),
    counted by a bottom-up merge sort in O(n log n) time and O(n) memory.

    Examples
    --------
    >>> inversions(np.array([0.1, 0.2, 0.3]), np.array([0.3, 0.2, 0.1]))
    3
    >>> inversions(np.array([0.1, 0.1, 0.3]), np.array([0.3, 0.2, 0.2]))  # only 0 and 2 cross
    1
    """
    a, b = np.round(a, 12), np.round(b, 12)
    order = np.lexsort((b, a))  # by a, ties by b: equal a never counts as a crossing
    vals = np.unique(b, return_inverse=True)[1].ravel()[order].astype(np.int64)
    n = len(vals)
    idx = np.arange(n, dtype=np.int64)
    total = 0
    width = 1
    while width < n:
        pair = idx // (2 * width)
        right = (idx // width) % 2 == 1
        keys = pair * n + vals  # each block is sorted, so keys of left blocks are sorted
        left_keys = keys[~right]
        if right.any():
            r_pair, r_vals = pair[right], vals[right]
            ends = np.searchsorted(left_keys, (r_pair + 1) * n, side="left")
            above = np.searchsorted(left_keys, r_pair * n + r_vals, side="right")
            total += int((ends - above).sum())
        vals = np.sort(keys) - pair * n
        width *= 2
    return total


def sweep(order: list[list], near: dict, index: dict, *, direction: int) -> list[list]:
    """One barycentre sweep: each column in turn sorted by the mean rank position of its
    nodes' neighbours (``near``: node → their indices in ``index``), ties by current place."""
    pos = np.zeros(len(index))
    for col in order:
        pos[[index[n] for n in col]] = (np.arange(len(col)) + 0.5) / len(col)
    cols = range(len(order)) if direction > 0 else range(len(order) - 1, -1, -1)
    new = [list(col) for col in order]
    for c in cols:
        keys = {}
        for i, node in enumerate(new[c]):
            idx = near[node]
            # the same sum and division as numpy's mean, without its per-call overhead
            keys[node] = (np.add.reduce(pos[idx]) / len(idx) if len(idx) else pos[index[node]], i)
        new[c].sort(key=keys.__getitem__)
        pos[[index[n] for n in new[c]]] = (np.arange(len(new[c])) + 0.5) / len(new[c])
    return new
