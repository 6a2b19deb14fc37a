"""Two versions of a model laid over one another: records matched by id, services by their two
ends, and every changed input listed with the department it belongs to.

Nodes are the union of both versions' ids (NEW's order first, then the ids only OLD has);
services are matched by ``(from, to)`` (a model links two nodes at most once). A service that
exists only in OLD and one that exists only in NEW with the same name and the same customer (or
the same supplier) are one service *rerouted*. Scores are compared on 0..1, so two versions on
different scales compare fairly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..model.network import KIND_NAMES, SEGMENT, Network

__all__ = ["LINEAR", "Change", "Union", "overlay"]

#: Kinds of change that enter the current state linearly (attributed exactly).
LINEAR = frozenset({"quality", "baseline", "rating"})


@dataclass(frozen=True)
class Change:
    """One changed input (or a change that moves nothing, such as a rename).

    ``kind`` is one of ``added``, ``removed``, ``renamed``, ``quality``, ``baseline``,
    ``dependence``, ``value``, ``rating``, ``rating added``, ``rating removed``, ``weight``,
    ``service added``, ``service removed``, ``service rerouted``, ``service renamed``.
    ``old`` and ``new`` are numbers on 0..1 for scores (``None`` when not given), plain numbers
    for weights, dependences and values, names for renames. ``node`` is the union position of
    the node the change belongs to (for a service: its customer, or the added or removed end);
    ``services`` are the union positions of the services it touches.
    """

    kind: str
    node: int
    old: object = None
    new: object = None
    services: tuple[int, ...] = ()
    subject: str = ""

    @property
    def linear(self) -> bool:
        """Whether the change enters the current state linearly (own quality, rating)."""
        return self.kind in LINEAR


@dataclass
class Union:
    """Both versions over the union of their nodes and services.

    Arrays indexed ``[version, item]`` hold OLD (0) and NEW (1); a node or service a version
    lacks has ``present`` False there and copies the other version's numbers, so it changes
    nothing but its presence.
    """

    ids: list[str]
    names: list[list[str]]
    kinds: list[list[int]]
    present: np.ndarray
    own: np.ndarray
    own_given: np.ndarray
    dependence: np.ndarray
    value: np.ndarray
    source: np.ndarray
    target: np.ndarray
    s_present: np.ndarray
    weight: np.ndarray
    rating: np.ndarray
    s_names: list[list[str]]
    changes: list[Change] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Number of union nodes."""
        return len(self.ids)

    @property
    def m(self) -> int:
        """Number of union services."""
        return len(self.source)

    def name(self, i: int) -> str:
        """The node's name in NEW (in OLD when it was removed)."""
        return self.names[1][i] if self.present[1, i] else self.names[0][i]

    def kind(self, i: int) -> str:
        """``department``, ``partner`` or ``segment`` (as in NEW when it exists there)."""
        return KIND_NAMES[self.kinds[1][i] if self.present[1, i] else self.kinds[0][i]]

    def service_label(self, s: int) -> str:
        """``Name (Supplier → Customer)`` of a union service."""
        version = 1 if self.s_present[1, s] else 0
        name = self.s_names[version][s]
        ends = f"{self.name(int(self.source[s]))} → {self.name(int(self.target[s]))}"
        return f"{name} ({ends})" if name else ends

    def service_brief(self, s: int) -> str:
        """``Name (Supplier)`` of a union service: short, for charts."""
        version = 1 if self.s_present[1, s] else 0
        name = self.s_names[version][s]
        supplier = self.name(int(self.source[s]))
        return f"{name} ({supplier})" if name else f"{supplier} → {self.name(int(self.target[s]))}"

    @cached_property
    def segments(self) -> np.ndarray:
        """Union positions of every segment of either version."""
        kinds = np.array(self.kinds, dtype=np.int64)
        return np.flatnonzero((kinds == SEGMENT).any(axis=0))


#: Scores closer than this on 0..1 are the same (two scales can round one score differently).
SAME = 1e-12


def _same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= SAME


