"""The shortest simple paths found without networkx are networkx's, in networkx's order."""

from __future__ import annotations

from itertools import islice

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from servicechain.structure.kpaths import Adjacency, shortest_simple_paths


@st.composite
def graphs(draw):
    """Services of a small directed graph, repeated pairs, self-loops and cycles included,
    and two of its nodes."""
    n = draw(st.integers(1, 9))
    node = st.integers(0, n - 1)
    services = draw(st.lists(st.tuples(node, node), max_size=30))
    return services, draw(node), draw(node)


@settings(max_examples=300, deadline=None)
@given(graphs(), st.integers(1, 12))
def test_the_paths_are_networkx_shortest_simple_paths_in_its_order(graph, limit):
    services, source, target = graph
    reference = nx.DiGraph()
    reference.add_nodes_from({source, target})
    reference.add_edges_from(services)
    try:
        expected = list(islice(nx.shortest_simple_paths(reference, source, target), limit))
    except nx.NetworkXNoPath:
        expected = []
    found = list(islice(shortest_simple_paths(Adjacency(services), source, target), limit))
    assert found == expected


def test_every_path_is_simple_and_none_is_missed():
    # a ladder of 6 levels: 2^4 paths from one corner to the other, each found once, shortest
    # first
    services = [(2 * i + a, 2 * (i + 1) + b) for i in range(5) for a in (0, 1) for b in (0, 1)]
    found = list(shortest_simple_paths(Adjacency(services), 0, 10))
    assert len(found) == 2**4 == len({tuple(p) for p in found})
    assert all(len(set(p)) == len(p) for p in found)
    assert [len(p) for p in found] == sorted(len(p) for p in found)
