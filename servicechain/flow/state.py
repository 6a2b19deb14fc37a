"""The current state of the quality flow and its linearisation ``Q = c + A Q``, solved once per
chain and cached.
"""

from __future__ import annotations

import weakref
from functools import cached_property

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph
from scipy.sparse import linalg as spla

from ..model.network import SEGMENT, Network
from .solve import Operator, SolveError, system_matrix

__all__ = ["ZERO", "State", "current_state", "state_of"]

#: A supplier delivering at most this is treated as delivering 0 (its services' ratings are
#: then kept constant instead of moving in proportion to it).
ZERO = 1e-12

_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class State:
    """The current state ``Q`` of every node and the transmission ``Q = c + A Q`` around it.

    Attributes
    ----------
    net : Network
        The model's arrays.
    quality : array
        Delivered quality ``Q`` of every node, 0..1.
    service_quality : array
        ``P`` of every service, unrated ones filled in as their supplier's ``Q``.
    e : array
        Transmission ``e_ji = P_ji / Q_j`` per service (1 when unrated, 0 when the rating is
        held constant because the supplier delivers 0).
    constant : bool array
        Services whose rating is held constant (rated, supplier delivers 0).
    c : array
        Constant part of each node: ``a_i b_i`` plus its constant-rated services.
    """

    def __init__(self, net: Network):
        self.net = net
        n = net.n
        b, a, r = net.own_filled, net.own_share, net.reliance
        src, tgt = net.source, net.target
        rated = ~np.isnan(net.rating)
        rhs = a * b + np.bincount(tgt[rated], weights=r[rated] * net.rating[rated], minlength=n)
        if rated.all():
            q = rhs
        else:
            free = ~rated
            q = Operator(system_matrix(n, tgt[free], src[free], r[free])).solve(rhs)
        self.quality = np.clip(q, 0.0, 1.0)
        supplied = self.quality[src]
        self.service_quality = np.where(rated, net.rating, supplied)
        zero = supplied <= ZERO
        self.constant = rated & zero
        safe = np.where(zero, 1.0, supplied)
        self.e = np.where(rated, np.where(zero, 0.0, net.rating / safe), 1.0)
        self.c = a * b + np.bincount(
            tgt[self.constant], weights=(r * net.rating)[self.constant], minlength=n
        )

    @property
    def total_value(self) -> float:
        """``sum v_k`` over segments."""
        return float(self.net.value.sum())

    def company(self, q: np.ndarray) -> float:
        """Value-weighted external quality ``sum v_k Q_k / sum v_k`` (nan without segments)."""
        total = self.total_value
        return float(self.net.value @ q / total) if total > 0 else float("nan")

    @cached_property
    def operator(self) -> Operator:
        """Solves with ``I - A``, ``A[i, j] = r_ji e_ji``."""
        net = self.net
        return Operator(system_matrix(net.n, net.target, net.source, net.reliance * self.e))

    @cached_property
    def adjoint(self) -> np.ndarray:
        """``y`` with ``(I - A)^T y = v / sum v``: the value-weighted row of ``L``."""
        total = self.total_value
        if total <= 0:
            return np.zeros(self.net.n)
        return self.operator.solve(self.net.value / total, transpose=True)

    def weights_for(self, segment: int | None) -> np.ndarray:
        """Row of ``L`` for one segment, or the value-weighted row when ``segment`` is None."""
        if segment is None:
            return self.adjoint
        return self.row(segment)

    def row(self, k: int) -> np.ndarray:
        """Row ``L[k, :]``: how every node's own part reaches node ``k``."""
        unit = np.zeros(self.net.n)
        unit[k] = 1.0
        return self.operator.solve(unit, transpose=True)

    def column(self, d: int) -> np.ndarray:
        """Column ``L[:, d]``: how a change at node ``d`` reaches every node."""
        unit = np.zeros(self.net.n)
        unit[d] = 1.0
        return self.operator.solve(unit)

    def diagonal(self, nodes: np.ndarray) -> np.ndarray:
        """``L[d, d]`` for the given nodes, from the strongly connected block of each.

        Every walk from ``d`` back to ``d`` stays in the strongly connected component of ``d``,
        so ``L[d, d]`` is 1 for a node on no cycle and comes from the (small) inverse of its own
        block otherwise; the whole model is never inverted.
        """
        nodes = np.asarray(nodes, dtype=int)
        out = np.ones(len(nodes))
        a = sparse.eye_array(self.net.n, format="csr") - self.operator.matrix
        count, label = csgraph.connected_components(a, directed=True, connection="strong")
        sizes = np.bincount(label, minlength=count)
        wanted = {}
        for pos, d in enumerate(nodes):
            if sizes[label[d]] > 1:
                wanted.setdefault(label[d], []).append(pos)
        for comp, positions in wanted.items():
            members = np.flatnonzero(label == comp)
            block = self.operator.matrix[members][:, members].tocsc()
            try:
                lu = spla.splu(block)
            except RuntimeError as err:
                raise SolveError(
                    "a loop of departments sustains itself (I - A is singular)"
                ) from err
            where = np.searchsorted(members, nodes[positions])
            for start in range(0, len(where), 256):
                chunk = where[start : start + 256]
                unit = np.zeros((len(members), len(chunk)))
                unit[chunk, np.arange(len(chunk))] = 1.0
                cols = lu.solve(unit)
                out[np.asarray(positions[start : start + 256])] = cols[chunk, np.arange(len(chunk))]
        return out

    @cached_property
    def largest_loop(self) -> int:
        """Size of the largest strongly connected block of ``A``."""
        a = sparse.eye_array(self.net.n, format="csr") - self.operator.matrix
        _, label = csgraph.connected_components(a, directed=True, connection="strong")
        return int(np.bincount(label).max(initial=0))

    @property
    def segments(self) -> np.ndarray:
        """Positions of the segments."""
        return np.flatnonzero(self.net.kind == SEGMENT)


def current_state(net: Network) -> State:
    """Solve the current state of ``net`` (not cached; see :func:`state_of`)."""
    return State(net)


def state_of(chain) -> State:
    """The current state of a chain, solved once and cached for as long as the chain lives."""
    net = chain.network
    state = _CACHE.get(net)
    if state is None:
        state = _CACHE[net] = State(net)
    return state
