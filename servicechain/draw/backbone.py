"""The arrows a crowded rolled-up diagram keeps: when groups serve nearly every other group,
one arrow per pair of boxes is still a knot, so only the hand-offs relied on most are drawn,
every box keeping its main supplier and its main customer."""

from __future__ import annotations

import networkx as nx
import numpy as np

__all__ = ["SLIDE_ARROWS", "arrows_note", "backbone", "backbone_note", "strongest"]

#: A slide holds about this many arrows (a generated model of 20 departments and 106 services
#: draws at 10 pt); a rolled-up diagram with more draws only its strongest ones.
SLIDE_ARROWS = 110


def strongest(
    source: np.ndarray,
    target: np.ndarray,
    *,
    reliance: np.ndarray,
    count: np.ndarray,
    names: list[str],
    budget: int = SLIDE_ARROWS,
) -> np.ndarray:
    """The arrows to keep of those from box ``source[k]`` to box ``target[k]`` (no loops, no
    pair twice): each box's main supplier and main customer (the arrow with the most
    ``reliance``), then the others by reliance until ``budget`` arrows are kept.

    Ties are broken by ``count`` (services merged into an arrow), then by the boxes' names
    (``names[box]``), so the same arrows always keep the same ones.

    Returns
    -------
    numpy.ndarray
        The positions of the arrows kept: the main ones strongest first, then the others
        strongest first; every arrow, in its own order, when there are no more than
        ``budget``.

    Examples
    --------
    >>> strongest(np.array([0, 1, 0, 2]), np.array([1, 2, 2, 0]),
    ...           reliance=np.array([0.9, 0.2, 0.1, 0.05]), count=np.ones(4),
    ...           names=["a", "b", "c"], budget=2).tolist()
    [0, 1, 3]
    """
    source, target = np.asarray(source), np.asarray(target)
    if len(source) <= budget:
        return np.arange(len(source))
    rank = np.empty(len(names), dtype=np.intp)
    rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    ranked = np.lexsort(
        (
            rank[target],
            rank[source],
            -np.asarray(count, dtype=float),
            -np.asarray(reliance, dtype=float),
        )
    )
    main = np.zeros(len(ranked), dtype=bool)  # the first arrow ranked into or out of a box
    for ends in (target[ranked], source[ranked]):
        main[np.unique(ends, return_index=True)[1]] = True
    rest = ranked[~main][: max(0, budget - int(main.sum()))]
    return np.concatenate([ranked[main], rest])


def backbone(graph: nx.DiGraph, *, budget: int = SLIDE_ARROWS) -> nx.DiGraph:
    """``graph`` with every node but only its strongest arrows (see :func:`strongest`; an
    edge's ``reliance`` and ``count`` attributes, its nodes' ids as text). A graph within its
    budget is returned as it is. Loops are never kept.

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
    position = {node: i for i, node in enumerate(graph)}
    kept = strongest(
        np.array([position[u] for u, _, _ in edges], dtype=np.intp),
        np.array([position[v] for _, v, _ in edges], dtype=np.intp),
        reliance=np.array([float(a.get("reliance") or 0.0) for _, _, a in edges]),
        count=np.array([int(a.get("count") or 1) for _, _, a in edges]),
        names=[str(node) for node in graph],
        budget=budget,
    )
    result = nx.DiGraph()
    result.graph.update(graph.graph)
    result.add_nodes_from(graph.nodes(data=True))
    result.add_edges_from(edges[k] for k in kept.tolist())
    return result


def arrows_note(total: int, shown: int, services: int, drawn: int) -> str:
    """What a line under the title says when ``shown`` of ``total`` arrows are drawn, holding
    ``drawn`` of ``services`` services ("" when every arrow is).

    Examples
    --------
    >>> arrows_note(2, 1, 4, 3)
    'arrows: the 1 of 2 hand-offs relied on most (3 of 4 services)'
    """
    if shown == total:
        return ""
    return (
        f"arrows: the {shown:,} of {total:,} hand-offs relied on most "
        f"({drawn:,} of {services:,} services)"
    )


def backbone_note(full: nx.DiGraph, kept: nx.DiGraph) -> str:
    """What a line under the title says about the arrows of ``full`` that ``kept`` leaves
    out (see :func:`arrows_note`).

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b", {"count": 3}), ("b", "c", {"count": 1})])
    >>> backbone_note(G, G.edge_subgraph([("a", "b")]))
    'arrows: the 1 of 2 hand-offs relied on most (3 of 4 services)'
    """
    return arrows_note(
        sum(1 for u, v in full.edges() if u != v),
        sum(1 for u, v in kept.edges() if u != v),
        sum(int(c or 1) for u, v, c in full.edges(data="count") if u != v),
        sum(int(c or 1) for u, v, c in kept.edges(data="count") if u != v),
    )
