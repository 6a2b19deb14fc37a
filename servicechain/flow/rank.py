"""Priorities: importance, performance, opportunity, quadrant and failure impact of every
department and service."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import ServiceChainError, did_you_mean
from ..model.lazy import LazyList
from ..model.network import DEPARTMENT
from ..model.text import text_repr
from ._text import fmt_score, table
from .sensitivity import segment_index
from .state import ZERO, State, state_of

__all__ = ["BY", "QUADRANTS", "TEXT_ROWS", "Ranking", "Row", "failure_drop", "rank"]

BY = ("opportunity", "importance", "failure")
#: Failure drops of departments are left out (nan) unless ranking ``by="failure"`` when the
#: largest loop of departments has more members than this.
FAILURE_MAX_LOOP = 300
#: Quadrant names: (high importance, high performance) → name.
QUADRANTS = {
    (True, False): "concentrate here",
    (True, True): "keep up the good work",
    (False, False): "low priority",
    (False, True): "possible overkill",
}
#: Without ``top``, the text of a ranking lists at most this many rows of each list.
TEXT_ROWS = 100


@dataclass
class Row:
    """One department (``node`` an id) or service (``node`` a ``(source, target)`` pair).

    ``importance`` is dQ/d(own quality or rating) of the external quality (0..1 per 0..1),
    ``performance`` the own quality or rating (0..1), ``opportunity`` importance × (1 −
    performance), ``failure`` the drop of external quality (0..1) if it delivered nothing.
    """

    kind: str
    node: str | tuple[str, str]
    label: str
    importance: float
    performance: float
    opportunity: float
    failure: float
    quadrant: str = ""

    def to_dict(self, scale: tuple[float, float] = (0.0, 1.0)) -> dict:
        """Plain data; ``*_points`` are on the model's scale."""
        lo, hi = scale
        span = hi - lo
        return {
            "kind": self.kind,
            "node": list(self.node) if isinstance(self.node, tuple) else self.node,
            "label": self.label,
            "importance": self.importance,
            "performance": self.performance,
            "score": lo + self.performance * span,
            "opportunity": self.opportunity,
            "opportunity_points": self.opportunity * span,
            "failure": None if np.isnan(self.failure) else self.failure,
            "failure_points": None if np.isnan(self.failure) else self.failure * span,
            "quadrant": self.quadrant,
        }


@dataclass
class Ranking:
    """Departments and services ranked by ``by``, for one segment or the company.

    ``departments`` and ``services`` are lists whose :class:`Row` objects are made when looked
    at (the numbers stay in arrays until then).
    """

    segment: str | None
    by: str
    departments: Sequence[Row]
    services: Sequence[Row]
    scale: tuple[float, float] = (0.0, 1.0)
    top: int | None = None
    extra: dict = field(default_factory=dict)

    def shown(self, rows: Sequence[Row]) -> list[Row]:
        """The first ``top`` rows (all without ``top``)."""
        return list(rows) if self.top is None else rows[: self.top]

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Text and an HTML table in Jupyter."""
        from ..display import result_bundle

        return result_bundle(self, "Priorities", include=include, exclude=exclude)

    def to_dict(self) -> dict:
        """Plain data."""
        return {
            "segment": self.segment,
            "by": self.by,
            "scale": {"min": self.scale[0], "max": self.scale[1]},
            "departments": [r.to_dict(self.scale) for r in self.shown(self.departments)],
            "services": [r.to_dict(self.scale) for r in self.shown(self.services)],
        }

    __repr__ = text_repr

    def __str__(self) -> str:
        lo, hi = self.scale
        span = hi - lo
        target = f"segment {self.segment!r}" if self.segment else "the company (value-weighted)"
        lines = [f"Priorities for {target}, by {self.by} (scale {lo:g}..{hi:g})"]
        for title, rows in (("Departments", self.departments), ("Services", self.services)):
            lines.append(f"{title}:")
            body = [
                [
                    "",
                    title[:-1].lower(),
                    "importance",
                    "score",
                    "opportunity",
                    "failure",
                    "quadrant",
                ]
            ]
            shown = rows[: min(len(rows), TEXT_ROWS) if self.top is None else self.top]
            for n, row in enumerate(shown, 1):
                body.append(
                    [
                        f"{n}.",
                        row.label,
                        f"{row.importance:.3f}",
                        fmt_score(lo + row.performance * span, span),
                        fmt_score(row.opportunity * span, span),
                        fmt_score(row.failure * span, span),
                        row.quadrant,
                    ]
                )
            lines += table(body, right=(0, 2, 3, 4, 5))
            hidden = len(rows) - len(shown)
            if hidden:
                lines.append(f"  ... {hidden} more")
        lines.append("  importance: gain per unit of own quality or rating (0..1 per 0..1);")
        lines.append("  opportunity: gain if perfect; failure: drop if it delivered nothing.")
        return "\n".join(lines)


def failure_drop(state: State, nodes: np.ndarray, row: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Exact drop of ``w @ Q`` when each of ``nodes`` in turn delivers 0.

    ``Q' = Q - Q_d L[:,d] / L[d,d]``, so the drop is ``Q_d (w^T L)_d / L[d,d]`` with ``row``
    holding ``w^T L``; ``L[d,d]`` comes from each node's strongly connected block, so nothing
    is re-solved per node. A node delivering 0 today whose services keep a constant rating is
    re-solved instead (its failure moves those ratings, not its quality).
    """
    from .scenario import Scenario
    from .whatif import solve_scenario

    nodes = np.asarray(nodes, dtype=int)
    q = state.quality[nodes]
    drop = q * row[nodes] / state.diagonal(nodes)
    for pos, d in enumerate(nodes):
        if q[pos] <= ZERO and (state.constant & (state.net.source == d)).any():
            after = solve_scenario(state, Scenario(fail=[int(d)]))
            drop[pos] = float(w @ (state.quality - after))
    return drop


