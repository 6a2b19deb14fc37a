"""The rows of a ranking and the terms of a gap breakdown as columns, for the JSON that
``--json`` streams (the same fields and values as their ``to_dict()``, no dict per row)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..model.records import Coded, Ends, Joined, Records

if TYPE_CHECKING:
    from ..model.network import Network

__all__ = [
    "OUTSIDE",
    "RankColumns",
    "TermColumns",
    "labels",
    "name_suffixes",
    "service_labels",
    "term_labels",
]

_FLAGS = [False, True]
#: How a segment's own term reads: the part of its satisfaction that does not ride on the chain.
OUTSIDE = "outside the chain (price, product ...)"


def labels(ids: list[str], names: list[str], where: np.ndarray) -> Joined:
    """``"id (name)"`` of the nodes ``where``, as a column made of their ids and names.

    Examples
    --------
    >>> labels(["it", "hr"], ["IT", "People"], np.array([1])).tolist()
    ['hr (People)']
    """
    where = np.asarray(where, dtype=np.intp)
    same = np.zeros(len(where), dtype=np.intp)
    return Joined([Coded(ids, where), Coded([" ("], same), Coded(names, where), Coded([")"], same)])


def service_labels(ids: list[str], source, target, names: list[str], where) -> Joined:
    """``"a → b (name)"`` of the services ``where`` (without the name when it is empty), as a
    column made of their ends' ids and their names.

    Examples
    --------
    >>> service_labels(["it", "hr"], np.array([0, 1]), np.array([1, 0]), ["Payroll", ""],
    ...     np.array([0, 1])).tolist()
    ['it → hr (Payroll)', 'hr → it']
    """
    where = np.asarray(where, dtype=np.intp)
    return Joined(
        [
            Coded(ids, source[where]),
            Coded([" → "], np.zeros(len(where), dtype=np.intp)),
            Coded(ids, target[where]),
            name_suffixes(names, where),
        ]
    )


def term_labels(net: Network, kind: np.ndarray, node: np.ndarray, service: np.ndarray) -> Joined:
    """The labels of the terms of a gap breakdown, as a column: per term, by ``kind``, a
    node's ``"id (name)"`` (0: ``node``), the segment's part from outside the chain (1) or a
    service's ``"a → b (name)"`` (2: ``service``), as :func:`labels` and
    :func:`service_labels` write them.

    Examples
    --------
    >>> from servicechain.flow.state import state_of
    >>> net = state_of(shop).net
    >>> term_labels(net, np.array([0, 1, 2]), np.array([0, 2, 0]), np.array([0, 0, 0])).tolist()
    ['it (IT)', 'outside the chain (price, product ...)', 'it → store']
    """
    n = net.n
    kind = np.asarray(kind, dtype=np.intp)
    node, service = np.asarray(node, dtype=np.intp), np.asarray(service, dtype=np.intp)
    own, services = kind == 0, np.flatnonzero(kind == 2)
    # One table of ids, names, the outside part and nothing, for the parts before and after
    # the arrow or the bracket (so each id is encoded once).
    first, second = np.where(own, node, 2 * n), np.where(own, n + node, 2 * n + 1)
    first[services] = net.source[service[services]]
    second[services] = net.target[service[services]]
    names = name_suffixes(net.service_names or [""] * net.m, service[services])
    last = np.where(own, len(names.values), len(names.values) + 1)
    last[services] = names.codes
    texts = [*net.ids, *net.names, OUTSIDE, ""]
    return Joined(
        [
            Coded(texts, first),
            Coded([" (", "", " → "], kind),
            Coded(texts, second),
            Coded([*names.values, ")", ""], last),
        ]
    )


def name_suffixes(names: list[str], where: np.ndarray) -> Coded:
    """``" (name)"`` of each of the services ``where``, nothing for one without a name, as a
    column that holds each distinct name once.

    Many services are coded by one pass over every name, in order (then each name is looked
    at where it lies, one after the other), a few by a pass over theirs.

    Examples
    --------
    >>> suffixes = name_suffixes(["Payroll", "", "Payroll"], np.array([2, 1, 0]))
    >>> suffixes.values, suffixes.codes.tolist()
    ([' (Payroll)', ''], [0, 1, 0])
    """
    where = np.asarray(where, dtype=np.intp)
    every = 8 * len(where) >= len(names)
    picked = names if every else list(map(names.__getitem__, where.tolist()))
    distinct = {name: k for k, name in enumerate(dict.fromkeys(picked))}
    codes = np.fromiter(map(distinct.__getitem__, picked), dtype=np.intp, count=len(picked))
    return Coded(
        [f" ({name})" if name else "" for name in distinct], codes[where] if every else codes
    )


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
    label: Callable[[np.ndarray], Joined]

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
    label: Callable[[np.ndarray], Joined]

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
