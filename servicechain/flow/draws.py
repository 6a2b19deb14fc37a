"""Monte Carlo draws of the scored inputs within the scale: the delivered quality each draw's
data gives (its current state), and the what-ifs of each drawn model, solved exactly with the
cap, all draws of a batch together.

An input with a standard error (``quality_se`` of an own quality, a baseline or a rating) is
drawn from the Beta distribution with its value as mean and its standard error as standard
deviation: it stays within the scale and keeps both moments. Where no Beta has those moments
(a value at an end of the scale, or a standard error above ``sqrt(x (1 - x))``), the draw is a
normal clipped to the scale.

A draw is the model as its survey might have come out: its current state solves
``Q = a b + sum_rated r P + sum_unrated r Q_supplier`` (linear in the inputs, one batched solve
for every draw), and a what-if of that drawn model moves each service as ``min(1, e Q_j)`` with
``e = P / Q_j`` at the draw's own state (DESIGN, transmission). The what-ifs of a batch are
solved by sweeps, a sparse product per sweep for the whole batch; every draw's residual is
checked, and a draw whose sweeps do not settle is solved alone by
:func:`~servicechain.flow.capped.capped_fixed_point`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .capped import capped_fixed_point
from .solve import RESIDUAL_TOL, Operator, SolveError, system_matrix
from .state import ZERO, State

if TYPE_CHECKING:
    from scipy import sparse

__all__ = [
    "Batch",
    "Flows",
    "Inputs",
    "adjoint_batch",
    "data_operator",
    "draw_inputs",
    "drawn_scores",
    "incidence",
    "solve_batch",
    "solve_draws",
    "solve_whatifs",
    "uncertain_inputs",
]

#: Sweeps of a batch before its unsettled draws are solved one by one.
_MAX_SWEEPS = 400
#: The sweeps of a batch of what-ifs stop when no value changes by more than this (each is
#: then within about this of its fixed point: the sweeps contract by the loops' gain).
_WHATIF_TOL = 1e-13
#: A batch of what-ifs holds at most this many service × draw values at once (memory).
BATCH_CELLS = 4_000_000


@dataclass
class Inputs:
    """The inputs that carry a standard error: own qualities (node positions ``nodes``) and
    service ratings (service positions ``services``), with values and standard errors on 0..1.
    """

    nodes: np.ndarray
    own: np.ndarray
    own_se: np.ndarray
    services: np.ndarray
    rating: np.ndarray
    rating_se: np.ndarray

    @property
    def count(self) -> int:
        """Number of uncertain inputs."""
        return len(self.nodes) + len(self.services)


def uncertain_inputs(state: State) -> Inputs:
    """The given scores of ``state``'s model that carry a positive standard error.

    An own quality counts only where it has an effect (its own share ``a_i`` is positive: a
    segment's baseline when its dependence is below 1).
    """
    net = state.net
    own_se = net.own_se if net.own_se is not None else np.zeros(net.n)
    rating_se = net.rating_se if net.rating_se is not None else np.zeros(net.m)
    nodes = np.flatnonzero((own_se > 0) & ~np.isnan(net.own) & (net.own_share > 0))
    services = np.flatnonzero((rating_se > 0) & ~np.isnan(net.rating))
    return Inputs(
        nodes,
        net.own[nodes],
        own_se[nodes],
        services,
        net.rating[services],
        rating_se[services],
    )


def _within_scale(mean: np.ndarray, se: np.ndarray, rng: np.random.Generator, draws: int):
    """``draws`` values per input, within 0..1, with the input's mean and standard error."""
    mean = np.asarray(mean, dtype=float)
    se = np.asarray(se, dtype=float)
    out = np.empty((len(mean), draws))
    room = mean * (1.0 - mean)
    beta = (se > 0) & (se * se < room)
    if beta.any():
        nu = room[beta] / (se[beta] * se[beta]) - 1.0
        a, b = mean[beta] * nu, (1.0 - mean[beta]) * nu
        out[beta] = rng.beta(a[:, None], b[:, None], size=(int(beta.sum()), draws))
    rest = ~beta
    if rest.any():
        noise = rng.standard_normal((int(rest.sum()), draws))
        out[rest] = np.clip(mean[rest, None] + se[rest, None] * noise, 0.0, 1.0)
    return out


def draw_inputs(inputs: Inputs, draws: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Drawn own qualities (``len(nodes) × draws``) and ratings (``len(services) × draws``).

    Examples
    --------
    >>> inputs = Inputs(np.array([0]), np.array([0.6]), np.array([0.1]),
    ...                 np.array([], int), np.array([]), np.array([]))
    >>> own, rating = draw_inputs(inputs, 20000, 1)
    >>> round(float(own.mean()), 2), round(float(own.std()), 2), rating.shape
    (0.6, 0.1, (0, 20000))
    """
    rng = np.random.default_rng(seed)
    own = _within_scale(inputs.own, inputs.own_se, rng, draws)
    rating = _within_scale(inputs.rating, inputs.rating_se, rng, draws)
    return own, rating


def data_operator(state: State) -> Operator:
    """Solves with ``I - A0``, ``A0[i, j] = r_ji`` for the unrated services only: the map from
    a model's data to its current state (``L0 = (I - A0)^-1``)."""
    net = state.net
    free = np.isnan(net.rating)
    return Operator(system_matrix(net.n, net.target[free], net.source[free], net.reliance[free]))


def drawn_scores(state: State, inputs: Inputs, own: np.ndarray, rating: np.ndarray):
    """Own qualities (nodes × draws, filled in) and ratings (services × draws, nan where
    unrated) of the drawn models."""
    net = state.net
    d = own.shape[1] if own.size else rating.shape[1]
    b = np.repeat(net.own_filled[:, None], d, axis=1)
    b[inputs.nodes] = own
    p = np.repeat(net.rating[:, None], d, axis=1)
    p[inputs.services] = rating
    return b, p


def solve_draws(
    state: State, inputs: Inputs, own: np.ndarray, rating: np.ndarray, operator=None
) -> np.ndarray:
    """The current state of every draw (nodes × draws): the delivered quality its data gives,
    ``Q = L0 (a b + sum_rated r P)``, one batched solve. Only the drawn scores are gathered:
    the rest of ``a b + sum_rated r P`` is the same in every draw."""
    net = state.net
    draws = own.shape[1] if own.size else rating.shape[1]
    rated = ~np.isnan(net.rating)
    base = net.own_share * net.own_filled + np.bincount(
        net.target[rated], weights=(net.reliance * net.rating)[rated], minlength=net.n
    )
    c = np.repeat(base[:, None], draws, axis=1)
    nodes, services = inputs.nodes, inputs.services
    c[nodes] += net.own_share[nodes, None] * (own - net.own_filled[nodes, None])
    if len(services):
        moved = rating - net.rating[services, None]
        moved *= net.reliance[services, None]
        c += incidence(net.target[services], net.n) @ moved
    if rated.all():
        return np.clip(c, 0.0, 1.0)
    op = operator if operator is not None else data_operator(state)
    q = op.solve(c).reshape(c.shape)
    return np.clip(q, 0.0, 1.0)


class Batch:
    """The what-if arrays of a set of drawn models at their own states ``q`` (nodes × draws):
    ``c`` (nodes × draws) and the transmission ``e`` of every service (services × draws; 0
    where the rating is held constant because its supplier delivers 0, its flow then in
    ``c``)."""

    def __init__(self, state: State, inputs: Inputs, own, rating, q: np.ndarray):
        net = state.net
        self.b, self.p = drawn_scores(state, inputs, own, rating)
        rated = ~np.isnan(net.rating)[:, None]
        supplied = q[net.source]
        self.zero = rated & (supplied <= ZERO)
        self.supplied = supplied
        safe = np.where(self.zero, 1.0, supplied)
        self.e = np.where(rated, np.where(self.zero, 0.0, self.p / safe), 1.0)
        self.r = net.reliance
        self.source, self.target = net.source, net.target
        self.gather = incidence(net.target, net.n)
        held = np.where(self.zero, self.p, 0.0) * self.r[:, None]
        self.c = net.own_share[:, None] * self.b + self.gather @ held
        self.q = q

    def flows(self) -> np.ndarray:
        """What each service delivers in each draw (services × draws)."""
        flow = np.minimum(1.0, self.e * self.q[self.source])
        return np.where(self.zero, self.p, flow)


def incidence(target: np.ndarray, n: int) -> sparse.csr_array:
    """``n × len(target)`` matrix summing service values into the nodes ``target`` names
    (their customers, or with the sources, their suppliers)."""
    from scipy import sparse

    m = len(target)
    return sparse.csr_array((np.ones(m), (target, np.arange(m))), shape=(n, m))


def solve_batch(state: State, batch: Batch) -> np.ndarray:
    """Every what-if of ``batch`` solved exactly (nodes × draws), sweeping up from the drawn
    states (a raise only ever raises them)."""
    return solve_whatifs(Flows.of(batch), batch.c, batch.e, batch.q)


@dataclass
class Flows:
    """The services of a what-if's sweeps: ``n`` nodes, each service's ``source``, ``target``
    and reliance ``r``, and ``gather`` (n × services) summing services into customers. Either
    the whole model's, or the part of it that a raise at one node can reach."""

    n: int
    source: np.ndarray
    target: np.ndarray
    r: np.ndarray
    gather: sparse.csr_array

    @classmethod
    def of(cls, batch: Batch) -> Flows:
        """The whole model's services."""
        return cls(len(batch.q), batch.source, batch.target, batch.r, batch.gather)


def solve_whatifs(flows: Flows, c: np.ndarray, e: np.ndarray, q: np.ndarray) -> np.ndarray:
    """What-ifs ``Q_i = c_i + sum_s r_s min(1, e_s Q_source)`` of several draws (``c``: nodes ×
    k, ``e``: services × k), each solved exactly from its drawn state ``q`` (nodes × k), which
    it only raises.

    Each sweep is a gather, two in-place products and one sparse product for every draw at
    once; a draw whose residual the sweeps leave above the tolerance is solved alone.
    """
    r = flows.r[:, None]
    er = e * r
    q = q.copy()
    for _ in range(_MAX_SWEEPS):
        flow = q.take(flows.source, axis=0)  # faster than fancy indexing or take with out=
        flow *= er
        np.minimum(flow, r, out=flow)
        new = flows.gather @ flow
        new += c
        q -= new
        change = float(np.abs(q).max(initial=0.0))
        q = new
        if change <= _WHATIF_TOL:
            break
    flow = q.take(flows.source, axis=0)
    flow *= er
    np.minimum(flow, r, out=flow)
    residual = np.abs(flows.gather @ flow + c - q).max(axis=0, initial=0.0)
    for j in np.flatnonzero(residual > RESIDUAL_TOL):
        try:
            q[:, j] = capped_fixed_point(
                flows.n, c[:, j], flows.source, flows.target, flows.r, e[:, j]
            )
        except SolveError as err:
            raise SolveError(f"draw {j} of the Monte Carlo could not be solved: {err}") from err
    return np.clip(q, 0.0, 1.0)


def adjoint_batch(state: State, batch: Batch, w: np.ndarray) -> np.ndarray:
    """``y_d = w + A_d^T y_d`` for every draw ``d``, ``A_d`` the transmission of the drawn model
    at its state (a service at the cap passes nothing more on): ``y_d`` times a raise of the
    inputs bounds the raise of ``w^T Q`` from above (the flow is concave)."""
    net = state.net
    slope = batch.e * (batch.e * batch.q[batch.source] < 1.0)
    slope *= batch.r[:, None]
    scatter = incidence(batch.source, net.n)
    base = np.repeat(np.asarray(w, dtype=float)[:, None], batch.q.shape[1], axis=1)
    y = base.copy()
    for _ in range(_MAX_SWEEPS):
        new = base + scatter @ (slope * y[batch.target])
        change = np.abs(new - y).max(initial=0.0)
        y = new
        if change <= 1e-14:
            return y
    raise SolveError("the adjoint of the Monte Carlo draws did not converge")
