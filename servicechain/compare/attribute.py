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
reverse and each adding up to ``v(all) - v(none)`` exactly.

The company's quality ``sum_k w_k Q_k`` (``w`` the value shares) changes by exactly
``sum_k w̄_k ΔQ_k + sum_k Δw_k Q̄_k`` (bars: the mean of OLD and NEW; the Shapley split between
the qualities and the value mix). The first part takes each segment's contributions weighted by
its mean share; the second, the shift of the value mix, is shared by the Shapley values of the
game ``sum_k w_k(T) Q̄_k`` over the segments whose value changed (exact up to
:data:`EXACT_MAX_GROUPS` of them, sampled beyond; it needs no solve). A segment a version lacks
has no value there, so whatever it would deliver there cancels out.
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


def _linear(u: Union, seg: np.ndarray, games) -> np.ndarray:
    """``½ (G(θo) + G(θn)) Δx`` for every linear change (rows: changes; columns: segments, the
    company's left 0 here; zero rows for structural changes).

    ``G[k, i]`` is nonzero only on the rows segment ``k`` depends on, so each segment's row of
    ``L`` is solved on those rows alone (``(M^T y = e_k)`` restricted to a closed set is exact).
    """
    out = np.zeros((len(u.changes), len(seg) + 1))
    picked = [c for c, ch in enumerate(u.changes) if ch.linear]
    if not picked:
        return out
    by_row: dict[int, list[tuple[int, int, float]]] = {}
    versions = [_version(u, v) for v in (0, 1)]
    for c in picked:
        ch = u.changes[c]
        if ch.kind == "rating":
            s = ch.services[0]
            row, delta = int(u.target[s]), float(u.rating[1, s] - u.rating[0, s])
        else:
            s, row, delta = -1, ch.node, float(u.own[1, ch.node] - u.own[0, ch.node])
        by_row.setdefault(row, []).append((c, s, delta))
    for col, k in enumerate(seg.tolist()):
        rows, _ = games.reach(k)
        hits = [i for i in rows.tolist() if i in by_row]
        if not hits:
            continue
        where = np.searchsorted(rows, hits)
        for m, a, r in versions:
            y = _row_of_inverse(m, rows, k)[where]
            for yi, i in zip(y.tolist(), hits, strict=True):
                for c, s, delta in by_row[i]:
                    coef = r[s] if s >= 0 else a[i]
                    out[c, col] += 0.5 * yi * coef * delta
    return out


def _row_of_inverse(m, rows: np.ndarray, k: int) -> np.ndarray:
    """Row ``k`` of ``M^-1`` on ``rows`` (closed under the columns of ``M``'s rows in it)."""
    block = m[rows][:, rows]
    unit = (rows == k).astype(float)
    if len(rows) <= _DENSE_MAX:
        return np.linalg.solve(block.toarray().T, unit)
    return _factor(block).solve(unit, trans="T")


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
        self._value_cols: np.ndarray | None = None

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

    def value_shares(self, mask: int) -> np.ndarray:
        """Segment value shares with the value groups in ``mask`` (bits over value_groups)."""
        if mask not in self._shares:
            seg = self.u.segments
            if self._value_cols is None:
                col = {int(k): c for c, k in enumerate(seg.tolist())}
                self._value_cols = np.array(
                    [col[self.groups[g]] for g in self.value_groups], dtype=np.int64
                )
            values = self.u.value[0, seg].copy()
            chosen = self._value_cols[[b for b in range(len(self.value_groups)) if mask >> b & 1]]
            values[chosen] = self.u.value[1, seg[chosen]]
            total = values.sum()
            self._shares[mask] = values / total if total > 0 else np.zeros(len(seg))
        return self._shares[mask]


