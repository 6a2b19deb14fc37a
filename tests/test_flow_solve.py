"""The ways a system ``(I - A) x = b`` is solved (dense LU for a hand-drawn model, sparse LU up to
a few hundred nodes, sweeps and GMRES beyond, on numpy's products of the entries or on sparse
arrays) give the same answers, and refuse a singular system with the same message (hypothesis,
derandomized)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicechain import load
from servicechain.flow import solve, state_of
from servicechain.flow.capped import capped_fixed_point
from servicechain.flow.solve import (
    DENSE_MAX_NODES,
    DIRECT_MAX_NODES,
    SINGULAR,
    Entries,
    Operator,
    SolveError,
    system_matrix,
)
from servicechain.flow.state import State

from .conftest import MODELS

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True)


@st.composite
def systems(draw, *, largest: int = 90):
    """``(n, rows, cols, vals)`` of an ``A`` whose rows sum below 1 (every solve converges),
    duplicate entries included."""
    n = draw(st.integers(1, largest))
    m = draw(st.integers(0, 6 * n))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    rows, cols = rng.integers(0, n, m), rng.integers(0, n, m)
    vals = rng.random(m)
    total = np.bincount(rows, weights=vals, minlength=n)
    vals = vals / np.maximum(total[rows], 1.0) * draw(st.floats(0.1, 0.95))
    return n, rows, cols, vals


def _reference(n, rows, cols, vals) -> np.ndarray:
    matrix = np.eye(n)
    np.subtract.at(matrix, (rows, cols), vals)
    return matrix


@SETTINGS
@given(systems(), st.booleans())
def test_the_dense_and_the_sparse_operators_solve_alike(system, transpose):
    n, rows, cols, vals = system
    rhs = np.linspace(0.0, 1.0, n)
    dense = Operator.of(n, rows, cols, vals)
    sparse = Operator(system_matrix(n, rows, cols, vals))
    sparse._dense = None  # as every system above DENSE_MAX_NODES is solved
    reference = _reference(n, rows, cols, vals)
    expected = np.linalg.solve(reference.T if transpose else reference, rhs)
    np.testing.assert_allclose(dense.solve(rhs, transpose=transpose), expected, atol=1e-12)
    np.testing.assert_allclose(sparse.solve(rhs, transpose=transpose), expected, atol=1e-12)
    np.testing.assert_allclose(dense.matrix.toarray(), sparse.matrix.toarray(), atol=1e-15)


@SETTINGS
@given(systems(largest=40))
def test_several_right_hand_sides_solve_as_one_each(system):
    n, rows, cols, vals = system
    op = Operator.of(n, rows, cols, vals)
    block = np.arange(3 * n, dtype=float).reshape(n, 3)
    together = op.solve(block)
    for j in range(3):
        np.testing.assert_allclose(together[:, j], op.solve(block[:, j]), atol=1e-12)


def test_a_hand_drawn_model_is_solved_densely_and_a_larger_one_sparsely():
    small = Operator.of(DENSE_MAX_NODES, np.array([1]), np.array([0]), np.array([0.5]))
    large = Operator.of(DENSE_MAX_NODES + 1, np.array([1]), np.array([0]), np.array([0.5]))
    assert small._dense is not None and small._matrix is None
    assert large._dense is None and large._matrix is not None
    # the sparse form of a dense operator is made when asked for
    assert small.matrix.nnz == DENSE_MAX_NODES + 1


@pytest.mark.parametrize("dense", [True, False], ids=["dense", "sparse LU"])
def test_a_singular_system_is_refused_alike(dense):
    # two nodes passing everything to each other: I - A = [[1, -1], [-1, 1]]
    matrix = system_matrix(2, np.array([0, 1]), np.array([1, 0]), np.array([1.0, 1.0]))
    op = Operator(matrix)
    if not dense:
        op._dense = None
    with pytest.raises(SolveError) as err:
        op.solve(np.array([1.0, 0.0]))
    assert str(err.value) == SINGULAR


def test_a_bundled_example_scores_the_same_through_the_sparse_solver(monkeypatch):
    chain = load(MODELS / "sapataria.yaml")
    dense = state_of(chain)
    assert dense.operator._dense is not None
    monkeypatch.setattr(solve, "DENSE_MAX_NODES", 0)
    sparse = State(chain.network)
    assert sparse.operator._dense is None
    np.testing.assert_allclose(sparse.quality, dense.quality, atol=1e-14)
    w = np.ones(chain.network.n)
    np.testing.assert_allclose(
        sparse.operator.solve(w, transpose=True), dense.operator.solve(w, transpose=True)
    )


@settings(max_examples=12, deadline=None, derandomize=True)
@given(st.sampled_from([40, 150, 600]), st.integers(0, 2**32 - 1))
def test_the_capped_fixed_point_solves_its_equation_on_every_path(n, seed):
    # dense (up to 64 nodes), factorised (up to 400) and swept (larger, each round starting
    # where the last ended), with repeated services between the same pair and transmissions
    # far above 1: the result satisfies Q = c + sum r min(1, e Q_source) and is the limit of
    # the plain fixed-point iteration
    rng = np.random.default_rng(seed)
    m = 4 * n
    source = rng.integers(0, n, m)
    target = (source + rng.integers(1, n, m)) % n
    k = n // 4
    source[:k], target[:k] = source[k : 2 * k], target[k : 2 * k]  # repeated pairs
    r = rng.uniform(0.0, 0.5 / 4, m)  # at most about half of a node from its suppliers
    e = np.where(rng.random(m) < 0.3, rng.uniform(1.0, 4.0, m), rng.uniform(0.2, 1.0, m))
    c = rng.uniform(0.0, 0.5, n)
    q = capped_fixed_point(n, c, source, target, r, e)
    flow = c + np.bincount(target, weights=r * np.minimum(1.0, e * q[source]), minlength=n)
    assert np.abs(flow - q).max() <= 1e-12
    plain = np.zeros(n)
    for _ in range(400):
        plain = c + np.bincount(target, weights=r * np.minimum(1.0, e * plain[source]), minlength=n)
    assert np.abs(plain - q).max() <= 1e-12
    # a warm start (a close guess, or one far off in either direction, where the cold start
    # must take over) reaches the same solution
    guesses = [q * rng.uniform(0.9, 1.1, n), np.zeros(n), np.full(n, 10.0)]
    for guess in guesses:
        warm = capped_fixed_point(n, c, source, target, r, e, start=guess)
        assert np.abs(warm - q).max() <= 1e-12


def test_a_close_start_gives_the_same_solution_in_fewer_sweeps():
    rng = np.random.default_rng(3)
    n = 2000
    rows, cols = rng.integers(0, n, 8 * n), rng.integers(0, n, 8 * n)
    op = Operator(system_matrix(n, rows, cols, rng.uniform(0, 0.1, 8 * n)))
    rhs = rng.uniform(0, 1, n)
    x = op.solve(rhs)
    near = op.solve(rhs * (1 + 1e-9), start=x)
    assert np.abs(near - x * (1 + 1e-9)).max() <= 1e-12
    assert np.abs(op.solve(rhs, start=np.zeros(n)) - x).max() <= 1e-13


@SETTINGS
@given(systems(largest=60), st.booleans())
def test_the_entries_of_a_large_system_solve_as_its_sparse_matrix_does(system, transpose):
    # the same system made larger than DIRECT_MAX_NODES by disjoint copies of itself: swept on
    # numpy's products of its entries (GMRES on the sparse matrix where the sweeps are slow),
    # it solves as the sparse matrix does, one right-hand side or several
    n, rows, cols, vals = system
    copies = DIRECT_MAX_NODES // n + 1
    shift = np.repeat(np.arange(copies) * n, len(rows))
    big = (n * copies, np.tile(rows, copies) + shift, np.tile(cols, copies) + shift)
    big_vals = np.tile(vals, copies)
    entries = Operator.of(*big, big_vals)
    assert entries._entries is not None and entries._matrix is None
    swept = Operator(system_matrix(*big, big_vals))
    rhs = np.linspace(0.0, 1.0, big[0])
    reference = _reference(n, rows, cols, vals)
    expected = np.linalg.solve(reference.T if transpose else reference, rhs[:n])
    x = entries.solve(rhs, transpose=transpose)
    np.testing.assert_allclose(x, swept.solve(rhs, transpose=transpose), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(x[:n], expected, rtol=0, atol=1e-12)
    both = np.column_stack([rhs, rhs[::-1]])
    np.testing.assert_allclose(
        entries.solve(both, transpose=transpose)[:, 0], x, rtol=1e-13, atol=1e-13
    )


@SETTINGS
@given(systems(largest=40))
def test_the_product_of_the_entries_is_the_sparse_product(system):
    n, rows, cols, vals = system
    entries = Entries(n, rows, cols, vals)
    x = np.linspace(-1.0, 2.0, n)
    a = np.eye(n) - _reference(n, rows, cols, vals)
    np.testing.assert_allclose(entries.dot(x), a @ x, rtol=0, atol=1e-13)
    np.testing.assert_allclose(entries.dot(x, transpose=True), a.T @ x, rtol=0, atol=1e-13)
    assert entries.largest_of_system() >= np.abs(np.eye(n) - a).max() - 1e-15
    np.testing.assert_allclose(entries.matrix().toarray(), np.eye(n) - a, rtol=0, atol=1e-15)


def test_a_singular_large_system_given_by_its_entries_is_refused():
    # a ring of 500 departments that pass on all they receive: the sweeps never settle, GMRES
    # finds no solution on the sparse matrix, and the residual check refuses what it returns
    n = 500
    ring = np.arange(n)
    op = Operator.of(n, ring, (ring + 1) % n, np.ones(n))
    with pytest.raises(SolveError):
        op.solve(np.ones(n))


def test_one_right_hand_side_of_a_large_system_is_swept_without_a_sparse_matrix():
    rng = np.random.default_rng(5)
    n = 3 * DIRECT_MAX_NODES
    rows, cols = rng.integers(0, n, 6 * n), rng.integers(0, n, 6 * n)
    op = Operator.of(n, rows, cols, rng.uniform(0, 0.1, 6 * n))
    x = op.solve(np.ones(n))
    y = op.solve(np.ones(n), transpose=True)
    assert op._matrix is None
    reference = _reference(n, rows, cols, op._entries.vals)
    np.testing.assert_allclose(reference @ x, np.ones(n), rtol=0, atol=1e-12)
    np.testing.assert_allclose(reference.T @ y, np.ones(n), rtol=0, atol=1e-12)
