"""The delta method for gap terms and gains: each one's standard error from the exact gradient
of its value with respect to the scores that carry a standard error (DESIGN section 3b).

A gap term ``R[k, i] x`` (``R = T`` for gap tracing, ``L`` for the marginal breakdown; ``x`` an
own shortfall or a hand-off's loss) depends on the scores directly and through today's delivered
quality ``Q``, which the data give through ``L0`` (:func:`~servicechain.flow.draws.data_operator`).
With ``M`` the matrix behind ``R`` (``Psi`` or ``A``), ``d R[k, i] = R[k, :] dM R[:, i]``: one
row of ``R`` for the segment, one column per term's node, and the part that moves with ``Q``
pulled back to the scores by one batched adjoint solve with ``L0``. The tracing rule has kinks
(``min``/``max`` where a hand-off is rated exactly at what its supplier delivers): the gradient
is that of the side the model is on, and a term whose value or rule may change within the noise
is marked.

A gain if perfect ``w^T (Q' - Q)`` is the exact what-if, the cap included: with the hand-offs
that reach the top of the scale held there (``C``), ``Q' = (I - A_free)^-1 (c' + sum_C r)`` is
smooth in the scores, and its gradient needs one adjoint solve with ``I - A_free`` per distinct
cap pattern and the same pull-back through ``L0``. Where the what-if caps a hand-off that is not
at the top today, the gain is marked: the delta method then holds that cap pattern (the Monte
Carlo, each draw solved exactly, is the check).
"""

from __future__ import annotations

import numpy as np

from ..model.network import SEGMENT
from .draws import Inputs, data_operator, incidence
from .scenario import Scenario
from .solve import CAP_TOL, Operator, system_matrix
from .state import State
from .whatif import solve_scenario

__all__ = ["GainDelta", "TermDelta", "company_weights", "gain_deltas", "term_deltas"]

#: Gradients are computed for this many items at once (memory: services × items).
_CHUNK = 64


class TermDelta:
    """Standard errors (0..1) of gap terms and whether each sits near a kink of the rule.

    Attributes
    ----------
    se : array
        Delta-method standard error of each term.
    kink : bool array
        The term's value or rule may change within the noise: a hand-off's loss whose interval
        reaches 0, or a rated hand-off on its way that is within its rating's standard error of
        what its supplier delivers (where the tracing switches from ``min`` to ``max``).
    """

    def __init__(self, se: np.ndarray, kink: np.ndarray):
        self.se = se
        self.kink = kink


class GainDelta:
    """Standard errors (0..1) of gains if perfect, and whether each what-if caps a hand-off
    that is not at the top today (``capped``)."""

    def __init__(self, gain: np.ndarray, se: np.ndarray, capped: np.ndarray):
        self.gain = gain
        self.se = se
        self.capped = capped


def _variance(
    state: State,
    inputs: Inputs,
    op0: Operator,
    g_q: np.ndarray,
    own_direct: np.ndarray,
    rating_direct: np.ndarray,
) -> np.ndarray:
    """``sum (d value / d x)^2 se_x^2`` over the uncertain inputs, per column: ``g_q`` is the
    gradient with respect to today's ``Q`` (nodes × items), pulled back to the scores through
    ``L0``; ``own_direct`` and ``rating_direct`` the direct parts at the uncertain own qualities
    and ratings."""
    net = state.net
    z = op0.solve(g_q, transpose=True).reshape(g_q.shape)
    own = own_direct + net.own_share[inputs.nodes, None] * z[inputs.nodes]
    services = inputs.services
    rating = rating_direct + net.reliance[services, None] * z[net.target[services]]
    return ((own * inputs.own_se[:, None]) ** 2).sum(axis=0) + (
        (rating * inputs.rating_se[:, None]) ** 2
    ).sum(axis=0)


def _partials(state: State, method: str) -> tuple[Operator, np.ndarray, np.ndarray]:
    """The operator of ``R``, and ``dm/dP``, ``dm/dQ_supplier`` of each service's entry
    ``m_s`` of ``M`` (``M[target, source] = r_s m_s``)."""
    net = state.net
    rated = ~np.isnan(net.rating)
    q_src = state.quality[net.source]
    if method == "tracing":
        g = state.gap[net.source]
        short = np.clip(1.0 - state.service_quality, 0.0, 1.0)
        above = rated & (g > 0) & (short < g)  # psi = short / G, else 1 (or 0 at G = 0)
        safe = np.where(above, g, 1.0)
        return state.tracing, np.where(above, -1.0 / safe, 0.0), np.where(above, short / safe**2, 0)
    moving = rated & ~state.constant  # e = P / Q_supplier
    safe = np.where(moving, q_src, 1.0)
    p = np.where(moving, net.rating, 0.0)
    return state.operator, np.where(moving, 1.0 / safe, 0.0), np.where(moving, -p / safe**2, 0.0)


