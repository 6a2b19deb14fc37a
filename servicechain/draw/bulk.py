"""Fast layered placement of a large chain on arrays, for the draw.io export of big models.

The layered layout (:mod:`~servicechain.draw.layout`) wraps every label, routes every arrow in
lanes and weighs every split of every column: right for a page, far too slow for tens of
thousands of boxes. Above :data:`BULK_FROM` boxes the draw.io export places them here instead,
in time linear in the boxes and services (a sort aside):

- columns as the diagram has them: partners first, departments by their distance to the nearest
  segment (the farthest on the left), segments last; a department whose work reaches no
  segment stands one column right of its nearest placed supplier, else in the back office;
- in each column, the members of a group together, groups and boxes ordered by one
  barycentre pass each way (towards the mean height of their neighbours in the columns
  already ordered; a group at the mean of its members), so that boxes which work together
  stand level;
- every column wrapped into side-by-side sub-columns, filled row by row, so that the whole
  drawing has the shape of a slide and a box's height on the page still says its place in the
  order; each box as tall as its name needs at :data:`BOX_WIDTH`;
- arrows left to draw.io: straight lines bound to their boxes.

Lengths are draw.io pixels, x to the right and y downwards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from ..model.network import DEPARTMENT, PARTNER, SEGMENT

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = ["BOX_WIDTH", "BULK_FROM", "BulkPlacement", "bulk_columns", "bulk_placement"]

#: Models with at least this many boxes (departments, partners and segments) are placed here.
BULK_FROM = 2_000
#: Width of every box, and the label's line height, padding and characters per line.
BOX_WIDTH = 140.0
_LINE, _PAD, _CHARS, _MAX_LINES = 15.0, 24.0, 18, 6
#: Gaps between rows, between the sub-columns of a column, and between columns.
_ROW_GAP, _SUB_GAP, _COLUMN_GAP = 20.0, 40.0, 200.0
#: Width over height of the drawing aimed at (a slide's).
_ASPECT = 16 / 9
_MARGIN, _BOUNDARY_PAD, _TITLE, _STRIP = 20.0, 16.0, 28.0, 48.0
#: Barycentre passes (each one left to right, then right to left).
_PASSES = 1


@dataclass
class BulkPlacement:
    """Where each box of a big chain goes, in draw.io pixels (y down), in network order.

    Attributes
    ----------
    x, y : numpy.ndarray
        Centre of each box.
    width, height : numpy.ndarray
        Size of each box.
    column : numpy.ndarray
        Column of each box (0: partners; the last: segments).
    boundary : tuple
        ``(x, y, width, height)`` of the company boundary round the departments.
    visibility_x : float or None
        x of the line of visibility between the back office and the front line (``None``
        without segments, or where the two do not stand apart).
    """

    x: np.ndarray
    y: np.ndarray
    width: np.ndarray
    height: np.ndarray
    column: np.ndarray
    boundary: tuple[float, float, float, float]
    visibility_x: float | None


def bulk_columns(chain: Chain) -> np.ndarray:
    """Column of every node (network order): partners 0, departments by distance to the
    nearest segment (the farthest in column 1), segments last, as
    :func:`~servicechain.draw.depth.columns` puts them; a department whose work reaches no
    segment stands one column right of its nearest placed supplier (else in column 1).

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "x", "departments": [
    ...     {"id": "a", "name": "A"}, {"id": "b", "name": "B"}, {"id": "c", "name": "C"}],
    ...     "partners": [{"id": "p", "name": "P"}],
    ...     "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "customer"}],
    ...     "services": [{"from": "p", "to": "a"}, {"from": "a", "to": "b"},
    ...                  {"from": "b", "to": "s"}, {"from": "a", "to": "c"}]})
    >>> bulk_columns(chain).tolist()  # a, b, c, p, s
    [1, 2, 1, 0, 3]
    """
    net = chain.network
    kind = np.asarray(net.kind)
    dept = kind == DEPARTMENT
    src, dst = np.asarray(net.source), np.asarray(net.target)
    dist = _segment_distances(kind, src, dst)
    # unreached departments: one less than their nearest placed department supplier (at least 2)
    from_dept = dept[src] & dept[dst]
    for _ in range(64):
        missing = dept & (dist < 0)
        pick = from_dept & missing[dst] & (dist[src] >= 0)
        if not pick.any():
            break
        best = np.full(net.n, np.iinfo(np.int64).max)
        np.minimum.at(best, dst[pick], dist[src[pick]])
        placed = missing & (best < np.iinfo(np.int64).max)
        dist[placed] = np.maximum(2, best[placed] - 1)
    reached = dist[dept & (dist >= 0)]
    deepest = int(reached.max()) if reached.size else 1
    dist[dept & (dist < 0)] = max(2, deepest)
    deepest = int(dist[dept].max()) if dept.any() else 0
    column = deepest - dist + 1
    column[kind == PARTNER] = 0
    column[kind == SEGMENT] = deepest + 1
    return column.astype(np.int64)


def _segment_distances(kind: np.ndarray, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Hand-offs from each node to its nearest segment (-1: none reached), as
    :func:`~servicechain.structure.distance_to_segment` counts them, one level at a time over
    the services that reach the last level (no adjacency to build: a level is one pass over
    the services still open)."""
    dist = np.where(kind == SEGMENT, 0, -1)
    open_ = np.flatnonzero(dist[src] < 0)
    level = 0
    while open_.size:
        reach = open_[dist[dst[open_]] == level]
        if not reach.size:
            break
        level += 1
        found = src[reach]
        dist[found[dist[found] < 0]] = level
        open_ = open_[dist[src[open_]] < 0]
    return dist