def rank(
    chain, *, segment: str | None = None, by: str = "opportunity", top: int | None = None
) -> Ranking:
    """Rank departments and services by opportunity, importance or failure impact.

    Parameters
    ----------
    chain : Chain
    segment : str, optional
        Rank for one segment instead of the value-weighted company.
    by : {"opportunity", "importance", "failure"}
    top : int, optional
        Keep only the first ``top`` rows of each list for display.

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop",
    ...     "departments": [{"id": "it", "name": "IT", "quality": 0.6, "dependence": 0},
    ...                     {"id": "store", "name": "Store", "quality": 0.9}],
    ...     "segments": [{"id": "walkin", "name": "Walk-in", "kind": "consumer",
    ...                   "relationship": "customer"}],
    ...     "services": [{"from": "it", "to": "store", "quality": 0.5},
    ...                  {"from": "store", "to": "walkin"}]})
    >>> r = rank(chain)
    >>> [(row.node, round(row.opportunity, 6), round(row.failure, 6)) for row in r.departments]
    [('it', 0.166667, 0.25), ('store', 0.05, 0.7)]
    """
    if by not in BY:
        hint = did_you_mean(by, BY, what="ranking")
        raise ServiceChainError(f"cannot rank by {by!r}; {hint}")
    state = state_of(chain)
    net = state.net
    k = None if segment is None else segment_index(net, segment)
    y = state.weights_for(k)
    if k is None:
        w = net.value / state.total_value if state.total_value > 0 else np.zeros(net.n)
    else:
        w = np.zeros(net.n)
        w[k] = 1.0
    deps = np.flatnonzero(net.kind == DEPARTMENT)
    imp = y[deps] * net.own_share[deps]
    perf = net.own_filled[deps]
    # L[d,d] needs one solve per member of a loop: skipped for large loops unless asked for.
    if by == "failure" or state.largest_loop <= FAILURE_MAX_LOOP:
        fail = failure_drop(state, deps, y, w)
    else:
        fail = np.full(len(deps), np.nan)
    ids, labels = net.ids, net.names
    departments = _rows(
        by,
        imp,
        perf,
        imp * (1 - perf),
        fail,
        lambda i: ("department", ids[deps[i]], f"{ids[deps[i]]} ({labels[deps[i]]})"),
    )
    simp = y[net.target] * net.reliance
    sperf = state.service_quality
    # A service delivering 0 (rating to 0, supplier unchanged) is linear in its rating: exact.
    sfail = simp * sperf
    names = net.service_names or [""] * net.m

    def service(j: int) -> tuple[str, tuple[str, str], str]:
        a, b = ids[net.source[j]], ids[net.target[j]]
        return "service", (a, b), f"{a} → {b}" + (f" ({names[j]})" if names[j] else "")

    services = _rows(by, simp, sperf, simp * (1 - sperf), sfail, service)
    return Ranking(
        segment=segment,
        by=by,
        departments=departments,
        services=services,
        scale=(net.scale.min, net.scale.max),
        top=top,
    )


def _rows(by: str, imp, perf, opp, fail, describe) -> LazyList:
    """Rows sorted by ``by`` (largest first, ties in file order), made when looked at;
    ``describe(i)`` gives ``(kind, node, label)`` of item ``i``."""
    columns = {"importance": imp, "opportunity": opp, "failure": fail}
    order = np.argsort(-columns[by], kind="stable")
    if len(imp):
        high_imp, high_perf = imp >= np.mean(imp), perf >= np.mean(perf)
    else:
        high_imp = high_perf = np.zeros(0, dtype=bool)

    def row(pos: int) -> Row:
        i = int(order[pos])
        kind, node, label = describe(i)
        quadrant = QUADRANTS[(bool(high_imp[i]), bool(high_perf[i]))]
        return Row(
            kind,
            node,
            label,
            float(imp[i]),
            float(perf[i]),
            float(opp[i]),
            float(fail[i]),
            quadrant,
        )

    return LazyList(len(order), row)
