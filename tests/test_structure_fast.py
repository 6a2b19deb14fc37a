"""The array-based structure code against networkx, its reference, on random graphs."""

from __future__ import annotations

import bisect

import networkx as nx
import numpy as np
import scipy.sparse.csgraph
from hypothesis import given, settings
from hypothesis import strategies as st

import servicechain
from servicechain import structure
from servicechain.model.components import strong_components
from servicechain.structure._arrays import view
from servicechain.structure.dominance import immediate_dominators
from servicechain.structure.loops import clusters_of_view
from servicechain.text import clipped, table

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def digraphs(draw: st.DrawFn) -> nx.DiGraph:
    """Random directed graphs (no self-loops), edges added in random order, some segments."""
    n = draw(st.integers(1, 14))
    nodes = draw(st.permutations([f"n{i}" for i in range(n)]))
    graph = nx.DiGraph(name="random")
    for node in nodes:
        kind = draw(st.sampled_from(["department", "department", "partner", "segment"]))
        graph.add_node(node, kind=kind, name=node.upper())
    pairs = [(u, v) for u in nodes for v in nodes if u != v]
    if pairs:
        graph.add_edges_from(draw(st.lists(st.sampled_from(pairs), max_size=4 * n, unique=True)))
    return graph


def _reference_clusters(graph: nx.DiGraph, max_cycles: int, max_starts: int) -> list:
    """The networkx implementation the array code replaced, kept as the reference."""
    order = {node: i for i, node in enumerate(graph)}

    def shortest_cycle(node, longest):
        preds = set(graph.predecessors(node))
        if not preds:
            return None
        parent = {node: None}
        limit = None if longest is None else longest - 1
        for child, par in nx.bfs_predecessors(graph, node, depth_limit=limit):
            parent[child] = par
            if child in preds:
                cycle = [child]
                while parent[cycle[-1]] is not None:
                    cycle.append(parent[cycle[-1]])
                return cycle[::-1]
        return None

    clusters = []
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        members = sorted(component, key=order.__getitem__)
        seen, lengths = {}, []
        for node in members[:max_starts]:
            longest = lengths[max_cycles - 1] if len(lengths) >= max_cycles else None
            cycle = shortest_cycle(node, longest)
            if cycle:
                first = min(range(len(cycle)), key=lambda i: order[cycle[i]])
                cycle = cycle[first:] + cycle[:first]
                if tuple(cycle) not in seen:
                    seen[tuple(cycle)] = cycle
                    bisect.insort(lengths, len(cycle))
        cycles = sorted(seen.values(), key=lambda c: (len(c), [order[n] for n in c]))
        clusters.append((members, cycles[:max_cycles], len(members) <= max_starts))
    clusters.sort(key=lambda c: (-len(c[0]), order[c[0][0]]))
    return clusters


@SETTINGS
@given(digraphs(), st.data())
def test_dominator_tree_is_networkx_s(graph, data):
    root = data.draw(st.sampled_from(list(graph)))
    nodes_of = view(graph)
    found = immediate_dominators(nodes_of, nodes_of.index[root])
    expected = nx.immediate_dominators(graph.reverse(copy=False), root)
    expected.pop(root, None)
    assert {nodes_of.ids[n]: nodes_of.ids[d] for n, d in found.items()} == expected


@SETTINGS
@given(digraphs(), st.data())
def test_traces_visit_in_networkx_order(graph, data):
    node = data.draw(st.sampled_from(list(graph)))
    depth = data.draw(st.sampled_from([None, 1, 2, 3]))
    for found, reference in [
        (structure.downstream(graph, node, depth=depth), graph),
        (structure.upstream(graph, node, depth=depth), graph.reverse(copy=False)),
    ]:
        expected = nx.single_source_shortest_path_length(reference, node, cutoff=depth)
        expected.pop(node)
        assert list(found.items()) == list(expected.items())


@SETTINGS
@given(digraphs())
def test_distances_are_networkx_multi_source_layers(graph):
    segments = [n for n, k in graph.nodes(data="kind") if k == "segment"]
    expected = dict.fromkeys(graph)
    if segments:
        for layer, nodes in enumerate(nx.bfs_layers(graph.reverse(copy=False), segments)):
            expected.update(dict.fromkeys(nodes, layer))
    assert structure.distance_to_segment(graph) == expected