def term_deltas(
    state: State, inputs: Inputs, k: int, items: list[tuple[str, int]], *, method: str, z: float
) -> TermDelta:
    """Delta-method standard errors of the gap terms ``items`` of node ``k``: ``("node", i)``
    for an own term, ``("service", s)`` for a hand-off term.

    Examples
    --------
    >>> from servicechain.flow.state import state_of
    >>> from servicechain.flow.draws import Inputs
    >>> state = state_of(shop)  # IT's own quality 0.6 ± 0.1; its term for walk-in is 0.5 (1 - b)
    >>> inputs = Inputs(np.array([0]), np.array([0.6]), np.array([0.1]),
    ...                 np.array([], int), np.array([]), np.array([]))
    >>> walkin = state.net.index["walkin"]
    >>> d = term_deltas(state, inputs, walkin, [("node", 0)], method="tracing", z=1.645)
    >>> round(float(d.se[0]), 6)
    0.05
    """
    net = state.net
    n, count = net.n, len(items)
    se = np.zeros(count)
    kink = np.zeros(count, dtype=bool)
    if count == 0:
        return TermDelta(se, kink)
    op, m_p, m_q = _partials(state, method)
    op0 = data_operator(state)
    unit = np.zeros(n)
    unit[k] = 1.0
    row = op.solve(unit, transpose=True)  # R[k, :]
    r, src, tgt = net.reliance, net.source, net.target
    a = net.own_share
    rated = ~np.isnan(net.rating)
    q_src = state.quality[src]
    own_gap = a * (1.0 - net.own_filled)
    if method == "tracing":
        x_service = r * state.loss
        moving = state.loss > 0  # loss = Q_supplier - P
        dx_dp = np.where(moving, -r, 0.0)
        dx_dq = np.where(moving, r, 0.0)
    else:
        from .explain import service_losses

        x_service = service_losses(state)
        dx_dp = np.where(state.constant, -r, -r * m_p)
        dx_dq = -r * m_q
    dx_dp = np.where(rated, dx_dp, 0.0)
    scatter = incidence(src, n)
    at_node = {int(i): t for t, i in enumerate(inputs.nodes)}
    at_service = {int(s): t for t, s in enumerate(inputs.services)}
    rating_se = np.zeros(net.m)
    rating_se[inputs.services] = inputs.rating_se
    # where the tracing switches between min and max within a rating's noise
    near = rated & (np.abs(state.service_quality - q_src) < z * rating_se)
    if method != "tracing":
        near[:] = False
    for start in range(0, count, _CHUNK):
        part = items[start : start + _CHUNK]
        width = len(part)
        ends = np.array([i if kind == "node" else int(tgt[i]) for kind, i in part])
        units = np.zeros((n, width))
        units[ends, np.arange(width)] = 1.0
        cols = op.solve(units).reshape(n, width)  # R[:, i] of each term's node
        x = np.array([own_gap[i] if kind == "node" else x_service[i] for kind, i in part])
        reach = row[ends]  # R[k, i]
        coef = row[tgt, None] * r[:, None] * cols[src] * x[None, :]  # services × terms
        g_q = scatter @ (coef * m_q[:, None])
        own_direct = np.zeros((len(inputs.nodes), width))
        rating_direct = (coef * m_p[:, None])[inputs.services]
        for t, (kind, i) in enumerate(part):
            if kind == "node":
                if i in at_node:
                    own_direct[at_node[i], t] -= reach[t] * a[i]
            else:
                g_q[src[i], t] += reach[t] * dx_dq[i]
                if i in at_service:
                    rating_direct[at_service[i], t] += reach[t] * dx_dp[i]
        var = _variance(state, inputs, op0, g_q, own_direct, rating_direct)
        chunk_se = np.sqrt(np.maximum(var, 0.0))
        se[start : start + width] = chunk_se
        on_way = (np.abs(coef) > 0) & near[:, None]
        kink[start : start + width] = on_way.any(axis=0)
        for t, (kind, _) in enumerate(part):
            if kind == "service" and method == "tracing":
                value = reach[t] * x[t]
                kink[start + t] |= value - z * chunk_se[t] < 0
    return TermDelta(se, kink)


