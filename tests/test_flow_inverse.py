"""Entries of L swept only as far as their use needs: against dense inverses (hypothesis), and
the exact failures of a generated organisation whose loop is too large to factorise against
full column solves; the top N by failure against forced what-ifs (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import sparse

from servicechain import Chain
from servicechain.flow import inverse, rank, state_of
from servicechain.flow.effects import Effects
from servicechain.flow.inverse import ENTRY_TOL, block_entries
from servicechain.flow.solve import DIRECT_MAX_NODES
from servicechain.samples.generate import generate

from .test_flow_exact import SETTINGS, models


@st.composite
def transmissions(draw) -> np.ndarray:
    """A non-negative matrix with row sums at most ``radius`` < 1 (so ``I - A`` inverts)."""
    n = draw(st.integers(1, 12))
    cells = hnp.arrays(float, (n, n), elements=st.floats(0, 1))
    a = draw(cells) * draw(hnp.arrays(bool, (n, n)))
    sums = a.sum(axis=1, keepdims=True)
    radius = draw(st.floats(0.05, 0.97))
    return np.divide(a * radius, sums, out=np.zeros_like(a), where=sums > 0)


@SETTINGS
@given(transmissions(), st.data())
def test_swept_entries_are_within_the_tolerance_of_their_weight(a, data):
    n = len(a)
    inverse = np.linalg.inv(np.eye(n) - a)
    k = data.draw(st.integers(1, 2 * n))
    index = st.integers(0, n - 1)
    rows = np.array(data.draw(st.lists(index, min_size=k, max_size=k)))
    cols = np.array(data.draw(st.lists(index, min_size=k, max_size=k)))
    weight = np.array(data.draw(st.lists(st.floats(0, 1e3), min_size=k, max_size=k)))
    g = inverse.sum(axis=1)
    for tol in (ENTRY_TOL, 1e-6):
        values, done = block_entries(sparse.csr_array(a), g, rows, cols, weight, tol=tol)
        assert done.all()
        error = np.abs(values - inverse[rows, cols]) * weight
        # the proven tolerance, and round-off of sums of up to a few hundred terms
        assert np.all(error <= tol + 1e-14 * weight * np.abs(inverse[rows, cols]))


@st.composite
def sparse_loops(draw) -> np.ndarray:
    """A sparse strongly connected transmission of up to a few hundred nodes: a ring (so every
    node reaches every other) plus random links, rows scaled to sums of at most ``radius``."""
    n = draw(st.integers(20, 300))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    extra = draw(st.integers(0, 4 * n))
    a = np.zeros((n, n))
    a[np.arange(n), (np.arange(n) + 1) % n] = rng.uniform(0.1, 1.0, n)
    a[rng.integers(0, n, extra), rng.integers(0, n, extra)] += rng.uniform(0.0, 1.0, extra)
    radius = draw(st.floats(0.2, 0.9))
    return a * radius / a.sum(axis=1, keepdims=True)


@SETTINGS
@given(sparse_loops(), st.data())
def test_sparse_columns_batches_and_retired_columns_match_a_dense_inverse(a, data):
    # narrow batches, and columns that stay sparse for several sweeps before they go dense
    cells = data.draw(st.sampled_from([len(a), 7 * len(a), 10**7]))
    share = data.draw(st.sampled_from([0.01, 0.2, 1.0]))
    n = len(a)
    exact = np.linalg.inv(np.eye(n) - a)
    k = data.draw(st.integers(1, 40))
    rows = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k)))
    diagonal = data.draw(st.booleans())
    cols = (
        rows.copy()
        if diagonal
        else np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k)))
    )
    weight = np.array(data.draw(st.lists(st.floats(0, 1e4), min_size=k, max_size=k)))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(inverse, "_CELLS", cells)
        patch.setattr(inverse, "_WIDTH", 1)
        patch.setattr(inverse, "_SPARSE_SHARE", share)
        values, done = block_entries(sparse.csr_array(a), exact.sum(axis=1), rows, cols, weight)
    assert done.all()
    error = np.abs(values - exact[rows, cols]) * weight
    assert np.all(error <= ENTRY_TOL + 1e-14 * weight * np.abs(exact[rows, cols]))


def test_a_column_that_converges_too_slowly_is_left_to_the_general_solve():
    a = sparse.csr_array(np.array([[0.0, 0.999], [0.999, 0.0]]))
    g = np.linalg.inv(np.eye(2) - a.toarray()).sum(axis=1)
    _, done = block_entries(a, g, np.array([0]), np.array([0]), np.ones(1))
    assert done.tolist() == [False]


@pytest.fixture(scope="module")
def organisation() -> Chain:
    return Chain.from_dict(generate(700, seed=5))


def test_failures_in_a_loop_too_large_to_factorise_match_full_column_solves(organisation):
    state = state_of(organisation)
    net = state.net
    assert state.largest_loop > DIRECT_MAX_NODES  # the swept path, not the factorised one
    y = state.adjoint
    effects = Effects(state, net.value / state.total_value, y)
    nodes = np.flatnonzero(state.on_cycle(np.arange(net.n)))[:80]
    columns = state.columns(nodes)  # whole columns of L, swept to convergence
    full = y[nodes] * state.quality[nodes] / columns[nodes, np.arange(len(nodes))]
    assert np.abs(effects.node_failure(nodes) - full).max() <= 1e-13
    services = np.flatnonzero(state.on_cycle(net.target) & state.on_cycle(net.source))[:80]
    entries = state.columns(net.target[services])[net.source[services], np.arange(len(services))]
    label = state.components[1]
    entries[label[net.source[services]] != label[net.target[services]]] = 0.0
    r, e = net.reliance[services], state.e[services]
    full = effects.service_failure_bound(services) / (1.0 + r * e * entries)
    assert np.abs(effects.service_failure(services) - full).max() <= 1e-13


@SETTINGS
@given(models(), st.integers(1, 5))
def test_the_pruned_top_n_by_failure_is_the_brute_force_top_n(c, n):
    net = c.network

    def forced(key: str) -> float:
        result = c.impact(fail=[key])
        return result.company_before - result.company_after

    nodes = {net.ids[i]: forced(net.ids[i]) for i in np.flatnonzero(net.kind != 2)}
    services = {}
    for s in range(net.m):
        pair = (net.ids[net.source[s]], net.ids[net.target[s]])
        services[pair] = forced(f"{pair[0]}->{pair[1]}")
    ranking = rank(c, by="failure", top=n)
    for rows, brute in ((ranking.departments, nodes), (ranking.services, services)):
        shown = rows[:n]
        for row in shown:
            assert abs(row.failure - brute[row.node]) <= 1e-9
        expected = sorted(brute.values(), reverse=True)[: len(shown)]
        assert np.allclose([r.failure for r in shown], expected, rtol=0, atol=1e-9)
