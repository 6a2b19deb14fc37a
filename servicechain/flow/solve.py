"""Sparse solves of the quality flow: ``(I - A) x = b`` with residual checks, and the capped fixed
point used by what-ifs.

The systems of a model a person draws by hand (up to ``DENSE_MAX_NODES`` nodes) are solved by
LAPACK's LU of the dense matrix, built straight from the arrays: no sparse machinery to load for
a command on a bundled example. Larger small systems are factorised once with a sparse LU
(``splu``) and reused for every right-hand side, transposed ones included; large ones by the
sweeps ``x <- b + A x`` while they converge fast (a few dozen sparse products on the usual
models), else by GMRES from where the sweeps got to. No result is trusted without a residual
check, and nothing here builds an inverse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..errors import ServiceChainError

if TYPE_CHECKING:
    from scipy import sparse

__all__ = [
    "DENSE_MAX_NODES",
    "DIRECT_MAX_NODES",
    "Operator",
    "SolveError",
    "capped_fixed_point",
    "system_matrix",
]

#: Systems up to this many nodes are solved by a dense LU (the bundled examples have under 30).
DENSE_MAX_NODES = 64
#: Systems up to this many nodes are solved by a sparse LU factorisation, larger ones by GMRES.
DIRECT_MAX_NODES = 400
#: Largest accepted residual, relative to the size of the right-hand side.
RESIDUAL_TOL = 1e-9
_GMRES_RTOL = 1e-13
#: Services transmitted within this of the cap are held at the cap by the what-if solve.
CAP_TOL = 1e-12
#: The sweeps stop when a sweep changes no value by more than this (relative to the rhs); the
#: change of a sweep is exactly the residual of the iterate it starts from.
_SWEEP_TOL = 1e-14
#: The sweeps give way to GMRES when they would need more than this many more sweeps.
_SWEEP_MAX = 300
#: Sweeps during which the change may still grow before it must shrink.
_SWEEP_GROWTH = 5


class SolveError(ServiceChainError):
    """A solve of the quality flow did not converge or its result failed the residual check."""


def system_matrix(n: int, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> sparse.csr_array:
    """``I - A`` with ``A[rows[s], cols[s]] += vals[s]``, built straight from the arrays.

    Examples
    --------
    >>> system_matrix(2, np.array([1]), np.array([0]), np.array([0.5])).toarray().tolist()
    [[1.0, 0.0], [-0.5, 1.0]]
    """
    from scipy import sparse

    a = sparse.coo_array((np.asarray(vals, dtype=float), (rows, cols)), shape=(n, n)).tocsr()
    a.sum_duplicates()
    return (sparse.eye_array(n, format="csr") - a).tocsr()


#: Why a singular ``I - A`` has no solution, and the way out.
SINGULAR = (
    "the quality flow has no unique solution (the matrix I - A is singular): "
    "some departments sustain each other with no contribution of their own; "
    "give one of them an own quality and a dependence below 1"
)


class Operator:
    """Solves with one matrix ``M = I - A``, factorised at most once.

    ``matrix`` is sparse, or for a system of up to ``DENSE_MAX_NODES`` nodes a dense array
    (see :meth:`of`); :attr:`matrix` is sparse either way.

    Examples
    --------
    >>> op = Operator(system_matrix(2, np.array([1]), np.array([0]), np.array([0.5])))
    >>> op.solve(np.array([1.0, 0.0])).tolist()
    [1.0, 0.5]
    >>> op.solve(np.array([0.0, 1.0]), transpose=True).tolist()
    [0.5, 1.0]
    """

    def __init__(
        self, matrix: sparse.csr_array | np.ndarray, *, transmission: sparse.csr_array | None = None
    ):
        self.n = matrix.shape[0]
        if isinstance(matrix, np.ndarray):
            self._matrix, self._dense = None, matrix
        else:
            self._matrix = matrix.tocsr()
            self._dense = matrix.toarray() if self.n <= DENSE_MAX_NODES else None
        self._lu = None
        self._transposed = None
        # A = I - M for the sweeps, when the caller has it at hand (else made on first use)
        self._sweep: dict[bool, sparse.csr_array] = {}
        if transmission is not None:
            self._sweep[False] = transmission

    @classmethod
    def of(cls, n: int, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> Operator:
        """The operator of ``I - A`` with ``A[rows[s], cols[s]] += vals[s]``, built straight
        from the arrays: a dense array up to ``DENSE_MAX_NODES`` nodes, else sparse.

        Examples
        --------
        >>> op = Operator.of(2, np.array([1]), np.array([0]), np.array([0.5]))
        >>> op.solve(np.array([1.0, 0.0])).tolist(), op.matrix.toarray().tolist()
        ([1.0, 0.5], [[1.0, 0.0], [-0.5, 1.0]])
        """
        if n > DENSE_MAX_NODES:
            return cls(system_matrix(n, rows, cols, vals))
        dense = np.eye(n)
        np.subtract.at(dense, (rows, cols), np.asarray(vals, dtype=float))
        return cls(dense)

    @property
    def matrix(self) -> sparse.csr_array:
        """``M`` as a sparse CSR array."""
        if self._matrix is None:
            from scipy import sparse

            self._matrix = sparse.csr_array(self._dense)
        return self._matrix

    @property
    def direct(self) -> bool:
        """Whether this operator solves by LU (small systems) rather than GMRES."""
        return self.n <= DIRECT_MAX_NODES

    def _factor(self):
        if self._lu is None:
            from scipy.sparse import linalg as spla

            try:
                self._lu = spla.splu(self.matrix.tocsc())
            except RuntimeError as err:
                raise SolveError(SINGULAR) from err
        return self._lu

    def solve(
        self, rhs: np.ndarray, *, transpose: bool = False, start: np.ndarray | None = None
    ) -> np.ndarray:
        """``x`` with ``M x = rhs`` (or ``M^T x = rhs``); ``rhs`` may hold several columns.

        ``start``, shaped like ``rhs``, is where the sweeps of a large system start (a close
        guess, such as the solution of a nearby system, saves sweeps; the result is the same
        to the tolerance and checked the same way)."""
        rhs = np.asarray(rhs, dtype=float)
        if self.n == 0:
            return rhs.copy()
        if self._dense is not None:
            try:
                x = np.linalg.solve(self._dense.T if transpose else self._dense, rhs)
            except np.linalg.LinAlgError as err:
                raise SolveError(SINGULAR) from err
        elif self.direct:
            x = self._factor().solve(rhs, trans="T" if transpose else "N")
        else:
            x = self._iterate(rhs, transpose, start)
        self._check(x, rhs, transpose)
        return x

    def _iterate(
        self, rhs: np.ndarray, transpose: bool, start: np.ndarray | None = None
    ) -> np.ndarray:
        if transpose:
            if self._transposed is None:
                self._transposed = self.matrix.T.tocsr()
            matrix = self._transposed
        else:
            matrix = self.matrix
        columns = rhs.reshape(self.n, -1)
        out = np.zeros_like(columns)
        live = np.flatnonzero(np.abs(columns).max(axis=0, initial=0.0) > 0)
        if not len(live):
            return out.reshape(rhs.shape)
        # All columns sweep together (one sparse product per sweep for the whole batch).
        guess = None if start is None else np.asarray(start, dtype=float).reshape(self.n, -1)
        x, done = self._sweeps(
            matrix, columns[:, live], transpose, None if guess is None else guess[:, live]
        )
        out[:, live] = x
        if not done:
            from scipy.sparse import linalg as spla

            for j in live:
                b = columns[:, j]
                x, info = spla.gmres(
                    matrix, b, x0=out[:, j], rtol=_GMRES_RTOL, atol=0.0, restart=60, maxiter=200
                )
                if info != 0:
                    raise SolveError(
                        f"the iterative solve of the quality flow did not converge "
                        f"({self.n:,} nodes, GMRES stopped with code {info}); check the model "
                        "for departments that depend almost entirely on each other"
                    )
                out[:, j] = x
        return out.reshape(rhs.shape)

    def _sweeps(
        self,
        matrix: sparse.csr_array,
        b: np.ndarray,
        transpose: bool,
        start: np.ndarray | None = None,
    ) -> tuple[np.ndarray, bool]:
        """Iterate ``x <- b + A x`` (``A = I - matrix``) while it converges fast;
        return the last good iterate and whether it converged. ``b`` holds one right-hand side
        per column, all swept together.

        On a model whose loops lose quality this is the Neumann series of ``(I - A)^-1 b``:
        its error shrinks by the spectral radius of ``A`` per sweep (about 25 sweeps to 1e-14
        on a generated organisation of 100,000 departments, against seconds of GMRES).
        """
        from scipy import sparse

        a = self._sweep.get(transpose)
        if a is None:
            a = self._sweep[transpose] = (sparse.eye_array(self.n, format="csr") - matrix).tocsr()
        tol = _SWEEP_TOL * max(1.0, float(np.abs(b).max(initial=0.0)))
        x, last = (b if start is None else start).copy(), np.inf
        scratch = np.empty_like(x)  # the change of a sweep, computed in place
        # Columns of L (unit right-hand sides) add b where it is not zero only.
        where = np.nonzero(b) if np.count_nonzero(b) * 8 < b.size else None
        for sweep in range(1, 10 * _SWEEP_MAX):
            new = a @ x
            if where is None:
                new += b
            else:
                new[where] += b[where]
            np.subtract(new, x, out=scratch)
            np.abs(scratch, out=scratch)
            change = float(scratch.max(initial=0.0))
            # The first sweeps may grow while mass travels round the loops (a cost allocation
            # does); after them, a growing change means the sweeps do not converge.
            if not np.isfinite(change) or (change > last and sweep > _SWEEP_GROWTH):
                return x, False
            x = new
            if change <= tol:
                return x, True
            if sweep >= 5 and last < np.inf:
                rate = change / last
                if rate >= 1.0 or np.log(tol / change) / np.log(rate) > _SWEEP_MAX:
                    return x, False
            last = change
        return x, False

    def _check(self, x: np.ndarray, rhs: np.ndarray, transpose: bool) -> None:
        matrix = self._dense if self._dense is not None else self.matrix
        matrix = matrix.T if transpose else matrix
        if not np.all(np.isfinite(x)):
            raise SolveError("the solve of the quality flow gave non-finite values")
        residual = np.abs(matrix @ x - rhs).max(initial=0.0)
        # Backward error: relative to the sizes of the right-hand side and of M x.
        size = float(abs(matrix).max()) * float(np.abs(x).max(initial=0.0))
        scale = max(1.0, float(np.abs(rhs).max(initial=0.0)), size)
        if residual > RESIDUAL_TOL * scale:
            raise SolveError(
                f"the solve of the quality flow failed its residual check "
                f"(residual {residual:.2e}); the model is close to a closed loop"
            )


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


def capped_fixed_point(
    n: int,
    c: np.ndarray,
    source: np.ndarray,
    target: np.ndarray,
    r: np.ndarray,
    e: np.ndarray,
    *,
    max_rounds: int = 100,
) -> np.ndarray:
    """Solve ``Q_i = c_i + sum_s r_s * min(1, e_s * Q_source(s))`` over services ``s`` into ``i``.

    The right side is monotone and concave in ``Q``, so Newton's method on the cap pattern
    (solve with the capped services held at 1, re-check which are capped, repeat) settles in a
    few rounds; the result is checked against the equation itself.

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
    """
    # Start with every service that could pass the cap (e > 1) held at it: that system bounds the
    # solution from above and keeps huge transmissions (a rating raised far above what a weak
    # supplier delivers) out of the matrix; each round then frees the services below the cap.
    capped = e > 1.0
    q = None
    # a large system keeps one sparsity pattern for every round (the capped services' entries
    # are zeros in it): each round only fills in the values
    pattern = _Pattern(n, target, source) if n > DENSE_MAX_NODES else None
    for _ in range(max_rounds):
        free = ~capped
        rhs = c + np.bincount(target[capped], weights=r[capped], minlength=n)
        if pattern is None:
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
