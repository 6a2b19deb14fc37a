"""Who moved the numbers: a change of delivered quality split over the changed inputs.

The current state solves ``M(θ) Q = h(θ, x)``. The *structure* ``θ`` (dependences, weights,
which services exist and which are rated, segment values) sets the reliances ``r`` and the
matrix ``M = I - R_unrated`` (an unrated service passes on what its supplier delivers); the
*linear inputs* ``x`` (own qualities ``b``, a segment's baseline, the ratings ``P`` of services
rated in both versions) enter the right-hand side only, linearly::

    h_i(θ, x) = a_i(θ) b_i + sum_{rated j->i} r_ji(θ) P_ji,      F(θ, x) = M(θ)^-1 h(θ, x)

so ``F`` is linear in ``x`` for a fixed ``θ``, with gradient ``G(θ)``: ``dQ_k/db_i = L[k,i] a_i``
and ``dQ_k/dP_ji = L[k,i] r_ji`` with ``L = M^-1`` (the company's row is ``w^T L``, ``w`` the
segments' value shares). The change from OLD ``(θo, xo)`` to NEW ``(θn, xn)`` is split by the
Owen value with two unions, the linear inputs and the structural groups:

* each linear input ``i`` gets ``½ (G(θo) + G(θn))[k, i] Δx_i``: exact and unique; together they
  take ``½ [F(θn, xn) - F(θn, xo) + F(θo, xn) - F(θo, xo)]``;
* the structural changes, grouped by the department (segment, partner) they belong to, share the
  rest, which by linearity is ``F(θn, x̄) - F(θo, x̄)`` at the midpoint ``x̄ = (xo + xn) / 2``,
  by the Shapley values of the game ``v(T) = F(θ_T, x̄)``.

The two parts add up to ``F(θn, xn) - F(θo, xo)``, the change. Segment ``k``'s state depends
only on its own row and the rows that reach it through unrated services (a closed set, solved
alone); a group touching none of them is a null player of ``k``'s game and gets exactly 0, so each
segment's game is played by the groups that reach it: exactly over every subset when they are at
most :data:`EXACT_MAX_GROUPS`, else by the mean over seeded random orders, each taken with its
reverse and each adding up to ``v(all) - v(none)`` exactly. The company's quality is
``sum_k w_k(T) Q_k(T)``; its game is the sum of the games ``w_k Q_k`` (played by the groups that
reach ``k`` and those that change segment values), and Shapley values add over games.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import factorial

import numpy as np
from scipy import sparse
from scipy.sparse import linalg as spla

from ..flow.solve import SolveError
from .match import LINEAR, Union

__all__ = ["EXACT_MAX_GROUPS", "SAMPLES", "Attribution", "attribute"]

#: A segment's Shapley values are exact (every subset solved) when at most this many groups
#: reach it.
EXACT_MAX_GROUPS = 12
#: Default number of random orders beyond (taken in pairs: each order and its reverse).
SAMPLES = 64
#: Local systems up to this size are solved densely, larger ones by a sparse LU (single-threaded,
#: and cheaper on these nearly triangular systems).
_DENSE_MAX = 24
_NOT_STRUCTURAL = LINEAR | {"renamed", "service renamed"}
_LOOP = (
    "a mix of the two versions has a closed loop (departments that would sustain each other "
    "with no contribution of their own); compare in smaller steps"
)


@dataclass
class Attribution:
    """Contributions to each output: the union segments (``outputs``), then the company.

    ``linear[c]`` is the contribution of change ``c`` (zero for structural changes);
    ``groups[g]`` is the node structural group ``g`` belongs to, ``members[g]`` its changes,
    ``shares[g]`` its Shapley values and ``stderr[g]`` their sampling standard errors (0 where
    exact); ``exact`` is whether every game was solved over all subsets, ``samples`` the number
    of random orders used otherwise.
    """

    outputs: np.ndarray
    linear: np.ndarray
    groups: list[int]
    members: list[list[int]]
    shares: np.ndarray
    stderr: np.ndarray
    exact: bool
    samples: int


def _factor(m):
    try:
        return spla.splu(sparse.csc_array(m))
    except RuntimeError as err:
        raise SolveError(_LOOP) from err


def _version(u: Union, v: int):
    """``M``, ``a`` and ``r`` (per union service, 0 where absent) of version ``v``."""
    present = u.s_present[v]
    src, tgt = u.source[present], u.target[present]
    w = u.weight[v, present]
    win = np.bincount(tgt, weights=w, minlength=u.n)
    r = u.dependence[v, tgt] * w / win[tgt]
    a = 1.0 - np.bincount(tgt, weights=r, minlength=u.n)
    a[win == 0] = 1.0
    free = np.isnan(u.rating[v, present])
    m = (
        sparse.eye_array(u.n, format="csr")
        - sparse.coo_array((r[free], (tgt[free], src[free])), shape=(u.n, u.n)).tocsr()
    )
    r_all = np.zeros(u.m)
    r_all[present] = r
    return m, np.clip(a, 0.0, 1.0), r_all


def _linear(u: Union, seg: np.ndarray) -> np.ndarray:
    """``½ (G(θo) + G(θn)) Δx`` for every linear change (rows: changes; zero otherwise)."""
    out = np.zeros((len(u.changes), len(seg) + 1))
    picked = [c for c, ch in enumerate(u.changes) if ch.linear]
    if not picked:
        return out
    services = np.array(
        [u.changes[c].services[0] if u.changes[c].kind == "rating" else -1 for c in picked]
    )
    is_rating = services >= 0
    nodes = np.array([u.changes[c].node for c in picked])
    rows = np.where(is_rating, u.target[np.maximum(services, 0)], nodes)
    delta = np.where(
        is_rating,
        u.rating[1, np.maximum(services, 0)] - u.rating[0, np.maximum(services, 0)],
        u.own[1, nodes] - u.own[0, nodes],
    )
    for v in (0, 1):
        m, a, r = _version(u, v)
        rhs = np.zeros((u.n, len(seg) + 1))
        rhs[seg, np.arange(len(seg))] = 1.0
        values = u.value[v, seg]
        if values.sum() > 0:
            rhs[seg, len(seg)] = values / values.sum()
        y = _factor(m).solve(rhs, trans="T")
        coef = np.where(is_rating, r[np.maximum(services, 0)], a[nodes])
        out[picked] += 0.5 * y[rows] * (coef * delta)[:, None]
    return out


def _groups(u: Union) -> tuple[list[int], list[list[int]], list[np.ndarray]]:
    """Structural changes grouped by node: the node, its changes and the services they touch."""
    by_node: dict[int, list[int]] = {}
    for c, change in enumerate(u.changes):
        if change.kind not in _NOT_STRUCTURAL:
            by_node.setdefault(change.node, []).append(c)
    groups = list(by_node)
    members = [by_node[g] for g in groups]
    slots = [
        np.array(sorted({s for c in cs for s in u.changes[c].services}), dtype=np.int64)
        for cs in members
    ]
    return groups, members, slots


def _closure(unrated: dict[int, list[int]], k: int) -> np.ndarray:
    """``k`` and every node that reaches it through services unrated in either version: the
    rows its current state depends on (sorted)."""
    seen, frontier = {k}, [k]
    while frontier:
        frontier = [j for i in frontier for j in unrated.get(i, ()) if j not in seen]
        seen.update(frontier)
    return np.array(sorted(seen), dtype=np.int64)


class _Local:
    """One segment's current state under any mix of the two versions, solved on the rows it
    depends on only."""

    def __init__(self, u: Union, rows: np.ndarray, incoming: np.ndarray, ks):
        self.u, self.rows, self.slots = u, rows, incoming
        at = {int(i): p for p, i in enumerate(rows.tolist())}
        self.k = np.array([at[k] for k in np.atleast_1d(ks).tolist()], dtype=np.int64)
        self.own = u.own.mean(axis=0)[rows]
        self.tgt = np.array([at[t] for t in u.target[incoming].tolist()], dtype=np.int64)
        self.src = np.array([at.get(s, -1) for s in u.source[incoming].tolist()], dtype=np.int64)
        both = ~np.isnan(u.rating[:, incoming]).any(axis=0)
        self.fixed = np.where(both, u.rating[:, incoming].mean(axis=0), np.nan)

    def quality(self, node_new: np.ndarray, slot_new: np.ndarray) -> np.ndarray:
        """``Q_k`` with NEW's structure where the flags say so, the linear inputs at midpoint."""
        u, slots, size = self.u, self.slots, len(self.rows)
        v = slot_new[slots].astype(np.int64)
        present = u.s_present[v, slots]
        w = np.where(present, u.weight[v, slots], 0.0)
        p = np.where(np.isnan(self.fixed), u.rating[v, slots], self.fixed)
        dep = u.dependence[node_new[self.rows].astype(np.int64), self.rows]
        win = np.bincount(self.tgt, weights=w, minlength=size)
        r = dep[self.tgt] * w / np.where(win > 0, win, 1.0)[self.tgt]
        a = 1.0 - np.bincount(self.tgt, weights=r, minlength=size)
        a[win == 0] = 1.0
        rated = ~np.isnan(p)
        h = np.clip(a, 0.0, 1.0) * self.own
        h += np.bincount(self.tgt[rated], weights=r[rated] * p[rated], minlength=size)
        free = ~rated & present
        if not free.any():
            return h[self.k]
        if size <= _DENSE_MAX:
            m = np.eye(size)
            np.add.at(m, (self.tgt[free], self.src[free]), -r[free])
            try:
                return np.linalg.solve(m, h)[self.k]
            except np.linalg.LinAlgError as err:
                raise SolveError(_LOOP) from err
        m = (
            sparse.eye_array(size, format="csr")
            - sparse.coo_array(
                (r[free], (self.tgt[free], self.src[free])), shape=(size, size)
            ).tocsr()
        )
        return _factor(m).solve(h)[self.k]


