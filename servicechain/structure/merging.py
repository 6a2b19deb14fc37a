"""Services merged into one arrow per ordered pair of boxes, on arrays: the core of a roll-up,
whose cost in Python grows with the number of arrows, not of services."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Arrows", "first_seen", "merge_arrows"]


def first_seen(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Number the distinct values of ``keys`` in the order they first come.

    Returns
    -------
    numbers : numpy.ndarray
        For each item, the number of its value (0 for the first value seen, 1 for the next).
    firsts : numpy.ndarray
        For each number, the position of the first item with that value.

    Examples
    --------
    >>> numbers, firsts = first_seen(np.array([7, 3, 7, 5, 3]))
    >>> numbers.tolist(), firsts.tolist()
    ([0, 1, 0, 2, 1], [0, 1, 3])
    """
    keys = np.asarray(keys)
    if not len(keys):
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    _, first, which = np.unique(keys, return_index=True, return_inverse=True)
    by_first = np.argsort(first, kind="stable")
    rank = np.empty(len(first), dtype=np.intp)
    rank[by_first] = np.arange(len(first))
    return rank[which.reshape(-1)], first[by_first]


@dataclass(frozen=True)
class Arrows:
    """Items (services, or arrows merged before) merged into one arrow per ordered pair of
    distinct boxes, numbered in the order their first item comes.

    Every per-arrow array has one entry per arrow; ``arrow`` has one per item.

    Attributes
    ----------
    source, target : numpy.ndarray
        The supplier's box and the customer's box of each arrow.
    count : numpy.ndarray
        Services merged into each arrow.
    weight, reliance : numpy.ndarray
        Sums over the merged services.
    rated_weight, rated_sum : numpy.ndarray
        Sum of the weights of the rated services, and of weight x rating over them.
    head : numpy.ndarray
        The first service of each arrow (an index into the services of the model).
    arrow : numpy.ndarray
        The arrow of each item, in the order given; -1 for an item inside one box.
    inside : numpy.ndarray
        For each box, the services between its own members.
    """

    source: np.ndarray
    target: np.ndarray
    count: np.ndarray
    weight: np.ndarray
    reliance: np.ndarray
    rated_weight: np.ndarray
    rated_sum: np.ndarray
    head: np.ndarray
    arrow: np.ndarray
    inside: np.ndarray

    def __len__(self) -> int:
        return len(self.source)

    @property
    def quality(self) -> np.ndarray:
        """The weight-averaged rating of each arrow's rated services (NaN where none is)."""
        out = np.full(len(self), np.nan)
        rated = self.rated_weight > 0
        out[rated] = self.rated_sum[rated] / self.rated_weight[rated]
        return out

    def graph_order(self) -> np.ndarray:
        """The arrows in the order a graph built from them lists its edges: by supplier box,
        then in their own order."""
        return np.argsort(self.source, kind="stable")

    def merge(self, fold: np.ndarray, *, boxes: int) -> Arrows:
        """These arrows merged again, box ``b`` going into box ``fold[b]`` of ``boxes``; the
        arrows are taken in :meth:`graph_order`, and services already inside a box stay
        inside the box it goes into.

        Examples
        --------
        >>> first = merge_arrows(np.array([0, 1, 2]), np.array([3, 3, 3]), boxes=4,
        ...                      weight=np.ones(3), reliance=np.full(3, 0.25))
        >>> again = first.merge(np.array([0, 0, 1, 2]), boxes=3)
        >>> again.source.tolist(), again.target.tolist(), again.count.tolist()
        ([0, 1], [2, 2], [2, 1])
        """
        fold = np.asarray(fold, dtype=np.intp)
        order = self.graph_order()
        merged = merge_arrows(
            fold[self.source[order]],
            fold[self.target[order]],
            boxes=boxes,
            count=self.count[order],
            weight=self.weight[order],
            reliance=self.reliance[order],
            rated_weight=self.rated_weight[order],
            rated_sum=self.rated_sum[order],
            head=self.head[order],
        )
        inside = merged.inside + np.bincount(fold, weights=self.inside, minlength=boxes)
        arrow = np.full(len(self), -1, dtype=np.intp)
        arrow[order] = merged.arrow
        return _replace(merged, arrow=arrow, inside=inside.astype(np.int64))