def gain_deltas(
    state: State, inputs: Inputs, w: np.ndarray, items: list[tuple[str, int]]
) -> GainDelta:
    """Exact gains if perfect (weighted by ``w``, the cap included) of ``items`` (``("node",
    i)`` or ``("service", s)``) with their delta-method standard errors.

    Examples
    --------
    >>> from servicechain.flow.state import state_of
    >>> from servicechain.flow.draws import Inputs
    >>> state = state_of(shop)  # IT's gain 0.4 × 5/12 moves with its own quality, 0.6 ± 0.1
    >>> inputs = Inputs(np.array([0]), np.array([0.6]), np.array([0.1]),
    ...                 np.array([], int), np.array([]), np.array([]))
    >>> w = np.array([0.0, 0.0, 1.0])
    >>> d = gain_deltas(state, inputs, w, [("node", 0)])
    >>> round(float(d.gain[0]), 6), d.capped.tolist()
    (0.166667, [False])
    """
    net = state.net
    n, count = net.n, len(items)
    gain = np.zeros(count)
    se = np.zeros(count)
    capped_flag = np.zeros(count, dtype=bool)
    if count == 0:
        return GainDelta(gain, se, capped_flag)
    w = np.asarray(w, dtype=float)
    op0 = data_operator(state)
    y0 = op0.solve(w, transpose=True)
    r, src, tgt = net.reliance, net.source, net.target
    a = net.own_share
    rated = ~np.isnan(net.rating)
    moving = ~state.constant
    q = state.quality
    q_src = q[src]
    safe_src = np.where(q_src > 0, q_src, 1.0)
    today = moving & (state.e * q_src >= 1.0 - CAP_TOL)
    scatter = incidence(src, n)
    operators: dict[bytes, np.ndarray] = {}
    g_cols, own_cols, rating_cols = [], [], []
    base = float(w @ q)
    for t, (kind, i) in enumerate(items):
        scenario = Scenario(own={i: 1.0}) if kind == "node" else Scenario(rating={i: 1.0})
        after = solve_scenario(state, scenario)
        gain[t] = float(w @ after) - base
        e = state.e.copy()
        held = state.constant.copy()
        other = np.ones(net.m, dtype=bool)  # every service but the item's own
        if kind == "service":
            other[i] = False
            if q_src[i] > 0:
                e[i] = 1.0 / q_src[i]
            else:
                held[i] = True  # a hand-off from a supplier at 0 delivers its rating, held
        cap = ~held & (e * after[src] >= 1.0 - CAP_TOL)
        if kind == "service":
            cap[i] = not held[i]
        capped_flag[t] = bool((cap & ~today & other).any())
        free = ~held & ~cap
        key = np.packbits(free).tobytes()
        if key not in operators:
            op = Operator(system_matrix(n, tgt[free], src[free], (r * e)[free]))
            operators[key] = op.solve(w, transpose=True)
        y1 = operators[key]
        # own qualities: the what-if's c' = a b (the item's own held at the top)
        own_grad = a * (y1 - y0)
        if kind == "node":
            own_grad[i] = -a[i] * y0[i]
        # ratings: a free rated hand-off moves its transmission e = P / Q_supplier
        free_rated = free & rated & other
        rating_grad = -r * y0[tgt]
        rating_grad += np.where(free_rated, r * y1[tgt] * after[src] / safe_src, 0.0)
        held_rated = held & rated & other
        rating_grad += np.where(held_rated, r * y1[tgt], 0.0)
        g_s = np.where(free_rated, -y1[tgt] * r * after[src] * net.rating / safe_src**2, 0.0)
        g_cols.append(scatter @ np.nan_to_num(g_s))
        own_cols.append(own_grad[inputs.nodes])
        rating_cols.append(rating_grad[inputs.services])
    for start in range(0, count, _CHUNK):
        part = slice(start, min(count, start + _CHUNK))
        var = _variance(
            state,
            inputs,
            op0,
            np.column_stack(g_cols[part]),
            np.column_stack(own_cols[part]),
            np.column_stack(rating_cols[part]),
        )
        se[part] = np.sqrt(np.maximum(var, 0.0))
    return GainDelta(gain, se, capped_flag)


def company_weights(state: State, segment: int | None) -> np.ndarray:
    """``w`` of a ranking: the value weights over the segments, or one segment."""
    net = state.net
    if segment is None:
        return np.where(net.kind == SEGMENT, net.value, 0.0) / max(state.total_value, 1e-300)
    w = np.zeros(net.n)
    w[segment] = 1.0
    return w