def _shapley(players: int, value) -> np.ndarray:
    """Exact Shapley values of the game ``value(mask)`` (``mask`` a bit mask of the players),
    from every subset."""
    if players == 0:
        return np.zeros(0)
    masks = np.arange(1 << players)
    values = np.array([value(int(mask)) for mask in masks.tolist()])
    sizes = np.array([bin(mask).count("1") for mask in masks.tolist()])
    weight = np.array(
        [factorial(s) * factorial(players - s - 1) / factorial(players) for s in range(players)]
    )
    out = np.zeros(players)
    for g in range(players):
        without = masks[(masks >> g & 1) == 0]
        out[g] = weight[sizes[without]] @ (values[without | 1 << g] - values[without])
    return out


class _Games:
    """Everything the segments' games share: the groups, their rows and the coalition flags."""

    def __init__(self, u: Union, groups: list[int], slots: list[np.ndarray]):
        self.u, self.groups, self.slots = u, groups, slots
        self.unrated: dict[int, list[int]] = {}
        for s in np.flatnonzero(np.isnan(u.rating).any(axis=0)).tolist():
            self.unrated.setdefault(int(u.target[s]), []).append(int(u.source[s]))
        self.row_groups: dict[int, list[int]] = {}
        for g, node in enumerate(groups):
            rows = {int(u.target[s]) for s in slots[g].tolist()}
            if u.dependence[0, node] != u.dependence[1, node]:
                rows.add(node)
            for i in rows:
                self.row_groups.setdefault(i, []).append(g)
        self.value_groups = [
            g for g, node in enumerate(groups) if u.value[0, node] != u.value[1, node]
        ]
        order = np.argsort(u.target, kind="stable")
        self.order = order
        self.bounds = np.searchsorted(u.target[order], np.arange(u.n + 1))
        self.node_new = np.zeros(u.n, dtype=bool)
        self.slot_new = np.zeros(u.m, dtype=bool)
        self._shares: dict[int, np.ndarray] = {}

    def reach(self, k: int) -> tuple[np.ndarray, list[int]]:
        """The rows segment ``k`` depends on and the groups that touch them."""
        rows = _closure(self.unrated, k)
        return rows, sorted({g for i in rows.tolist() for g in self.row_groups.get(i, ())})

    def solver(self, rows: np.ndarray, ks) -> _Local:
        """A solver of the segments ``ks`` on ``rows`` (closed under unrated suppliers)."""
        incoming = np.concatenate(
            [self.order[self.bounds[i] : self.bounds[i + 1]] for i in rows.tolist()]
        )
        return _Local(self.u, rows, incoming, ks)

    def quality(self, local: _Local, players: list[int], mask: int) -> np.ndarray:
        """The segments' quality with the groups ``players`` selected by ``mask`` applied."""
        self.node_new[:] = False
        self.slot_new[:] = False
        for b, g in enumerate(players):
            if mask >> b & 1:
                self.node_new[self.groups[g]] = True
                self.slot_new[self.slots[g]] = True
        return local.quality(self.node_new, self.slot_new)

    def value_mask(self, players: list[int], mask: int) -> int:
        """The bits over ``value_groups`` of the players selected by ``mask``."""
        vg = self.value_groups
        return sum(1 << vg.index(g) for b, g in enumerate(players) if mask >> b & 1 and g in vg)

    def value_shares(self, mask: int) -> np.ndarray:
        """Segment value shares with the value groups in ``mask`` (bits over value_groups)."""
        if mask not in self._shares:
            seg = self.u.segments
            flags = np.zeros(self.u.n, dtype=np.int64)
            for b, g in enumerate(self.value_groups):
                if mask >> b & 1:
                    flags[self.groups[g]] = 1
            values = self.u.value[flags[seg], seg]
            total = values.sum()
            self._shares[mask] = values / total if total > 0 else np.zeros(len(seg))
        return self._shares[mask]


