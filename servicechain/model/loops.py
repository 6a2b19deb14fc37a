"""Loops of departments that sustain themselves: the exact condition under which ``I - A`` is
singular although every loop has a supplier outside it.

At the current state every node delivers ``Q = c + A Q`` plus what it receives from outside
(DESIGN section 3), all terms non-negative. Take a loop of departments that pass quality round
(a strongly connected group of services that carry something). If any member has an own part
(``a_i b_i > 0``) or receives something from outside the group, the delivered qualities of the
group are a strictly sub-invariant positive vector of ``A``, so its spectral radius is below 1
(Perron-Frobenius). If none does, the group's qualities are an eigenvector of ``A`` with
eigenvalue 1: the loop gain is exactly 1 and how a change travels round it is undetermined.
Every term is a product of given numbers, so "nothing from outside" is decided exactly, without
arithmetic: an own quality or a rating at the scale's minimum, a dependence of 1, a supplier that
itself delivers nothing.
"""

from __future__ import annotations

import numpy as np

from .components import strong_labels
from .search import adjacency, reached

__all__ = ["delivers_something", "self_sustaining_groups"]


def delivers_something(
    own: np.ndarray,
    dependence: np.ndarray,
    rating: np.ndarray,
    source: np.ndarray,
    target: np.ndarray,
) -> np.ndarray:
    """Whether each node's delivered quality at the current state is above 0 (exactly).

    A node delivers something when it has an own part (no suppliers or a dependence below 1,
    and an own quality above the minimum; a missing one counts as perfect), or it relies on a
    service rated above the minimum, or on an unrated service whose supplier delivers
    something. ``own`` and ``rating`` are on 0..1, ``nan`` where not given.

    Examples
    --------
    >>> nan = float("nan")
    >>> delivers_something(np.array([0.0, nan, 0.0]), np.array([0.0, 1.0, 1.0]),
    ...     np.array([nan, 0.0]), np.array([0, 1]), np.array([1, 2])).tolist()
    [False, False, False]
    """
    n = len(own)
    relied = dependence[target] > 0
    rated = ~np.isnan(rating)
    has_supplier = np.bincount(target, minlength=n) > 0
    with np.errstate(invalid="ignore"):
        own_part = (~has_supplier | (dependence < 1)) & ~(own <= 0)
        seeds = own_part.copy()
        seeds[target[rated & relied & (rating > 0)]] = True
    # from the seeds along the unrated services that are relied on
    passes = ~rated & relied
    return reached(*adjacency(source[passes], target[passes], n), np.flatnonzero(seeds))


def self_sustaining_groups(
    own: np.ndarray,
    dependence: np.ndarray,
    rating: np.ndarray,
    source: np.ndarray,
    target: np.ndarray,
    n_dep: int,
) -> list[np.ndarray]:
    """Groups of departments (positions, sorted) whose loop gain is exactly 1: they pass quality
    round a cycle, deliver something, and none has an own part or receives anything from
    outside the group (what comes from outside is rated at the minimum, or comes unrated from
    a supplier that delivers nothing). ``I - A`` is singular exactly when such a group exists
    or a closed loop (:func:`~servicechain.model.links.closed_loop_groups`) does.

    Departments are the first ``n_dep`` nodes; ``own`` and ``rating`` are on 0..1, ``nan``
    where not given. Groups come in the order of their first member.

    Examples
    --------
    A loop whose only outside supply is rated 0:

    >>> nan = float("nan")
    >>> own, dependence = np.array([0.5, 0.5, 0.5]), np.array([1.0, 1.0, 0.0])
    >>> source, target = np.array([2, 1, 0]), np.array([0, 0, 1])
    >>> groups = self_sustaining_groups(own, dependence, np.array([0.0, 0.8, 0.6]),
    ...                                 source, target, 2)
    >>> [g.tolist() for g in groups]
    [[0, 1]]

    Rated above the minimum, the outside supply opens the loop:

    >>> self_sustaining_groups(own, dependence, np.array([0.1, 0.8, 0.6]), source, target, 2)
    []
    """
    with np.errstate(invalid="ignore"):
        quality = own[:n_dep]
        own_part = (dependence[:n_dep] < 1) & ~(quality <= 0)
    if own_part.all():  # every member of such a group has no own part: the usual case
        return []
    positive = delivers_something(own, dependence, rating, source, target)
    rated = ~np.isnan(rating)
    with np.errstate(invalid="ignore"):
        carries = (dependence[target] > 0) & np.where(rated, rating > 0, positive[source])
    inside = carries & (source < n_dep) & (target < n_dep) & positive[source] & positive[target]
    if not inside.any():
        return []
    label = strong_labels(n_dep, source[inside], target[inside])
    size = np.bincount(label, minlength=n_dep)
    opened = np.zeros(n_dep, dtype=bool)
    opened[label[own_part]] = True
    # a carrying service from outside the group (a partner, another group) opens it
    into = carries & (target < n_dep)
    src = source[into]
    src_label = np.where(src < n_dep, label[np.minimum(src, n_dep - 1)], -1)
    tgt_label = label[target[into]]
    opened[tgt_label[src_label != tgt_label]] = True
    closed = np.flatnonzero((size >= 2) & ~opened)
    groups = [np.flatnonzero(label == c) for c in closed.tolist()]
    return sorted(groups, key=lambda g: int(g[0]))
