"""Entries of ``L = (I - A)^-1`` inside one large strongly connected block, each only as far as
its use needs: the sweeps of a column stop once no entry asked of it can still move by more than
the tolerance, which ``A >= 0`` and ``g = L 1`` prove without a residual.

After ``K`` sweeps from the unit column ``e_c``, ``x = sum_{t<K} A^t e_c`` and what is left is
``u = A^K e_c >= 0``, so ``L e_c = x + L u`` with ``0 <= L u <= max(u) g``: every entry of the
column lies in ``[x_r, x_r + max(u) g_r]``. An entry weighted by ``w`` (how much a unit of error
in it moves the number shown: ``y_d Q_d`` for a failed department) is taken at the middle of its
interval once ``max(u) g_r w / 2`` is within the tolerance. The first sweeps of a unit column
touch a few nodes only and are made on sparse columns; once dense, the columns of a batch stay
side by side until half of them are done (copying the others out costs more than sweeping a
few done ones).

The row side narrows the interval further: with ``V = sum_{t<T} (A^T)^t e_r`` (a few sparse
steps back from ``r``) and ``v = (A^T)^T e_r``, ``e_r^T L u = V . u + v^T L u``, and
``0 <= v^T L u <= max(u) v . g``, where ``v . g = (A^{T-1} (g - 1))_r`` is far smaller than
``g_r``; a column is then done several sweeps earlier.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

__all__ = ["ENTRY_TOL", "block_entries"]

#: Largest error left in a weighted entry (on the 0..1 scale of the number it feeds).
ENTRY_TOL = 1e-14
#: Sweeps after which a column that is still not certified is left to the general solve.
_MAX_SWEEPS = 400
#: Floats held per array of a batch of columns (the batch is narrower on larger blocks): under
#: 32 MB, the size up to which the C allocator hands a freed array's memory to the next one
#: instead of mapping fresh pages (every sweep makes a new array; faulting in fresh pages took
#: nearly half of the sweeps' time at 100k departments) ...
_CELLS = 4_000_000
#: ... but at least this many columns (narrower batches repeat more work per column).
_WIDTH = 32
#: Columns are swept sparse while the next sweep is expected to fill at most this share of
#: their block (each sweep fills them by about the largest growth seen so far).
_SPARSE_SHARE = 0.2
#: Steps back from each row ...
_BACK = 4
#: ... while the rows' sparse vectors hold at most this many values in all.
_BACK_CELLS = 2_000_000


def block_entries(
    a: sparse.csr_array,
    g: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    weight: np.ndarray,
    *,
    at: sparse.csr_array | None = None,
    tol: float = ENTRY_TOL,
) -> tuple[np.ndarray, np.ndarray]:
    """``L[rows[t], cols[t]]`` with ``L = (I - a)^-1``, each within ``tol / weight[t]``.

    Parameters
    ----------
    a : sparse array
        The non-negative transmission of one block (``a >= 0``, spectral radius below 1).
    g : array
        ``L 1`` (one solve, made by the caller).
    rows, cols : int arrays
        Positions in the block of the entries wanted.
    weight : array
        How much a unit of error in each entry matters (>= 0; 0 needs no accuracy).
    at : sparse array, optional
        ``a.T`` as CSR (made here when not given).
    tol : float
        Largest error of ``weight * entry``.

    Returns
    -------
    values, done : arrays
        The entries, and whether each was certified (False where the sweeps did not converge
        within their limit: those are left to a general solve).

    Examples
    --------
    Two nodes passing half of their quality to each other: ``L = [[4/3, 2/3], [2/3, 4/3]]``.

    >>> a = sparse.csr_array(np.array([[0.0, 0.5], [0.5, 0.0]]))
    >>> g = np.array([2.0, 2.0])
    >>> values, done = block_entries(a, g, np.array([0, 1]), np.array([0, 0]), np.ones(2))
    >>> values.round(12).tolist(), done.tolist()
    ([1.333333333333, 0.666666666667], [True, True])
    """
    rows = np.asarray(rows, dtype=np.intp)
    cols = np.asarray(cols, dtype=np.intp)
    weight = np.asarray(weight, dtype=float)
    n = a.shape[0]
    values = np.zeros(len(rows))
    done = np.zeros(len(rows), dtype=bool)
    wanted, which = np.unique(cols, return_inverse=True)
    back, reach = _back(a.T.tocsr() if at is None else at, g, rows)
    # Per wanted column: the largest max(u) at which every entry asked of it is within tol.
    need = np.where(weight > 0, reach * weight, 0.0)
    worst = np.zeros(len(wanted))
    np.maximum.at(worst, which, need)
    with np.errstate(divide="ignore", over="ignore"):
        limit = np.where(worst > 0, 2.0 * tol / worst, np.inf)
    pairs = np.argsort(which, kind="stable")
    starts = np.searchsorted(which[pairs], np.arange(len(wanted) + 1))
    most = int(min(256, max(_WIDTH, _CELLS // max(1, n))))
    batch = -(-len(wanted) // -(-len(wanted) // most)) if len(wanted) else 1  # even batches
    for first in range(0, len(wanted), batch):
        cols_here = np.arange(first, min(first + batch, len(wanted)))
        _sweep(a, (back, reach), wanted, cols_here, limit, pairs, starts, rows, values, done)
    return values, done


def _back(at: sparse.csr_array, g: np.ndarray, rows: np.ndarray):
    """``V`` (one column per entry, CSC) and ``v . g`` of each entry's row: the row side of
    the interval (``V = 0`` and ``v . g = g_r`` when no step back is taken)."""
    n, k = at.shape[0], len(rows)
    step = sparse.csc_array((np.ones(k), (rows, np.arange(k))), shape=(n, k))
    back = sparse.csc_array((n, k))
    reach = g[rows].copy()
    excess = np.maximum(g - 1.0, 0.0)  # A g = g - 1
    for _ in range(_BACK):
        if step.nnz > _BACK_CELLS:
            break
        back = back + step
        reach = step.T @ excess  # v . g with v = A^T step
        step = (at @ step).tocsc()
    return back.tocsc(), reach


def _sweep(a, side, wanted, batch, limit, pairs, starts, rows, values, done) -> None:
    """Sweep the columns ``wanted[batch]`` together, retiring each once it is certified; only
    the entries asked of a column are summed (``values`` holds their partial sums)."""
    back, reach = side
    n, k = a.shape[0], len(batch)
    live = batch.copy()  # wanted-column number of each column of u
    active = np.ones(k, dtype=bool)  # columns still swept (a retired one stays until compacted)
    mine = [pairs[starts[c] : starts[c + 1]] for c in live.tolist()]
    held = np.concatenate(mine)  # the pairs of the active columns ...
    at = np.repeat(np.arange(k), [len(m) for m in mine])  # ... and their column in u
    u = sparse.csr_array((np.ones(k), (wanted[live], np.arange(k))), shape=(n, k))
    grow = a.nnz / max(1, n)  # how much a sparse column fills per sweep
    for sweep in range(_MAX_SWEEPS + 1):
        values[held] += np.asarray(u[rows[held], at]).ravel()
        if sparse.issparse(u) and u.nnz * grow > _SPARSE_SHARE * n * u.shape[1]:
            u = u.toarray()  # the product would fill it: dense is cheaper from here
        before = u.nnz if sparse.issparse(u) else 0
        u = a @ u
        if sparse.issparse(u):
            u.sum_duplicates()
            top = u.max(axis=0).toarray().ravel() if u.nnz else np.zeros(u.shape[1])
            grow = max(grow, u.nnz / max(1, before))
        else:
            top = u.max(axis=0, initial=0.0)
        if not np.all(np.isfinite(top[active])) or sweep == _MAX_SWEEPS:
            return
        ready = active & (top <= limit[live])
        if not ready.any():
            continue
        # L[r, c] = x_r + V . u + v^T L u, the last within [0, max(u) v . g]
        out = ready[at]
        gone, cols = held[out], at[out]
        seen = back[:, gone].tocoo()
        dense = u if not sparse.issparse(u) else u.tocsc()
        near = np.asarray(dense[seen.row, cols[seen.col]]).ravel()
        values[gone] += np.bincount(seen.col, weights=seen.data * near, minlength=len(gone))
        values[gone] += 0.5 * top[cols] * reach[gone]
        done[gone] = True
        active &= ~ready
        held, at = held[~out], at[~out]
        keep = np.flatnonzero(active)
        if not len(keep):
            return
        if sparse.issparse(u) or 2 * len(keep) <= len(active):
            # dense columns are copied out only once half of them are retired
            renumber = np.full(len(active), -1)
            renumber[keep] = np.arange(len(keep))
            live, at, active = live[keep], renumber[at], active[keep]
            u = u[:, keep] if sparse.issparse(u) else np.take(u, keep, axis=1)