def _walks(games, cols, seg_cols, company_cols, reach, shares, var, *, samples, rng) -> None:
    """Shapley values of the segments whose games are too large to solve over every subset,
    from the same seeded random orders (each with its reverse) for all of them: one solve per
    step gives every such segment's quality, and each order adds up exactly."""
    seg = games.u.segments
    rows = np.unique(np.concatenate([reach[c][0] for c in cols]))
    players = sorted({g for c in cols for g in reach[c][1]} | set(games.value_groups))
    local = games.solver(rows, seg[cols])
    known = np.zeros((len(players), len(cols)), dtype=bool)  # players that can move a segment
    where = {g: b for b, g in enumerate(players)}
    for j, c in enumerate(cols):
        known[[where[g] for g in reach[c][1]], j] = True
    is_seg = np.isin(cols, seg_cols)
    in_company = np.isin(cols, company_cols)

    def value(mask: int) -> np.ndarray:
        q = games.quality(local, players, mask)
        w = games.value_shares(games.value_mask(players, mask))[cols]
        return np.append(q, float(w[in_company] @ q[in_company]))

    full = (1 << len(players)) - 1
    start, end = value(0), value(full)
    pairs = max(1, samples // 2)
    draws = np.zeros((pairs, len(players), len(cols) + 1))
    for p in range(pairs):
        order = rng.permutation(len(players))
        for walk in (order, order[::-1]):
            prev, mask = start, 0
            for step, b in enumerate(walk.tolist()):
                mask |= 1 << b
                cur = end if step == len(players) - 1 else value(mask)
                gain = cur - prev
                gain[:-1][~known[b]] = 0.0  # a group that cannot reach a segment is a null player
                draws[p, b] += 0.5 * gain
                prev = cur
    mean = draws.mean(axis=0)
    err2 = draws.var(axis=0, ddof=1) / pairs if pairs > 1 else np.zeros_like(mean)
    seg_at = np.array(cols)[is_seg]
    shares[np.ix_(players, seg_at)] = mean[:, :-1][:, is_seg]
    var[np.ix_(players, seg_at)] = err2[:, :-1][:, is_seg]
    shares[players, -1] += mean[:, -1]
    var[players, -1] += err2[:, -1]


def attribute(
    u: Union, *, samples: int = SAMPLES, seed: int = 0, exact_max: int = EXACT_MAX_GROUPS
) -> Attribution:
    """Split the change of every union segment's quality and of the company's over the changes
    of ``u`` (the method is in the module docstring).

    Parameters
    ----------
    u : Union
        Two versions laid over one another (:func:`~servicechain.compare.match.overlay`).
    samples : int, keyword-only
        Random orders per game beyond ``exact_max`` groups.
    seed : int, keyword-only
        Seed of those orders: the same inputs give the same result.
    exact_max : int, keyword-only
        Games with at most this many groups are solved over every subset.
    """
    groups, members, slots = _groups(u)
    games = _Games(u, groups, slots)
    seg = u.segments
    shares = np.zeros((len(groups), len(seg) + 1))
    var = np.zeros_like(shares)
    exact = True
    rng = np.random.default_rng(seed)
    vg = games.value_groups
    big_seg, big_company = [], []
    reach = {}
    for col, k in enumerate(seg.tolist()):
        rows, near = games.reach(k)
        reach[col] = (rows, near)
        in_both = bool(u.present[:, k].all())
        in_company = bool(vg) or bool(u.value[:, k].any())
        players = near + [g for g in vg if g not in near]
        if (in_both and len(near) > exact_max) or (in_company and len(players) > exact_max):
            if in_both:
                big_seg.append(col)
            if in_company:
                big_company.append(col)
            continue
        local = games.solver(rows, k)
        cache: dict[int, float] = {}

        def quality(mask: int, near=near, local=local, cache=cache) -> float:
            if mask not in cache:
                cache[mask] = float(games.quality(local, near, mask)[0])
            return cache[mask]

        if in_both:
            shares[near, col] = _shapley(len(near), quality)
        if not in_company:
            continue
        low = (1 << len(near)) - 1

        def company(mask: int, players=players, low=low, quality=quality, col=col) -> float:
            return games.value_shares(games.value_mask(players, mask))[col] * quality(mask & low)

        shares[players, -1] += _shapley(len(players), company)
    if big_seg or big_company:
        cols = sorted(set(big_seg) | set(big_company))
        _walks(games, cols, big_seg, big_company, reach, shares, var, samples=samples, rng=rng)
        exact = False
    return Attribution(
        outputs=seg,
        linear=_linear(u, seg),
        groups=groups,
        members=members,
        shares=shares,
        stderr=np.sqrt(var),
        exact=exact,
        samples=0 if exact else 2 * max(1, samples // 2),
    )
