"""Rankings of many items sorted only as far as they are looked at: the first rows of a list of
700,000 services without sorting the other 699,900."""

from __future__ import annotations

import numpy as np

__all__ = ["Order", "descending"]

#: A prefix at least this share of the items long is cut from a whole sort (as fast by then).
_WHOLE = 1 / 8


def descending(values: np.ndarray, k: int) -> np.ndarray:
    """The first ``k`` positions of ``np.argsort(-values, kind="stable")`` (largest first,
    ties in the order given), without sorting the rest.

    Examples
    --------
    >>> descending(np.array([0.1, 0.5, 0.3, 0.5]), 2).tolist()
    [1, 3]
    """
    return Order(values).head(k)


class Order:
    """Positions of items ranked by ``values``, largest first; among equal values the items
    ``known`` come first, then the others, each in the order given: the order of
    ``np.lexsort((np.arange(n), ~known, -values))``, sorted only as far as it is used.

    Parameters
    ----------
    values : array
    known : bool array, optional
        Items ranked first among equal values (none by default).

    Examples
    --------
    >>> order = Order(np.array([0.2, 0.9, 0.2, 0.5]), np.array([False, False, True, False]))
    >>> order.head(3).tolist(), order[3], order.last(np.array([True, False, True, False]))
    ([1, 3, 2], 0, 3)
    """

    def __init__(self, values: np.ndarray, known: np.ndarray | None = None) -> None:
        self.values = np.asarray(values, dtype=float)
        n = len(self.values)
        self.known = np.zeros(n, dtype=bool) if known is None else np.asarray(known, dtype=bool)
        self._head = np.zeros(0, dtype=np.intp)
        # NaN sorts last in a whole sort: the cut at a threshold would not see it
        self._cut = not np.isnan(self.values).any()

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, pos: int) -> int:
        """The item at position ``pos`` (0 first)."""
        return int(self.head(pos + 1)[pos])

    def head(self, k: int) -> np.ndarray:
        """The first ``k`` positions."""
        n = len(self.values)
        k = max(0, min(int(k), n))
        if k > len(self._head):
            grow = min(n, max(k, 2 * len(self._head)))
            self._head = self._first(grow) if grow < _WHOLE * n and self._cut else self.whole()
        return self._head[:k]

    def whole(self) -> np.ndarray:
        """Every position (a whole sort, made once)."""
        if len(self._head) < len(self.values):
            n = len(self.values)
            self._head = np.lexsort((np.arange(n), ~self.known, -self.values))
        return self._head

    def _first(self, k: int) -> np.ndarray:
        if not k:
            return np.zeros(0, dtype=np.intp)
        n = len(self.values)
        threshold = np.partition(self.values, n - k)[n - k]  # the k-th largest
        near = np.flatnonzero(self.values >= threshold)  # every item of the first k, and ties
        return near[np.lexsort((near, ~self.known[near], -self.values[near]))][:k]

    def last(self, mask: np.ndarray) -> int:
        """The position of the last item where ``mask`` (-1 when none), without sorting."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return -1
        values, known = self.values, self.known
        if not self._cut:
            return int(np.flatnonzero(mask[self.whole()])[-1])
        # the last is the smallest value, of those the ones not known, of those the last given
        low = values[mask].min()
        at = mask & (values == low)
        late = ~known[at].all()
        at &= ~known == late
        i = int(np.flatnonzero(at)[-1])
        before = (values > low) | ((values == low) & (~known < late))
        before |= (values == low) & ((~known) == late) & (np.arange(len(values)) < i)
        return int(np.count_nonzero(before))