def overlay(old: Network, new: Network) -> Union:
    """Lay two versions of a model over one another and list what changed.

    Examples
    --------
    >>> from servicechain import Chain
    >>> one = {"name": "x", "departments": [{"id": "a", "name": "A", "quality": 0.5}]}
    >>> two = {"name": "x", "departments": [{"id": "a", "name": "Alpha", "quality": 0.75}]}
    >>> u = overlay(Chain.from_dict(one).network, Chain.from_dict(two).network)
    >>> [(c.kind, c.old, c.new) for c in u.changes]
    [('renamed', 'A', 'Alpha'), ('quality', 0.5, 0.75)]
    """
    ids = list(new.ids) + [i for i in old.ids if i not in new.index]
    n = len(ids)
    pos = {ident: i for i, ident in enumerate(ids)}
    present = np.zeros((2, n), dtype=bool)
    own = np.full((2, n), np.nan)
    dependence = np.zeros((2, n))
    value = np.zeros((2, n))
    names = [[""] * n, [""] * n]
    kinds = [[-1] * n, [-1] * n]
    for v, net in enumerate((old, new)):
        at = np.array([pos[i] for i in net.ids], dtype=np.int64)
        present[v, at] = True
        own[v, at] = net.own
        dependence[v, at] = net.dependence
        value[v, at] = np.where(net.kind == SEGMENT, net.value, 0.0)
        kind = net.kind.tolist()
        for i, j in enumerate(at.tolist()):
            names[v][j] = net.names[i]
            kinds[v][j] = kind[i]
    own_given = ~np.isnan(own)
    own = np.where(own_given, own, 1.0)
    for v in (0, 1):  # an absent node copies the other version, so only its presence differs
        gone = ~present[v]
        own[v, gone] = own[1 - v, gone]
        own_given[v, gone] = own_given[1 - v, gone]
        dependence[v, gone] = dependence[1 - v, gone]
        for i in np.flatnonzero(gone).tolist():
            names[v][i] = names[1 - v][i]

    # Services keyed by their two ends (a model links two nodes once): NEW's first, in order.
    ends = []
    for net in (old, new):
        at = np.array([pos[i] for i in net.ids], dtype=np.int64)
        ends.append(at[net.source] * n + at[net.target])
    old_only = ends[0][~np.isin(ends[0], ends[1])]
    codes = np.concatenate([ends[1], old_only])
    m = len(codes)
    source, target = codes // n, codes % n
    order = np.argsort(codes, kind="stable")
    s_present = np.zeros((2, m), dtype=bool)
    weight = np.ones((2, m))
    rating = np.full((2, m), np.nan)
    s_names: list[list[str]] = [[""] * m, [""] * m]
    for v, net in enumerate((old, new)):
        at = order[np.searchsorted(codes, ends[v], sorter=order)]
        s_present[v, at] = True
        weight[v, at] = net.weight
        rating[v, at] = net.rating
        if net.service_names:
            for i, j in enumerate(at.tolist()):
                s_names[v][j] = net.service_names[i]
    for v in (0, 1):
        gone = ~s_present[v]
        weight[v, gone] = weight[1 - v, gone]
        rating[v, gone] = rating[1 - v, gone]
        for j in np.flatnonzero(gone).tolist():
            s_names[v][j] = s_names[1 - v][j]

    union = Union(
        ids=ids,
        names=names,
        kinds=kinds,
        present=present,
        own=own,
        own_given=own_given,
        dependence=dependence,
        value=value,
        source=source,
        target=target,
        s_present=s_present,
        weight=weight,
        rating=rating,
        s_names=s_names,
    )
    union.changes = _node_changes(union) + _service_changes(union)
    return union


