"""The transmission's reach and strong blocks, searched on arrays, against scipy's sparse graph
routines on the matrix ``I - A`` they were first taken from; and the rising flow's solves
against those on its own system matrix."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse import csgraph

from servicechain import Chain, ModelError
from servicechain.flow import state_of
from servicechain.flow.effects import Effects
from servicechain.flow.solve import CAP_TOL, Operator, SolveError, system_matrix
from servicechain.flow.upward import Upward
from servicechain.model.components import strong_labels
from servicechain.model.search import adjacency as search_adjacency
from servicechain.model.search import bfs, reached
from servicechain.samples.generate import generate

from .strategies import model_data

SETTINGS = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def models(draw) -> Chain:
    """A random valid model (loops are likely); the current state need not be solvable."""
    data = model_data(draw, max_services=18)
    try:
        return Chain.from_dict(data)
    except ModelError:
        return Chain.from_dict({**data, "services": []})


def _transmission(state) -> sparse.csr_array:
    """``A`` as scipy sees it: ``I - (I - A)``, exact zeros dropped."""
    return sparse.eye_array(state.net.n, format="csr") - state.operator.matrix


def _scipy_reaching(state, w: np.ndarray) -> np.ndarray:
    n = state.net.n
    a = (sparse.eye_array(n, format="csr") - state.operator.matrix).tocoo()
    keep = a.data != 0
    targets = np.flatnonzero(w > 0)
    rows = np.concatenate([a.row[keep], np.full(len(targets), n)])
    cols = np.concatenate([a.col[keep], targets])
    graph = sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n + 1, n + 1))
    found = csgraph.breadth_first_order(graph, n, directed=True, return_predecessors=False)
    out = np.zeros(n + 1, dtype=bool)
    out[found] = True
    return out[:n]


def _assert_same_blocks(state) -> None:
    count, label, sizes = state.components
    expected_count, expected = csgraph.connected_components(
        _transmission(state), directed=True, connection="strong"
    )
    assert count == expected_count
    assert sizes.tolist() == np.bincount(label, minlength=count).tolist()
    # the same partition: each block of one is exactly one block of the other
    pairs = set(zip(label.tolist(), expected.tolist(), strict=True))
    assert len(pairs) == count == len({a for a, _ in pairs}) == len({b for _, b in pairs})


def _weights(state, draw_segment: int | None) -> np.ndarray:
    net = state.net
    if draw_segment is None:
        return net.value / max(state.total_value, 1e-300)
    w = np.zeros(net.n)
    segments = state.segments
    if len(segments):
        w[segments[draw_segment % len(segments)]] = 1.0
    return w


@SETTINGS
@given(models(), st.one_of(st.none(), st.integers(0, 2)))
def test_reach_and_blocks_on_arrays_equal_scipy_s_on_generated_models(chain, segment):
    state = state_of(chain)
    w = _weights(state, segment)
    assert state.reaching(w).tolist() == _scipy_reaching(state, w).tolist()
    _assert_same_blocks(state)


@pytest.mark.parametrize(("size", "seed"), [(120, 1), (700, 5)])
def test_reach_and_blocks_of_a_generated_organisation_equal_scipy_s(size, seed):
    """Large enough for the sparse operator (and, at 700, the swept one) of the flow."""
    state = state_of(Chain.from_dict(generate(size, seed=seed)))
    for segment in (None, 0, 1):
        w = _weights(state, segment)
        assert state.reaching(w).tolist() == _scipy_reaching(state, w).tolist()
    _assert_same_blocks(state)
    assert state.largest_loop > 1


def test_a_service_that_transmits_nothing_links_nothing():
    """A rated service whose supplier delivers 0 is held constant (e = 0), and a customer
    that depends on nothing takes nothing from its supplier: their loop transmits nothing, so
    it is no block, and the supplier held constant reaches no customer."""
    chain = Chain.from_dict(
        {
            "name": "held",
            "departments": [
                {"id": "a", "name": "A", "quality": 0.0, "dependence": 0.0},
                {"id": "b", "name": "B", "quality": 0.8, "dependence": 0.5},
            ],
            "segments": [
                {
                    "id": "s",
                    "name": "S",
                    "kind": "consumer",
                    "relationship": "client",
                    "dependence": 1.0,
                    "revenue": 10,
                }
            ],
            "services": [
                {"from": "a", "to": "b", "quality": 0.9},
                {"from": "b", "to": "a"},
                {"from": "b", "to": "s"},
            ],
        }
    )
    state = state_of(chain)
    net = state.net
    assert state.e[0] == 0.0 and net.reliance[1] == 0.0
    w = _weights(state, None)
    reach = state.reaching(w)
    assert reach.tolist() == _scipy_reaching(state, w).tolist()
    assert not reach[net.ids.index("a")] and reach[net.ids.index("b")]
    assert state.largest_loop == 1
    _assert_same_blocks(state)
    # the ranking's services on a loop are those of the blocks
    eff = Effects(state, w, state.adjoint)
    assert eff.service_gain(np.arange(net.m)).shape == (net.m,)


def _reference_upward(state, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``y_up`` and ``g`` solved on ``system_matrix`` alone, as the rising flow first did."""
    net = state.net
    moving = ~state.constant
    keep = np.flatnonzero(moving & ~(moving & (state.service_quality >= 1.0 - CAP_TOL)))
    flow = net.reliance[keep] * state.e[keep]
    op = Operator(system_matrix(net.n, net.target[keep], net.source[keep], flow))
    return op.solve(w, transpose=True), op.solve(np.ones(net.n))


