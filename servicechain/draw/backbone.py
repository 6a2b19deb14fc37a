"""The arrows a crowded rolled-up diagram keeps: when groups serve nearly every other group,
one arrow per pair of boxes is still a knot, so only the hand-offs relied on most are drawn,
every box keeping its main supplier and its main customer."""

from __future__ import annotations

import networkx as nx

__all__ = ["SLIDE_ARROWS", "backbone", "backbone_note"]

#: A slide holds about this many arrows (a generated model of 20 departments and 106 services
#: draws at 10 pt); a rolled-up diagram with more draws only its strongest ones.
SLIDE_ARROWS = 110


def backbone(graph: nx.DiGraph, *, budget: int = SLIDE_ARROWS) -> nx.DiGraph:
    """``graph`` with every node but only its strongest arrows: each node's main supplier and
    main customer (the arrow with the most ``reliance``), then the others by reliance until
    ``budget`` arrows are kept. A graph within its budget is returned as it is.

    Ties are broken by the number of services merged into an arrow (``count``), then by the
    nodes' ids, so the same graph always keeps the same arrows. Loops are never kept.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_edge("a", "b", reliance=0.9)
    >>> G.add_edge("b", "c", reliance=0.2)
    >>> G.add_edge("a", "c", reliance=0.1)
    >>> G.add_edge("c", "a", reliance=0.05)
    >>> sorted(backbone(G, budget=2).edges())
    [('a', 'b'), ('b', 'c'), ('c', 'a')]
    >>> backbone(G, budget=10) is G
    True
    """
    edges = [(u, v, a) for u, v, a in graph.edges(data=True) if u != v]
    if len(edges) <= budget:
        return graph

    def strength(edge) -> tuple:
        u, v, attrs = edge
        return (-float(attrs.get("reliance") or 0.0), -int(attrs.get("count") or 1), str(u), str(v))

    ranked = sorted(edges, key=strength)
    kept: dict = {}
    main_supplier: set = set()
    main_customer: set = set()
    for u, v, attrs in ranked:  # strongest first: the first arrow seen into v is its main one
        if v not in main_supplier or u not in main_customer:
            kept[u, v] = attrs
        main_supplier.add(v)
        main_customer.add(u)
    for u, v, attrs in ranked:
        if len(kept) >= budget:
            break
        kept.setdefault((u, v), attrs)
    result = nx.DiGraph()
    result.graph.update(graph.graph)
    result.add_nodes_from(graph.nodes(data=True))
    result.add_edges_from((u, v, attrs) for (u, v), attrs in kept.items())
    return result


def backbone_note(full: nx.DiGraph, kept: nx.DiGraph) -> str:
    """What a line under the title says about the arrows left out ("" when none is).

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b", {"count": 3}), ("b", "c", {"count": 1})])
    >>> backbone_note(G, G.edge_subgraph([("a", "b")]))
    'arrows: the 1 of 2 hand-offs relied on most (3 of 4 services)'
    """
    total = sum(1 for u, v in full.edges() if u != v)
    shown = sum(1 for u, v in kept.edges() if u != v)
    if shown == total:
        return ""
    services = sum(int(c or 1) for u, v, c in full.edges(data="count") if u != v)
    drawn = sum(int(c or 1) for u, v, c in kept.edges(data="count") if u != v)
    return (
        f"arrows: the {shown:,} of {total:,} hand-offs relied on most "
        f"({drawn:,} of {services:,} services)"
    )
