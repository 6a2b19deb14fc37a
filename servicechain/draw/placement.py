"""Placement steps of the layered layout: splitting tall columns into sub-columns so that a
diagram takes the shape of its page, sharing a column's boxes among its sub-columns, and the
vertical places of boxes and arrow lanes (each as close to its neighbours as the order allows).
"""

from __future__ import annotations

import itertools
import math

import networkx as nx

__all__ = ["isotonic", "place_rows", "split_columns", "sub_layers"]


def split_columns(
    heights: list[float],
    widths: list[float],
    *,
    counts: list[int],
    gap: float,
    sub_gap: float,
    aspect: float,
    max_split: int = 4,
    steps: bool = False,
    start: list[int] | None = None,
) -> list:
    """How many sub-columns each column gets so that the diagram is closest to ``aspect``
    (width / height) at the largest scale.

    ``heights`` are the stacked heights of the columns, ``widths`` their box widths and
    ``counts`` their numbers of boxes (a column is split only while each sub-column keeps at
    least two boxes). The tallest column is split further while that makes the diagram fit
    its page at a larger scale.

    Examples
    --------
    >>> split_columns([10.0, 1.0], [1.0, 1.0], counts=[20, 2], gap=0.5, sub_gap=0.4, aspect=2.0)
    [3, 1]
    >>> split_columns([1.0, 1.0], [1.0, 1.0], counts=[2, 2], gap=0.5, sub_gap=0.4, aspect=2.0)
    [1, 1]
    """
    k = list(start) if start else [1] * len(heights)

    def scale(k: list[int]) -> float:
        width = sum(w * n + sub_gap * (n - 1) for w, n in zip(widths, k, strict=True))
        width += gap * max(len(k) - 1, 0)
        height = max((h / n for h, n in zip(heights, k, strict=True)), default=1.0)
        return min(aspect / max(width, 1e-9), 1.0 / max(height, 1e-9))

    best = scale(k)
    walked = [(k, best)]
    misses = 0
    while True:
        candidates = [c for c in range(len(k)) if k[c] < max_split and counts[c] >= 2 * (k[c] + 1)]
        if not candidates:
            break
        c = max(candidates, key=lambda c: (heights[c] / k[c], -c))
        trial = [*k]
        trial[c] += 1
        value = scale(trial)
        if steps:
            walked.append((trial, value))
        if value <= best * 1.01:
            misses += 1
            if not steps or misses > 2:
                break
        else:
            best = value
        k = trial
    return walked if steps else k


def sub_layers(nodes: list, parts: int, graph: nx.DiGraph, column: dict) -> dict:
    """Share the ``nodes`` of one column among ``parts`` sub-columns, left to right: a
    supplier never stands right of its customer in the same column, and nodes that mostly
    serve columns further right stand further right.

    Returns node → sub-column index (0 = leftmost).

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "s"), ("c", "s"), ("d", "s")])
    >>> col = {"a": 1, "b": 1, "c": 1, "d": 1, "s": 2}
    >>> sorted(sub_layers(["a", "b", "c", "d"], 2, G, col).items())
    [('a', 0), ('b', 1), ('c', 0), ('d', 1)]
    """
    if parts <= 1:
        return dict.fromkeys(nodes, 0)
    members = set(nodes)
    inner = nx.DiGraph()
    inner.add_nodes_from(nodes)
    inner.add_edges_from(
        (u, v) for u, v in graph.subgraph(nodes).edges() if u != v and u in members
    )
    cond = nx.condensation(inner)
    depth_of_comp: dict = {}
    for comp in nx.topological_sort(cond):
        preds = [depth_of_comp[p] + 1 for p in cond.predecessors(comp)]
        depth_of_comp[comp] = max(preds, default=0)
    mapping = cond.graph["mapping"]

    def right_share(n) -> float:
        c = column[n]
        right = sum(1 for m in graph.successors(n) if column[m] > c)
        right += sum(1 for m in graph.predecessors(n) if column[m] > c)
        left = sum(1 for m in graph.predecessors(n) if column[m] < c)
        left += sum(1 for m in graph.successors(n) if column[m] < c)
        return right / (left + right) if left + right else 0.5

    ranked = sorted(nodes, key=lambda n: (depth_of_comp[mapping[n]], right_share(n), str(n)))
    size = math.ceil(len(ranked) / parts)
    return {n: min(i // size, parts - 1) for i, n in enumerate(ranked)}


def isotonic(values: list[float], weights: list[float]) -> list[float]:
    """The non-decreasing sequence closest to ``values`` in weighted least squares (pool
    adjacent violators).

    Examples
    --------
    >>> isotonic([1.0, 3.0, 2.0, 4.0], [1.0, 1.0, 1.0, 1.0])
    [1.0, 2.5, 2.5, 4.0]
    """
    blocks: list[list[float]] = []  # [weighted sum, weight, count]
    for v, w in zip(values, weights, strict=True):
        blocks.append([v * w, w, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, w2, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += w2
            blocks[-1][2] += c
    out: list[float] = []
    for s, w, c in blocks:
        out.extend([s / w] * int(c))
    return out


def _fit(items: list, desired: dict, height: dict, gap, weight: dict) -> dict:
    """Places of one layer's ``items`` (top to bottom) closest to ``desired``, each at least
    its separation below the one above."""
    if not items:
        return {}
    offsets = [0.0]
    for a, b in itertools.pairwise(items):
        offsets.append(offsets[-1] + (height[a] + height[b]) / 2 + gap(a, b))
    # going down: t = -y must be at least the offsets apart, i.e. t - offset non-decreasing
    target = [-desired[n] - off for n, off in zip(items, offsets, strict=True)]
    fitted = isotonic(target, [weight[n] for n in items])
    return {n: -(z + off) for n, z, off in zip(items, fitted, offsets, strict=True)}


def place_rows(
    order: list[list],
    height: dict,
    *,
    before: dict,
    after: dict,
    gap,
    weight: dict,
    passes: int = 8,
    pull: float = 0.0,
) -> dict:
    """Vertical centre of every item of a layered drawing (y grows upwards).

    Each layer starts stacked around 0; then, sweeping left to right and back, each item
    moves towards the mean height of its neighbours in the layer before (``before``) or after
    (``after``), as far as its order and the separation ``gap(a, b)`` between consecutive
    items allow; the last pass uses both sides.

    Examples
    --------
    >>> order = [["a"], ["b", "c"]]
    >>> h = dict.fromkeys("abc", 1.0)
    >>> y = place_rows(order, h, before={"a": [], "b": ["a"], "c": ["a"]},
    ...                after={"a": ["b", "c"], "b": [], "c": []}, gap=lambda a, b: 0.5,
    ...                weight=dict.fromkeys("abc", 1.0))
    >>> y["b"] - y["c"], y["a"] == (y["b"] + y["c"]) / 2
    (1.5, True)
    """
    y: dict = {}
    for items in order:
        stacked = _fit(items, dict.fromkeys(items, 0.0), height, gap, weight)
        shift = (max(stacked.values(), default=0) + min(stacked.values(), default=0)) / 2
        y.update({n: v - shift for n, v in stacked.items()})
    layers = range(len(order))
    for p in range(passes):
        last = p == passes - 1
        forward = p % 2 == 0
        for li in layers if forward else reversed(layers):
            items = order[li]
            desired = {}
            for n in items:
                near = [*before[n], *after[n]] if last else before[n] if forward else after[n]
                mean = sum(y[m] for m in near) / len(near) if near else y[n]
                desired[n] = mean * (1 - pull)
            y.update(_fit(items, desired, height, gap, weight))
    return y
