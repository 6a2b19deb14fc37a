"""Which column each node of a chain diagram stands in: partners first, then departments by
their distance to the nearest segment, segments last."""

from __future__ import annotations

import networkx as nx

from ..structure.tracing import distance_to_segment

__all__ = ["columns", "segment_distance"]


def segment_distance(graph: nx.DiGraph) -> dict:
    """Distance of every department to the nearest segment (1 = front line).

    Departments whose work reaches no segment get a distance one less than their nearest
    supplier's (at least 2, so they never stand on the front line), or, when no supplier of
    theirs is placed, one more than their farthest placed customer's; segments get 0.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "s"), ("b", "c")])
    >>> nx.set_node_attributes(G, {"a": "department", "b": "department", "c": "department",
    ...                            "s": "segment"}, "kind")
    >>> sorted(segment_distance(G).items())
    [('a', 2), ('b', 1), ('c', 2), ('s', 0)]
    >>> G.add_edges_from([("x", "y")])  # x serves y, neither reaches a segment
    >>> nx.set_node_attributes(G, {"x": "department", "y": "department"}, "kind")
    >>> segment_distance(G)["x"], segment_distance(G)["y"]
    (3, 2)
    """
    kinds = nx.get_node_attributes(graph, "kind")
    segments = [n for n in graph if kinds.get(n) == "segment"]
    departments = [n for n in graph if kinds.get(n, "department") == "department"]
    reached = distance_to_segment(graph) if segments else {}
    dist: dict = {n: reached[n] for n in [*segments, *departments] if reached.get(n) is not None}
    missing = [n for n in departments if n not in dist]
    if missing:
        cond = nx.condensation(graph.subgraph(departments))
        members = cond.graph["mapping"]
        comps = {c: sorted(cond.nodes[c]["members"], key=str) for c in cond}
        for comp in nx.topological_sort(cond):
            nodes = [n for n in comps[comp] if n not in dist]
            if not nodes:
                continue
            supplier = [
                dist[p]
                for n in nodes
                for p in graph.predecessors(n)
                if dist.get(p) is not None
                and kinds.get(p, "department") == "department"
                and members.get(p) != comp
            ]
            d = max(2, min(supplier) - 1) if supplier else None
            for n in nodes:
                dist[n] = d
        # no placed supplier: one column left of the farthest placed customer
        deepest = max([d for d in dist.values() if d is not None], default=1)
        for comp in reversed(list(nx.topological_sort(cond))):
            nodes = [n for n in comps[comp] if dist[n] is None]
            if not nodes:
                continue
            customer = [
                dist[c]
                for n in nodes
                for c in graph.successors(n)
                if dist.get(c) is not None
                and kinds.get(c, "department") == "department"
                and members.get(c) != comp
            ]
            for n in nodes:
                dist[n] = max(customer) + 1 if customer else max(2, deepest)
    return dist


def columns(graph: nx.DiGraph) -> dict:
    """Column of every node: partners 0, departments by distance to the nearest segment
    (the farthest in column 1), segments in the last column.

    Works on any DiGraph whose nodes carry ``kind`` (department, partner, segment), such as
    ``chain.graph`` or a roll-up; a node without ``kind`` counts as a department.

    Examples
    --------
    >>> G = nx.DiGraph([("p", "a"), ("a", "b"), ("b", "s")])
    >>> nx.set_node_attributes(G, {"p": "partner", "a": "department", "b": "department",
    ...                            "s": "segment"}, "kind")
    >>> columns(G)
    {'p': 0, 'a': 1, 'b': 2, 's': 3}
    """
    kinds = nx.get_node_attributes(graph, "kind")
    dist = segment_distance(graph)
    deepest = max([d for n, d in dist.items() if kinds.get(n) != "segment"], default=0)
    result = {}
    for node in graph:
        kind = kinds.get(node, "department")
        if kind == "partner":
            result[node] = 0
        elif kind == "segment":
            result[node] = deepest + 1
        else:
            result[node] = deepest - dist[node] + 1
    return result
