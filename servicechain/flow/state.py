"""The current state of the quality flow and its linearisation ``Q = c + A Q``, solved once per
chain and cached.
"""

from __future__ import annotations

import weakref
from functools import cached_property

import numpy as np

from ..errors import ServiceChainError
from ..model.components import strong_components
from ..model.network import SEGMENT, Network
from ..model.search import adjacency, reached
from .solve import Operator, SolveError

__all__ = ["NO_SEGMENTS", "NO_VALUE", "ZERO", "State", "current_state", "state_of"]

#: A supplier delivering at most this is treated as delivering 0 (its services' ratings are
#: then kept constant instead of moving in proportion to it).
ZERO = 1e-12

#: What every analysis says of a model without segments.
NO_SEGMENTS = "no segments: nothing reaches a customer"
#: Why a model whose segments all have a value of 0 is refused.
NO_VALUE = (
    "no segment carries any value: every segment has revenue 0 (give a segment its revenue, "
    "or leave revenue out to weight the segments by their customers)"
)
#: Columns of ``L`` are solved this many at a time.
BATCH = 64

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
        if (net.kind == SEGMENT).any() and not net.value.sum() > 0:
            raise ServiceChainError(NO_VALUE)
        b, a, r = net.own_filled, net.own_share, net.reliance
        src, tgt = net.source, net.target
        rated = ~np.isnan(net.rating)
        rhs = a * b + np.bincount(tgt[rated], weights=r[rated] * net.rating[rated], minlength=n)
        if rated.all():
            q = rhs
        else:
            free = ~rated
            q = Operator.of(n, tgt[free], src[free], r[free]).solve(rhs)
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
        return Operator.of(net.n, net.target, net.source, net.reliance * self.e)

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

    def columns(self, nodes: np.ndarray) -> np.ndarray:
        """Columns ``L[:, d]`` for the given nodes, one per column of the result (solved
        together, in batches of ``BATCH``)."""
        nodes = np.asarray(nodes, dtype=int)
        out = np.empty((self.net.n, len(nodes)))
        for start in range(0, len(nodes), BATCH):
            chunk = nodes[start : start + BATCH]
            unit = np.zeros((self.net.n, len(chunk)))
            unit[chunk, np.arange(len(chunk))] = 1.0
            out[:, start : start + len(chunk)] = self.operator.solve(unit).reshape(unit.shape)
        return out

    @cached_property
    def links(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The transmission as CSR adjacency both ways, on the pairs of nodes with a non-zero
        entry of ``A`` off its diagonal: ``out_ptr``/``out_idx`` list each node's customers,
        ``in_ptr``/``in_idx`` its suppliers (a pair served several times is listed that often).
        """
        net = self.net
        flow = net.reliance * self.e
        # every flow is >= 0: a pair's entry of A is 0 only where each of its flows is
        keep = (flow != 0) & (net.source != net.target)
        src, tgt = net.source[keep], net.target[keep]
        return (*adjacency(src, tgt, net.n), *adjacency(tgt, src, net.n))

    @cached_property
    def components(self) -> tuple[int, np.ndarray, np.ndarray]:
        """Strongly connected blocks of ``A``: ``(count, label per node, size per block)``."""
        label = strong_components(*self.links)
        count = int(label.max(initial=-1)) + 1
        return count, label, np.bincount(label, minlength=count)

    def on_cycle(self, nodes: np.ndarray) -> np.ndarray:
        """Whether each node is on a cycle of ``A`` (in a block of more than one node)."""
        _, label, sizes = self.components
        return sizes[label[np.asarray(nodes, dtype=int)]] > 1

    def entries(
        self, rows: np.ndarray, cols: np.ndarray, weight: np.ndarray | None = None
    ) -> np.ndarray:
        """``L[rows[t], cols[t]]`` for pairs of nodes in the same strongly connected block
        (or equal), from that block alone; 0 for a pair in two different blocks, 1 on the
        diagonal of a node on no cycle.

        Every walk from ``col`` to ``row`` and back stays in their block when both are in it,
        and a walk from one block to another never returns, so the whole model is never
        inverted: each block is solved for the columns asked of it. A small block is
        factorised; in a large one each column is swept only until ``weight[t]`` times the
        error of its entries is proven below :data:`~servicechain.flow.inverse.ENTRY_TOL`
        (``weight`` defaults to 1).
        """
        rows = np.asarray(rows, dtype=int)
        cols = np.asarray(cols, dtype=int)
        weight = np.ones(len(rows)) if weight is None else np.asarray(weight, dtype=float)
        _, label, sizes = self.components
        out = np.where(rows == cols, 1.0, 0.0)
        same = (label[rows] == label[cols]) & (sizes[label[cols]] > 1)
        for comp in np.unique(label[cols[same]]):
            pick = np.flatnonzero(same & (label[cols] == comp))
            members, op = self._block(int(comp))
            if not op.direct:
                from .inverse import block_entries  # scipy only where a large loop is swept

                a, at, g = self._sweep_of(int(comp))
                found, done = block_entries(
                    a,
                    g,
                    np.searchsorted(members, rows[pick]),
                    np.searchsorted(members, cols[pick]),
                    weight[pick],
                    at=at,
                )
                out[pick[done]] = found[done]
                pick = pick[~done]
                if not len(pick):
                    continue
            wanted, inverse = np.unique(cols[pick], return_inverse=True)
            where_col = np.searchsorted(members, wanted)
            where_row = np.searchsorted(members, rows[pick])
            for start in range(0, len(wanted), BATCH):
                chunk = where_col[start : start + BATCH]
                unit = np.zeros((len(members), len(chunk)))
                unit[chunk, np.arange(len(chunk))] = 1.0
                try:
                    block = op.solve(unit).reshape(unit.shape)
                except SolveError as err:
                    raise SolveError(
                        "a loop of departments sustains itself (I - A is singular)"
                    ) from err
                mine = (inverse >= start) & (inverse < start + len(chunk))
                out[pick[mine]] = block[where_row[mine], inverse[mine] - start]
        return out

    def _block(self, comp: int) -> tuple[np.ndarray, Operator]:
        """The nodes of one strongly connected block and the solver of ``I - A`` on it
        (made once: every exact failure and loop service of the block uses it)."""
        blocks = self.__dict__.setdefault("_blocks", {})
        if comp not in blocks:
            members = np.flatnonzero(self.components[1] == comp)
            blocks[comp] = members, Operator(self.operator.matrix[members][:, members].tocsr())
        return blocks[comp]

    def _sweep_of(self, comp: int) -> tuple:
        """``A`` of one block, its transpose (sparse arrays) and ``g = L 1`` on it (one solve;
        made once)."""
        from scipy import sparse

        sweeps = self.__dict__.setdefault("_block_sweeps", {})
        if comp not in sweeps:
            _, op = self._block(comp)
            try:
                g = op.solve(np.ones(op.n))
            except SolveError as err:
                raise SolveError(
                    "a loop of departments sustains itself (I - A is singular)"
                ) from err
            a = (sparse.eye_array(op.n, format="csr") - op.matrix).tocsr()
            sweeps[comp] = a, a.T.tocsr(), g
        return sweeps[comp]

    def diagonal(self, nodes: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
        """``L[d, d]`` for the given nodes (see :meth:`entries`)."""
        nodes = np.asarray(nodes, dtype=int)
        return self.entries(nodes, nodes, weight)

    @cached_property
    def largest_loop(self) -> int:
        """Size of the largest strongly connected block of ``A``."""
        return int(self.components[2].max(initial=0))

    def reaching(self, w: np.ndarray) -> np.ndarray:
        """Whether each node's quality reaches a node of positive weight ``w`` through the
        transmission (a structurally non-zero row ``w^T L``)."""
        _, _, in_ptr, in_idx = self.links
        return reached(in_ptr, in_idx, np.flatnonzero(np.asarray(w) > 0))

    @cached_property
    def tracing(self) -> Operator:
        """Solves with ``I - Psi``, ``Psi[k, j] = r_jk psi_jk``: how a supplier's gap is
        passed on to its customers (DESIGN, gap tracing)."""
        net = self.net
        return Operator.of(net.n, net.target, net.source, net.reliance * self.psi)

    @cached_property
    def gap(self) -> np.ndarray:
        """``G = 1 - Q`` of every node."""
        return np.clip(1.0 - self.quality, 0.0, 1.0)

    @cached_property
    def passed(self) -> np.ndarray:
        """``passed_jk = min(1 - P_jk, G_j)`` per service: the part of the hand-off's
        shortfall that its supplier's own gap explains."""
        short = np.clip(1.0 - self.service_quality, 0.0, 1.0)
        return np.minimum(short, self.gap[self.net.source])

    @cached_property
    def loss(self) -> np.ndarray:
        """``loss_jk = (1 - P_jk) - passed_jk`` per service: what the hand-off itself adds."""
        short = np.clip(1.0 - self.service_quality, 0.0, 1.0)
        return np.maximum(short - self.passed, 0.0)

    @cached_property
    def psi(self) -> np.ndarray:
        """``psi_jk = passed_jk / G_j`` per service (0 when the supplier has no gap)."""
        g = self.gap[self.net.source]
        return np.divide(self.passed, g, out=np.zeros_like(g), where=g > 0)

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
