"""What each department does: its customers, suppliers, segments reached and distance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from ._base import as_graph, node_kinds
from .tracing import distance_to_segment

__all__ = ["Role", "disconnected", "roles"]


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


def _segment_reach(graph: nx.DiGraph, kinds: dict, sccs: list | None) -> dict[str, int]:
    """Per node, the set of segments it reaches as a bit mask (one pass over the condensation)."""
    bit = {}
    for n in graph:
        if kinds[n] == "segment":
            bit[n] = 1 << len(bit)
    dag = nx.condensation(graph, scc=sccs)
    mask = {}
    for comp in reversed(list(nx.topological_sort(dag))):
        m = 0
        for n in dag.nodes[comp]["members"]:
            m |= bit.get(n, 0)
        for succ in dag.successors(comp):
            m |= mask[succ]
        mask[comp] = m
    return {n: mask[c] for n, c in dag.graph["mapping"].items()}


def roles(chain_or_graph: Any) -> list[Role]:
    """The role of every department, in file order.

    Segments reached are counted in one pass over the condensation of the graph (bit masks),
    so this stays linear in the size of the model.

    Examples
    --------
    >>> G = nx.DiGraph([("hr", "it"), ("it", "store"), ("store", "shoppers"), ("it", "web")])
    >>> G.add_node("shoppers", kind="segment")
    >>> [(r.id, r.customers, r.suppliers, r.segments_direct, r.segments_indirect, r.distance)
    ...  for r in roles(G)]  # doctest: +NORMALIZE_WHITESPACE
    [('hr', ['it'], [], [], 1, 3), ('it', ['store', 'web'], ['hr'], [], 1, 2),
     ('store', [], ['it'], ['shoppers'], 0, 1), ('web', [], ['it'], [], 0, None)]
    """
    return _roles(as_graph(chain_or_graph))


def _roles(graph: nx.DiGraph, *, sccs: list | None = None, dist: dict | None = None) -> list[Role]:
    kinds = node_kinds(graph)
    dist = distance_to_segment(graph) if dist is None else dist
    reach = _segment_reach(graph, kinds, sccs)
    result = []
    for n in graph:
        if kinds[n] != "department":
            continue
        out = list(graph.successors(n))
        direct = [s for s in out if kinds[s] == "segment"]
        result.append(
            Role(
                id=n,
                name=graph.nodes[n].get("name") or n,
                customers=[c for c in out if kinds[c] != "segment"],
                suppliers=list(graph.predecessors(n)),
                segments_direct=direct,
                segments_indirect=reach[n].bit_count() - len(direct),
                distance=dist[n],
            )
        )
    return result


def disconnected(chain_or_graph: Any) -> list[str]:
    """Departments and partners whose work reaches no segment, in file order.

    Examples
    --------
    >>> G = nx.DiGraph([("it", "store"), ("store", "s"), ("archive", "finance")])
    >>> G.add_node("s", kind="segment")
    >>> disconnected(G)
    ['archive', 'finance']
    """
    return [n for n, d in distance_to_segment(chain_or_graph).items() if d is None]
