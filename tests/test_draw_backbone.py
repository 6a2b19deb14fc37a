"""The arrows a crowded rolled-up diagram keeps: every box's main supplier and customer, then
the hand-offs relied on most, the same ones every time."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from servicechain.draw.backbone import SLIDE_ARROWS, backbone, backbone_note


@st.composite
def _graphs(draw) -> tuple[nx.DiGraph, int]:
    """A graph of 2-12 nodes with up to 60 arrows (loops too), reliances mostly distinct (a
    few tied), and a budget anywhere from none to all of its arrows."""
    n = draw(st.integers(2, 12))
    pairs = sorted(
        draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60))
    )
    ranks = draw(st.permutations(range(len(pairs))))
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    for (u, v), rank in zip(pairs, ranks, strict=True):
        tied = draw(st.booleans()) and draw(st.booleans())
        graph.add_edge(u, v, reliance=0.5 if tied else rank / 100, count=draw(st.integers(1, 3)))
    return graph, draw(st.integers(0, len(pairs)))


def _strength(graph, edge) -> tuple:
    attrs = graph.edges[edge]
    return (attrs["reliance"], attrs["count"])


@settings(max_examples=200)
@given(_graphs())
def test_backbone_keeps_main_arrows_then_the_strongest(case):
    graph, budget = case
    kept = backbone(graph, budget=budget)
    edges = [(u, v) for u, v in graph.edges() if u != v]
    if len(edges) <= budget:
        assert kept is graph
        return
    drawn = set(kept.edges())
    assert set(kept) == set(graph) and drawn <= set(edges)
    assert all(kept.edges[e] == graph.edges[e] for e in drawn)
    # each node keeps an arrow as strong as its strongest from a supplier and to a customer
    for node in graph:
        into = [(u, node) for u in graph.predecessors(node) if u != node]
        out = [(node, v) for v in graph.successors(node) if v != node]
        for group in (into, out):
            if group:
                best = max(_strength(graph, e) for e in group)
                assert any(_strength(graph, e) == best for e in group if e in drawn)
    # no more than the budget, unless the main arrows alone take more
    mains = 2 * graph.number_of_nodes()
    assert len(drawn) <= max(budget, mains)
    if len(drawn) > budget:
        return
    assert len(drawn) == budget
    # past the main arrows, the budget is filled by strength: an arrow that is surely not the
    # main one of either end (weaker than both ends' best) is no weaker than any left out
    best_in = {
        v: max(_strength(graph, (u, v)) for u in graph.predecessors(v) if u != v)
        for v in graph
        if any(u != v for u in graph.predecessors(v))
    }
    best_out = {
        u: max(_strength(graph, (u, v)) for v in graph.successors(u) if v != u)
        for u in graph
        if any(v != u for v in graph.successors(u))
    }
    filled = [e for e in drawn if _strength(graph, e) < min(best_in[e[1]], best_out[e[0]])]
    dropped = [e for e in edges if e not in drawn]
    for f in filled:
        assert all(_strength(graph, e) <= _strength(graph, f) for e in dropped)
    assert backbone(graph, budget=budget).edges() == kept.edges()  # the same every time


def test_backbone_fills_the_budget_by_reliance():
    graph = nx.DiGraph()
    graph.add_edge("a", "b", reliance=0.9, count=1)
    graph.add_edge("b", "a", reliance=0.8, count=1)
    graph.add_edge("a", "c", reliance=0.05, count=1)
    graph.add_edge("c", "b", reliance=0.7, count=4)
    graph.add_edge("c", "a", reliance=0.3, count=1)
    graph.add_edge("b", "c", reliance=0.6, count=1)
    # main ones: into b a->b, into a b->a, into c b->c; out of c c->b
    assert sorted(backbone(graph, budget=4).edges()) == [
        ("a", "b"),
        ("b", "a"),
        ("b", "c"),
        ("c", "b"),
    ]
    assert sorted(backbone(graph, budget=5).edges()) == [
        ("a", "b"),
        ("b", "a"),
        ("b", "c"),
        ("c", "a"),
        ("c", "b"),
    ]
    assert backbone_note(graph, backbone(graph, budget=5)) == (
        "arrows: the 5 of 6 hand-offs relied on most (8 of 9 services)"
    )
    assert backbone_note(graph, graph) == ""
    assert SLIDE_ARROWS >= 100  # a generated model of 20 departments keeps all its arrows
