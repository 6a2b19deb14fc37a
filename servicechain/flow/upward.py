"""Exact gains without a what-if solve each: the rising flow's linearisation and a local proof
that no service reaches its cap.

A gain what-if only raises qualities. A service already delivered at the top of the scale
(rated 1, or unrated from a perfect supplier) stays there, so it is a constant of the rise; every
other moving service passes on ``e_s`` times its supplier's rise until it reaches the cap. With
``A_up`` the transmission without the services at the top and ``L_up = (I - A_up)^-1``, adding
``x`` to the input of node ``i`` raises every node by at most ``delta = L_up[:, i] x`` (the cap
only takes away), and by exactly that when no service reaches its cap on the way. The
value-weighted gain is then ``y_up[i] x`` with ``y_up = w^T L_up``: one adjoint solve for every
item at once.

Whether a cap is reached is decided locally, without solving for ``delta``: pushing the input
forward from ``i`` a few steps (``delta = P + L_up R`` holds after every push, ``P`` what was
pushed, ``R >= 0`` what is left) bounds ``delta <= P + max(R) g`` with ``g = L_up 1``; where that
stays below every node's slack (how far it may rise before one of its services is capped) the
linear gain is exact. Items it cannot clear are left to the what-if solve.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from .solve import CAP_TOL, Operator
from .state import State

__all__ = ["Upward"]

#: Candidates pushed side by side.
_BATCH = 128
#: Push rounds per candidate before it is left to the what-if solve.
_ROUNDS = 8


class Upward:
    """The rising flow of ``state`` weighted by ``w`` over the nodes.

    Attributes
    ----------
    y : array
        ``w^T L_up``: the value-weighted rise per unit added to each node's input.
    slack : array
        How far each node may rise before one of its moving services reaches the cap
        (``inf`` for a node with none).

    Examples
    --------
    The store delivers 0.7 and passes its whole rise on to the shoppers, up to 0.3 of it:

    >>> from servicechain.flow.state import state_of
    >>> up = Upward(state_of(shop), np.array([0.0, 0.0, 1.0]))
    >>> up.y.round(6).tolist(), up.slack.round(6).tolist()
    ([0.416667, 1.0, 1.0], [0.6, 0.3, inf])
    >>> up.cap_free(np.array([1, 1]), np.array([0.05, 0.4])).tolist()
    [True, False]
    """

    def __init__(self, state: State, w: np.ndarray):
        net = state.net
        n = net.n
        moving = ~state.constant
        top = moving & (state.service_quality >= 1.0 - CAP_TOL)
        #: The moving services delivered at the top today (capped from the first rise on).
        self.top = top
        keep = np.flatnonzero(moving & ~top)
        src, tgt = net.source[keep], net.target[keep]
        e = state.e[keep]
        flow = net.reliance[keep] * e
        # A_up pushes a node's rise on to its customers: column k holds k's moving services.
        self._push = sparse.csr_array((flow, (tgt, src)), shape=(n, n))
        self._push.sum_duplicates()
        # I - A_up from it (as system_matrix makes it), and A_up is what its sweeps multiply by
        system = (sparse.eye_array(n, format="csr") - self._push).tocsr()
        op = Operator(system, transmission=self._push)
        self.y = op.solve(np.asarray(w, dtype=float), transpose=True)
        self._g = op.solve(np.ones(n)) if n else np.zeros(0)
        limit = np.full(n, np.inf)
        rising = e > 0
        with np.errstate(over="ignore"):  # a tiny transmission never reaches the cap: inf
            np.minimum.at(limit, src[rising], (1.0 - CAP_TOL) / e[rising])
        self.slack = limit - state.quality
        # max(R) <= mu keeps every node below its slack wherever nothing was pushed.
        self._mu = float(np.min(self.slack / self._g, initial=np.inf)) if n else np.inf
        self._support = max(4096, n // 10)

    def cap_free(self, nodes: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Whether adding ``x[t]`` to the input of ``nodes[t]`` provably raises no moving
        service to its cap (its gain is then exactly ``y[nodes[t]] * x[t]``); False where
        that could not be shown (the what-if must be solved)."""
        return self.check(nodes, x)[0]

    def check(self, nodes: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`cap_free` of each item, and the nodes whose services may reach their cap in
        the rise of some item that is not cap-free (no other service can, in any of them)."""
        nodes = np.asarray(nodes, dtype=int)
        x = np.asarray(x, dtype=float)
        out = np.zeros(len(nodes), dtype=bool)
        risky = np.zeros(len(self._g), dtype=bool)
        if not len(nodes):
            return out, risky
        if not self._mu > 0:
            return out, np.ones(len(self._g), dtype=bool)
        for start in range(0, len(nodes), _BATCH):
            stop = min(start + _BATCH, len(nodes))
            out[start:stop] = self._batch(nodes[start:stop], x[start:stop], risky)
        return out, risky

    def _batch(self, nodes: np.ndarray, x: np.ndarray, risky: np.ndarray) -> np.ndarray:
        n, k = len(self._g), len(nodes)
        tau = self._mu / 2
        cols = np.arange(k)
        left = sparse.csr_array((x, (nodes, cols)), shape=(n, k))
        pushed = sparse.csr_array((n, k))
        given_up = np.zeros(k, dtype=bool)
        for _ in range(_ROUNDS):
            coo = left.tocoo()
            big = (coo.data > tau) & ~given_up[coo.col]
            if not big.any():
                break
            move = sparse.csr_array((coo.data[big], (coo.row[big], coo.col[big])), shape=(n, k))
            stay = sparse.csr_array((coo.data[~big], (coo.row[~big], coo.col[~big])), shape=(n, k))
            pushed = pushed + move
            left = stay + self._push @ move
            # A candidate whose rise spreads far is left to the what-if solve.
            given_up |= np.bincount(left.tocoo().col, minlength=k) > self._support
        coo = left.tocoo()
        most = np.zeros(k)
        np.maximum.at(most, coo.col, coo.data)
        ok = ~given_up & (most <= self._mu)
        done = pushed.tocoo()
        over = done.data + most[done.col] * self._g[done.row] > self.slack[done.row]
        ok[done.col[over]] = False
        # Where the rise of an item left to the what-if solve may reach a cap.
        if not ok.all():
            risky |= float(most[~ok].max()) * self._g > self.slack
            risky[done.row[over & ~ok[done.col]]] = True
        return ok
