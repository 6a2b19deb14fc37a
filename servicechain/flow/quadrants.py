"""The importance-performance quadrants, split at the means over the items that have an
effect on the customers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..text import fmt_score

__all__ = ["QUADRANTS", "Split", "quadrants"]

#: Quadrant names: (high importance, high performance) → name.
QUADRANTS = {
    (True, False): "concentrate here",
    (True, True): "keep up the good work",
    (False, False): "low priority",
    (False, True): "possible overkill",
}


@dataclass(frozen=True)
class Split:
    """Where the quadrants split: the mean importance and performance (0..1) of the ``items``
    whose importance is not structurally zero, out of ``total``."""

    importance: float
    performance: float
    items: int
    total: int

    def to_dict(self, scale: tuple[float, float] = (0.0, 1.0)) -> dict:
        """Plain data, the performance also as a score on the model's scale."""
        lo, hi = scale
        return {
            "importance": None if np.isnan(self.importance) else self.importance,
            "performance": None if np.isnan(self.performance) else self.performance,
            "score": None if np.isnan(self.performance) else lo + self.performance * (hi - lo),
            "items": self.items,
            "total": self.total,
        }

    def describe(self, scale: tuple[float, float] = (0.0, 1.0)) -> str:
        """One line saying where the quadrants split.

        Examples
        --------
        >>> Split(0.0412, 0.7, 9, 10).describe((1, 5))
        'quadrants split at importance 0.041 and score 3.80 (means over the 9 of 10 with an effect)'
        """
        if not self.items:
            return "quadrants: no item has an effect on the customers"
        lo, hi = scale
        score = fmt_score(lo + self.performance * (hi - lo), hi - lo)
        return (
            f"quadrants split at importance {self.importance:.3f} and score {score} "
            f"(means over the {self.items} of {self.total} with an effect)"
        )


def quadrants(imp: np.ndarray, perf: np.ndarray, zero: np.ndarray) -> tuple[np.ndarray, Split]:
    """Quadrant name of each item ("" where its importance is structurally ``zero``) and the
    split: the means of importance and performance over the other items.

    Examples
    --------
    >>> names, split = quadrants(np.array([0.2, 0.1, 0.0]), np.array([0.5, 0.9, 0.1]),
    ...                          np.array([False, False, True]))
    >>> names.tolist(), round(split.importance, 6), round(split.performance, 6)
    (['concentrate here', 'possible overkill', ''], 0.15, 0.7)
    """
    imp, perf, zero = np.asarray(imp), np.asarray(perf), np.asarray(zero, dtype=bool)
    live = ~zero
    out = np.full(len(imp), "", dtype=object)
    if not live.any():
        return out, Split(float("nan"), float("nan"), 0, len(imp))
    mi, mp = float(imp[live].mean()), float(perf[live].mean())
    for (hi_imp, hi_perf), name in QUADRANTS.items():
        pick = live & ((imp >= mi) == hi_imp) & ((perf >= mp) == hi_perf)
        out[pick] = name
    return out, Split(mi, mp, int(live.sum()), len(imp))
