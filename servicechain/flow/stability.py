"""How stable is a ranking? For each of its top items, the share of Monte Carlo draws in which it
stays in the top N, its gain's interval over the draws, and which neighbours are tied within
the noise (DESIGN section 3b).

In every draw (inputs drawn within the scale, :mod:`servicechain.flow.draws`) the gains are
exact, the cap included, and the draw's top N is certified as the ranking's is: every item gets
the linear bound of its gain at the draw's state (one batched adjoint solve), the items that
could enter some draw's top N are solved exactly (one batched solve per item, all draws at
once), and the walk stops when no other item's bound reaches the N-th exact gain of any draw.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np

from ..model.network import SEGMENT
from ..text import fmt_score, table, text_repr
from .draws import (
    BATCH_CELLS,
    Batch,
    Inputs,
    adjoint_batch,
    draw_inputs,
    solve_batch,
    solve_draws,
    uncertain_inputs,
)
from .sensitivity import segment_index
from .state import ZERO, State, state_of
from .uncertainty import DEFAULT_LEVEL

__all__ = [
    "DEFAULT_DRAWS",
    "RankedWithStability",
    "Stability",
    "Stable",
    "ranked_with_stability",
    "stability",
]

#: Draws of ``rank --uncertainty`` when ``--draws`` is not given.
DEFAULT_DRAWS = 500


@dataclass
class Stable:
    """One top item of a ranking: its exact gain today (0..1), the interval of its gain over
    the draws, and the share of draws in which it stays in the top N."""

    kind: str
    node: str | tuple[str, str]
    label: str
    gain: float
    low: float
    high: float
    stays: float

    def to_dict(self, span: float) -> dict:
        """Plain data; gains in points of the model's scale."""
        return {
            "kind": self.kind,
            "node": list(self.node) if isinstance(self.node, tuple) else self.node,
            "label": self.label,
            "gain_points": self.gain * span,
            "low_points": self.low * span,
            "high_points": self.high * span,
            "stays_in_top": self.stays,
        }


@dataclass
class Stability:
    """The stability of the top ``top`` departments (with partners) and services of a ranking
    by exact gain, over ``draws`` draws."""

    segment: str | None
    top: int
    draws: int
    seed: int
    level: float
    scale: tuple[float, float]
    departments: list[Stable]
    services: list[Stable]
    ties: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    inputs: int = 0

    def to_dict(self) -> dict:
        """Plain data, for ``--json``."""
        span = self.scale[1] - self.scale[0]
        return {
            "segment": self.segment,
            "top": self.top,
            "draws": self.draws,
            "seed": self.seed,
            "level": self.level,
            "uncertain_inputs": self.inputs,
            "departments": [s.to_dict(span) for s in self.departments],
            "services": [s.to_dict(span) for s in self.services],
            "tied_within_noise": {
                key: [[rows[a].label, rows[b].label] for a, b in pairs]
                for key, pairs in self.ties.items()
                for rows in [self.departments if key == "departments" else self.services]
            },
        }

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Text and an HTML table in Jupyter."""
        from ..display import result_bundle

        return result_bundle(self, "Stability of the priorities", include=include, exclude=exclude)

    __repr__ = text_repr

    def __str__(self) -> str:
        lo, hi = self.scale
        span = hi - lo
        pct = f"{self.level * 100:g}%"
        target = f"segment {self.segment!r}" if self.segment else "the company"
        lines = [
            f"How stable is the top {self.top} for {target}? {self.draws:,} draws (seed "
            f"{self.seed}) of the {self.inputs:,} scores with a quality_se:"
        ]
        for key, title, rows in (
            ("departments", "Departments", self.departments),
            ("services", "Services", self.services),
        ):
            if not rows:
                continue
            lines.append(f"{title}:")
            body = [["", "item", "gain", f"{pct} interval", f"stays in top {self.top}"]]
            for n, s in enumerate(rows, 1):
                body.append(
                    [
                        f"{n}.",
                        s.label,
                        fmt_score(s.gain * span, span),
                        f"{fmt_score(s.low * span, span)}..{fmt_score(s.high * span, span)}",
                        f"{s.stays * 100:.0f}%",
                    ]
                )
            lines += table(body, right=(0, 2, 3, 4))
            for a, b in self.ties.get(key, []):
                lines.append(
                    f"  {_short(rows[a].label)} and {_short(rows[b].label)}: tied within noise"
                )
        lines.append(
            f"  gain: exact gain if perfect, in points; {pct} interval and 'stays' over the draws,"
        )
        lines.append(
            "  each draw solved exactly with the cap; tied: the gains' difference changes sign "
            f"within the {pct} interval."
        )
        return "\n".join(lines)


def _short(label: str) -> str:
    """A ranking's label without the id in front: ``it (Informática)`` reads ``Informática``."""
    if label.endswith(")") and " (" in label and "→" not in label:
        return label[label.index(" (") + 2 : -1]
    return label


