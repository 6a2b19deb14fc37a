"""Detours for arrows between boxes placed by hand: an arrow whose direct curve would pass
behind another box runs along a free height instead, above or below the boxes in its way.

A detour leaves its box sideways as the direct curve does, turns to the free height, runs
level past the boxes in the way and turns back to enter its target from the side, so the
arrowhead and both ends stay where the direct curve had them.
"""

from __future__ import annotations

import numpy as np

from .routing import sample_route

__all__ = ["around_boxes", "boxes_hit"]

#: Room kept between a detour and the boxes it passes, in layout units.
_CLEAR = 0.06
#: Samples per Bézier piece when checking a route against the boxes.
_SAMPLES = 16


def boxes_hit(route: np.ndarray, boxes: np.ndarray, margin: float = 0.0) -> int:
    """How many of ``boxes`` (rows of centre x, centre y, width, height) the route passes
    behind, each box grown by ``margin`` on every side.

    Examples
    --------
    >>> line = np.array([[0, 0], [1, 0], [2, 0], [3, 0.0]])
    >>> boxes_hit(line, np.array([[1.5, 0, 0.5, 0.5], [1.5, 2, 0.5, 0.5]]))
    1
    """
    if len(boxes) == 0:
        return 0
    points = sample_route(route, _SAMPLES)
    x, y = points[:, None, 0], points[:, None, 1]
    inside = (np.abs(x - boxes[None, :, 0]) < boxes[None, :, 2] / 2 + margin) & (
        np.abs(y - boxes[None, :, 1]) < boxes[None, :, 3] / 2 + margin
    )
    return int(inside.any(axis=0).sum())


def _level(p: np.ndarray, q: np.ndarray) -> list:
    """A cubic from ``p`` to ``q`` leaving and arriving level (an S-bend)."""
    half = np.array([(q[0] - p[0]) / 2, 0.0])
    return [p + half, q - half, q]


def _via(start: np.ndarray, base: np.ndarray, tip: np.ndarray, height: float) -> np.ndarray:
    """Start → bend to ``height`` → level run → bend back to ``base`` → arrowhead to ``tip``."""
    turn = min(0.3, abs(base[0] - start[0]) / 3) * np.sign(base[0] - start[0])
    a = np.array([start[0] + turn, height])
    b = np.array([base[0] - turn, height])
    pieces = [start, *_level(start, a), a + (b - a) / 3, a + 2 * (b - a) / 3, b]
    pieces += _level(b, base)
    pieces += [base + (tip - base) / 3, base + 2 * (tip - base) / 3, tip]
    return np.array(pieces)


def around_boxes(route: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """``route`` (a direct curve from one box's side to another's, ending in its arrowhead
    piece) or, where it passes behind any of ``boxes``, the detour along the free height
    nearest its ends; the route itself when no height clears every box.

    Parameters
    ----------
    route : numpy.ndarray
        Bézier control points: start, ..., the arrowhead's base, two points, the tip.
    boxes : numpy.ndarray
        The boxes it must not pass behind (its own two excluded): centre x, centre y, width,
        height per row.

    Examples
    --------
    >>> direct = np.array([[0, 0], [1, 0], [2, 0], [2.9, 0], [2.93, 0], [2.97, 0], [3, 0.0]])
    >>> detour = around_boxes(direct, np.array([[1.5, 0, 0.4, 0.4]]))
    >>> boxes_hit(detour, np.array([[1.5, 0, 0.4, 0.4]])), detour[0].tolist(), detour[-1].tolist()
    (0, [0.0, 0.0], [3.0, 0.0])
    """
    if boxes_hit(route, boxes) == 0:
        return route
    start, base, tip = route[0], route[-4], route[-1]
    if abs(base[0] - start[0]) < 0.3:  # no room to turn between two boxes this close
        return route
    lo, hi = sorted((start[0], base[0]))
    between = boxes[(boxes[:, 0] + boxes[:, 2] / 2 > lo) & (boxes[:, 0] - boxes[:, 2] / 2 < hi)]
    heights = np.concatenate(
        [
            between[:, 1] + between[:, 3] / 2 + _CLEAR,
            between[:, 1] - between[:, 3] / 2 - _CLEAR,
        ]
    )
    cost = np.abs(heights - start[1]) + np.abs(heights - base[1])
    for height in heights[np.argsort(cost, kind="stable")]:
        detour = _via(start, base, tip, float(height))
        if boxes_hit(detour, boxes) == 0:
            return detour
    return route
