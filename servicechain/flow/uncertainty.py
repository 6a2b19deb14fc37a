"""How sure are we? Intervals of every delivered quality from the standard errors of the scores
(DESIGN section 3b): the delta method with the exact sensitivities, and a seeded Monte Carlo.

A delivered quality is computed from the data: ``Q = a b + sum_rated r P + sum_unrated r Q_j``,
linear in the scores, so a survey's error in a score reaches ``Q`` through the exact
sensitivities of that map: ``dQ_k/db_i = L0[k, i] a_i`` and ``dQ_k/dP_ji = L0[k, i] r_ji`` with
``L0 = (I - A0)^-1``, ``A0`` holding the unrated services only (a rated hand-off was measured
itself, so an error in its supplier's own score does not pass through it). With the inputs
independent, ``var Q_k = sum_i (dQ_k/dx_i)^2 se_i^2``: the rows of ``L0`` are solved for the
segments (one batched adjoint solve) and, on models of up to ``ALL_ROWS_MAX`` nodes, for every
node; the company's is the value-weighted row. Intervals are ``Q ± z se``, kept within the scale.

The Monte Carlo (:mod:`servicechain.flow.draws`) draws every uncertain score within the scale
and solves each drawn model exactly; intervals are the draws' percentiles. The what-ifs of the
drawn models (gains, the cap included) give the stability of a ranking
(:mod:`servicechain.flow.stability`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..model.network import KIND_NAMES, SEGMENT
from ..text import fmt_score, table, text_repr
from .draws import Inputs, data_operator, draw_inputs, solve_draws, uncertain_inputs
from .state import NO_SEGMENTS, State, state_of

__all__ = [
    "ALL_ROWS_MAX",
    "DEFAULT_LEVEL",
    "Intervals",
    "MonteCarlo",
    "delta_rows",
    "input_weights",
    "intervals",
    "z_value",
]

#: Models up to this many nodes get intervals for every node; larger ones for the segments and
#: the company (one adjoint solve per segment, batched).
ALL_ROWS_MAX = 2000
#: The default level of every interval.
DEFAULT_LEVEL = 0.90


def z_value(level: float) -> float:
    """The two-sided normal quantile of ``level``.

    Examples
    --------
    >>> round(z_value(0.90), 4), round(z_value(0.95), 4)
    (1.6449, 1.96)
    """
    from scipy.special import ndtri  # the normal quantile, without importing scipy.stats

    return float(ndtri(0.5 + level / 2))


def input_weights(state: State, inputs: Inputs) -> np.ndarray:
    """``sum (coefficient × se)^2`` of the uncertain inputs entering at each node: ``(a_i se_i)^2``
    for an own quality, ``(r_ji se_ji)^2`` for a rating of a service into ``i``. The inputs are
    independent, so ``var Q_k = sum_i L0[k, i]^2`` times this."""
    net = state.net
    w = np.zeros(net.n)
    w += np.bincount(
        inputs.nodes, weights=(net.own_share[inputs.nodes] * inputs.own_se) ** 2, minlength=net.n
    )
    w += np.bincount(
        net.target[inputs.services],
        weights=(net.reliance[inputs.services] * inputs.rating_se) ** 2,
        minlength=net.n,
    )
    return w


def delta_rows(state: State, inputs: Inputs, rows: np.ndarray) -> np.ndarray:
    """``var Q_k = sum_i (dQ_k/dx_i se_i)^2`` for each row ``rows[:, k] = L0[k, :]`` (nodes ×
    rows): the variance of each row's node.

    Examples
    --------
    >>> from servicechain.flow.draws import Inputs
    >>> state = state_of(shop)
    >>> inputs = Inputs(np.array([0]), np.array([0.6]), np.array([0.1]),
    ...                 np.array([], int), np.array([]), np.array([]))
    >>> walkin = state.net.index["walkin"]
    >>> rows = data_operator(state).solve(np.eye(state.net.n)[:, [walkin]], transpose=True)
    >>> float(np.sqrt(delta_rows(state, inputs, rows))[0].round(6))  # rated IT → store
    0.0
    """
    rows = np.asarray(rows).reshape(state.net.n, -1)
    w = input_weights(state, inputs)
    at = np.flatnonzero(w > 0)
    part = rows[at]
    return w[at] @ (part * part)


@dataclass
class MonteCarlo:
    """The Monte Carlo check: ``draws`` draws with ``seed``; per node the draws' standard
    deviation and percentile interval (0..1), nan where not computed."""

    draws: int
    seed: int
    se: np.ndarray
    low: np.ndarray
    high: np.ndarray
    company: tuple[float, float, float]  # se, low, high


@dataclass
class Intervals:
    """Delivered quality of every node with its standard error and interval (0..1, aligned with
    ``ids``; nan where not computed), the company's, and the Monte Carlo check when asked for.
    """

    name: str
    scale: tuple[float, float]
    level: float
    ids: list[str]
    names: list[str]
    kinds: list[str]
    quality: np.ndarray
    se: np.ndarray
    company: float
    company_se: float
    inputs: int
    monte_carlo: MonteCarlo | None = None
    ties: list[tuple[int, int, float, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    top: int | None = None

    @property
    def z(self) -> float:
        """The normal quantile of :attr:`level`."""
        return z_value(self.level)

    @property
    def low(self) -> np.ndarray:
        """Lower ends of the delta-method intervals, within 0..1."""
        return np.clip(self.quality - self.z * self.se, 0.0, 1.0)

    @property
    def high(self) -> np.ndarray:
        """Upper ends of the delta-method intervals, within 0..1."""
        return np.clip(self.quality + self.z * self.se, 0.0, 1.0)

    def to_scale(self, x):
        """0..1 values on the model's own scale."""
        lo, hi = self.scale
        return lo + np.asarray(x, dtype=float) * (hi - lo)

    def by_id(self, ident: str) -> tuple[float, float, float]:
        """``(quality, low, high)`` of one node on 0..1 (delta method)."""
        i = self.ids.index(ident)
        return float(self.quality[i]), float(self.low[i]), float(self.high[i])

    def order(self) -> list[int]:
        """Node positions, segments first, then departments, then partners."""
        rank = {"segment": 0, "department": 1, "partner": 2}
        return sorted(range(len(self.ids)), key=lambda i: rank[self.kinds[i]])

    def _point(self, x: float) -> float | None:
        return None if math.isnan(x) else float(self.to_scale(x))

    def to_dict(self) -> dict:
        """Plain data: every score with its standard error and interval, on the model's scale."""
        lo, hi = self.scale
        span = hi - lo
        mc = self.monte_carlo
        z = self.z

        def node(i: int) -> dict:
            se = float(self.se[i])
            row = {
                "id": self.ids[i],
                "name": self.names[i],
                "kind": self.kinds[i],
                "score": self._point(float(self.quality[i])),
                "se": None if math.isnan(se) else se * span,
                "low": self._point(float(self.low[i])),
                "high": self._point(float(self.high[i])),
            }
            if mc is not None:
                row["monte_carlo"] = {
                    "se": None if math.isnan(mc.se[i]) else float(mc.se[i] * span),
                    "low": self._point(float(mc.low[i])),
                    "high": self._point(float(mc.high[i])),
                }
            return row

        company = {
            "score": self._point(self.company),
            "se": None if math.isnan(self.company_se) else self.company_se * span,
            "low": self._point(max(0.0, self.company - z * self.company_se)),
            "high": self._point(min(1.0, self.company + z * self.company_se)),
        }
        if mc is not None:
            se, low, high = mc.company
            company["monte_carlo"] = {
                "se": se * span,
                "low": self._point(low),
                "high": self._point(high),
            }
        return {
            "name": self.name,
            "scale": {"min": lo, "max": hi},
            "level": self.level,
            "method": "delta method with the exact sensitivities (inputs independent)",
            "uncertain_inputs": self.inputs,
            "monte_carlo": None
            if mc is None
            else {"draws": mc.draws, "seed": mc.seed, "within_scale": True},
            "company": company,
            "nodes": [node(i) for i in self.order()],
            "tied_within_noise": [
                {
                    "a": self.ids[a],
                    "b": self.ids[b],
                    "difference": diff * span,
                    "se": se * span,
                }
                for a, b, diff, se in self.ties
            ],
            "notes": list(self.notes),
        }

    __repr__ = text_repr

    def __str__(self) -> str:
        lo, hi = self.scale
        span = hi - lo
        pct = f"{self.level * 100:g}%"
        mc = self.monte_carlo
        lines = [
            f"{self.name}: delivered quality on the scale {lo:g}..{hi:g}, with {pct} intervals"
        ]
        lines += [f"  Note: {note}" for note in self.notes]

        def interval(low: float, high: float) -> str:
            if math.isnan(low):
                return "-"
            return f"{fmt_score(self.to_scale(low), span)}..{fmt_score(self.to_scale(high), span)}"

        if not math.isnan(self.company):
            z = self.z
            c_lo = max(0.0, self.company - z * self.company_se)
            c_hi = min(1.0, self.company + z * self.company_se)
            text = f"{fmt_score(self.to_scale(self.company), span)} ({interval(c_lo, c_hi)})"
            if mc is not None:
                text += f", Monte Carlo {interval(mc.company[1], mc.company[2])}"
            lines.append(f"  company (value-weighted over segments): {text}")
        head = ["kind", "id", "name", "score", "± se", f"{pct} interval"]
        if mc is not None:
            head.append("Monte Carlo")
        rows = [head]
        low, high = self.low, self.high
        for i in self.order()[: self.top]:
            se = self.se[i]
            row = [
                self.kinds[i],
                self.ids[i],
                self.names[i],
                fmt_score(self.to_scale(float(self.quality[i])), span),
                "-" if math.isnan(se) else fmt_score(float(se) * span, span),
                interval(float(low[i]), float(high[i])),
            ]
            if mc is not None:
                row.append(interval(float(mc.low[i]), float(mc.high[i])))
            rows.append(row)
        lines += table(rows, right=(3, 4, 5, 6))
        hidden = len(self.ids) - (len(rows) - 1)
        if hidden > 0:
            lines.append(f"  ... and {hidden:,} more (--json lists them all)")
        for a, b, diff, se in self.ties:
            lines.append(
                f"  {self.names[a]} and {self.names[b]}: tied within noise (difference "
                f"{fmt_score(diff * span, span)}, se {fmt_score(se * span, span)})"
            )
        lines.append(
            f"  ± se: standard error from {self.inputs:,} scores with a quality_se (the others "
            "taken as exact);"
        )
        lines.append(
            f"  {pct} interval: delta method with the exact sensitivities, inputs independent;"
        )
        if mc is not None:
            lines.append(
                f"  Monte Carlo: {mc.draws:,} draws (seed {mc.seed}) of those scores within the "
                "scale, each drawn model solved exactly."
            )
        return "\n".join(lines)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Text and an HTML table in Jupyter."""
        from ..display import result_bundle

        return result_bundle(
            self, "Delivered quality with intervals", include=include, exclude=exclude
        )


#: Entries of the dense block of rows ``L0[k, :]`` solved at once (8 MB a million).
BLOCK_ENTRIES = 4_000_000


def _rows(op, n: int, nodes: np.ndarray) -> np.ndarray:
    """Rows ``L0[k, :]`` of the given nodes, as columns (nodes × len(nodes))."""
    units = np.zeros((n, len(nodes)))
    units[nodes, np.arange(len(nodes))] = 1.0
    return op.solve(units, transpose=True).reshape(n, len(nodes))


def intervals(
    chain,
    *,
    level: float = DEFAULT_LEVEL,
    draws: int = 0,
    seed: int = 0,
    top: int | None = None,
) -> Intervals:
    """Delivered quality of every node with its standard error and ``level`` interval, by the
    delta method; with ``draws``, a Monte Carlo check as well.

    Parameters
    ----------
    chain : Chain
    level : float, keyword-only
        Level of the intervals (default 0.90).
    draws : int, keyword-only
        Number of Monte Carlo draws (0: none).
    seed : int, keyword-only
        Seed of the draws: the same seed gives the same numbers.
    top : int, keyword-only
        Show only the first ``top`` nodes in the text.

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop", "scale": {"min": 1, "max": 5},
    ...     "departments": [{"id": "it", "name": "IT", "quality": 3, "dependence": 0},
    ...                     {"id": "store", "name": "Store", "quality": 5, "dependence": 0.5}],
    ...     "segments": [{"id": "walkin", "name": "Walk-in", "kind": "consumer",
    ...                   "relationship": "customer"}],
    ...     "services": [{"from": "it", "to": "store", "quality": 3, "quality_se": 0.4},
    ...                  {"from": "store", "to": "walkin"}]})
    >>> q, low, high = intervals(chain).by_id("walkin")
    >>> [round(1 + 4 * x, 3) for x in (q, low, high)]  # 4 ± 1.645 × 0.5 × 0.4
    [4.0, 3.671, 4.329]
    """
    state = state_of(chain)
    net = state.net
    inputs = uncertain_inputs(state)
    op = data_operator(state)
    segments = np.flatnonzero(net.kind == SEGMENT)
    notes: list[str] = [] if len(segments) else [NO_SEGMENTS]
    se = np.full(net.n, np.nan)
    every = net.n <= ALL_ROWS_MAX
    rows_of = np.arange(net.n) if every else segments
    if inputs.count == 0:
        se[:] = 0.0
        notes.append("no score carries a quality_se: every interval is a single value")
    else:
        # A block of rows at a time: all 2,000 segments of a 100k model at once would hold
        # several dense arrays of 2,000 × 104,000.
        step = max(1, BLOCK_ENTRIES // net.n)
        for start in range(0, len(rows_of), step):
            block = rows_of[start : start + step]
            se[block] = np.sqrt(delta_rows(state, inputs, _rows(op, net.n, block)))
    if not every:
        notes.append(
            f"intervals for the segments and the company only ({net.n:,} nodes; "
            f"every node up to {ALL_ROWS_MAX:,})"
        )
    company_se = math.nan
    if len(segments):
        y = op.solve(net.value / state.total_value, transpose=True)
        company_se = math.sqrt(float(delta_rows(state, inputs, y[:, None])[0]))
    mc = None
    if draws > 0:
        mc = _monte_carlo(state, inputs, draws, seed, level, op)
    result = Intervals(
        name=chain.name,
        scale=(net.scale.min, net.scale.max),
        level=level,
        ids=list(net.ids),
        names=list(net.names),
        kinds=[KIND_NAMES[k] for k in net.kind],
        quality=state.quality.copy(),
        se=se,
        company=state.company(state.quality),
        company_se=company_se,
        inputs=inputs.count,
        monte_carlo=mc,
        notes=notes,
        top=top,
    )
    if inputs.count and len(segments) > 1:
        result.ties = _segment_ties(state, inputs, segments, level, op)
    return result


def _segment_ties(state: State, inputs: Inputs, segments: np.ndarray, level: float, op) -> list:
    """Segments next to each other in delivered quality whose difference the noise hides:
    ``|Q_a - Q_b| < z se(Q_a - Q_b)``, with the exact covariance of the two."""
    if len(segments) > 50:
        return []
    q = state.quality
    order = segments[np.argsort(-q[segments], kind="stable")]
    rows = _rows(op, state.net.n, order)
    z = z_value(level)
    out = []
    for k in range(len(order) - 1):
        diff_rows = rows[:, k] - rows[:, k + 1]
        se = math.sqrt(float(delta_rows(state, inputs, diff_rows[:, None])[0]))
        diff = float(q[order[k]] - q[order[k + 1]])
        if se > 0 and diff < z * se:
            out.append((int(order[k]), int(order[k + 1]), diff, se))
    return out


def _monte_carlo(state: State, inputs: Inputs, draws: int, seed: int, level: float, op):
    own, rating = draw_inputs(inputs, draws, seed)
    if inputs.count == 0:
        q = np.repeat(state.quality[:, None], draws, axis=1)
    else:
        q = solve_draws(state, inputs, own, rating, op)
    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(q, [tail, 100 - tail], axis=1)
    total = state.total_value
    if total > 0:
        company = state.net.value @ q / total
        c_low, c_high = np.percentile(company, [tail, 100 - tail])
        summary = (float(company.std(ddof=1)) if draws > 1 else 0.0, float(c_low), float(c_high))
    else:
        summary = (math.nan, math.nan, math.nan)
    return MonteCarlo(
        draws, seed, q.std(axis=1, ddof=1) if draws > 1 else np.zeros(len(q)), low, high, summary
    )
