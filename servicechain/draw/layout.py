"""Layered left-to-right layout of a chain: positions, box sizes and arrow routes, no drawing.

Columns are the distance to the nearest segment (partners in column 0 on the far left,
segments in the last column). A column taller than its page allows is split into sub-columns
(layers). Every arrow spanning several layers gets a dummy node in each layer it crosses, so
the barycentre sweeps that reduce crossings order its lane too, and the lane is kept free of
boxes (Sugiyama et al. 1981); ties are broken by id so the same graph always gets the same
layout. Boxes and lanes then move as close to their neighbours' heights as their order allows.
Lengths are in layout units: one unit is :data:`EM_PER_UNIT` ems of the label font.

This module is the one entry: it chooses how each column is split
(:func:`layered_layout`, :func:`diagram_layout`); :mod:`~servicechain.draw.depth` gives the
columns, :mod:`~servicechain.draw.build` builds the layout of one split.
"""

from __future__ import annotations

import networkx as nx

from .build import build_layout
from .depth import columns, segment_distance
from .page import MAX_FONT, MIN_SLIDE_FONT, SLIDE_WIDTH, diagram_aspect, font_per_scale, page_size
from .pinned import pin_layout
from .placement import split_columns
from .plan import Layout
from .spacing import BOLD, COMPACT, HEAD, LINE_MAX_EM, REGULAR, Spacing, box_size
from .text import EM_PER_UNIT, label_lines, text_width

__all__ = [
    "EM_PER_UNIT",
    "HEAD",
    "Layout",
    "box_size",
    "columns",
    "diagram_layout",
    "label_lines",
    "layered_layout",
    "segment_distance",
    "text_width",
]

#: A split whose diagram fits at this share of the best scale may be kept for fewer lanes.
_NEARLY = 0.98
#: Graphs up to this many nodes and edges are laid out once per candidate split, to keep the
#: best; larger ones once, with the split the estimate prefers.
_TRY_SPLITS_UP_TO = 700


def layered_layout(
    graph: nx.DiGraph,
    *,
    sweeps: int = 6,
    labels: dict | None = None,
    notes: dict | None = None,
    aspect: float | None = None,
    enough: float | None = None,
    least: float | None = None,
    column: dict | None = None,
) -> Layout:
    """Place every node of a chain in columns, left (back office) to right (segments), and
    route every service between them.

    Parameters
    ----------
    graph : networkx.DiGraph
        Nodes carry ``kind`` and ``name`` (as in ``chain.graph`` or a roll-up).
    sweeps : int, optional
        Barycentre sweeps (each one left to right, then right to left) to reduce crossings;
        the order with the fewest crossings seen is kept.
    labels : dict, optional
        Node id → label text; default the node's ``name`` (else its id).
    notes : dict, optional
        Node id → one line its box holds below its label (a score, or "not rated").
    aspect : float, optional
        Width / height of the page the diagram is for: columns taller than that shape allows
        are split into sub-columns. Default: never split.
    enough : float, optional
        With ``aspect``: a scale (the page's height over the drawing's) past which a larger
        drawing gains nothing (its text would be capped); among splits that reach it, the one
        with the fewest hand-offs in lanes beside a column is kept.
    least : float, optional
        With ``aspect``: a scale under which the text would come out too small (under 10 pt
        on a slide). A layout under it is made again with :data:`~.spacing.COMPACT` gaps
        (narrower gaps between columns and boxes, lanes closer together), and the one that
        fits larger is kept.
    column : dict, optional
        Node → its column, when the columns come from more hand-offs than are drawn (a roll-up
        drawing only its strongest arrows still puts each group where all of its work puts
        it); default :func:`columns` of ``graph``.

    Returns
    -------
    Layout

    Examples
    --------
    >>> G = nx.DiGraph([("p", "a"), ("a", "b"), ("b", "s"), ("p", "b")])
    >>> nx.set_node_attributes(G, {"p": "partner", "a": "department", "b": "department",
    ...                            "s": "segment"}, "kind")
    >>> lay = layered_layout(G)
    >>> [lay.column[n] for n in "pabs"]
    [0, 1, 2, 3]
    >>> lay.pos["a"][0] < lay.pos["b"][0] < lay.boundary[2] < lay.pos["s"][0]
    True
    >>> lay.routes["p", "b"][-1].tolist() == [lay.pos["b"][0] - lay.size["b"][0] / 2,
    ...                                        lay.routes["p", "b"][-1][1]]
    True
    """
    column = columns(graph) if column is None else {n: column[n] for n in graph}
    names = nx.get_node_attributes(graph, "name")
    labels = labels or {}
    notes = notes or {}
    kinds = nx.get_node_attributes(graph, "kind")
    lines, size = {}, {}
    for n in graph:
        bold = BOLD if kinds.get(n) == "segment" else 1.0  # segment names are set in bold
        # segments wrap as wide as the others (their column has room): no name is cut short
        lines[n] = label_lines(str(labels.get(n, names.get(n, n))), max_em=LINE_MAX_EM)
        size[n] = box_size(lines[n], note=notes.get(n), em=bold)
    n_cols = max(column.values(), default=-1) + 1
    by_col: list[list] = [[] for _ in range(n_cols)]
    for node in sorted(graph, key=str):
        by_col[column[node]].append(node)
    edges = [(u, v) for u, v in graph.edges() if u != v]

    layout = _split_and_build(
        graph, column, by_col, size, lines, edges, sweeps, aspect, enough, REGULAR
    )
    if aspect and least is not None and _scale(layout, aspect) < least:
        compact = _split_and_build(
            graph, column, by_col, size, lines, edges, sweeps, aspect, enough, COMPACT
        )
        if _scale(compact, aspect) > _scale(layout, aspect):
            layout = compact
    return layout