def _orders(players: int, value, start, end, *, samples: int, rng, null=None):
    """Mean marginal contributions over seeded random orders, each taken with its reverse and
    each adding up to ``end - start`` exactly, and their standard errors. ``null[b]`` marks the
    outputs player ``b`` cannot move (its marginals there are exactly 0)."""
    pairs = max(1, samples // 2)
    draws = np.zeros((pairs, players, *np.shape(start)))
    for p in range(pairs):
        order = rng.permutation(players)
        for walk in (order, order[::-1]):
            prev, mask = start, 0
            for step, b in enumerate(walk.tolist()):
                mask |= 1 << b
                cur = end if step == players - 1 else value(mask)
                gain = np.array(cur - prev, dtype=float)
                if null is not None:
                    gain[null[b]] = 0.0
                draws[p, b] += 0.5 * gain
                prev = cur
    err2 = draws.var(axis=0, ddof=1) / pairs if pairs > 1 else np.zeros(draws.shape[1:])
    return draws.mean(axis=0), err2


def _walks(games, cols, reach, shares, var, *, samples, rng) -> None:
    """Shapley values of the segments whose games are too large to solve over every subset,
    from the same random orders for all of them (one solve per step gives every such segment's
    quality)."""
    seg = games.u.segments
    rows = np.unique(np.concatenate([reach[c][0] for c in cols]))
    players = sorted({g for c in cols for g in reach[c][1]})
    local = games.solver(rows, seg[cols])
    null = np.ones((len(players), len(cols)), dtype=bool)  # players that cannot move a segment
    where = {g: b for b, g in enumerate(players)}
    for j, c in enumerate(cols):
        null[[where[g] for g in reach[c][1]], j] = False

    def value(mask: int) -> np.ndarray:
        return games.quality(local, players, mask)

    start, end = value(0), value((1 << len(players)) - 1)
    mean, err2 = _orders(len(players), value, start, end, samples=samples, rng=rng, null=null)
    shares[np.ix_(players, cols)] = mean
    var[np.ix_(players, cols)] = err2


def _states(u: Union) -> np.ndarray:
    """Every union node's current state in each version (rows OLD, NEW); a node a version lacks
    is alone there and delivers its own quality."""
    out = np.zeros((2, u.n))
    for v in (0, 1):
        m, a, r = _version(u, v)
        present = u.s_present[v]
        rated = present & ~np.isnan(u.rating[v])
        h = a * u.own[v] + np.bincount(
            u.target[rated], weights=r[rated] * u.rating[v, rated], minlength=u.n
        )
        out[v] = _factor(m).solve(h)
    return out


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
        Random orders per game beyond ``exact_max`` players.
    seed : int, keyword-only
        Seed of those orders: the same inputs give the same result.
    exact_max : int, keyword-only
        Games with at most this many players are solved over every subset.
    """
    groups, members, slots = _groups(u)
    games = _Games(u, groups, slots)
    seg = u.segments
    shares = np.zeros((len(groups), len(seg) + 1))
    var = np.zeros_like(shares)
    rng = np.random.default_rng(seed)
    big, reach = [], {}
    for col, k in enumerate(seg.tolist()):
        rows, near = games.reach(k)
        reach[col] = (rows, near)
        if len(near) > exact_max:
            big.append(col)
            continue
        local = games.solver(rows, k)

        def quality(mask: int, near=near, local=local) -> float:
            return float(games.quality(local, near, mask)[0])

        shares[near, col] = _shapley(len(near), quality)
    if big:
        _walks(games, big, reach, shares, var, samples=samples, rng=rng)
    linear = _linear(u, seg, games)
    # The company: sum_k w_k Q_k changes by sum_k w̄_k ΔQ_k (each segment's contributions,
    # weighted by its mean value share) plus sum_k Δw_k Q̄_k (the mix of segment values,
    # shared by Shapley values over the segments whose value changed).
    totals = u.value[:, seg].sum(axis=1, keepdims=True)
    w = np.divide(u.value[:, seg], totals, out=np.zeros((2, len(seg))), where=totals > 0)
    w_mean = w.mean(axis=0)
    linear[:, -1] = linear[:, :-1] @ w_mean
    shares[:, -1] = shares[:, :-1] @ w_mean
    var[:, -1] = var[:, :-1] @ w_mean**2
    exact = not big
    vg = games.value_groups
    if vg:
        q_mean = _states(u)[:, seg].mean(axis=0)

        def mix(mask: int) -> float:
            return float(games.value_shares(mask) @ q_mean)

        if len(vg) <= exact_max:
            shares[vg, -1] += _shapley(len(vg), mix)
        else:
            start, end = mix(0), mix((1 << len(vg)) - 1)
            mean, err2 = _orders(len(vg), mix, start, end, samples=samples, rng=rng)
            shares[vg, -1] += mean
            var[vg, -1] += err2
            exact = False
    return Attribution(
        outputs=seg,
        linear=linear,
        groups=groups,
        members=members,
        shares=shares,
        stderr=np.sqrt(var),
        exact=exact,
        samples=0 if exact else 2 * max(1, samples // 2),
    )
