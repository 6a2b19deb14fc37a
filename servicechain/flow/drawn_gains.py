"""Exact gains if perfect in every drawn model, the cap included, and the certified top N of
each draw (the Monte Carlo behind :mod:`servicechain.flow.stability`).

Every item gets the linear bound of its gain at each draw's state (one batched adjoint solve);
an item is solved exactly only in the draws where its bound could put it in that draw's top
N, all those draws at once, and only on the part of the model its raise can reach (a hand-off
into a segment reaches that segment alone).
"""

from __future__ import annotations

import numpy as np

from ..model.search import adjacency, reached
from .draws import (
    Batch,
    Flows,
    Inputs,
    adjoint_batch,
    incidence,
    solve_draws,
    solve_whatifs,
)
from .state import ZERO, State

__all__ = ["DrawnGains", "Reach", "certified_top"]


class Reach:
    """The part of the model a raise at one node can reach: its nodes (positions ``nodes``),
    the services leaving them (``services``, as local :class:`Flows`), and per draw the fixed
    inflow of each of its nodes from outside it, so that the drawn states solve the part alone.
    """

    def __init__(self, gains: DrawnGains, nodes: np.ndarray):
        batch, net = gains.batch, gains.net
        self.nodes = nodes
        local = np.full(net.n, -1)
        local[nodes] = np.arange(len(nodes))
        self.local = local
        self.services = np.flatnonzero(local[net.source] >= 0)
        src, tgt = net.source[self.services], net.target[self.services]
        self.flows = Flows(
            len(nodes),
            local[src],
            local[tgt],
            net.reliance[self.services],
            incidence(local[tgt], len(nodes)),
        )
        moving = batch.e[self.services] * batch.q[src] * net.reliance[self.services, None]
        self.fixed = batch.q[nodes] - batch.c[nodes] - self.flows.gather @ moving
        self.w = gains.w[nodes]


