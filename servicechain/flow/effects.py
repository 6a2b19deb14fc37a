"""Exact effects of one change at a time, value-weighted: the gain if a department, partner or
service were perfect and the drop if it failed, each with the linear bound that certifies a
top N with few solves (DESIGN, "Gain if perfect" and "Failure").

A change at node ``i`` that adds ``x`` to its input moves every node by ``L[:, i] x`` while no
cap binds. For a department or partner made perfect ``x = a_i (1 - b_i)``; a failed one loses
``Q_d / L[d, d]`` of itself. A service ``j -> i`` set to a fixed rating ``p`` (1 when made
perfect, 0 when it fails) is a rank-one change of ``I - A`` (Sherman-Morrison):
``x = r_ji (p - P_ji) / (1 + r_ji e_ji L[j, i])``, where ``L[j, i]`` is 0 unless the service
lies on a loop. The linear estimates ``y_i x`` with ``L[d, d] = 1`` and ``L[j, i] = 0`` are
upper bounds of the exact values, which the cap and the loops only reduce.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .ordering import Order
from .scenario import Scenario
from .solve import CAP_TOL
from .state import ZERO, State
from .whatif import solve_scenario

if TYPE_CHECKING:
    from .upward import Upward

__all__ = ["Effects", "certify"]

#: What-ifs solved side by side hold at most this many service flows at once.
_BATCH_CELLS = 4_000_000
#: The rising sweeps stop when no value moves by more than this (relative to ``c``).
_SWEEP_TOL = 1e-14
#: A batch of what-ifs that would need more sweeps than this is solved one by one instead.
_SWEEP_MAX = 300


class Effects:
    """Exact gains and failures of nodes and services, weighted by ``w`` over the nodes.

    Parameters
    ----------
    state : State
    w : array
        Weight of each node's delivered quality (value shares of the segments, or 1 at one
        segment); ``y = w^T L`` must be given with it.
    y : array
    """

    def __init__(self, state: State, w: np.ndarray, y: np.ndarray):
        self.state, self.net, self.w, self.y = state, state.net, w, y
        net = self.net
        self._moving_over = np.flatnonzero(~state.constant & (state.e > 1.0 + CAP_TOL))
        self._constant_out = np.bincount(
            net.source[state.constant],
            weights=(y[net.target] * net.reliance * net.rating)[state.constant],
            minlength=net.n,
        )
        self._upward: Upward | None = None

    @property
    def upward(self) -> Upward:
        """The rising flow (made on first use): exact gains where no cap is reached."""
        if self._upward is None:
            from .upward import Upward  # with scipy.sparse: only where a rise is checked

            self._upward = Upward(self.state, self.w)
        return self._upward

    # ---- bounds (the linear estimates) -------------------------------------------------------

    def node_gain_bound(self, nodes: np.ndarray) -> np.ndarray:
        """``y_i a_i (1 - b_i)``: the gain if each node's own quality were perfect, linearly."""
        net = self.net
        return self.y[nodes] * net.own_share[nodes] * (1.0 - net.own_filled[nodes])

    def node_failure_bound(self, nodes: np.ndarray) -> np.ndarray:
        """``y_d Q_d`` (plus the constant ratings of its services): at least the exact drop."""
        return self.y[nodes] * self.state.quality[nodes] + self._constant_out[nodes]

    def service_gain_bound(self, services: np.ndarray) -> np.ndarray:
        """``y_i r_ji (1 - P_ji)``: the gain if each service were rated perfect, linearly."""
        net = self.net
        p = self.state.service_quality[services]
        return self.y[net.target[services]] * net.reliance[services] * (1.0 - p)

    def service_failure_bound(self, services: np.ndarray) -> np.ndarray:
        """``y_i r_ji P_ji``: the drop if each service delivered nothing, off loops exact."""
        net = self.net
        p = self.state.service_quality[services]
        return self.y[net.target[services]] * net.reliance[services] * p

    # ---- exact values ------------------------------------------------------------------------

    def node_gain(self, nodes: np.ndarray) -> np.ndarray:
        """Exact gain of each node made perfect (a what-if; the cap included)."""
        nodes = np.asarray(nodes, dtype=int)
        bound = self.node_gain_bound(nodes)
        out = bound.copy()
        if not len(self._moving_over):
            return out  # no service can pass the cap: the linear move is the what-if's answer
        todo = np.flatnonzero(bound > 0)
        net = self.net
        extra = net.own_share[nodes[todo]] * (1.0 - net.own_filled[nodes[todo]])
        # Where no service can reach its cap the rise is linear: one adjoint for them all.
        free, risky = self.upward.check(nodes[todo], extra)
        out[todo[free]] = self.upward.y[nodes[todo[free]]] * extra[free]
        todo, extra = todo[~free], extra[~free]
        out[todo] = self._raised(
            nodes[todo],
            extra,
            np.full(len(todo), -1),
            lambda t: Scenario(own={int(nodes[todo[t]]): 1.0}),
            risky=risky,
        )
        return out

    def service_gain(self, services: np.ndarray) -> np.ndarray:
        """Exact gain of each service rated perfect (a what-if; the cap included)."""
        services = np.asarray(services, dtype=int)
        net, state = self.net, self.state
        bound = self.service_gain_bound(services)
        out = bound.copy()
        src, tgt = net.source[services], net.target[services]
        r, e = net.reliance[services], state.e[services]
        label = state.components[1]
        loop = (e > 0) & state.on_cycle(tgt) & (label[src] == label[tgt])
        if not len(self._moving_over):
            # No cap can bind: Sherman-Morrison for the services on a loop, linear elsewhere.
            todo = np.flatnonzero((bound > 0) & loop)
            # d(gain) / d(L[j, i]) is at most bound r e: the weight of the entry's error
            slope = bound[todo] * r[todo] * e[todo]
            lji = state.entries(src[todo], tgt[todo], slope)
            out[todo] = bound[todo] / (1.0 + r[todo] * e[todo] * lji)
            return out
        todo = np.flatnonzero(bound > 0)
        # The rise starts with r (1 - P) at the customer, and the service's own flow no longer
        # moves with its supplier: the rise is at most the customer's by r (1 - P) in the
        # rising flow, on a loop too, so the nodes whose services may reach their cap are
        # known for every item. Off a loop the gain is that rise, linear where no cap is
        # reached.
        x = r[todo] * (1.0 - state.service_quality[services[todo]])
        free, risky = self.upward.check(tgt[todo], x)
        linear = free & ~loop[todo]
        out[todo[linear]] = self.upward.y[tgt[todo[linear]]] * x[linear]
        todo = todo[~linear]
        moving = ~state.constant[services[todo]]
        p = state.service_quality[services[todo]]
        extra = r[todo] * np.where(moving, 1.0, 1.0 - p)
        out[todo] = self._raised(
            tgt[todo],
            extra,
            np.where(moving, services[todo], -1),
            lambda t: Scenario(rating={int(services[todo[t]]): 1.0}),
            risky=risky,
        )
        return out

    def _raised(
        self,
        nodes: np.ndarray,
        extra: np.ndarray,
        held: np.ndarray,
        scenario: Callable[[int], Scenario],
        *,
        risky: np.ndarray | None = None,
    ) -> np.ndarray:
        """Exact value-weighted gains of what-ifs that each add ``extra`` to the constant part
        of one node and hold one moving service (``held``, -1 for none) out of the flow;
        ``scenario(t)`` is what-if ``t`` for the general solve. ``risky``, when given, marks
        the only nodes whose services may reach their cap in these what-ifs (from
        :meth:`Upward.check`): the other services stay in the linear operator.

        The what-if is the fixed point of ``Q = c' + sum_s r_s min(1, e_s Q_source(s))``; from
        today's state the sweeps rise monotonically to it (the map is monotone and contracting),
        many what-ifs side by side. A batch that converges slowly is solved one by one instead.
        """
        out = np.empty(len(nodes))
        net, state = self.net, self.state
        n = net.n
        # Services with e <= 1 never reach the cap (Q <= 1): they stay in a linear operator;
        # only the others go through min(1, .) on every sweep.
        ids = self._moving_over
        if risky is not None:
            ids = ids[risky[net.source[ids]] | self.upward.top[ids]]
        over = np.zeros(net.m, dtype=bool)
        over[ids] = True
        linear = ~state.constant & ~over
        held_over = np.isin(held, ids)
        flow = state.e * net.reliance
        a_lin = _matrix(n, net.target[linear], net.source[linear], flow[linear])
        k = len(ids)
        gather = _matrix(k, np.arange(k), net.source[ids], state.e[ids], cols=n)
        # the capped flows land on few nodes: scatter onto those rows only
        hit, into = np.unique(net.target[ids], return_inverse=True)
        scatter = (hit, _matrix(len(hit), into, np.arange(k), net.reliance[ids], cols=k))
        position = np.full(net.m, -1)
        position[ids] = np.arange(k)
        batch = int(max(1, min(64, _BATCH_CELLS // max(1, k + n))))
        q0 = state.quality
        for start in range(0, len(nodes), batch):
            stop = min(start + batch, len(nodes))
            cols = np.arange(stop - start)
            c = np.repeat(state.c[:, None], len(cols), axis=1)
            c[nodes[start:stop], cols] += extra[start:stop]
            has = held_over[start:stop]
            hold = position[held[start:stop][has]]
            # A held service with e <= 1 is in the linear operator: its flow is taken out.
            lin = np.flatnonzero((held[start:stop] >= 0) & ~has)
            s_lin = held[start:stop][lin]
            out_of = (net.target[s_lin], lin, net.source[s_lin], flow[s_lin])
            q = _rise(c, a_lin, gather, scatter, (hold, cols[has]), out_of, q0)
            if q is None:
                out[start:stop] = [self._resolve(scenario(t)) for t in range(start, stop)]
            else:
                out[start:stop] = self.w @ (q - q0[:, None])
        return out

    def node_failure(self, nodes: np.ndarray, *, tol: float | None = None) -> np.ndarray:
        """Exact drop if each node delivered nothing: ``y_d Q_d / L[d, d]``, re-solved for a
        node that delivers 0 today but whose services keep their ratings.

        Each value is within ``tol`` of the exact drop (on 0..1; by default as close as the
        sweeps of a large loop go, :data:`~servicechain.flow.inverse.ENTRY_TOL`): a looser
        ``tol`` stops those sweeps sooner.
        """
        nodes = np.asarray(nodes, dtype=int)
        q = self.state.quality[nodes]
        # the drop moves by at most y_d Q_d per unit of error in L[d, d] (which is >= 1)
        weight = np.abs(self.y[nodes]) * q * _loosened(tol)
        out = self.y[nodes] * q / self.state.diagonal(nodes, weight)
        for t in np.flatnonzero((q <= ZERO) & (self._constant_out[nodes] > 0)):
            out[t] = -self._resolve(Scenario(fail=[int(nodes[t])]))
        return out

    def service_failure(self, services: np.ndarray, *, tol: float | None = None) -> np.ndarray:
        """Exact drop if each service delivered nothing (Sherman-Morrison, no re-solve), each
        within ``tol`` of it (as :meth:`node_failure`)."""
        services = np.asarray(services, dtype=int)
        net, state = self.net, self.state
        src, tgt = net.source[services], net.target[services]
        r, e = net.reliance[services], state.e[services]
        bound = self.service_failure_bound(services)
        # the drop moves by at most |bound| r e per unit of error in L[j, i] (which is >= 0)
        lji = state.entries(src, tgt, np.abs(bound) * r * e * _loosened(tol))
        return bound / (1.0 + r * e * lji)

    def _resolve(self, scenario: Scenario) -> float:
        after = solve_scenario(self.state, scenario)
        return float(self.w @ (after - self.state.quality))


def _loosened(tol: float | None) -> float:
    """The factor on the weights of entries of ``L`` that makes them good to ``tol`` instead
    of :data:`~servicechain.flow.inverse.ENTRY_TOL` (1 for None)."""
    if tol is None:
        return 1.0
    from .inverse import ENTRY_TOL  # with scipy.sparse: only where a large loop is swept

    return ENTRY_TOL / tol


def _matrix(rows: int, r: np.ndarray, c: np.ndarray, v: np.ndarray, *, cols: int | None = None):
    from scipy import sparse

    return sparse.csr_array((v, (r, c)), shape=(rows, rows if cols is None else cols))


def _rise(c, a_lin, gather, scatter, held, taken, q0) -> np.ndarray | None:
    """Sweep ``Q <- c + A_lin Q + scatter min(1, gather Q)`` from ``q0`` up to its fixed point,
    one what-if per column of ``c``; None when that would take more than ``_SWEEP_MAX`` sweeps.

    ``scatter = (rows, matrix)`` adds ``matrix @ capped`` to those rows only; ``held = (rows,
    cols)`` holds capped flows at 0 (row of ``gather``, column); ``taken = (target, col, source,
    flow)`` takes linear flows out of their column. Each sweep is one sparse product over the
    whole batch; the other steps work in place on two buffers.
    """
    q = np.repeat(q0[:, None], c.shape[1], axis=1)
    hit, spread = scatter
    target, col, source, flow = taken
    last = np.inf
    tol = _SWEEP_TOL * max(1.0, float(np.abs(c).max(initial=0.0)))
    for sweep in range(1, 4 * _SWEEP_MAX):
        capped = gather @ q
        np.minimum(capped, 1.0, out=capped)
        capped[held] = 0.0
        new = a_lin @ q
        new += c
        new[hit] += spread @ capped
        np.subtract.at(new, (target, col), flow * q[source, col])
        # q is not needed any more: it holds the change of this sweep
        np.subtract(new, q, out=q)
        np.abs(q, out=q)
        change = float(q.max(initial=0.0))
        q = new
        if change <= tol:
            return q
        if not np.isfinite(change):
            return None
        if sweep >= 5 and last < np.inf and change > 0:
            rate = change / last
            if rate >= 1.0 or np.log(tol / change) / np.log(rate) > _SWEEP_MAX:
                return None
        last = change
    return None


def certify(
    bound: np.ndarray, exact: Callable[[np.ndarray], np.ndarray], count: int, *, batch: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """Exact values of at least the ``count`` largest items, found with few exact solves.

    Items are solved in the order of their ``bound`` (an upper bound of the exact value), and
    the walk stops as soon as the ``count``-th largest exact value is at least the next bound:
    no item left unsolved can then enter the top ``count``.

    Returns
    -------
    values, known : arrays
        The exact value where ``known``, else the bound.

    Examples
    --------
    >>> bound = np.array([5.0, 4.0, 3.0, 1.0])
    >>> values, known = certify(bound, lambda i: bound[i] / 2, 1, batch=1)
    >>> values.tolist(), known.tolist()
    ([2.5, 2.0, 1.5, 1.0], [True, True, True, False])
    """
    values = np.asarray(bound, dtype=float).copy()
    known = np.zeros(len(values), dtype=bool)
    order = Order(bound)  # sorted only as far as the walk goes
    count = min(count, len(values))
    done = 0 if count > 0 else len(order)
    step = count + batch  # first the top ``count`` by bound and a few more
    while done < len(order):
        take = order.head(done + step)[done:]
        values[take] = exact(take)
        known[take] = True
        done += len(take)
        if done >= count and done < len(order):
            nth = np.partition(values[known], -count)[-count] if count else np.inf
            # only the items whose bound is above the count-th exact value can still enter
            # (the bounds of the rest are sorted: they are a run from ``done`` on)
            above = int(np.count_nonzero(values[~known] > nth))
            if not above:
                break
            # in small steps: each one raises the count-th exact value and prunes the rest
            step = min(above, max(batch, count // 8))
    return values, known
