"""The rows of a ranking and the terms of a gap breakdown as columns, for the JSON that
``--json`` streams (the same fields and values as their ``to_dict()``, no dict per row)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..model.records import Coded, Ends, Records

__all__ = ["RankColumns", "TermColumns", "labels", "service_labels"]

_FLAGS = [False, True]


def labels(ids: list[str], names: list[str], where: np.ndarray) -> list[str]:
    """``"id (name)"`` of the nodes ``where``.

    Examples
    --------
    >>> labels(["it", "hr"], ["IT", "People"], np.array([1]))
    ['hr (People)']
    """
    return [f"{ids[i]} ({names[i]})" for i in where.tolist()]


def service_labels(ids: list[str], source, target, names: list[str], where) -> list[str]:
    """``"a → b (name)"`` of the services ``where`` (without the name when it is empty).

    Examples
    --------
    >>> service_labels(["it", "hr"], np.array([0]), np.array([1]), ["Payroll"], np.array([0]))
    ['it → hr (Payroll)']
    """
    where = np.asarray(where, dtype=np.intp)
    ends = zip(source[where].tolist(), target[where].tolist(), strict=True)
    named = [names[s] for s in where.tolist()]
    return [
        f"{ids[a]} → {ids[b]} ({name})" if name else f"{ids[a]} → {ids[b]}"
        for (a, b), name in zip(ends, named, strict=True)
    ]


def _coded(values: np.ndarray) -> Coded:
    distinct, codes = np.unique(values, return_inverse=True)
    return Coded([str(v) or None for v in distinct.tolist()], codes)


@dataclass
class RankColumns:
    """The numbers of one ranked list, per item (in the items' own order), with ``order`` the
    positions of the items as ranked; ``kinds[kind]`` names each item's kind, ``ends`` its
    node or service ends and ``label(where)`` makes the labels of some items."""

    order: np.ndarray
    importance: np.ndarray
    performance: np.ndarray
    gain: np.ndarray
    bound: np.ndarray
    failure: np.ndarray
    failure_bound: np.ndarray
    quadrant: np.ndarray
    cost: np.ndarray | None
    kinds: list[str]
    kind: np.ndarray
    ends: Ends
    label: Callable[[np.ndarray], list[str]]

    def records(self, count: int, scale: tuple[float, float]) -> Records | None:
        """The first ``count`` rows as :meth:`Row.to_dict` writes them, as columns; None when
        the rows do not all have the same fields (some with a cost, some without)."""
        lo, hi = scale
        span = hi - lo
        where = self.order[:count]
        cost = None if self.cost is None else self.cost[where]
        if cost is not None and np.isnan(cost).any() and not np.isnan(cost).all():
            return None
        gain, failure = self.gain[where], self.failure[where]
        performance = self.performance[where]
        bound, failure_bound = self.bound[where], self.failure_bound[where]
        columns = {
            "kind": Coded(self.kinds, self.kind[where]),
            "node": self.ends[where],
            "label": self.label(where),
            "importance": self.importance[where],
            "performance": performance,
            "score": lo + performance * span,
            "gain": gain,
            "gain_points": gain * span,
            "bound": bound,
            "bound_points": bound * span,
            "gain_exact": Coded(_FLAGS, ~np.isnan(gain)),
            "failure": failure,
            "failure_points": failure * span,
            "failure_bound": failure_bound,
            "failure_exact": Coded(_FLAGS, ~np.isnan(failure)),
            "quadrant": _coded(self.quadrant[where]),
        }
        if cost is not None and not np.isnan(cost).all():
            columns["cost"] = cost
            per = np.full(len(where), np.nan)
            ok = ~np.isnan(gain) & (cost > 0)
            per[ok] = gain[ok] * span / cost[ok] * 1e6
            columns["gain_points_per_million"] = per
        return Records(columns)


@dataclass
class TermColumns:
    """The terms of a breakdown, largest first: ``values``, and per term its kind
    (``kinds[kind]``), ``ends`` (node or service ends) and ``label(where)``."""

    values: np.ndarray
    kinds: list[str]
    kind: np.ndarray
    ends: Ends
    label: Callable[[np.ndarray], list[str]]

    def records(self, count: int, gap: float, span: float) -> Records:
        """The first ``count`` terms as :meth:`Term.to_dict` writes them, as columns."""
        values = self.values[:count]
        share = values / gap if gap > 0 else np.zeros(len(values))
        where = np.arange(len(values))
        return Records(
            {
                "kind": Coded(self.kinds, self.kind[:count]),
                "node": self.ends[:count],
                "label": self.label(where),
                "value": values,
                "points": values * span,
                "share_of_gap": share,
            }
        )
