"""Strongly connected components of a chain (its services, or the flow's transmission) on
arrays, numbered sinks first.

A chain's departments mostly serve each other in one large loop: the component of a busy
department is found by two breadth-first searches on arrays (what it reaches and what reaches
it), shrunk to one node, and the small graph left is split by Tarjan's algorithm in Python,
which numbers components sinks first as it finds them. Only when that graph is still large (no
large loop) are scipy's components taken, then put in the same order.
"""

from __future__ import annotations

import numpy as np

from .search import adjacency, reached

__all__ = ["MAX_LEFT", "strong_components", "strong_labels", "tarjan"]

#: Services left after shrinking the largest loop up to which Tarjan's algorithm runs in Python.
MAX_LEFT = 200_000


def strong_components(
    out_ptr: np.ndarray,
    out_idx: np.ndarray,
    in_ptr: np.ndarray,
    in_idx: np.ndarray,
    *,
    max_left: int = MAX_LEFT,
) -> np.ndarray:
    """The strongly connected component of each node of a graph given as CSR adjacency (both
    ways), numbered so that every edge between two components goes from a higher number to a
    lower one.

    Examples
    --------
    >>> out_ptr, out_idx = np.array([0, 1, 2, 3, 3]), np.array([1, 2, 1])  # 0→1, 1→2, 2→1, 3
    >>> in_ptr, in_idx = np.array([0, 0, 2, 3, 3]), np.array([0, 2, 1])
    >>> strong_components(out_ptr, out_idx, in_ptr, in_idx).tolist()
    [1, 0, 0, 2]
    """
    n = len(out_ptr) - 1
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    degree = np.diff(out_ptr) * np.diff(in_ptr)
    pivot = int(np.argmax(degree))
    big = reached(out_ptr, out_idx, [pivot]) & reached(in_ptr, in_idx, [pivot])
    # the pivot's component shrunk to node ``left`` (the last), the other nodes numbered first
    rest = np.flatnonzero(~big)
    left = len(rest)
    shrunk = np.full(n, left, dtype=np.int64)
    shrunk[rest] = np.arange(left)
    src = np.repeat(np.arange(n), np.diff(out_ptr))
    outside = ~(big[src] & big[out_idx])
    if int(outside.sum()) > max_left:
        return _scipy_components(out_ptr, out_idx, src)
    ptr, idx = _distinct_edges(shrunk[src[outside]], shrunk[out_idx[outside]], left + 1)
    return np.asarray(tarjan(ptr, idx), dtype=np.int64)[shrunk]


def strong_labels(n: int, source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """:func:`strong_components` of the graph of the edges ``source[s] -> target[s]`` among
    ``n`` nodes.

    Examples
    --------
    >>> strong_labels(4, np.array([0, 1, 2]), np.array([1, 2, 1])).tolist()
    [1, 0, 0, 2]
    """
    return strong_components(*adjacency(source, target, n), *adjacency(target, source, n))


def _distinct_edges(a: np.ndarray, b: np.ndarray, n: int) -> tuple[list[int], list[int]]:
    """CSR lists of the distinct edges ``a[i] → b[i]`` among ``n`` nodes."""
    key = np.unique(a * n + b)
    heads = key // n
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(heads, minlength=n), out=ptr[1:])
    return ptr.tolist(), (key % n).tolist()


def tarjan(ptr: list[int], idx: list[int]) -> list[int]:
    """Tarjan's strongly connected components of a graph in CSR lists, iteratively: the
    component of each node, numbered in the order they are completed (sinks first).

    Examples
    --------
    >>> tarjan([0, 1, 2, 3, 3], [1, 2, 1])  # 0→1, 1→2, 2→1 and 3 alone
    [1, 0, 0, 2]
    """
    n = len(ptr) - 1
    index, low, comp = [-1] * n, [0] * n, [-1] * n
    stack: list[int] = []
    counter = count = 0
    for start in range(n):
        if index[start] >= 0:
            continue
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        calls = [[start, ptr[start]]]
        while calls:
            frame = calls[-1]
            v, i = frame
            end = ptr[v + 1]
            while i < end:
                w = idx[i]
                i += 1
                if index[w] < 0:  # visit w, then come back to v's next edge
                    frame[1] = i
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    calls.append([w, ptr[w]])
                    break
                if comp[w] < 0 and index[w] < low[v]:  # w is on the stack
                    low[v] = index[w]
            else:
                calls.pop()
                if calls:
                    u = calls[-1][0]
                    if low[v] < low[u]:
                        low[u] = low[v]
                if low[v] == index[v]:
                    while True:
                        w = stack.pop()
                        comp[w] = count
                        if w == v:
                            break
                    count += 1
    return comp


def _scipy_components(out_ptr: np.ndarray, out_idx: np.ndarray, src: np.ndarray) -> np.ndarray:
    """scipy's strong components, renumbered sinks first by Tarjan's order of the condensation."""
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import connected_components

    n = len(out_ptr) - 1
    data = np.ones(len(out_idx), dtype=np.int8)
    matrix = csr_array((data, out_idx, out_ptr), shape=(n, n))
    count, labels = connected_components(matrix, directed=True, connection="strong")
    a, b = labels[src], labels[out_idx]
    if np.any(a < b):  # not numbered sinks first: the condensation's own components are
        between = a != b  # its nodes, in an order sinks first
        ptr, idx = _distinct_edges(a[between], b[between], count)
        labels = np.asarray(tarjan(ptr, idx), dtype=np.int64)[labels]
    return labels.astype(np.int64, copy=False)
