"""Breadth-first search over CSR adjacency, a level at a time on arrays."""

from __future__ import annotations

import numpy as np

__all__ = ["bfs"]


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
    while frontier.size and (depth is None or level < depth):
        starts = ptr[frontier]
        counts = ptr[frontier + 1] - starts
        total = int(counts.sum())
        if not total:
            break
        ends = np.cumsum(counts)
        positions = np.arange(total) + np.repeat(starts - (ends - counts), counts)
        found = idx[positions]
        found_by = np.repeat(frontier, counts)
        keep = dist[found] < 0
        if allowed is not None:
            keep &= allowed[found]
        found, found_by = found[keep], found_by[keep]
        if not found.size:
            break
        _, first = np.unique(found, return_index=True)
        first.sort()
        frontier = found[first]
        parent[frontier] = found_by[first]
        level += 1
        dist[frontier] = level
        levels.append(frontier)
        if stop is not None and stop[frontier].any():
            break
    return dist, levels, parent