class _Gains:
    """Exact gains of single items in every drawn model, weighted by ``w``."""

    def __init__(self, state: State, inputs: Inputs, own, rating, w: np.ndarray):
        self.state, self.net, self.w = state, state.net, w
        q = solve_draws(state, inputs, own, rating)
        self.batch = Batch(state, inputs, own, rating, q)
        self.base = w @ q
        self.y = adjoint_batch(state, self.batch, w)
        self.p = self.batch.flows()

    def node_bounds(self, nodes: np.ndarray) -> np.ndarray:
        """Linear bounds of the gain of each node made perfect, per draw (items × draws)."""
        a = self.net.own_share[nodes, None]
        return self.y[nodes] * a * (1.0 - self.batch.b[nodes])

    def service_bounds(self, services: np.ndarray) -> np.ndarray:
        """Linear bounds of the gain of each service rated perfect, per draw."""
        net = self.net
        r = net.reliance[services, None]
        return self.y[net.target[services]] * r * (1.0 - self.p[services])

    def _gain(self, batch: Batch) -> np.ndarray:
        return self.w @ solve_batch(self.state, batch) - self.base

    def node_gain(self, i: int) -> np.ndarray:
        """Exact gain of node ``i`` made perfect, in every draw."""
        batch = copy.copy(self.batch)
        batch.c = self.batch.c.copy()
        batch.c[i] += self.net.own_share[i] * (1.0 - self.batch.b[i])
        return self._gain(batch)

    def service_gain(self, s: int) -> np.ndarray:
        """Exact gain of service ``s`` rated perfect (its supplier unchanged), in every draw."""
        net, batch = self.net, copy.copy(self.batch)
        zero = self.batch.supplied[s] <= ZERO
        batch.e = self.batch.e.copy()
        batch.e[s] = np.where(zero, 0.0, 1.0 / np.where(zero, 1.0, self.batch.supplied[s]))
        # A service whose supplier delivers nothing in a draw delivers its rating, held at 1.
        batch.c = self.batch.c.copy()
        held = np.where(self.batch.zero[s], self.batch.p[s], 0.0)
        batch.c[net.target[s]] += net.reliance[s] * (np.where(zero, 1.0, 0.0) - held)
        return self._gain(batch)


def _certified_top(bounds: np.ndarray, exact, top: int) -> np.ndarray:
    """Exact values (items × draws, nan where not solved) enough to know every draw's top
    ``top``: no item left unsolved has a bound above the ``top``-th exact value of any draw."""
    count, draws = bounds.shape
    values = np.full((count, draws), np.nan)
    solved = np.zeros(count, dtype=bool)
    order = np.argsort(-bounds.max(axis=1), kind="stable")
    todo = list(order[: top + 2])
    while todo:
        for i in todo:
            values[i] = exact(int(i))
            solved[i] = True
        known = np.where(solved[:, None], values, -np.inf)
        nth = -np.sort(-known, axis=0)[min(top, count) - 1]
        rest = np.where(solved[:, None], -np.inf, bounds)
        reach = (rest > nth[None, :] + 1e-15).any(axis=1)
        todo = [int(i) for i in order if reach[i]][: max(4, top)]
    return values


def _summarise(values, picks, top, level, describe) -> tuple[list[Stable], list]:
    """The top items' stability and the neighbours tied within the noise."""
    known = np.where(np.isnan(values), -np.inf, values)
    rank_in_draw = (-known).argsort(axis=0, kind="stable").argsort(axis=0, kind="stable")
    tail = (1.0 - level) / 2 * 100
    rows = []
    for i, gain in picks:
        low, high = np.percentile(values[i], [tail, 100 - tail])
        stays = float((rank_in_draw[i] < top).mean())
        kind, node, label = describe(i)
        rows.append(Stable(kind, node, label, gain, float(low), float(high), stays))
    ties = []
    for k in range(len(picks) - 1):
        a, b = picks[k][0], picks[k + 1][0]
        low, high = np.percentile(values[a] - values[b], [tail, 100 - tail])
        if low < 0 < high or (low == high == 0):
            ties.append((k, k + 1))
    return rows, ties