def _replace(arrows: Arrows, **changes) -> Arrows:
    return Arrows(**{**arrows.__dict__, **changes})


def merge_arrows(
    source: np.ndarray,
    target: np.ndarray,
    *,
    boxes: int,
    weight: np.ndarray,
    reliance: np.ndarray,
    rating: np.ndarray | None = None,
    count: np.ndarray | None = None,
    rated_weight: np.ndarray | None = None,
    rated_sum: np.ndarray | None = None,
    head: np.ndarray | None = None,
) -> Arrows:
    """Merge items going from box ``source[k]`` to box ``target[k]`` into one arrow per
    ordered pair of distinct boxes; sums are taken in the order of the items.

    Parameters
    ----------
    source, target : numpy.ndarray
        The supplier's and the customer's box of each item, numbers below ``boxes``.
    boxes : int
        How many boxes there are.
    weight, reliance : numpy.ndarray
        Of each item.
    rating : numpy.ndarray, optional
        Of each service, NaN where unrated (items that are services).
    count, rated_weight, rated_sum : numpy.ndarray, optional
        Of each item that is an arrow merged before (default: one service each, rated as
        ``rating`` says).
    head : numpy.ndarray, optional
        The first service of each item (default: the item's position).

    Returns
    -------
    Arrows

    Examples
    --------
    >>> arrows = merge_arrows(np.array([0, 0, 1, 0]), np.array([1, 1, 1, 2]), boxes=3,
    ...                       weight=np.array([1.0, 3.0, 1.0, 1.0]),
    ...                       reliance=np.array([0.2, 0.4, 0.3, 1.0]),
    ...                       rating=np.array([0.6, 1.0, np.nan, 0.9]))
    >>> arrows.source.tolist(), arrows.target.tolist(), arrows.count.tolist()
    ([0, 0], [1, 2], [2, 1])
    >>> arrows.quality.tolist(), arrows.inside.tolist(), arrows.arrow.tolist()
    ([0.9, 0.9], [0, 1, 0], [0, 0, -1, 1])
    """
    source = np.asarray(source, dtype=np.intp)
    target = np.asarray(target, dtype=np.intp)
    weight = np.asarray(weight, dtype=float)
    items = len(source)
    if count is None:
        count = np.ones(items, dtype=np.int64)
    if rated_weight is None:
        rating = np.full(items, np.nan) if rating is None else np.asarray(rating, dtype=float)
        rated = ~np.isnan(rating)
        rated_weight = np.where(rated, weight, 0.0)
        rated_sum = np.where(rated, weight * np.where(rated, rating, 0.0), 0.0)
    if head is None:
        head = np.arange(items)
    same = source == target
    inside = np.bincount(source[same], weights=count[same], minlength=boxes)
    between = np.flatnonzero(~same)
    slot, first = first_seen(source[between] * np.int64(max(boxes, 1)) + target[between])
    arrows = len(first)
    arrow = np.full(items, -1, dtype=np.intp)
    arrow[between] = slot

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(slot, weights=values[between], minlength=arrows)

    return Arrows(
        source=source[between][first],
        target=target[between][first],
        count=np.bincount(slot, weights=count[between], minlength=arrows).astype(np.int64),
        weight=total(weight),
        reliance=total(np.asarray(reliance, dtype=float)),
        rated_weight=total(rated_weight),
        rated_sum=total(rated_sum),
        head=np.asarray(head)[between][first],
        arrow=arrow,
        inside=inside.astype(np.int64),
    )
