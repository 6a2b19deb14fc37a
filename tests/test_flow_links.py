"""The transmission's reach and strong blocks, searched on arrays, against scipy's sparse graph
routines on the matrix ``I - A`` they were first taken from."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse import csgraph

from servicechain import Chain, ModelError
from servicechain.flow import state_of
from servicechain.flow.effects import Effects
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
