"""Gateways: departments that every path of some others to a segment passes through."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ._base import as_graph, kind_of, node_order, resolve_segment, short_list

__all__ = ["Gateway", "Gateways", "gateways", "single_front_line"]


def _name(graph: nx.DiGraph, node: str) -> str:
    return graph.nodes[node].get("name") or node


@dataclass(frozen=True)
class Gateway:
    """A department through which every path of ``gates`` to a segment passes."""

    id: str
    name: str
    gates: list[str]

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {"id": self.id, "name": self.name, "gates": self.gates}


@dataclass(frozen=True)
class Gateways:
    """The gateways of one segment, those gating most first (see :func:`gateways`).

    ``tree`` is the immediate-dominator tree in the reversed graph: for every node upstream of
    the segment, the node its every path to the segment passes through last-but-nearest
    (the segment itself when no single department does).
    """

    segment: str
    name: str
    gateways: list[Gateway]
    tree: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {
            "segment": self.segment,
            "name": self.name,
            "upstream": len(self.tree),
            "gateways": [g.to_dict() for g in self.gateways],
            "tree": self.tree,
        }

    def __str__(self) -> str:
        head = f"{self.segment} ({self.name})" if self.name != self.segment else self.segment
        if not self.gateways:
            return f"{head}: no gateway (no department stands on every path of another to it)"
        lines = [f"{head}:"]
        for g in self.gateways:
            who = f"{g.id} ({g.name})" if g.name != g.id else g.id
            lines.append(f"  {who} gates {len(g.gates)}: {short_list(g.gates)}")
        return "\n".join(lines)


def gateways(chain_or_graph: Any, segment: str) -> Gateways:
    """The gateways of ``segment``: departments every path of some others to it passes through.

    Computed from the immediate-dominator tree of the reversed graph rooted at the segment;
    a department gates everything below it in that tree. One linear-time pass per segment,
    only for the segment asked.

    Raises
    ------
    UnknownNodeError
        When ``segment`` is unknown or not a segment.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "g"), ("b", "g"), ("c", "g"), ("g", "s"), ("d", "s")])
    >>> G.add_node("s", kind="segment")
    >>> [(g.id, g.gates) for g in gateways(G, "s").gateways]
    [('g', ['a', 'b', 'c'])]
    """
    graph = as_graph(chain_or_graph)
    seg = resolve_segment(chain_or_graph, graph, segment)
    idom = nx.immediate_dominators(graph.reverse(copy=False), seg)
    idom.pop(seg, None)  # networkx before 3.5 included the start node
    children: dict[str, list[str]] = {}
    for node, parent in idom.items():
        children.setdefault(parent, []).append(node)
    order = node_order(graph)
    found = []
    for node in children:
        if node == seg or kind_of(graph, node) != "department":
            continue
        gated, stack = [], list(children[node])
        while stack:  # everything below node in the dominator tree
            child = stack.pop()
            gated.append(child)
            stack.extend(children.get(child, ()))
        gated.sort(key=order.__getitem__)
        found.append(Gateway(node, _name(graph, node), gated))
    found.sort(key=lambda g: (-len(g.gates), order[g.id]))
    tree = {n: idom[n] for n in sorted(idom, key=order.__getitem__)}
    return Gateways(seg, _name(graph, seg), found, tree)


def single_front_line(chain_or_graph: Any) -> dict[str, str]:
    """Segments served by one front-line department only: ``{segment: department}``.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "s"), ("a", "t"), ("b", "t")])
    >>> G.add_nodes_from(["s", "t"], kind="segment")
    >>> single_front_line(G)
    {'s': 'a'}
    """
    graph = as_graph(chain_or_graph)
    result = {}
    for n in graph:
        if kind_of(graph, n) == "segment" and graph.in_degree(n) == 1:
            result[n] = next(iter(graph.predecessors(n)))
    return result