@SETTINGS
@given(digraphs(), st.integers(1, 4), st.integers(1, 6), st.booleans())
def test_loops_are_the_networkx_implementation_s(graph, max_cycles, max_starts, arrays):
    nodes_of = view(graph)
    # large=0 runs every cluster through the array search, a large bound the Python one
    found = clusters_of_view(nodes_of, max_cycles, max_starts, large=0 if arrays else 10**9)
    assert [(c.members, c.cycles, c.complete) for c in found] == _reference_clusters(
        graph, max_cycles, max_starts
    )


@SETTINGS
@given(digraphs())
def test_components_are_numbered_sinks_first(graph):
    nodes_of = view(graph)
    labels = nodes_of.components
    for u, v in graph.edges:
        assert labels[nodes_of.index[u]] >= labels[nodes_of.index[v]]
    by_label = {}
    for node, label in zip(nodes_of.ids, labels.tolist(), strict=True):
        by_label.setdefault(label, set()).add(node)
    assert sorted(map(sorted, by_label.values())) == sorted(
        map(sorted, nx.strongly_connected_components(graph))
    )


def _assert_components(graph: nx.DiGraph, labels: np.ndarray) -> None:
    """``labels`` are the strong components of ``graph``, numbered sinks first."""
    index = view(graph).index
    for u, v in graph.edges:
        assert labels[index[u]] >= labels[index[v]]
    by_label: dict = {}
    for node, label in zip(graph, labels.tolist(), strict=True):
        by_label.setdefault(label, set()).add(node)
    assert sorted(map(sorted, by_label.values())) == sorted(
        map(sorted, nx.strongly_connected_components(graph))
    )


@SETTINGS
@given(digraphs(), st.sampled_from([0, 3, 10**6]))
def test_components_shrunk_around_a_loop_or_from_scipy_are_networkx_s(graph, max_left):
    # max_left=0: scipy's components (reordered); otherwise Tarjan's on the graph left after
    # shrinking the busiest node's component, when it is small enough
    nodes_of = view(graph)
    args = (nodes_of.out_ptr, nodes_of.out_idx, nodes_of.in_ptr, nodes_of.in_idx)
    _assert_components(graph, strong_components(*args, max_left=max_left))


def test_components_renumbered_when_scipy_numbers_otherwise(monkeypatch):
    original = scipy.sparse.csgraph.connected_components

    def shuffled(*args, **kwargs):
        count, labels = original(*args, **kwargs)
        return count, (count - 1 - labels)  # sources first: the opposite order

    monkeypatch.setattr(scipy.sparse.csgraph, "connected_components", shuffled)
    graph = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "b"), ("c", "d"), ("x", "a")])
    labels = view(graph).components
    index = view(graph).index
    assert all(labels[index[u]] > labels[index[v]] for u, v in [("a", "b"), ("c", "d")])
    assert labels[index["b"]] == labels[index["c"]]
    assert [r.segments_indirect for r in structure.roles(graph)] == [0] * 5


@SETTINGS
@given(digraphs())
def test_roles_count_the_segments_networkx_reaches(graph):
    segments = {n for n, k in graph.nodes(data="kind") if k == "segment"}
    roles = structure.roles(graph)
    assert [r.id for r in roles] == [n for n, k in graph.nodes(data="kind") if k == "department"]
    for role in roles:
        assert role.customers == [c for c in graph.successors(role.id) if c not in segments]
        assert role.suppliers == list(graph.predecessors(role.id))
        reached = nx.descendants(graph, role.id) & segments
        assert len(role.segments_direct) + role.segments_indirect == len(reached)


def test_a_chain_s_arrays_give_what_its_graph_gives(example):
    """For a chain the arrays come from ``chain.network``; its networkx graph is the reference."""
    chain = servicechain.load(example)
    graph = chain.graph
    nodes_of = view(chain)
    assert nodes_of.ids == list(graph)
    assert nodes_of.names == [graph.nodes[n].get("name") or n for n in graph]
    for segment in [n for n, k in graph.nodes(data="kind") if k == "segment"]:
        assert structure.analyze(chain, segment=segment).to_dict() == (
            structure.analyze(graph, segment=segment).to_dict()
        )
    assert str(structure.analyze(chain)) == str(structure.analyze(graph))
    for node in list(graph)[:8]:
        for direction in ("up", "down"):
            assert str(structure.trace(chain, node, direction=direction)) == str(
                structure.trace(graph, node, direction=direction)
            )
        segment = next(n for n, k in graph.nodes(data="kind") if k == "segment")
        assert structure.paths(chain, node, segment, limit=4) == structure.paths(
            graph, node, segment, limit=4
        )
    assert np.array_equal(nodes_of.components, view(graph).components)


