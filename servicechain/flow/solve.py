"""Solves of the quality flow: ``(I - A) x = b`` with residual checks (the capped fixed point of
what-ifs is in :mod:`servicechain.flow.capped`).

The systems of a model a person draws by hand (up to ``DENSE_MAX_NODES`` nodes) are solved by
LAPACK's LU of the dense matrix, built straight from the arrays: no sparse machinery to load for
a command on a bundled example. Larger small systems are factorised once with a sparse LU
(``splu``) and reused for every right-hand side, transposed ones included; large ones by the
sweeps ``x <- b + A x`` while they converge fast (a few dozen sparse products on the usual
models), else by GMRES from where the sweeps got to. A large system made from its entries
(:meth:`Operator.of`) sweeps one right-hand side with numpy alone (:class:`Entries`), so that
a command which solves one system at a time never loads scipy. No result is trusted without a
residual check, and nothing here builds an inverse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ServiceChainError

if TYPE_CHECKING:
    from scipy import sparse

__all__ = [
    "DENSE_MAX_NODES",
    "DIRECT_MAX_NODES",
    "Entries",
    "Operator",
    "SolveError",
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


class Entries:
    """``A`` given by its entries, ``A[rows[s], cols[s]] += vals[s]``, multiplied with numpy
    alone: ``A x`` is one ``np.bincount`` of ``vals * x[cols]`` by row. Twice the time of a
    sparse product per sweep, against a tenth of a second for importing scipy's sparse arrays.

    Examples
    --------
    >>> a = Entries(2, np.array([1, 1]), np.array([0, 1]), np.array([0.5, 0.25]))
    >>> a.dot(np.array([1.0, 2.0])).tolist(), a.dot(np.array([1.0, 2.0]), transpose=True).tolist()
    ([0.0, 1.0], [1.0, 0.5])
    >>> a.largest_of_system()  # the largest |entry| of I - A
    1.0
    """

    def __init__(self, n: int, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray):
        self.n = n
        self.rows = np.asarray(rows, dtype=np.intp)
        self.cols = np.asarray(cols, dtype=np.intp)
        self.vals = np.asarray(vals, dtype=float)

    def dot(self, x: np.ndarray, *, transpose: bool = False) -> np.ndarray:
        """``A x`` (or ``A^T x``) of one vector ``x``."""
        into, take = (self.cols, self.rows) if transpose else (self.rows, self.cols)
        out = np.bincount(into, weights=self.vals * x[take], minlength=self.n)
        # (with no entries at all, numpy counts in integers)
        return out if out.dtype == float else out.astype(float)

    def largest_of_system(self) -> float:
        """The largest ``|entry|`` of ``I - A`` (entries on one cell not merged off the
        diagonal: it only scales the residual check)."""
        diagonal = self.rows == self.cols
        on = 1.0 - np.bincount(self.rows[diagonal], weights=self.vals[diagonal], minlength=self.n)
        off = np.abs(self.vals[~diagonal]).max(initial=0.0)
        return max(float(np.abs(on).max(initial=0.0)), float(off))

    def matrix(self) -> sparse.csr_array:
        """``I - A`` as a sparse CSR array."""
        return system_matrix(self.n, self.rows, self.cols, self.vals)


#: Why a singular ``I - A`` has no solution, and the way out.
SINGULAR = (
    "the quality flow has no unique solution (the matrix I - A is singular): "
    "some departments sustain each other with no contribution of their own; "
    "give one of them an own quality and a dependence below 1"
)


class Operator:
    """Solves with one matrix ``M = I - A``, factorised at most once.

    ``matrix`` is sparse, or for a system of up to ``DENSE_MAX_NODES`` nodes a dense array, or
    ``None`` for a large system given as ``entries`` of ``A`` (see :meth:`of`); :attr:`matrix`
    is sparse in every case (made on first use).

    Examples
    --------
    >>> op = Operator(system_matrix(2, np.array([1]), np.array([0]), np.array([0.5])))
    >>> op.solve(np.array([1.0, 0.0])).tolist()
    [1.0, 0.5]
    >>> op.solve(np.array([0.0, 1.0]), transpose=True).tolist()
    [0.5, 1.0]
    """

    def __init__(
        self,
        matrix: sparse.csr_array | np.ndarray | None,
        *,
        transmission: sparse.csr_array | None = None,
        entries: Entries | None = None,
    ):
        self._entries = entries
        self.n = matrix.shape[0] if matrix is not None else entries.n
        if matrix is None:
            self._matrix = self._dense = None
        elif isinstance(matrix, np.ndarray):
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
        from the arrays: a dense array up to ``DENSE_MAX_NODES`` nodes, sparse up to
        ``DIRECT_MAX_NODES``, else the entries themselves (the sparse matrix is made only if
        several right-hand sides are solved at once, or the sweeps give way to GMRES).

        Examples
        --------
        >>> op = Operator.of(2, np.array([1]), np.array([0]), np.array([0.5]))
        >>> op.solve(np.array([1.0, 0.0])).tolist(), op.matrix.toarray().tolist()
        ([1.0, 0.5], [[1.0, 0.0], [-0.5, 1.0]])
        """
        if n > DIRECT_MAX_NODES:
            return cls(None, entries=Entries(n, rows, cols, vals))
        if n > DENSE_MAX_NODES:
            return cls(system_matrix(n, rows, cols, vals))
        dense = np.eye(n)
        np.subtract.at(dense, (rows, cols), np.asarray(vals, dtype=float))
        return cls(dense)

    @property
    def matrix(self) -> sparse.csr_array:
        """``M`` as a sparse CSR array."""
        if self._matrix is None:
            if self._dense is None:
                self._matrix = self._entries.matrix()
            else:
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
        columns = rhs.reshape(self.n, -1)
        out = np.zeros_like(columns)
        live = np.flatnonzero(np.abs(columns).max(axis=0, initial=0.0) > 0)
        if not len(live):
            return out.reshape(rhs.shape)
        if self._entries is not None and rhs.ndim == 1:
            entries = self._entries
            x, done = self._sweeps(lambda v: entries.dot(v, transpose=transpose), rhs, start=start)
            if done:
                return x
            out[:, 0] = x  # GMRES goes on from there, on the sparse matrix
        else:
            # All columns sweep together (one sparse product per sweep for the whole batch).
            guess = None if start is None else np.asarray(start, dtype=float).reshape(self.n, -1)
            x, done = self._sweeps(
                self._sweep_matrix(transpose).__matmul__,
                columns[:, live],
                None if guess is None else guess[:, live],
            )
            out[:, live] = x
        if not done:
            from scipy.sparse import linalg as spla

            matrix = self._system(transpose)
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

    def _system(self, transpose: bool) -> sparse.csr_array:
        """``M`` (or its transpose, made once) as a sparse CSR array."""
        if not transpose:
            return self.matrix
        if self._transposed is None:
            self._transposed = self.matrix.T.tocsr()
        return self._transposed

    def _sweep_matrix(self, transpose: bool) -> sparse.csr_array:
        """``A = I - M`` (or its transpose) as a sparse array, made once."""
        from scipy import sparse

        a = self._sweep.get(transpose)
        if a is None:
            system = self._system(transpose)
            a = self._sweep[transpose] = (sparse.eye_array(self.n, format="csr") - system).tocsr()
        return a

    @staticmethod
    def _sweeps(
        product: Callable[[np.ndarray], np.ndarray],
        b: np.ndarray,
        start: np.ndarray | None = None,
    ) -> tuple[np.ndarray, bool]:
        """Iterate ``x <- b + A x`` (``product(x)`` is ``A x``) while it converges fast;
        return the last good iterate and whether it converged. ``b`` holds one right-hand side,
        or one per column, all swept together.

        On a model whose loops lose quality this is the Neumann series of ``(I - A)^-1 b``:
        its error shrinks by the spectral radius of ``A`` per sweep (about 25 sweeps to 1e-14
        on a generated organisation of 100,000 departments, against seconds of GMRES).
        """
        tol = _SWEEP_TOL * max(1.0, float(np.abs(b).max(initial=0.0)))
        x, last = (b if start is None else start).copy(), np.inf
        scratch = np.empty_like(x)  # the change of a sweep, computed in place
        # Columns of L (unit right-hand sides) add b where it is not zero only.
        where = np.nonzero(b) if np.count_nonzero(b) * 8 < b.size else None
        for sweep in range(1, 10 * _SWEEP_MAX):
            new = product(x)
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
        if not np.all(np.isfinite(x)):
            raise SolveError("the solve of the quality flow gave non-finite values")
        if self._matrix is None and self._dense is None and x.ndim == 1:
            entries = self._entries
            residual = np.abs(x - entries.dot(x, transpose=transpose) - rhs).max(initial=0.0)
            largest = entries.largest_of_system()
        else:
            matrix = self._dense if self._dense is not None else self.matrix
            matrix = matrix.T if transpose else matrix
            residual = np.abs(matrix @ x - rhs).max(initial=0.0)
            largest = float(abs(matrix).max())
        # Backward error: relative to the sizes of the right-hand side and of M x.
        size = largest * float(np.abs(x).max(initial=0.0))
        scale = max(1.0, float(np.abs(rhs).max(initial=0.0)), size)
        if residual > RESIDUAL_TOL * scale:
            raise SolveError(
                f"the solve of the quality flow failed its residual check "
                f"(residual {residual:.2e}); the model is close to a closed loop"
            )
