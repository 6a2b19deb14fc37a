"""Labels for the points of a scatter chart, placed where they overlap nothing.

Each label is measured with the figure's renderer (its real extent in the chosen font), then
tried at places around its point, nearest first: beside it, above or below it, then on rings
further out in twenty directions, joined to the point by a thin leader line. A place is taken
only when the label stays inside the axes and clears every point, every label placed before it
and the other texts of the axes, and when its leader line crosses no other label or point. When
no place is clear, the label goes where it overlaps least (crossing a reference line counts
less than covering a point or a name). Points are labelled in the order
given (the most important first), so the important ones get the nearest places.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.axes import Axes

__all__ = ["Placed", "place_point_labels"]

#: Rings of leader-line lengths, in points, and the directions tried on each
#: (degrees, the flattest first).
_RINGS = (14, 24, 36, 50, 66, 86, 110, 140, 175, 215)
_ANGLES = (
    0,
    180,
    15,
    -15,
    165,
    -165,
    35,
    -35,
    145,
    -145,
    55,
    -55,
    125,
    -125,
    75,
    -75,
    105,
    -105,
    90,
    -90,
)
#: Gap between a point and a label beside it, and half the size of a point's keep-out box.
_GAP, _POINT = 5.0, 3.5
#: White space kept around each label, in points, so neighbouring names never touch.
_MARGIN = 1.5
#: Beyond this many points without a label, they are kept clear of by grid cells.
_GRID_POINTS = 2000


@dataclass(frozen=True)
class Placed:
    """Where one label went: its text artist, its box in display units and whether it has a
    leader line."""

    text: str
    box: tuple[float, float, float, float]
    leader: bool
    artist: Any = field(repr=False, compare=False)


def _keep_out(points: np.ndarray, pad: float) -> np.ndarray:
    """Keep-out boxes (rows ``x0, y0, x1, y1``) of the points, ``pad`` around each; beyond
    :data:`_GRID_POINTS` points, one box per occupied cell of a grid instead, each covering
    every point in it with its pad (a label clear of the cells is clear of the points, and
    a chart of 100,000 points has a few thousand boxes to test).

    Examples
    --------
    >>> _keep_out(np.array([[10.0, 10.0]]), 2.0).tolist()
    [[8.0, 8.0, 12.0, 12.0]]
    """
    if len(points) <= _GRID_POINTS:
        return np.column_stack([points - pad, points + pad])
    cell = 4 * pad
    cells = np.unique(np.floor(points / cell), axis=0)
    return np.column_stack([cells * cell - pad, (cells + 1) * cell + pad])


def _overlap_area(box, boxes: np.ndarray) -> float:
    """Total area of ``box`` covered by each of ``boxes`` (rows ``x0, y0, x1, y1``)."""
    w = np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0])
    h = np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1])
    return float((np.clip(w, 0, None) * np.clip(h, 0, None)).sum())


def _boxes_hit(p, q, boxes: np.ndarray, along: np.ndarray) -> int:
    """How many of ``boxes`` the segment ``p``-``q`` passes through (sampled along it)."""
    pts = np.asarray(p) + along * (np.asarray(q) - np.asarray(p))
    inside = (
        (pts[None, :, 0] > boxes[:, None, 0])
        & (pts[None, :, 0] < boxes[:, None, 2])
        & (pts[None, :, 1] > boxes[:, None, 1])
        & (pts[None, :, 1] < boxes[:, None, 3])
    )
    return int(inside.any(axis=1).sum())


def _crosses(p, q, box) -> bool:
    """Whether the segment ``p``-``q`` passes through ``box`` (Liang-Barsky clipping)."""
    x0, y0, x1, y1 = box
    dx, dy = q[0] - p[0], q[1] - p[1]
    lo, hi = 0.0, 1.0
    for step, room in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if step == 0:
            if room < 0:
                return False
            continue
        t = room / step
        if step < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return False
    return True


def _candidates(px: float, py: float, w: float, h: float, unit: float):
    """Boxes ``(x0, y0, x1, y1)`` around the point, nearest first, with their anchor end."""
    gap = _GAP * unit
    beside = [
        (px + gap, py - h / 2, False),
        (px - gap - w, py - h / 2, False),
        (px - w / 2, py + gap, False),
        (px - w / 2, py - gap - h, False),
    ]
    for x0, y0, leader in beside:
        yield (x0, y0, x0 + w, y0 + h), leader
    for radius in _RINGS:
        r = radius * unit
        for angle in _ANGLES:
            c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
            ex, ey = px + r * c, py + r * s
            x0 = ex if c > 0.3 else ex - w if c < -0.3 else ex - w / 2
            y0 = ey - h / 2 if abs(s) < 0.7 else (ey if s > 0 else ey - h)
            yield (x0, y0, x0 + w, y0 + h), True


def _segments_cross(p, q, r, s) -> bool:
    """Whether the segments ``p``-``q`` and ``r``-``s`` cross (touching ends do not count)."""

    def side(a, b, c) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    return side(p, q, r) * side(p, q, s) < 0 and side(r, s, p) * side(r, s, q) < 0


def _end(px, py, box):
    """The point of ``box`` nearest to ``(px, py)``: where a leader line meets the label."""
    return (min(max(px, box[0]), box[2]), min(max(py, box[1]), box[3]))


def place_point_labels(
    ax: Axes,
    labels: list[str],
    x,
    y,
    *,
    avoid: tuple | None = None,
    required: int | None = None,
    fontsize: float = 7.0,
    color: str = "#222222",
) -> list[Placed]:
    """Label the points ``(x[i], y[i])`` (data coordinates) of ``ax`` with ``labels[i]``.

    The figure's layout should be final (call ``figure.draw_without_rendering()`` first), since
    places are measured in display units.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes holding the points.
    labels : list of str
        One label per point, in the order they are given places (most important first).
    x, y : array-like
        The points, in data coordinates.
    avoid : (x, y) of array-like, optional
        Further points without a label, which labels keep clear of.
    required : int, optional
        Only the first ``required`` labels are placed where they overlap least when no place
        is clear; the others are left out (their point stays unnamed) unless a place clear of
        everything but a reference line is left. Default: all labels are placed.
    fontsize : float, optional
        Label size in points.
    color : str, optional
        Label colour; leader lines are drawn light grey.

    Returns
    -------
    list of Placed
        Where each label went, in the order of ``labels`` (those left out are missing).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> fig = Figure(figsize=(4, 3)); _ = FigureCanvasAgg(fig); ax = fig.add_subplot()
    >>> _ = ax.scatter([1, 1.01], [1, 1.0]); _ = ax.set_xlim(0, 2); _ = ax.set_ylim(0, 2)
    >>> placed = place_point_labels(ax, ["First", "Second"], [1, 1.01], [1, 1.0])
    >>> a, b = (p.box for p in placed)
    >>> bool(a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])  # apart
    True
    """
    figure = ax.figure
    renderer = figure.canvas.get_renderer()
    unit = figure.dpi / 72.0
    frame = ax.get_window_extent(renderer)
    frame = (frame.x0, frame.y0, frame.x1, frame.y1)
    points = ax.transData.transform(np.column_stack([np.asarray(x), np.asarray(y)]))
    pad = _POINT * unit
    dots = np.column_stack([points - pad, points + pad])  # x0, y0, x1, y1 per point
    if avoid is not None and len(avoid[0]):
        extra = ax.transData.transform(np.column_stack([np.asarray(avoid[0]), avoid[1]]))
        dots = np.vstack([dots, _keep_out(extra, pad)])
    others = [t.get_window_extent(renderer).extents for t in ax.texts if t.get_text().strip()]
    # Lines already drawn (reference lines, grids): a label should not be struck through.
    strokes = []
    for line in ax.get_lines():
        path = line.get_transform().transform(line.get_xydata())
        strokes += [(tuple(a), tuple(b)) for a, b in itertools.pairwise(path)]
    leaders: list[tuple] = []
    to_axes = ax.transAxes.inverted()
    placed: list[Placed] = []
    along = np.linspace(0.05, 0.95, 12)[:, None]
    for i, text in enumerate(labels):
        artist = ax.text(0, 0, text, fontsize=fontsize, color=color, transform=ax.transAxes)
        extent = artist.get_window_extent(renderer)
        px, py = points[i]
        blockers = np.vstack(
            [np.delete(dots, i, axis=0), *([p.box] for p in placed), *([o] for o in others)]
        )
        # Every place tried, and its leader line, lies within ``reach`` of the point: what is
        # further away can neither overlap nor be crossed (thousands of points stay cheap).
        reach = (_RINGS[-1] + _GAP + 2 * _MARGIN) * unit + extent.width + extent.height
        near = (blockers[:, 0] < px + reach) & (blockers[:, 2] > px - reach)
        near &= (blockers[:, 1] < py + reach) & (blockers[:, 3] > py - reach)
        blockers = blockers[near]
        best, best_cost, best_hard, margin = None, math.inf, math.inf, _MARGIN
        for margin in (_MARGIN, 0.0):  # white space around the name, if room allows
            w = extent.width + 2 * margin * unit
            h = extent.height + 2 * margin * unit
            for box, leader in _candidates(px, py, w, h, unit):
                inside = frame[0] <= box[0] and box[2] <= frame[2]
                inside = inside and frame[1] <= box[1] and box[3] <= frame[3]
                hard = _overlap_area(box, blockers) + (0 if inside else w * h * 4)
                if leader:
                    end = _end(px, py, box)
                    hard += w * h * _boxes_hit((px, py), end, blockers, along)
                    hard += sum(w * h for a, b in leaders if _segments_cross((px, py), end, a, b))
                # Crossing a reference line is allowed where nothing else is free.
                cost = hard + sum(w * h / 4 for a, b in strokes if _crosses(a, b, box))
                if cost < best_cost:
                    best, best_cost, best_hard = (box, leader, margin), cost, hard
                if cost == 0:
                    break
            if best_hard == 0:
                break
        box, leader, margin = best
        if best_hard > 0 and required is not None and i >= required:
            artist.remove()
            continue
        box = tuple(float(v) for v in box)
        ax_x, ax_y = to_axes.transform((box[0] + margin * unit, (box[1] + box[3]) / 2))
        artist.set_position((ax_x, ax_y))
        artist.set_ha("left")
        artist.set_va("center")
        if leader:
            end = _end(px, py, box)
            leaders.append(((px, py), end))
            (ex, ey), (sx, sy) = to_axes.transform([end, (px, py)])
            ax.plot([sx, ex], [sy, ey], transform=ax.transAxes, color="#aaaaaa", lw=0.5, zorder=1)
        placed.append(Placed(text, box, leader, artist))
    return placed