def stability(
    chain,
    ranking,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    level: float = DEFAULT_LEVEL,
) -> Stability:
    """Stability of the top rows of ``ranking`` (by exact gain) under the scores' standard
    errors: for each, the share of draws in which it stays in the top N.

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop",
    ...     "departments": [{"id": "a", "name": "A", "quality": 0.5, "quality_se": 0.01,
    ...                      "dependence": 0},
    ...                     {"id": "b", "name": "B", "quality": 0.9, "quality_se": 0.01,
    ...                      "dependence": 0}],
    ...     "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "client"}],
    ...     "services": [{"from": "a", "to": "s"}, {"from": "b", "to": "s"}]})
    >>> result = stability(chain, chain.rank(top=1), draws=200)
    >>> [(row.node, row.stays) for row in result.departments]
    [('a', 1.0)]
    """
    state = state_of(chain)
    net = state.net
    top = ranking.top or 10
    inputs = uncertain_inputs(state)
    segment = ranking.segment
    if segment is None:
        w = np.where(net.kind == SEGMENT, net.value, 0.0) / max(state.total_value, 1e-300)
    else:
        w = np.zeros(net.n)
        w[segment_index(net, segment)] = 1.0
    own, rating = draw_inputs(inputs, draws, seed)
    nodes = np.flatnonzero(net.kind != SEGMENT)
    at = {net.ids[i]: k for k, i in enumerate(nodes)}
    pairs = {(net.ids[net.source[s]], net.ids[net.target[s]]): s for s in range(net.m)}
    services = np.arange(net.m)
    lists = {
        "departments": (ranking.departments, at, np.full((len(nodes), draws), np.nan)),
        "services": (ranking.services, pairs, np.full((net.m, draws), np.nan)),
    }
    chunk = max(1, BATCH_CELLS // max(1, net.m, net.n))
    for start in range(0, draws, chunk):
        part = slice(start, min(draws, start + chunk))
        gains = _Gains(state, inputs, own[:, part], rating[:, part], w)
        for key, bounds, exact in (
            (
                "departments",
                gains.node_bounds(nodes),
                lambda i, g=gains: g.node_gain(int(nodes[i])),
            ),
            ("services", gains.service_bounds(services), gains.service_gain),
        ):
            if lists[key][2].shape[0] and len(lists[key][0]):
                lists[key][2][:, part] = _certified_top(bounds, exact, top)
    out, ties = {}, {}
    for key, (rows, where, values) in lists.items():
        shown = [row for row in rows[: min(top, len(rows))] if not math.isnan(row.gain)]
        picks = [(where[row.node], row.gain) for row in shown]
        describe = {where[row.node]: (row.kind, row.node, row.label) for row in shown}
        out[key], ties[key] = _summarise(values, picks, top, level, describe.__getitem__)
    return Stability(
        segment=segment,
        top=top,
        draws=draws,
        seed=seed,
        level=level,
        scale=(net.scale.min, net.scale.max),
        departments=out["departments"],
        services=out["services"],
        ties=ties,
        inputs=inputs.count,
    )


@dataclass
class RankedWithStability:
    """A ranking by exact gain and the stability of its top rows."""

    ranking: object
    stability: Stability

    def to_dict(self) -> dict:
        """The ranking's plain data with its ``stability``."""
        return {**self.ranking.to_dict(), "stability": self.stability.to_dict()}

    __repr__ = text_repr

    def __str__(self) -> str:
        return f"{self.ranking}\n{self.stability}"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Text and an HTML table in Jupyter."""
        from ..display import result_bundle

        return result_bundle(
            self, "Priorities and their stability", include=include, exclude=exclude
        )


def ranked_with_stability(
    chain,
    *,
    segment: str | None = None,
    top: int = 10,
    level: float = DEFAULT_LEVEL,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
) -> RankedWithStability:
    """The top ``top`` priorities by exact gain and how stable they are (see :func:`stability`).

    Examples
    --------
    >>> result = ranked_with_stability(shop, top=1, draws=50)
    >>> [(row.node, row.stays) for row in result.stability.departments]
    [('it', 1.0)]
    """
    from .rank import rank

    ranking = rank(chain, segment=segment, top=top)
    return RankedWithStability(
        ranking, stability(chain, ranking, draws=draws, seed=seed, level=level)
    )