def _scale(layout: Layout, aspect: float) -> float:
    """The page's height over the drawing's, for a page of ``aspect`` (larger: larger text)."""
    x0, y0, x1, y1 = layout.extent
    return min(aspect / (x1 - x0), 1.0 / (y1 - y0))


def _split_and_build(
    graph: nx.DiGraph,
    column: dict,
    by_col: list,
    size: dict,
    lines: dict,
    edges: list,
    sweeps: int,
    aspect: float | None,
    enough: float | None,
    spacing: Spacing,
) -> Layout:
    """The layout with each column split into as many sub-columns as the page's shape asks
    for (see :func:`layered_layout`), its gaps those of ``spacing``."""
    n_cols = len(by_col)
    if not (aspect and n_cols):
        return build_layout(
            graph, column, by_col, size, lines, edges, [1] * n_cols, sweeps, spacing
        )
    through = [0] * n_cols
    for u, v in edges:
        lo_c, hi_c = sorted((column[u], column[v]))
        for c in range(lo_c + 1, hi_c):
            through[c] += 1
    heights = [
        sum(size[n][1] + spacing.row_gap for n in col) + through[c] * spacing.lane
        for c, col in enumerate(by_col)
    ]
    widths = [max((size[n][0] for n in col), default=0.3) for col in by_col]
    # a column whose boxes serve each other a lot starts in two sub-columns: its hand-offs then
    # run between them rather than all in lanes beside one
    inner = [0] * n_cols
    for u, v in edges:
        if column[u] == column[v]:
            inner[column[u]] += 1
    start = [2 if len(col) >= 2 and inner[c] >= len(col) else 1 for c, col in enumerate(by_col)]
    walks = [None, start] if start != [1] * n_cols else [None]
    steps = [
        step
        for begin in walks
        for step in split_columns(
            heights,
            widths,
            counts=[len(col) for col in by_col],
            gap=spacing.column_gap,
            sub_gap=spacing.sub_gap,
            aspect=aspect,
            steps=True,
            start=begin,
        )
    ]
    if len(graph) + len(edges) > _TRY_SPLITS_UP_TO:  # large: trust the estimate
        best_step = max(steps, key=lambda step: step[1])[0]
        return build_layout(graph, column, by_col, size, lines, edges, best_step, sweeps, spacing)
    # small: lay out each split walked through; of those that fit nearly as large as the
    # best, keep the one with the fewest hand-offs in lanes beside a column
    tried = []
    seen = set()
    for parts, _ in steps:
        if tuple(parts) in seen:
            continue
        seen.add(tuple(parts))
        layout = build_layout(graph, column, by_col, size, lines, edges, parts, sweeps, spacing)
        beside = sum(1 for u, v in edges if layout.layer[u] == layout.layer[v])
        tried.append((_scale(layout, aspect), beside, layout))
    top = max(scale for scale, _, _ in tried)
    good = top * _NEARLY if enough is None else min(top * _NEARLY, enough)
    return min((t for t in tried if t[0] >= good), key=lambda t: (t[1], -t[0]))[2]


def diagram_layout(
    graph: nx.DiGraph,
    *,
    page="slide",
    note: bool = False,
    scores: dict | None = None,
    relayout: bool = False,
    column: dict | None = None,
) -> Layout:
    """The layout a chain diagram of ``graph`` is drawn with on ``page`` (``"slide"``,
    ``"a4"``, ``"a4-portrait"`` or inches): room for a score under every name (``scores``:
    node → its text; default "not rated" for a department or partner without ``quality``,
    else a number), columns split to the page's shape, ``note`` saying whether a line under
    the title takes room, ``column`` the columns when they come from more hand-offs than are
    drawn (see :func:`layered_layout`). The DOT and draw.io exports use it too, so every
    picture of a model agrees. Boxes the model pins (the graph's ``layout``) stay where they
    were pinned unless ``relayout`` (see :func:`~servicechain.draw.pinned.pin_layout`).

    Examples
    --------
    >>> G = nx.DiGraph([("a", "s")])
    >>> nx.set_node_attributes(G, {"a": "department", "s": "segment"}, "kind")
    >>> diagram_layout(G).size["a"][1] > layered_layout(G).size["a"][1]
    True
    """
    aspect = diagram_aspect(page, note=note)
    if scores is None:
        scores = {
            n: "not rated" if a.get("kind") != "segment" and a.get("quality") is None else "0.0"
            for n, a in graph.nodes(data=True)
        }
    per_scale = font_per_scale(page, aspect)
    layout = layered_layout(
        graph,
        notes=scores,
        aspect=aspect,
        enough=MAX_FONT / per_scale,
        # the slide's least size, on a page as much wider or narrower as it is
        least=MIN_SLIDE_FONT * page_size(page)[0] / SLIDE_WIDTH / per_scale,
        column=column,
    )
    pinned = graph.graph.get("layout")
    return layout if relayout or not pinned else pin_layout(layout, graph, pinned, head=HEAD)