def _box_heights(names: list[str], kind: np.ndarray) -> np.ndarray:
    """Height of each box: room for its name wrapped at :data:`BOX_WIDTH` (an ellipse, a
    segment's shape, holds less)."""
    length = np.fromiter(map(len, names), dtype=np.int64, count=len(names))
    per_line = np.where(kind == SEGMENT, _CHARS * 3 // 4, _CHARS)
    lines = np.clip(-(-length // per_line), 1, _MAX_LINES)
    return _PAD + _LINE * lines + np.where(kind == SEGMENT, 12.0, 0.0)


def _rows_per_column(counts: np.ndarray, height: float) -> int:
    """The most rows a sub-column holds, chosen so the drawing is about :data:`_ASPECT`."""
    top = int(counts.max())
    tries = np.unique(np.geomspace(1, top, num=min(top, 400)).round().astype(np.int64))
    subs = -(-counts[None, :] // tries[:, None])
    width = (subs * (BOX_WIDTH + _SUB_GAP)).sum(axis=1) + _COLUMN_GAP * (len(counts) - 1)
    rows = -(-counts[None, :] // subs)
    tall = rows.max(axis=1) * height
    return int(tries[np.argmin(np.abs(np.log(width / tall) - math.log(_ASPECT)))])


def _groups(chain: Chain) -> np.ndarray:
    """A number per node for its group, by first appearance (-1: none): each distinct group
    numbered once, the departments' numbers looked up in C.

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "x", "departments": [
    ...     {"id": "a", "name": "A", "group": "G"}, {"id": "b", "name": "B"},
    ...     {"id": "c", "name": "C", "group": "H"}, {"id": "d", "name": "D", "group": "G"}]})
    >>> _groups(chain).tolist()
    [0, -1, 1, 0]
    """
    out = np.full(chain.network.n, -1, dtype=np.int64)
    groups = list(map(attrgetter("group"), chain.records.departments))
    named = [g for g in dict.fromkeys(groups) if isinstance(g, str)]
    number = dict.fromkeys(groups, -1) | dict(zip(named, range(len(named)), strict=True))
    out[: len(groups)] = np.fromiter(map(number.__getitem__, groups), np.int64, len(groups))
    return out


def _reorder(
    column: np.ndarray,
    rank: np.ndarray,
    level,
    ends: tuple,
    cols: list[int],
    group: np.ndarray,
) -> None:
    """One barycentre pass over ``cols`` in turn, ``rank`` changed in place: each box's key is
    the mean height on the page (``level(c, ranks)``, 0 top to 1 bottom) of its neighbours in
    the columns ordered before it (its own height if it has none there); a group keeps its
    members together, at the mean key of its members, and orders them by their keys.
    ``ends`` holds every service both ways: boxes, their neighbours, the neighbours' columns,
    and for each column the positions of the services whose box stands in it."""
    a, b, column_b, by_column = ends
    n = len(column)
    done = np.zeros(int(column.max()) + 1, dtype=bool)
    height = np.zeros(n)
    for c in cols:
        inside = np.flatnonzero(column == c)
        here = level(c, rank[inside])
        pick = by_column[c][done[column_b[by_column[c]]]]
        near = a[pick]
        total = np.bincount(near, weights=height[b[pick]], minlength=n)[inside]
        count = np.bincount(near, minlength=n)[inside]
        key = np.where(count > 0, total / np.maximum(count, 1), here)
        codes = np.unique(group[inside], return_inverse=True)[1].reshape(-1)
        mean = np.bincount(codes, weights=key) / np.bincount(codes)
        group_key = np.where(group[inside] >= 0, mean[codes], key)
        order = np.lexsort((rank[inside], key, group_key))
        rank[inside[order]] = np.arange(len(order))
        height[inside] = level(c, rank[inside])
        done[c] = True


def bulk_placement(chain: Chain) -> BulkPlacement:
    """Place every box of ``chain`` in columns wrapped to a slide's shape (see the module).

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "x", "departments": [
    ...     {"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
    ...     "segments": [{"id": "s", "name": "S", "kind": "consumer",
    ...                   "relationship": "customer"}],
    ...     "services": [{"from": "a", "to": "b"}, {"from": "b", "to": "s"}]})
    >>> place = bulk_placement(chain)
    >>> place.x.tolist(), place.y.tolist()
    ([138.0, 478.0, 818.0], [73.5, 73.5, 73.5])
    >>> bool(place.boundary[0] < place.visibility_x < place.x[1] - 70)
    True
    """
    net = chain.network
    n = net.n
    kind = np.asarray(net.kind)
    column = bulk_columns(chain)
    height = _box_heights(net.names, kind)
    n_cols = int(column.max()) + 1 if n else 0
    counts = np.bincount(column, minlength=n_cols)
    used = np.flatnonzero(counts)
    rows_max = _rows_per_column(counts[used], float(height.mean()) + _ROW_GAP)
    subs = np.zeros(n_cols, dtype=np.int64)
    subs[used] = -(-counts[used] // rows_max)
    rows = np.zeros(n_cols, dtype=np.int64)
    rows[used] = -(-counts[used] // subs[used])

    # order: by group and file order, then a barycentre pass each way
    index = np.arange(n)
    group = _groups(chain)
    order = np.lexsort((index, group, column))
    start = np.concatenate([[0], np.cumsum(counts)])
    rank = np.empty(n, dtype=np.int64)
    rank[order] = index - start[column[order]]
    src, dst = np.asarray(net.source), np.asarray(net.target)
    a, b = np.concatenate([src, dst]), np.concatenate([dst, src])
    column_a = column[a]
    by_column = {c: np.flatnonzero(column_a == c) for c in used.tolist()}
    ends = (a, b, column[b], by_column)
    offset = (rows_max - rows) / 2  # a shorter column stands centred

    def level(c: int, ranks: np.ndarray) -> np.ndarray:
        return (offset[c] + ranks // subs[c] + 0.5) / rows_max

    for _ in range(_PASSES):
        for cols in (used.tolist(), used[::-1].tolist()):
            _reorder(column, rank, level, ends, cols, group)

    # rows: each as tall as its tallest box; columns centred on the tallest
    row = rank // subs[column]
    first_row = np.concatenate([[0], np.cumsum(rows)])
    slot = first_row[column] + row
    row_height = np.zeros(int(first_row[-1]))
    np.maximum.at(row_height, slot, height)
    step = row_height + _ROW_GAP
    row_top = np.concatenate([[0.0], np.cumsum(step)])
    tall = row_top[first_row[1:]] - row_top[first_row[:-1]] - _ROW_GAP
    top = _MARGIN + _TITLE + (tall.max() - tall) / 2 - row_top[first_row[:-1]]
    y = top[column] + row_top[slot] + row_height[slot] / 2

    widths = np.where(subs > 0, subs * (BOX_WIDTH + _SUB_GAP) - _SUB_GAP, 0.0)
    gaps = np.where(counts > 0, _COLUMN_GAP, 0.0)
    gaps[used[0] if used.size else 0] = 0.0
    left = _MARGIN + _STRIP + np.cumsum(gaps) + np.concatenate([[0.0], np.cumsum(widths)[:-1]])
    x = left[column] + (rank % subs[column]) * (BOX_WIDTH + _SUB_GAP) + BOX_WIDTH / 2
    width = np.full(n, BOX_WIDTH)
    _pin(chain, x, y, width, height)
    boundary, visibility = _boundary(kind, column, x, y, width, height)
    return BulkPlacement(x, y, width, height, column, boundary, visibility)


def _pin(chain: Chain, x: np.ndarray, y: np.ndarray, width, height) -> None:
    """Boxes the model pins (its ``layout``) where they were pinned; the others, placed as
    above, moved below them so that none overlaps a pinned one (in place)."""
    pinned = chain.records.layout
    if not isinstance(pinned, dict) or not pinned:
        return
    index = chain.network.index
    at = np.fromiter(map(index.__getitem__, pinned), dtype=np.int64, count=len(pinned))
    px = np.fromiter((p.x for p in pinned.values()), dtype=float, count=len(pinned))
    py = np.fromiter((p.y for p in pinned.values()), dtype=float, count=len(pinned))
    free = np.ones(len(x), dtype=bool)
    free[at] = False
    if free.any():
        x[free] += (px - width[at] / 2).min() - (x - width / 2)[free].min()
        y[free] += (py + height[at] / 2).max() + 4 * _ROW_GAP - (y - height / 2)[free].min()
    x[at], y[at] = px, py


def _boundary(kind, column, x, y, width, height) -> tuple:
    """The company boundary round the departments and the line of visibility between the
    back office and the front line (the department column next to the segments), where their
    boxes stand apart."""
    dept = kind == DEPARTMENT
    if not dept.any():
        return (float(x.min() - width[0] / 2), float(y.min()), 0.0, 0.0), None
    x0 = float((x - width / 2)[dept].min()) - _BOUNDARY_PAD
    x1 = float((x + width / 2)[dept].max()) + _BOUNDARY_PAD
    y0 = float((y - height / 2)[dept].min()) - _BOUNDARY_PAD - _TITLE
    y1 = float((y + height / 2)[dept].max()) + _BOUNDARY_PAD
    visibility = None
    if (kind == SEGMENT).any():
        front = dept & (column == column[dept].max())
        back = dept & ~front
        front_x = float((x - width / 2)[front].min())
        if back.any():
            back_x = float((x + width / 2)[back].max())
            visibility = (back_x + front_x) / 2 if back_x < front_x else None
        else:  # a back-office strip, so the line stands clear
            x0 = min(x0, front_x - _BOUNDARY_PAD - _STRIP)
            visibility = (x0 + front_x) / 2
    return (x0, y0, x1 - x0, y1 - y0), visibility