class DrawnGains:
    """Exact gains of single items in the drawn models, weighted by ``w``: each for the draws
    asked only, and each on the part of the model its raise can reach (a hand-off into a
    segment reaches that segment alone)."""

    #: A raise reaching more than this share of the services is solved on the whole model.
    WHOLE = 0.6

    def __init__(self, state: State, inputs: Inputs, own, rating, w: np.ndarray):
        self.state, self.net, self.w = state, state.net, w
        q = solve_draws(state, inputs, own, rating)
        self.batch = Batch(state, inputs, own, rating, q)
        self.base = w @ q
        self.y = adjoint_batch(state, self.batch, w)
        self.p = self.batch.flows()
        self._graph = adjacency(self.net.source, self.net.target, self.net.n)
        self._reach: dict[int, Reach | None] = {}

    def node_bounds(self, nodes: np.ndarray) -> np.ndarray:
        """Linear bounds of the gain of each node made perfect, per draw (items × draws)."""
        a = self.net.own_share[nodes, None]
        return self.y[nodes] * a * (1.0 - self.batch.b[nodes])

    def service_bounds(self, services: np.ndarray) -> np.ndarray:
        """Linear bounds of the gain of each service rated perfect, per draw."""
        net = self.net
        r = net.reliance[services, None]
        return self.y[net.target[services]] * r * (1.0 - self.p[services])

    def reach(self, u: int) -> Reach | None:
        """What a raise at node ``u`` reaches, or None when that is most of the model."""
        if u not in self._reach:
            local = reached(*self._graph, [u])
            nodes = np.flatnonzero(local)
            leaving = int(local[self.net.source].sum())
            whole = leaving > self.WHOLE * self.net.m
            self._reach[u] = None if whole else Reach(self, nodes)
        return self._reach[u]

    def _solve(self, u: int, cols, raise_c, raise_e=None) -> np.ndarray:
        """Gains of the what-ifs that add ``raise_c(c, local)`` to the constants and set
        ``raise_e(e, local)`` transmissions, from a raise at node ``u``."""
        batch = self.batch
        pick = slice(None) if cols is None else cols
        part = self.reach(u)
        if part is None:
            c, e, q = batch.c[:, pick].copy(), batch.e[:, pick], batch.q[:, pick]
            flows, w, local = Flows.of(batch), self.w, None
        else:
            nodes, services = part.nodes, part.services
            c = batch.c[nodes][:, pick] + part.fixed[:, pick]
            e, q = batch.e[services][:, pick], batch.q[nodes][:, pick]
            flows, w, local = part.flows, part.w, part
        raise_c(c, local)
        if raise_e is not None:
            e = raise_e(e.copy(), local)
        return w @ (solve_whatifs(flows, c, e, q) - q)

    def node_gain(self, i: int, cols=None) -> np.ndarray:
        """Exact gain of node ``i`` made perfect, in every draw (or the draws ``cols``)."""
        pick = slice(None) if cols is None else cols
        x = self.net.own_share[i] * (1.0 - self.batch.b[i, pick])

        def raise_c(c, part):
            c[i if part is None else part.local[i]] += x

        return self._solve(i, cols, raise_c)

    def service_gain(self, s: int, cols=None) -> np.ndarray:
        """Exact gain of service ``s`` rated perfect (its supplier unchanged), in every draw
        (or the draws ``cols``)."""
        net, batch = self.net, self.batch
        pick = slice(None) if cols is None else cols
        supplied = batch.supplied[s, pick]
        zero = supplied <= ZERO
        held = np.where(batch.zero[s, pick], batch.p[s, pick], 0.0)
        tgt = int(net.target[s])
        part = self.reach(tgt)
        inside = part is None or part.local[net.source[s]] >= 0
        r = net.reliance[s]

        def raise_c(c, part):
            k = tgt if part is None else part.local[tgt]
            if inside:
                # A service whose supplier delivers nothing in a draw delivers its rating,
                # held at 1.
                c[k] += r * (np.where(zero, 1.0, 0.0) - held)
            else:  # its supplier is not raised: it delivers 1 instead of its flow today
                c[k] += r * (1.0 - self.p[s, pick])

        def raise_e(e, part):
            if inside:
                row = s if part is None else int(np.searchsorted(part.services, s))
                e[row] = np.where(zero, 0.0, 1.0 / np.where(zero, 1.0, supplied))
            return e

        return self._solve(tgt, cols, raise_c, raise_e)


def certified_top(bounds: np.ndarray, exact, top: int, must=()) -> np.ndarray:
    """Exact values (items × draws, nan where not solved) enough to know every draw's top
    ``top``: no item is left unsolved in a draw where its bound is above that draw's
    ``top``-th exact value. The items ``must`` (and the first ``top`` by bound) are solved in
    every draw; every other item only in the draws where it could enter the top."""
    count, draws = bounds.shape
    values = np.full((count, draws), np.nan)
    solved = np.zeros((count, draws), dtype=bool)
    if count == 0 or draws == 0:
        return values
    order = np.argsort(-bounds.max(axis=1), kind="stable")
    first = dict.fromkeys([int(i) for i in must] + [int(i) for i in order[:top]])
    for i in first:
        values[i] = exact(i, None)
        solved[i] = True
    rank = min(top, count) - 1
    while True:
        known = np.where(solved, values, -np.inf)
        nth = np.partition(known, count - 1 - rank, axis=0)[count - 1 - rank]
        need = ~solved & (bounds > nth[None, :] + 1e-15)
        wanted = np.flatnonzero(need.any(axis=1))
        if not len(wanted):
            return values
        wanted = wanted[np.argsort(-bounds[wanted].max(axis=1), kind="stable")][: max(4, top)]
        for i in wanted:
            cols = np.flatnonzero(need[i])
            values[i, cols] = exact(int(i), cols)
            solved[i, cols] = True
