"""How sure is a segment's gap breakdown? The gap's and every shown term's interval by the
delta method with the exact gradients (:mod:`servicechain.flow.delta`), and with draws a Monte
Carlo check: each term over drawn models, each traced exactly."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from ..text import fmt_score, percent, table, text_repr
from .delta import term_deltas
from .draws import draw_inputs, drawn_scores, uncertain_inputs
from .explain import Breakdown, explain, term_values
from .sensitivity import segment_index
from .state import State, state_of
from .uncertainty import DEFAULT_LEVEL, data_operator, delta_rows, z_value

__all__ = ["EXPLAIN_DRAWS", "GapIntervals", "explain_intervals"]

#: Draws of ``explain --uncertainty`` when ``--draws`` is not given: none (the delta method).
EXPLAIN_DRAWS = 0
#: Marks a term whose value or rule may change within the noise.
KINK = "~"


@dataclass
class GapIntervals:
    """A breakdown with the standard error and interval of its gap and of each shown term (the
    delta method), and each shown term's interval over ``draws`` drawn models (the Monte
    Carlo, when ``draws`` > 0), all on 0..1."""

    breakdown: Breakdown
    level: float
    gap_se: float
    se: np.ndarray
    kink: np.ndarray
    mc_low: np.ndarray
    mc_high: np.ndarray
    draws: int
    seed: int
    inputs: int

    @property
    def low(self) -> np.ndarray:
        """Lower ends of the shown terms' delta-method intervals (at least 0 for tracing)."""
        values = np.array([t.value for t in self.breakdown.shown()])
        low = values - z_value(self.level) * self.se
        return np.maximum(low, 0.0) if self.breakdown.method == "tracing" else low

    @property
    def high(self) -> np.ndarray:
        """Upper ends of the shown terms' delta-method intervals."""
        values = np.array([t.value for t in self.breakdown.shown()])
        return values + z_value(self.level) * self.se

    def to_dict(self) -> dict:
        """The breakdown's plain data; each shown term with its ``se_points``, delta-method
        ``low_points``/``high_points``, ``kink`` and, with draws, its ``monte_carlo``."""
        data = self.breakdown.to_dict()
        span = self.breakdown.scale[1] - self.breakdown.scale[0]
        z = z_value(self.level)
        for t, term in enumerate(data["terms"][: len(self.se)]):
            term["se_points"] = float(self.se[t]) * span
            term["low_points"] = float(self.low[t]) * span
            term["high_points"] = float(self.high[t]) * span
            term["kink"] = bool(self.kink[t])
            if self.draws:
                term["monte_carlo"] = {
                    "low_points": float(self.mc_low[t]) * span,
                    "high_points": float(self.mc_high[t]) * span,
                }
        data["uncertainty"] = {
            "level": self.level,
            "method": "delta method with the exact gradients (inputs independent)",
            "gap_se_points": self.gap_se * span,
            "gap_low_points": max(0.0, self.breakdown.gap - z * self.gap_se) * span,
            "gap_high_points": min(1.0, self.breakdown.gap + z * self.gap_se) * span,
            "monte_carlo": None if not self.draws else {"draws": self.draws, "seed": self.seed},
            "uncertain_inputs": self.inputs,
        }
        return data

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Text and an HTML table in Jupyter."""
        from ..display import result_bundle

        return result_bundle(self, "Gap breakdown with intervals", include=include, exclude=exclude)

    __repr__ = text_repr

    def __str__(self) -> str:
        b = self.breakdown
        lo, hi = b.scale
        span = hi - lo
        pct = f"{self.level * 100:g}%"
        z = z_value(self.level)
        q_low = max(0.0, b.quality - z * self.gap_se)
        q_high = min(1.0, b.quality + z * self.gap_se)
        lines = [
            f"{b.name} ({b.segment}): {fmt_score(lo + b.quality * span, span)} on {lo:g}..{hi:g} "
            f"({pct} interval {fmt_score(lo + q_low * span, span)}.."
            f"{fmt_score(lo + q_high * span, span)}), gap to a perfect {hi:g}: "
            f"{fmt_score(b.gap * span, span)}"
        ]

        def interval(low: float, high: float) -> str:
            return f"{fmt_score(low * span, span)}..{fmt_score(high * span, span)}"

        head = ["", "where", "points", "± se", f"{pct} interval"]
        if self.draws:
            head.append("Monte Carlo")
        rows = [[*head, "share"]]
        low, high = self.low, self.high
        for t, term in enumerate(b.shown()):
            row = [
                term.kind,
                term.label,
                fmt_score(term.value * span, span),
                fmt_score(float(self.se[t]) * span, span),
                interval(float(low[t]), float(high[t])) + (KINK if self.kink[t] else ""),
            ]
            if self.draws:
                row.append(interval(float(self.mc_low[t]), float(self.mc_high[t])))
            rows.append([*row, percent(term.share_of_gap)])
        lines += table(rows, right=tuple(range(2, len(head) + 1)))
        hidden = len(b.terms) - (len(rows) - 1)
        if hidden > 0:
            lines.append(f"  ... and {hidden:,} smaller terms (--json lists them all)")
        lines.append(
            f"  ± se, {pct} interval: delta method with the exact gradients of the gap and of each "
            f"term, from the {self.inputs:,} scores with a quality_se (inputs independent)."
        )
        if self.kink.any():
            lines.append(
                f"  {KINK}: the term may change its rule within the noise (a hand-off rated "
                "within its error of what its supplier delivers, or a loss that may be 0): "
                "the delta method is one-sided there"
                + ("; the Monte Carlo is the check." if self.draws else "; add --draws to check.")
            )
        if self.draws:
            lines.append(
                f"  Monte Carlo: {self.draws:,} draws (seed {self.seed}) of those scores within "
                "the scale, each drawn model traced exactly."
            )
        return "\n".join(lines)


def explain_intervals(
    chain,
    segment: str,
    *,
    level: float = DEFAULT_LEVEL,
    draws: int = EXPLAIN_DRAWS,
    seed: int = 0,
    top: int | None = None,
    method: str = "tracing",
) -> GapIntervals:
    """The breakdown of ``segment``'s gap with intervals: the gap's and each shown term's by the
    delta method with the exact gradients, and with ``draws`` each shown term's over that many
    drawn models, each traced exactly (the Monte Carlo check).

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop",
    ...     "departments": [{"id": "a", "name": "A", "quality": 0.6, "quality_se": 0.05,
    ...                      "dependence": 0}],
    ...     "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "client"}],
    ...     "services": [{"from": "a", "to": "s"}]})
    >>> result = explain_intervals(chain, "s", draws=200)
    >>> round(result.gap_se, 3), result.breakdown.terms[0].node, round(float(result.se[0]), 3)
    (0.05, 'a', 0.05)
    """
    breakdown = explain(chain, segment, top=top, method=method)
    state = state_of(chain)
    net = state.net
    k = segment_index(net, segment)
    inputs = uncertain_inputs(state)
    op = data_operator(state)
    unit = np.zeros(net.n)
    unit[k] = 1.0
    gap_se = math.sqrt(float(delta_rows(state, inputs, op.solve(unit, transpose=True))[0]))
    shown = breakdown.shown()
    pairs = {(net.ids[net.source[s]], net.ids[net.target[s]]): s for s in range(net.m)}
    where = [
        ("service", pairs[t.node]) if t.kind == "service" else ("node", net.index[t.node])
        for t in shown
    ]
    z = z_value(level)
    delta = term_deltas(state, inputs, k, where, method=method, z=z)
    values = np.empty((len(shown), draws))
    own, rating = draw_inputs(inputs, draws, seed)
    b, p = drawn_scores(state, inputs, own, rating)
    missing = np.isnan(net.own)
    for d in range(draws):
        drawn = dataclasses.replace(net, own=np.where(missing, np.nan, b[:, d]), rating=p[:, d])
        node_terms, service_terms = term_values(State(drawn), k, method)
        for t, (kind, i) in enumerate(where):
            values[t, d] = service_terms[i] if kind == "service" else node_terms[i]
    tail = (1.0 - level) / 2 * 100
    if draws and len(shown):
        low, high = np.percentile(values, [tail, 100 - tail], axis=1)
    else:
        low = high = np.full(len(shown), np.nan)
    return GapIntervals(
        breakdown, level, gap_se, delta.se, delta.kink, low, high, draws, seed, inputs.count
    )
