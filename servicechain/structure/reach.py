"""What each department does: its customers, suppliers, segments reached and distance."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from ..model.records import Coded, Lists, Records
from ..progress import gc_paused
from ._arrays import View, view
from .tracing import distance_to_segment, segment_distances

__all__ = ["Role", "RoleTable", "disconnected", "role_table", "roles", "roles_of_view"]


@dataclass(frozen=True)
class Role:
    """What one department does in the chain (see :func:`roles`).

    ``customers`` are the departments it serves (internal customers), ``suppliers`` the
    departments and partners serving it, ``segments_direct`` the segments it serves itself,
    ``segments_indirect`` how many more segments its work reaches through others, and
    ``distance`` the hand-offs to its nearest segment (1 = front line, ``None`` = none).
    """

    id: str
    name: str
    customers: list[str]
    suppliers: list[str]
    segments_direct: list[str]
    segments_indirect: int
    distance: int | None

    @property
    def front_line(self) -> bool:
        """Whether it serves a segment itself (on the line of visibility)."""
        return self.distance == 1

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {
            "id": self.id,
            "name": self.name,
            "customers": self.customers,
            "suppliers": self.suppliers,
            "segments_direct": self.segments_direct,
            "segments_indirect": self.segments_indirect,
            "distance": self.distance,
            "front_line": self.front_line,
        }


def _segment_counts(nodes_of: View) -> np.ndarray:
    """Per node, how many segments its work reaches (itself included when a segment).

    One pass over the components of the graph, sinks first, with the segments each reaches
    as a bit mask, so this stays linear in the size of the model.
    """
    labels = nodes_of.components
    count = int(labels.max()) + 1 if nodes_of.n else 0
    masks = [0] * count
    for bit, node in enumerate(np.flatnonzero(nodes_of.is_segment).tolist()):
        masks[labels[node]] |= 1 << bit
    src = np.repeat(np.arange(nodes_of.n), np.diff(nodes_of.out_ptr))
    a, b = labels[src], labels[nodes_of.out_idx]
    between = a != b
    pairs = np.unique(a[between] * count + b[between])  # sorted by a, sinks first
    starts = np.searchsorted(pairs // count, np.arange(count + 1)).tolist()
    later = (pairs % count).tolist()
    for comp in range(count):
        m = masks[comp]
        for succ in later[starts[comp] : starts[comp + 1]]:
            m |= masks[succ]
        masks[comp] = m
    per_comp = np.array([m.bit_count() for m in masks], dtype=np.int64)
    return per_comp[labels]


@gc_paused()
def roles(chain_or_graph: Any) -> list[Role]:
    """The role of every department, in file order.

    Segments reached are counted in one pass over the condensation of the graph (bit masks),
    so this stays linear in the size of the model.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("hr", "it"), ("it", "store"), ("store", "shoppers"), ("it", "web")])
    >>> G.add_node("shoppers", kind="segment")
    >>> [(r.id, r.customers, r.suppliers, r.segments_direct, r.segments_indirect, r.distance)
    ...  for r in roles(G)]  # doctest: +NORMALIZE_WHITESPACE
    [('hr', ['it'], [], [], 1, 3), ('it', ['store', 'web'], ['hr'], [], 1, 2),
     ('store', [], ['it'], ['shoppers'], 0, 1), ('web', [], ['it'], [], 0, None)]
    """
    return roles_of_view(view(chain_or_graph))


@dataclass(frozen=True, eq=False)
class RoleTable:
    """The roles of a view's departments as columns, in file order (see :class:`Role`).

    The counts a table of roles shows are read from arrays; :meth:`rows` makes the
    :class:`Role` objects (with their lists of ids) only when something asks for them.
    """

    nodes_of: View
    departments: np.ndarray  # positions of the departments in the view, file order
    distance: np.ndarray  # per node: hand-offs to the nearest segment, -1 where none
    reached: np.ndarray  # per node: segments its work reaches (itself when a segment)

    def __len__(self) -> int:
        return len(self.departments)

    @cached_property
    def _to_segment(self) -> np.ndarray:
        return self.nodes_of.is_segment[self.nodes_of.out_idx]

    @cached_property
    def direct(self) -> np.ndarray:
        """Per department: the segments it serves itself."""
        nodes_of = self.nodes_of
        rows = np.repeat(np.arange(nodes_of.n), np.diff(nodes_of.out_ptr))
        return np.bincount(rows[self._to_segment], minlength=nodes_of.n)[self.departments]

    @cached_property
    def customers(self) -> np.ndarray:
        """Per department: its internal customers (departments and partners it serves)."""
        return np.diff(self.nodes_of.out_ptr)[self.departments] - self.direct

    @cached_property
    def suppliers(self) -> np.ndarray:
        """Per department: the departments and partners serving it."""
        return np.diff(self.nodes_of.in_ptr)[self.departments]

    @cached_property
    def indirect(self) -> np.ndarray:
        """Per department: how many more segments its work reaches through others."""
        return self.reached[self.departments] - self.direct

    @cached_property
    def _lists(self) -> tuple[Lists, Lists, Lists]:
        """Per department: its customers, suppliers and the segments it serves, as lists of
        ids read from the adjacency arrays."""
        nodes_of = self.nodes_of
        n, ids, departments = nodes_of.n, nodes_of.ids, self.departments
        out_rows = np.repeat(np.arange(n), np.diff(nodes_of.out_ptr))

        def split(mask: np.ndarray) -> Lists:
            """The customers in ``mask`` of each department."""
            ptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(np.bincount(out_rows[mask], minlength=n), out=ptr[1:])
            return Lists(ids, nodes_of.out_idx[mask], ptr[departments], ptr[departments + 1])

        in_ptr = nodes_of.in_ptr
        suppliers = Lists(ids, nodes_of.in_idx, in_ptr[departments], in_ptr[departments + 1])
        return split(~self._to_segment), suppliers, split(self._to_segment)

    def records(self) -> Records:
        """Every department's :meth:`Role.to_dict` as columns (what ``--json`` streams)."""
        nodes_of, departments = self.nodes_of, self.departments
        customers, suppliers, direct = self._lists
        distinct, codes = np.unique(self.distance[departments], return_inverse=True)
        distances = [None if d < 0 else d for d in distinct.tolist()]
        return Records(
            {
                "id": Coded(nodes_of.ids, departments),
                "name": Coded(nodes_of.names, departments),
                "customers": customers,
                "suppliers": suppliers,
                "segments_direct": direct,
                "segments_indirect": self.indirect,
                "distance": Coded(distances, codes.reshape(-1)),
                "front_line": self.distance[departments] == 1,
            }
        )

    def rows(self, start: int = 0, stop: int | None = None) -> list[Role]:
        """The :class:`Role` of each department from ``start`` to ``stop``."""
        nodes_of = self.nodes_of
        ids, names = nodes_of.ids, nodes_of.names
        shown = slice(start, stop)
        customers, suppliers, direct = (listed[shown].tolist() for listed in self._lists)
        distance, reached = self.distance.tolist(), self.reached.tolist()
        return [
            Role(
                id=ids[i],
                name=names[i],
                customers=customers[k],
                suppliers=suppliers[k],
                segments_direct=direct[k],
                segments_indirect=reached[i] - len(direct[k]),
                distance=None if distance[i] < 0 else distance[i],
            )
            for k, i in enumerate(self.departments[shown].tolist())
        ]


def role_table(nodes_of: View, *, dist: np.ndarray | None = None) -> RoleTable:
    """The :class:`RoleTable` of a view (``dist``: its distances to a segment, if known)."""
    dist = segment_distances(nodes_of) if dist is None else dist
    departments = np.flatnonzero(nodes_of.is_department)
    return RoleTable(nodes_of, departments, dist, _segment_counts(nodes_of))


def roles_of_view(nodes_of: View, *, dist: np.ndarray | None = None) -> list[Role]:
    """The roles of every department of a view (``dist``: its distances, if known)."""
    return role_table(nodes_of, dist=dist).rows()


@gc_paused()
def disconnected(chain_or_graph: Any) -> list[str]:
    """Departments and partners whose work reaches no segment, in file order.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("it", "store"), ("store", "s"), ("archive", "finance")])
    >>> G.add_node("s", kind="segment")
    >>> disconnected(G)
    ['archive', 'finance']
    """
    return [n for n, d in distance_to_segment(chain_or_graph).items() if d is None]