def _assert_upward_as_reference(state, w: np.ndarray) -> None:
    up = Upward(state, w)
    y, g = _reference_upward(state, w)
    assert up.y.tolist() == y.tolist()
    assert up._g.tolist() == g.tolist()


@SETTINGS
@given(models(), st.one_of(st.none(), st.integers(0, 2)))
def test_the_rising_flow_solves_exactly_as_on_its_system_matrix(chain, segment):
    state = state_of(chain)
    try:
        _assert_upward_as_reference(state, _weights(state, segment))
    except SolveError:
        assume(False)  # a loop that sustains itself: no rising flow to solve


@pytest.mark.parametrize(("size", "seed"), [(120, 1), (700, 5), (3000, 2)])
def test_the_rising_flow_of_a_generated_organisation_solves_exactly_as_before(size, seed):
    """Dense (up to 64 nodes), factorised (up to 400) and swept systems."""
    state = state_of(Chain.from_dict(generate(size, seed=seed)))
    for segment in (None, 0):
        _assert_upward_as_reference(state, _weights(state, segment))


@st.composite
def adjacency(draw) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """A random directed graph (duplicate edges and self-loops allowed) as CSR, and sources."""
    n = draw(st.integers(1, 30))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=90))
    rows = np.array([a for a, _ in edges], dtype=np.int64)
    cols = np.array([b for _, b in edges], dtype=np.int64)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=ptr[1:])
    sources = draw(st.lists(st.integers(0, n - 1), max_size=4))
    return ptr, cols[np.argsort(rows, kind="stable")], sources


@SETTINGS
@given(adjacency())
def test_what_is_reached_is_what_the_ordered_search_reaches(graph):
    ptr, idx, sources = graph
    assert reached(ptr, idx, sources).tolist() == (bfs(ptr, idx, sources)[0] >= 0).tolist()


@st.composite
def edge_lists(draw) -> tuple[int, np.ndarray, np.ndarray]:
    """A random directed graph as a list of edges (duplicates and self-loops allowed)."""
    n = draw(st.integers(1, 30))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=90))
    source = np.array([a for a, _ in edges], dtype=np.int64)
    target = np.array([b for _, b in edges], dtype=np.int64)
    return n, source, target


@SETTINGS
@given(edge_lists())
def test_adjacency_lists_each_node_s_edges_in_the_order_given(graph):
    n, source, target = graph
    ptr, idx = search_adjacency(source, target, n)
    for node in range(n):
        assert idx[ptr[node] : ptr[node + 1]].tolist() == target[source == node].tolist()


@SETTINGS
@given(
    st.integers(1, 300_000).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60),
        )
    )
)
def test_adjacency_keeps_the_order_given_when_node_numbers_pass_16_bits(graph):
    n, edges = graph
    source = np.array([a for a, _ in edges], dtype=np.int64)
    target = np.array([b for _, b in edges], dtype=np.int64)
    ptr, idx = search_adjacency(source, target, n)
    assert ptr[-1] == len(edges) and (np.diff(ptr) >= 0).all()
    assert idx.tolist() == target[np.argsort(source, kind="stable")].tolist()


@SETTINGS
@given(edge_lists())
def test_strong_labels_split_the_nodes_as_scipy_does_and_number_sinks_first(graph):
    n, source, target = graph
    label = strong_labels(n, source, target)
    matrix = sparse.coo_array((np.ones(len(source)), (source, target)), shape=(n, n))
    _, theirs = csgraph.connected_components(matrix, directed=True, connection="strong")
    pairs = set(zip(label.tolist(), theirs.tolist(), strict=True))
    assert len(pairs) == len(set(label.tolist())) == len(set(theirs.tolist()))
    assert (label[source] >= label[target]).all()
