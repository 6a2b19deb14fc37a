"""Breadth-first search over CSR adjacency, a level at a time on arrays: in networkx's order
(:func:`bfs`), or only what is reached (:func:`reached`, faster); and that adjacency made from
a list of edges (:func:`adjacency`)."""

from __future__ import annotations

import numpy as np

__all__ = ["adjacency", "bfs", "reached"]


def adjacency(rows: np.ndarray, cols: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Row pointers and column indices of the edges ``rows[s] -> cols[s]`` among ``n`` nodes,
    each row keeping the given order of its edges.

    Examples
    --------
    >>> ptr, idx = adjacency(np.array([1, 0, 1]), np.array([2, 1, 0]), 3)
    >>> ptr.tolist(), idx.tolist()
    ([0, 1, 3, 3], [1, 2, 0])
    """
    rows = np.asarray(rows, dtype=np.int64)
    order = _stable_order(rows, n)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=ptr[1:])
    return ptr, np.asarray(cols)[order].astype(np.int64, copy=False)


def _stable_order(keys: np.ndarray, n: int) -> np.ndarray:
    """The stable sorting order of ``keys`` (integers in ``[0, n)``), by one radix pass per
    16 bits of ``n - 1``: numpy sorts 16-bit integers stably by radix, in linear time (about
    three times faster than a sort of int64 keys at 700,000 edges).

    Examples
    --------
    >>> _stable_order(np.array([70_000, 3, 70_000, 3, 0]), 70_001).tolist()
    [4, 1, 3, 0, 2]
    """
    order = np.arange(len(keys))
    shift, top = 0, max(n - 1, 0)
    while True:
        digit = ((keys[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
        if top >> shift == 0:
            return order


def bfs(
    ptr: np.ndarray,
    idx: np.ndarray,
    sources: list[int] | np.ndarray,
    *,
    depth: int | None = None,
    allowed: np.ndarray | None = None,
    stop: np.ndarray | None = None,
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Breadth-first search from ``sources``, one level at a time on arrays.

    Within a level, nodes come in the order a queue-based search discovers them (by their
    discoverer's place in the level before, then by adjacency order), so the visiting order
    is networkx's.

    Parameters
    ----------
    depth : int, optional
        Stop after this many levels.
    allowed : bool array, optional
        Visit only these nodes.
    stop : bool array, optional
        Stop after the first level that reaches one of these nodes.

    Returns
    -------
    dist : int array
        Levels from the nearest source, -1 where not reached.
    levels : list of int arrays
        The nodes of each level (level 0: the sources), in discovery order.
    parent : int array
        The discoverer of each node reached (-1 for sources and nodes not reached).
    """
    n = len(ptr) - 1
    dist = np.full(n, -1, dtype=np.int64)
    parent = np.full(n, -1, dtype=np.int64)
    frontier = np.asarray(sources, dtype=np.int64)
    dist[frontier] = 0
    levels = [frontier]
    level = 0
    slot = np.empty(n, dtype=np.int64)  # where a node found in this level was first written
    while frontier.size and (depth is None or level < depth):
        found, counts = _heads(ptr, idx, frontier)
        if not found.size:
            break
        found_by = np.repeat(frontier, counts)
        keep = dist[found] < 0
        if allowed is not None:
            keep &= allowed[found]
        found, found_by = found[keep], found_by[keep]
        if not found.size:
            break
        # each node at its first place, without a sort
        places = np.arange(len(found))
        slot[found] = len(found)
        np.minimum.at(slot, found, places)
        first = np.flatnonzero(slot[found] == places)
        frontier = found[first]
        parent[frontier] = found_by[first]
        level += 1
        dist[frontier] = level
        levels.append(frontier)
        if stop is not None and stop[frontier].any():
            break
    return dist, levels, parent


def reached(ptr: np.ndarray, idx: np.ndarray, sources: list[int] | np.ndarray) -> np.ndarray:
    """Whether each node is reached from ``sources`` (themselves included) along the edges of
    a CSR adjacency: :func:`bfs` without the order, levels or parents it keeps.

    Examples
    --------
    >>> ptr, idx = np.array([0, 1, 2, 2, 3]), np.array([1, 2, 0])  # 0→1→2, 3→0
    >>> reached(ptr, idx, [1]).tolist(), reached(ptr, idx, [3]).tolist()
    ([False, True, True, False], [True, True, True, True])
    """
    n = len(ptr) - 1
    seen = np.zeros(n, dtype=bool)
    slot = np.empty(n, dtype=np.int64)  # where a node found in this level was last written
    frontier = np.asarray(sources, dtype=np.int64)
    seen[frontier] = True
    while frontier.size:
        found, _ = _heads(ptr, idx, frontier)
        if not found.size:
            break
        found = found[~seen[found]]
        # each node once (no sort): the place that holds its slot
        places = np.arange(len(found))
        slot[found] = places
        frontier = found[slot[found] == places]
        seen[frontier] = True
    return seen


def _heads(ptr: np.ndarray, idx: np.ndarray, frontier: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The heads of the edges out of ``frontier``, node by node in its order (each node's in
    adjacency order), and how many edges leave each node."""
    starts = ptr[frontier]
    counts = ptr[frontier + 1] - starts
    ends = np.cumsum(counts)
    total = int(ends[-1]) if len(ends) else 0
    return idx[np.arange(total) + np.repeat(starts - (ends - counts), counts)], counts
