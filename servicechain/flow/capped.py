"""The capped fixed point of a what-if: ``Q = c + sum r min(1, e Q_source)`` solved by Newton's
method on the cap pattern, each round one linear solve of :mod:`servicechain.flow.solve`.
"""

from __future__ import annotations

import numpy as np

from .solve import (
    CAP_TOL,
    DENSE_MAX_NODES,
    DIRECT_MAX_NODES,
    RESIDUAL_TOL,
    Entries,
    Operator,
    SolveError,
)

__all__ = ["capped_fixed_point"]


class _Pattern:
    """The sparsity pattern of ``I - A`` for entries ``A[rows[s], cols[s]]`` (the diagonal
    included, duplicates merged), made once; :meth:`operator` fills in the values."""

    def __init__(self, n: int, rows: np.ndarray, cols: np.ndarray):
        self.n = n
        keys = np.concatenate(
            [rows.astype(np.int64) * n + cols, np.arange(n, dtype=np.int64) * (n + 1)]
        )
        cells, where = np.unique(keys, return_inverse=True)
        self.indices = (cells % n).astype(np.int32 if n < 2**31 else np.int64)
        self.indptr = np.searchsorted(cells, np.arange(n + 1, dtype=np.int64) * n).astype(
            self.indices.dtype
        )
        self.size = len(cells)
        self.entry, self.diagonal = where[: len(rows)], where[len(rows) :]

    def operator(self, values: np.ndarray) -> Operator:
        """The operator of ``I - A`` with ``A[rows[s], cols[s]] += values[s]``."""
        from scipy import sparse

        a = np.bincount(self.entry, weights=values, minlength=self.size)
        m = -a
        m[self.diagonal] += 1.0
        shape = (self.n, self.n)
        # the sweeps use A itself: no subtraction from the identity to undo
        return Operator(
            sparse.csr_array((m, self.indices, self.indptr), shape=shape),
            transmission=sparse.csr_array((a, self.indices, self.indptr), shape=shape),
        )


#: Rounds a warm start (see :func:`capped_fixed_point`) may take before the cold start is used.
WARM_ROUNDS = 10


def capped_fixed_point(
    n: int,
    c: np.ndarray,
    source: np.ndarray,
    target: np.ndarray,
    r: np.ndarray,
    e: np.ndarray,
    *,
    max_rounds: int = 100,
    start: np.ndarray | None = None,
) -> np.ndarray:
    """Solve ``Q_i = c_i + sum_s r_s * min(1, e_s * Q_source(s))`` over services ``s`` into ``i``.

    The right side is monotone and concave in ``Q``, so Newton's method on the cap pattern
    (solve with the capped services held at 1, re-check which are capped, repeat) settles in a
    few rounds; the result is checked against the equation itself.

    ``start``, a close guess of ``Q`` (the current state, for a what-if), gives the first
    pattern to try and the point the sweeps start from: a what-if that changes a few nodes
    then settles in one or two rounds of a few sweeps. If it does not settle within
    ``WARM_ROUNDS`` rounds, the solve starts again from the cold start below; either way the
    result is the solution of the same equation, checked the same way.

    Raises
    ------
    SolveError
        If the cap pattern does not settle or the result fails the residual check.

    Examples
    --------
    A supplier at 0.8 whose service is transmitted at e = 2 saturates at 1:

    >>> capped_fixed_point(2, np.array([0.8, 0.0]), np.array([0]), np.array([1]),
    ...                    np.array([1.0]), np.array([2.0])).tolist()
    [0.8, 1.0]
    >>> capped_fixed_point(2, np.array([0.8, 0.0]), np.array([0]), np.array([1]),
    ...                    np.array([1.0]), np.array([2.0]), start=np.array([0.7, 1.0])).tolist()
    [0.8, 1.0]
    """
    system = (n, c, source, target, r, e)
    if start is not None:
        try:
            start = np.asarray(start, dtype=float)
            return _settle(system, e * start[source] > 1.0 - CAP_TOL, start, WARM_ROUNDS)
        except SolveError:
            pass  # the cold start below decides
    # Start with every service that could pass the cap (e > 1) held at it: that system bounds the
    # solution from above and keeps huge transmissions (a rating raised far above what a weak
    # supplier delivers) out of the matrix; each round then frees the services below the cap.
    return _settle(system, e > 1.0, None, max_rounds)


def _settle(system: tuple, capped: np.ndarray, q: np.ndarray | None, max_rounds: int) -> np.ndarray:
    """Newton's rounds on the cap pattern from ``capped`` (sweeps from ``q``), then the
    residual check."""
    n, c, source, target, r, e = system
    # a larger system keeps the entries of every service for every round (the capped ones are
    # zeros): each round only fills in the values, into one sparsity pattern where the system
    # is factorised
    pattern = _Pattern(n, target, source) if DENSE_MAX_NODES < n <= DIRECT_MAX_NODES else None
    for _ in range(max_rounds):
        free = ~capped
        rhs = c + np.bincount(target[capped], weights=r[capped], minlength=n)
        if n > DIRECT_MAX_NODES:
            op = Operator(None, entries=Entries(n, target, source, np.where(free, r * e, 0.0)))
        elif pattern is None:
            op = Operator.of(n, target[free], source[free], r[free] * e[free])
        else:
            op = pattern.operator(np.where(free, r * e, 0.0))
        # each round starts its sweeps where the last one ended (only the pattern changed)
        q = op.solve(rhs, start=q)
        # A service exactly at the cap counts as capped: round-off must not flip it back and forth
        # (min(1, e*Q) is the same either way to within CAP_TOL).
        now = e * q[source] > 1.0 - CAP_TOL
        if np.array_equal(now, capped):
            break
        capped = now
    else:
        raise SolveError(
            f"the what-if solve did not settle after {max_rounds} rounds; "
            "try smaller changes or report the model"
        )
    flow = c + np.bincount(target, weights=r * np.minimum(1.0, e * q[source]), minlength=n)
    residual = np.abs(flow - q).max(initial=0.0)
    if residual > RESIDUAL_TOL:
        raise SolveError(f"the what-if solve failed its residual check (residual {residual:.2e})")
    return q
