"""How sure is a segment's gap breakdown? The gap's interval by the delta method, and each
term's interval over Monte Carlo draws of the scores (each drawn model traced exactly)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from ..text import fmt_score, percent, table, text_repr
from .draws import draw_inputs, drawn_scores, uncertain_inputs
from .explain import Breakdown, explain, term_values
from .sensitivity import segment_index
from .state import State, state_of
from .uncertainty import DEFAULT_LEVEL, data_operator, delta_rows, z_value

__all__ = ["EXPLAIN_DRAWS", "GapIntervals", "explain_intervals"]

#: Draws of ``explain --uncertainty`` when ``--draws`` is not given.
EXPLAIN_DRAWS = 500


@dataclass
class GapIntervals:
    """A breakdown with the interval of its gap (delta method) and of each shown term (the
    draws' percentiles), all on 0..1."""

    breakdown: Breakdown
    level: float
    gap_se: float
    low: np.ndarray
    high: np.ndarray
    draws: int
    seed: int
    inputs: int

    def to_dict(self) -> dict:
        """The breakdown's plain data with each shown term's ``low_points``/``high_points``."""
        data = self.breakdown.to_dict()
        span = self.breakdown.scale[1] - self.breakdown.scale[0]
        z = z_value(self.level)
        for term, low, high in zip(data["terms"], self.low, self.high, strict=False):
            term["low_points"], term["high_points"] = low * span, high * span
        data["uncertainty"] = {
            "level": self.level,
            "gap_se_points": self.gap_se * span,
            "gap_low_points": max(0.0, self.breakdown.gap - z * self.gap_se) * span,
            "gap_high_points": min(1.0, self.breakdown.gap + z * self.gap_se) * span,
            "draws": self.draws,
            "seed": self.seed,
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
        kinds = {"own": "own", "outside": "outside", "service": "service"}
        rows = [["", "where", "points", f"{pct} interval", "share"]]
        for term, low, high in zip(b.shown(), self.low, self.high, strict=False):
            rows.append(
                [
                    kinds[term.kind],
                    term.label,
                    fmt_score(term.value * span, span),
                    f"{fmt_score(low * span, span)}..{fmt_score(high * span, span)}",
                    percent(term.share_of_gap),
                ]
            )
        lines += table(rows, right=(2, 3, 4))
        hidden = len(b.terms) - (len(rows) - 1)
        if hidden > 0:
            lines.append(f"  ... and {hidden:,} smaller terms (--json lists them all)")
        lines.append(
            f"  {pct} interval: the gap's by the delta method; each term's over {self.draws:,} "
            f"draws (seed {self.seed}) of the {self.inputs:,} scores with a quality_se, each "
            "drawn model traced exactly."
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
    """The breakdown of ``segment``'s gap with intervals: the gap's by the delta method, each
    shown term's over ``draws`` drawn models.

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop",
    ...     "departments": [{"id": "a", "name": "A", "quality": 0.6, "quality_se": 0.05,
    ...                      "dependence": 0}],
    ...     "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "client"}],
    ...     "services": [{"from": "a", "to": "s"}]})
    >>> result = explain_intervals(chain, "s", draws=200)
    >>> round(result.gap_se, 3), result.breakdown.terms[0].node
    (0.05, 'a')
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
        low = high = np.array([t.value for t in shown])
    return GapIntervals(breakdown, level, gap_se, low, high, draws, seed, inputs.count)