def test_a_chain_is_analysed_without_building_its_networkx_graph():
    chain = servicechain.load(servicechain.example_path("sapataria"))
    structure.analyze(chain, segment="compradores_online")
    structure.trace(chain, "it", direction="up")
    structure.paths(chain, "it", "compradores_online")
    structure.mutual_dependencies(chain)
    assert "graph" not in chain.__dict__  # cached_property: built only on first use


def test_the_cached_view_does_not_keep_a_chain_alive():
    import gc
    import weakref

    chain = servicechain.load(servicechain.example_path("sapataria"))
    structure.roles(chain)
    network = weakref.ref(chain.network)
    del chain
    gc.collect()
    assert network() is None


def _roles_table_row_by_row(analysis) -> list[str]:
    """The table of departments made from the Role objects, a row at a time (as it was)."""
    rows = [["id", "name", "customers", "suppliers", "segments direct+indirect", "distance"]]
    roles = analysis.roles[: analysis.top]
    names = clipped([r.name for r in roles], 36)
    rows += [
        [
            r.id,
            name,
            str(len(r.customers)),
            str(len(r.suppliers)),
            f"{len(r.segments_direct)}+{r.segments_indirect}",
            "-" if r.distance is None else str(r.distance),
        ]
        for r, name in zip(roles, names, strict=True)
    ]
    return table(rows, right=(2, 3, 4, 5))


@SETTINGS
@given(digraphs(), st.sampled_from([None, 1, 3]))
def test_the_table_of_roles_read_from_columns_is_the_table_of_the_roles(graph, top):
    analysis = structure.analyze(graph, top=top)
    lines = str(analysis).splitlines()
    expected = _roles_table_row_by_row(analysis)
    assert lines[3 : 3 + len(expected)] == expected
    table_of = analysis.table
    assert len(table_of) == len(analysis.roles)
    assert table_of.customers.tolist() == [len(r.customers) for r in analysis.roles]
    assert table_of.suppliers.tolist() == [len(r.suppliers) for r in analysis.roles]
    assert table_of.direct.tolist() == [len(r.segments_direct) for r in analysis.roles]
    assert table_of.indirect.tolist() == [r.segments_indirect for r in analysis.roles]


def _reference_gateways(graph: nx.DiGraph, segment: str) -> tuple[list, dict]:
    """Gateways read from networkx's dominator tree, a subtree walk per gateway (as before)."""
    order = {node: i for i, node in enumerate(graph)}
    idom = nx.immediate_dominators(graph.reverse(copy=False), segment)
    idom.pop(segment, None)
    children: dict = {}
    for node, parent in idom.items():
        children.setdefault(parent, []).append(node)
    found = []
    for node in children:
        if node == segment or graph.nodes[node].get("kind", "department") != "department":
            continue
        gated, stack = [], list(children[node])
        while stack:
            child = stack.pop()
            gated.append(child)
            stack.extend(children.get(child, ()))
        found.append((-len(gated), order[node], node, sorted(gated, key=order.__getitem__)))
    found.sort(key=lambda g: g[:2])
    tree = {n: idom[n] for n in sorted(idom, key=order.__getitem__)}
    return [(node, gated) for _, _, node, gated in found], tree


@SETTINGS
@given(digraphs(), st.data())
def test_gateways_read_on_arrays_are_those_of_networkx_s_dominator_tree(graph, data):
    segment = data.draw(st.sampled_from(list(graph)))
    graph.nodes[segment]["kind"] = "segment"
    found = structure.gateways(graph, segment)
    expected, tree = _reference_gateways(graph, segment)
    assert [(g.id, g.gates) for g in found.gateways] == expected
    assert list(found.tree.items()) == list(tree.items())


def test_scipy_s_components_numbered_sources_first_are_put_sinks_first(monkeypatch):
    original = scipy.sparse.csgraph.connected_components

    def shuffled(*args, **kwargs):
        count, labels = original(*args, **kwargs)
        return count, (count - 1 - labels)  # sources first: the opposite order

    monkeypatch.setattr(scipy.sparse.csgraph, "connected_components", shuffled)
    graph = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "b"), ("c", "d"), ("x", "a")])
    nodes_of = view(graph)
    args = (nodes_of.out_ptr, nodes_of.out_idx, nodes_of.in_ptr, nodes_of.in_idx)
    _assert_components(graph, strong_components(*args, max_left=0))