def _node_changes(u: Union) -> list[Change]:
    out: list[Change] = []
    differ = ~u.present.all(axis=0) | (u.own_given[0] != u.own_given[1])
    differ |= np.abs(u.own[0] - u.own[1]) > SAME
    differ |= (u.dependence[0] != u.dependence[1]) | (u.value[0] != u.value[1])
    differ |= np.array([a != b for a, b in zip(u.names[0], u.names[1], strict=True)], dtype=bool)
    for i in np.flatnonzero(differ).tolist():
        was, now = bool(u.present[0, i]), bool(u.present[1, i])
        if not was or not now:
            out.append(Change("added" if now else "removed", i, subject=u.kind(i)))
            continue
        if u.names[0][i] != u.names[1][i]:
            out.append(Change("renamed", i, u.names[0][i], u.names[1][i]))
        is_segment = u.kinds[1][i] == SEGMENT
        if not _same(u.own[0, i], u.own[1, i]) or u.own_given[0, i] != u.own_given[1, i]:
            old = float(u.own[0, i]) if u.own_given[0, i] else None
            new = float(u.own[1, i]) if u.own_given[1, i] else None
            out.append(Change("baseline" if is_segment else "quality", i, old, new))
        if u.dependence[0, i] != u.dependence[1, i]:
            out.append(
                Change("dependence", i, float(u.dependence[0, i]), float(u.dependence[1, i]))
            )
        if u.value[0, i] != u.value[1, i]:
            out.append(Change("value", i, float(u.value[0, i]), float(u.value[1, i])))
    return out


def _service_changes(u: Union) -> list[Change]:
    out: list[Change] = []
    only = {0: [], 1: []}
    r0, r1 = u.rating
    differ = ~u.s_present.all(axis=0) | (u.weight[0] != u.weight[1])
    differ |= (np.isnan(r0) != np.isnan(r1)) | (np.abs(r0 - r1) > SAME)
    differ |= np.array([a != b for a, b in zip(*u.s_names, strict=True)], dtype=bool)
    for s in np.flatnonzero(differ).tolist():
        was, now = bool(u.s_present[0, s]), bool(u.s_present[1, s])
        if not (was and now):
            only[1 if now else 0].append(s)
            continue
        customer = int(u.target[s])
        if u.s_names[0][s] != u.s_names[1][s]:
            out.append(Change("service renamed", customer, u.s_names[0][s], u.s_names[1][s], (s,)))
        old, new = float(u.rating[0, s]), float(u.rating[1, s])
        if not _same(old, new):
            if math.isnan(old):
                out.append(Change("rating added", customer, None, new, (s,)))
            elif math.isnan(new):
                out.append(Change("rating removed", customer, old, None, (s,)))
            else:
                out.append(Change("rating", customer, old, new, (s,)))
        if u.weight[0, s] != u.weight[1, s]:
            out.append(
                Change("weight", customer, float(u.weight[0, s]), float(u.weight[1, s]), (s,))
            )
    # An old-only and a new-only service with the same name and one end in common: rerouted.
    paired: set[int] = set()
    for s in only[0]:
        for t in only[1]:
            if t in paired or not u.s_names[0][s] or u.s_names[0][s] != u.s_names[1][t]:
                continue
            if u.target[s] == u.target[t] or u.source[s] == u.source[t]:
                end = u.target[t] if u.target[s] == u.target[t] else u.source[t]
                out.append(
                    Change(
                        "service rerouted",
                        int(end),
                        int(u.source[s]) if u.target[s] == u.target[t] else int(u.target[s]),
                        int(u.source[t]) if u.target[s] == u.target[t] else int(u.target[t]),
                        (s, t),
                        subject="supplier" if u.target[s] == u.target[t] else "customer",
                    )
                )
                paired.update((s, t))
                break
    for v, kind in ((0, "service removed"), (1, "service added")):
        for s in only[v]:
            if s in paired:
                continue
            out.append(Change(kind, _owner(u, s), services=(s,)))
    return out


def _owner(u: Union, s: int) -> int:
    """The node an added or removed service belongs to: an end that is itself added or removed
    (the customer first), else the customer."""
    customer, supplier = int(u.target[s]), int(u.source[s])
    if not u.present[:, customer].all():
        return customer
    if not u.present[:, supplier].all():
        return supplier
    return customer
