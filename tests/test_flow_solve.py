"""The three ways a system ``(I - A) x = b`` is solved (dense LU for a hand-drawn model, sparse LU
up to a few hundred nodes, sweeps and GMRES beyond) give the same answers, and refuse a
singular system with the same message (hypothesis, derandomized)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicechain import load
from servicechain.flow import solve, state_of
from servicechain.flow.solve import DENSE_MAX_NODES, SINGULAR, Operator, SolveError, system_matrix
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
