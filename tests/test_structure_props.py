"""Properties of the structure analyses on random chains, checked against plain reachability."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from servicechain import structure


@st.composite
def chains(draw: st.DrawFn) -> nx.DiGraph:
    """Random chains: departments that serve each other and segments, sometimes in groups."""
    n_dep = draw(st.integers(2, 10))
    n_seg = draw(st.integers(1, 3))
    deps = [f"d{i}" for i in range(n_dep)]
    segs = [f"s{i}" for i in range(n_seg)]
    graph = nx.DiGraph(name="random")
    for d in deps:
        group = draw(st.sampled_from([None, "X", "Y"]))
        graph.add_node(d, kind="department", name=d, **({"group": group} if group else {}))
    graph.add_nodes_from(segs, kind="segment")
    pairs = [(u, v) for u in deps for v in deps + segs if u != v]
    for u, v in draw(st.lists(st.sampled_from(pairs), max_size=3 * n_dep, unique=True)):
        rated = draw(st.booleans())
        graph.add_edge(u, v, weight=1.0, reliance=0.5, quality=0.8 if rated else None)
    return graph


SETTINGS = settings(max_examples=60, deadline=None)


@SETTINGS
@given(chains())
def test_upstream_is_exactly_what_reaches_the_node(graph):
    for node in graph:
        up = structure.upstream(graph, node)
        assert set(up) == nx.ancestors(graph, node)
        for other, distance in up.items():
            assert nx.shortest_path_length(graph, other, node) == distance
        down = structure.downstream(graph, node)
        assert set(down) == nx.descendants(graph, node)


@SETTINGS
@given(chains())
def test_every_gateway_lies_on_every_path(graph):
    for seg in [n for n, k in graph.nodes(data="kind") if k == "segment"]:
        found = {g.id: set(g.gates) for g in structure.gateways(graph, seg).gateways}
        for node in nx.ancestors(graph, seg):
            if graph.nodes[node]["kind"] != "department":
                continue
            without = graph.subgraph(n for n in graph if n != node)
            cut_off = {o for o in nx.ancestors(graph, seg) - {node}
                       if not nx.has_path(without, o, seg)}  # fmt: skip
            # a department gates exactly those whose every path to the segment it lies on
            assert found.get(node, set()) == cut_off


@SETTINGS
@given(chains())
def test_distances_roles_and_disconnected(graph):
    segments = {n for n, k in graph.nodes(data="kind") if k == "segment"}
    dist = structure.distance_to_segment(graph)
    for node in graph:
        reach = [nx.shortest_path_length(graph, node, s) for s in segments
                 if nx.has_path(graph, node, s)]  # fmt: skip
        assert dist[node] == (min(reach) if reach else None)
    for role in structure.roles(graph):
        reached = nx.descendants(graph, role.id) & segments
        assert len(role.segments_direct) + role.segments_indirect == len(reached)
    assert structure.disconnected(graph) == [n for n in graph if dist[n] is None]


@SETTINGS
@given(chains())
def test_loops_are_real_and_clusters_are_the_components(graph):
    clusters = structure.mutual_dependencies(graph, max_cycles=3)
    expected = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert sorted(map(sorted, (c.members for c in clusters))) == sorted(map(sorted, expected))
    for cluster in clusters:
        assert cluster.cycles and len(cluster.cycles) <= 3
        lengths = [len(c) for c in cluster.cycles]
        assert lengths == sorted(lengths)
        # the girth of the cluster is found
        girth = min(len(c) for c in nx.simple_cycles(graph.subgraph(cluster.members)))
        assert lengths[0] == girth
        for cycle in cluster.cycles:
            assert len(set(cycle)) == len(cycle)
            for u, v in zip(cycle, cycle[1:] + cycle[:1], strict=True):
                assert graph.has_edge(u, v)


@SETTINGS
@given(chains())
def test_rollup_keeps_every_service_and_reachability(graph):
    rolled = structure.rollup(graph)
    members_of = rolled.graph["members_of"]
    internal = sum(c for _, c in rolled.nodes(data="internal_services", default=0))
    assert sum(c for *_, c in rolled.edges(data="count")) + internal == graph.number_of_edges()
    for u, v in graph.edges:
        a, b = members_of.get(u, u), members_of.get(v, v)
        assert a == b or rolled.has_edge(a, b)
    # whatever reached a segment still does after the roll-up
    for node, distance in structure.distance_to_segment(graph).items():
        rolled_distance = structure.distance_to_segment(rolled)[members_of.get(node, node)]
        assert (distance is None) or (rolled_distance is not None and rolled_distance <= distance)
