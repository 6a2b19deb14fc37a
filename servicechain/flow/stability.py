"""How stable is a ranking? For each of its top items, the share of Monte Carlo draws in which it
stays in the top N, its gain's interval over the draws, and which neighbours are tied within
the noise (DESIGN section 3b).

In every draw (inputs drawn within the scale, :mod:`servicechain.flow.draws`) the gains are
exact, the cap included, and the draw's top N is certified as the ranking's is
(:mod:`servicechain.flow.drawn_gains`). Each top item's gain also gets its delta-method
standard error from the exact gradient (:mod:`servicechain.flow.delta`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..model.network import SEGMENT
from ..text import fmt_score, table, text_repr
from .delta import company_weights, gain_deltas
from .drawn_gains import DrawnGains, certified_top
from .draws import BATCH_CELLS, draw_inputs, uncertain_inputs
from .sensitivity import segment_index
from .state import state_of
from .uncertainty import DEFAULT_LEVEL, z_value

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
#: Marks a gain whose what-if takes a hand-off to the top of the scale.
CAPPED = "†"


@dataclass
class Stable:
    """One top item of a ranking: its exact gain today (0..1) with its delta-method standard
    error and interval (``capped``: its what-if takes a hand-off to the top of the scale, so the
    delta method holds that cap), the interval of its gain over the draws (``mc_low``,
    ``mc_high``; ``values``: the gain in each draw), and the share of draws in which it stays
    in the top N."""

    kind: str
    node: str | tuple[str, str]
    label: str
    gain: float
    se: float
    low: float
    high: float
    mc_low: float
    mc_high: float
    stays: float
    capped: bool = False
    #: The exact gain in each draw (0..1).
    values: np.ndarray | None = field(default=None, repr=False, compare=False)

    def to_dict(self, span: float) -> dict:
        """Plain data; gains in points of the model's scale."""
        return {
            "kind": self.kind,
            "node": list(self.node) if isinstance(self.node, tuple) else self.node,
            "label": self.label,
            "gain_points": self.gain * span,
            "se_points": self.se * span,
            "low_points": self.low * span,
            "high_points": self.high * span,
            "cap_binds": self.capped,
            "monte_carlo": {"low_points": self.mc_low * span, "high_points": self.mc_high * span},
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
    #: The largest exact gain of each list in each draw (certified: every item that could beat
    #: it was solved in that draw).
    best: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

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
            head = ["", "item", "gain", "± se", f"{pct} interval", "Monte Carlo"]
            body = [[*head, f"stays in top {self.top}"]]
            for n, s in enumerate(rows, 1):
                body.append(
                    [
                        f"{n}.",
                        s.label,
                        fmt_score(s.gain * span, span),
                        fmt_score(s.se * span, span),
                        f"{fmt_score(s.low * span, span)}..{fmt_score(s.high * span, span)}"
                        + (CAPPED if s.capped else ""),
                        f"{fmt_score(s.mc_low * span, span)}..{fmt_score(s.mc_high * span, span)}",
                        f"{s.stays * 100:.0f}%",
                    ]
                )
            lines += table(body, right=(0, 2, 3, 4, 5, 6))
            for a, b in self.ties.get(key, []):
                lines.append(
                    f"  {_short(rows[a].label)} and {_short(rows[b].label)}: tied within noise"
                )
        lines.append(
            f"  gain: exact gain if perfect, in points; ± se and {pct} interval: delta method "
            "with the exact gradients;"
        )
        if any(s.capped for s in [*self.departments, *self.services]):
            lines.append(
                f"  {CAPPED}: its what-if takes a hand-off to the top of the scale; the delta "
                "method holds that hand-off there (the Monte Carlo is the check);"
            )
        lines.append(
            "  Monte Carlo and 'stays' over the draws, each draw solved exactly with the cap;"
        )
        lines.append(
            f"  tied: the gains' difference changes sign within its {pct} interval over the draws."
        )
        return "\n".join(lines)


def _short(label: str) -> str:
    """A ranking's label without the id in front: ``it (Informática)`` reads ``Informática``."""
    if label.endswith(")") and " (" in label and "→" not in label:
        return label[label.index(" (") + 2 : -1]
    return label


def _summarise(values, picks, top, level, describe, delta) -> tuple[list[Stable], list]:
    """The top items' stability (with their delta-method standard errors ``delta``) and the
    neighbours tied within the noise."""
    known = np.where(np.isnan(values), -np.inf, values)
    tail = (1.0 - level) / 2 * 100
    z = z_value(level)
    rows = []
    for t, (i, gain) in enumerate(picks):
        low, high = np.percentile(values[i], [tail, 100 - tail])
        # in the top N of a draw: fewer than N items ahead of it (the earlier row on a tie)
        ahead = (known > known[i]).sum(axis=0) + (known[:i] == known[i]).sum(axis=0)
        stays = float((ahead < top).mean())
        kind, node, label = describe(i)
        se = float(delta.se[t])
        rows.append(
            Stable(
                kind,
                node,
                label,
                gain,
                se,
                max(0.0, gain - z * se),
                gain + z * se,
                float(low),
                float(high),
                stays,
                bool(delta.capped[t]),
                values[i].copy(),
            )
        )
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
    w = company_weights(state, None if segment is None else segment_index(net, segment))
    own, rating = draw_inputs(inputs, draws, seed)
    nodes = np.flatnonzero(net.kind != SEGMENT)
    at = {net.ids[i]: k for k, i in enumerate(nodes)}
    pairs = {(net.ids[net.source[s]], net.ids[net.target[s]]): s for s in range(net.m)}
    services = np.arange(net.m)
    lists = {
        "departments": (ranking.departments, at, np.full((len(nodes), draws), np.nan)),
        "services": (ranking.services, pairs, np.full((net.m, draws), np.nan)),
    }
    shown = {
        key: [row for row in rows[: min(top, len(rows))] if not math.isnan(row.gain)]
        for key, (rows, _, _) in lists.items()
    }
    must = {key: [lists[key][1][row.node] for row in shown[key]] for key in lists}
    chunk = max(1, BATCH_CELLS // max(1, net.m, net.n))
    for start in range(0, draws, chunk):
        part = slice(start, min(draws, start + chunk))
        gains = DrawnGains(state, inputs, own[:, part], rating[:, part], w)
        for key, bounds, exact in (
            (
                "departments",
                gains.node_bounds(nodes),
                lambda i, cols, g=gains: g.node_gain(int(nodes[i]), cols),
            ),
            ("services", gains.service_bounds(services), gains.service_gain),
        ):
            if lists[key][2].shape[0] and len(lists[key][0]):
                lists[key][2][:, part] = certified_top(bounds, exact, top, must[key])
    out, ties, best = {}, {}, {}
    for key, (_, where, values) in lists.items():
        picks = [(where[row.node], row.gain) for row in shown[key]]
        describe = {where[row.node]: (row.kind, row.node, row.label) for row in shown[key]}
        items = [
            ("node", int(nodes[i])) if key == "departments" else ("service", int(i))
            for i, _ in picks
        ]
        delta = gain_deltas(state, inputs, w, items)
        out[key], ties[key] = _summarise(values, picks, top, level, describe.__getitem__, delta)
        if values.shape[0]:
            best[key] = np.where(np.isnan(values), -np.inf, values).max(axis=0)
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
        best=best,
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
