"""The chain diagram of a model: pick what to show (segment, roll-up, highlight), colour it by
delivered quality or importance, and hand it to the renderer."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from ..model.network import DEPARTMENT

__all__ = ["COLORS", "MAX_BOXES", "MAX_DEPARTMENTS", "MAX_OUTSIDE_BOXES", "draw_chain"]

COLORS = ("quality", "importance", "none")
#: At most this many department (or group) boxes are drawn.
MAX_DEPARTMENTS = 200
#: At most this many boxes of any kind are drawn; checked before any figure is made.
MAX_BOXES = 300
#: A rolled-up diagram with more segments (or partners) than this draws them collapsed:
#: segments by kind and relationship, partners in one box.
MAX_OUTSIDE_BOXES = 40


def _quality_values(chain) -> tuple[dict, dict]:
    from ..flow import score

    result = score(chain)
    nodes = {ident: float(q) for ident, q in zip(result.ids, result.quality, strict=True)}
    net = chain.network
    ids = net.ids
    suppliers = map(ids.__getitem__, net.source.tolist())
    pairs = zip(suppliers, map(ids.__getitem__, net.target.tolist()), strict=True)
    sums: dict[tuple, list] = {}
    for pair, q in zip(pairs, result.service_quality.tolist(), strict=True):
        acc = sums.setdefault(tuple(pair), [0.0, 0])
        acc[0] += float(q)
        acc[1] += 1
    return nodes, {pair: total / count for pair, (total, count) in sums.items()}


def _importance_values(chain) -> tuple[dict, dict]:
    """Importance = value-weighted sensitivity of the company's external quality."""
    from ..flow.sensitivity import sensitivities

    sens = sensitivities(chain)
    net = chain.network
    nodes = {
        ident: float(v)
        for ident, v, kind in zip(net.ids, sens.own, net.kind, strict=True)
        if kind == DEPARTMENT
    }
    edges: dict = {}
    for j, v in enumerate(sens.service):
        pair = (net.ids[net.source[j]], net.ids[net.target[j]])
        edges[pair] = edges.get(pair, 0.0) + float(v)
    return nodes, edges


def _roll_values(graph: nx.DiGraph, nodes: dict, edges: dict) -> tuple[dict, dict]:
    """Values of a rolled-up graph: the mean over each group's members and merged services."""
    rolled_nodes = {}
    for node, attrs in graph.nodes(data=True):
        members = attrs.get("members")
        values = [nodes[m] for m in members if m in nodes] if members else [nodes.get(node)]
        values = [v for v in values if v is not None and not np.isnan(v)]
        if values:
            rolled_nodes[node] = float(np.mean(values))
    rolled_edges = {}
    for u, v, attrs in graph.edges(data=True):
        pairs = attrs.get("services") or [(u, v)]
        values = [edges[tuple(p)] for p in pairs if tuple(p) in edges]
        if values:
            rolled_edges[u, v] = float(np.mean(values))
    return rolled_nodes, rolled_edges


def draw_chain(
    chain,
    *,
    ax: Any = None,
    highlight: str | None = None,
    segment: str | None = None,
    group_by: str | None = None,
    color: str = "quality",
    title: str | None = None,
    size: tuple[float, float] | None = None,
    dpi: float = 150,
    font: str | None = None,
    max_departments: int = MAX_DEPARTMENTS,
    max_boxes: int = MAX_BOXES,
):
    """Draw the chain: departments in columns by distance to the customer, partners on the left,
    segments on the right behind the line of visibility.

    Parameters
    ----------
    chain : Chain
        A loaded model.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes; default a new figure sized to the diagram.
    highlight : str, optional
        A node id: its upstream and downstream chain stay in full colour, the rest is faded.
    segment : str, optional
        A segment id: only the departments and partners whose work reaches it are drawn.
    group_by : str, optional
        Roll departments up by this attribute (``"group"``) and draw one box per group. When
        the roll-up still holds more than :data:`MAX_OUTSIDE_BOXES` segments, they are drawn
        as one box per kind and relationship ("consumer customers (1,240 segments)"); more
        partners than that are drawn as one "external partners (N)" box; a note under the
        title says so.
    color : {"quality", "importance", "none"}
        What box and arrow colours show: delivered quality (on the model's scale), the
        value-weighted importance, or nothing (shape only).
    title : str, optional
        Title above the diagram (default the model's name).
    size : (float, float), optional
        Figure size in inches (default: sized so that text is 8 pt).
    dpi : float
        Resolution for PNG.
    font : str, optional
        Font family to use first (CJK fonts are added when the names need them).
    max_departments : int
        Refuse to draw more department (or group) boxes than this.
    max_boxes : int
        Refuse to draw more boxes of any kind than this (checked before any figure is made,
        so time and memory stay bounded whatever the model).

    Returns
    -------
    Drawing
        The figure, axes and artists; ``drawing.save("chain.svg")`` writes it.

    Raises
    ------
    UnknownNodeError
        When ``highlight`` or ``segment`` names nothing in the model (with a "did you mean").
    DiagramTooLargeError
        When there are more than ``max_departments`` departments or ``max_boxes`` boxes to
        draw; the message says what to do instead.

    Examples
    --------
    >>> from servicechain import load
    >>> from servicechain.samples.examples import example_path
    >>> drawing = draw_chain(load(example_path("flowershop")), color="none")
    >>> len(drawing.boxes) == len(drawing.layout.pos)
    True
    """
    from ..structure._base import resolve, resolve_segment
    from ..structure.grouping import rollup
    from ..structure.tracing import downstream, upstream
    from .render import DrawError, render_graph

    if color not in COLORS:
        raise DrawError(f"unknown colour {color!r}; use one of {', '.join(COLORS)}")
    note = ""
    if group_by and segment is None:  # rolled up from the arrays: no graph of every service
        graph, note = _collapse_outside(rollup(chain, by=group_by))
    else:
        graph = chain.graph
    if segment is not None:
        target = resolve_segment(chain, graph, segment)
        graph = graph.subgraph([*nx.ancestors(graph, target), target]).copy()
        if group_by:
            graph, note = _collapse_outside(rollup(graph, by=group_by))
    _check_size(graph, grouped=bool(group_by), max_departments=max_departments, max_boxes=max_boxes)
    keep = None
    if highlight is not None:
        node = resolve(chain, graph, highlight)
        keep = {node, *upstream(graph, node), *downstream(graph, node)}

    kwargs: dict = {}
    lo, hi = chain.network.scale.min, chain.network.scale.max
    if color == "quality":
        nodes, edges = _quality_values(chain)
        kwargs.update(
            cmap="RdYlBu",
            norm=(0.0, 1.0),
            ticks=(lo, hi),
            colorbar_label=f"delivered quality ({_num(lo)}–{_num(hi)})",
        )
    elif color == "importance":
        nodes, edges = _importance_values(chain)
        top = max([*nodes.values(), *edges.values(), 1e-9])
        kwargs.update(
            cmap="YlOrBr",
            norm=(0.0, top),
            ticks=(0.0, top),
            colorbar_label="importance (company quality gained per unit)",
        )
    else:
        nodes = edges = None
    if nodes is not None and group_by:
        nodes, edges = _roll_values(graph, nodes, edges)
    return render_graph(
        graph,
        node_values=nodes,
        edge_values=edges,
        keep=keep,
        title=chain.name if title is None else title,
        caption=chain.name,
        ax=ax,
        size=size,
        dpi=dpi,
        font=font,
        note=note,
        **kwargs,
    )


def _collapse_outside(graph: nx.DiGraph) -> tuple[nx.DiGraph, str]:
    """Collapse the segments and partners of a rolled-up graph where there are too many to
    draw one box each; returns the graph and the note that says what was collapsed."""
    from .collapse import collapse_outside

    kinds = [k for _, k in graph.nodes(data="kind")]
    segments, partners = kinds.count("segment"), kinds.count("partner")
    fold_segments, fold_partners = segments > MAX_OUTSIDE_BOXES, partners > MAX_OUTSIDE_BOXES
    if not (fold_segments or fold_partners):
        return graph, ""
    graph = collapse_outside(graph, segments=fold_segments, partners=fold_partners)
    parts = []
    if fold_segments:
        boxes = sum(1 for _, k in graph.nodes(data="kind") if k == "segment")
        parts.append(f"{segments:,} segments drawn as {boxes} boxes by kind and relationship")
    if fold_partners:
        parts.append(f"{partners:,} partners as one box")
    return graph, "; ".join(parts).capitalize()


def _check_size(graph: nx.DiGraph, *, grouped: bool, max_departments: int, max_boxes: int):
    """Raise :class:`DiagramTooLargeError` when ``graph`` has too many boxes to draw."""
    from .render import DiagramTooLargeError

    kinds = [k for _, k in graph.nodes(data="kind")]
    departments = kinds.count("department")
    if grouped:
        advice = (
            "give more departments a group, or draw one segment's chain with "
            "--segment SEGMENT --by-group"
        )
    else:
        advice = (
            "draw one segment's chain with --segment SEGMENT, or roll up with --by-group "
            "(which also draws many segments and partners as a few boxes)"
        )
    what = "departments and groups" if grouped else "departments"
    if departments > max_departments:
        raise DiagramTooLargeError(
            f"{departments:,} {what} are too many to draw legibly (at most "
            f"{max_departments}); {advice}"
        )
    if len(kinds) > max_boxes:
        raise DiagramTooLargeError(
            f"{len(kinds):,} boxes ({departments:,} {what}, {kinds.count('partner'):,} "
            f"partners, {kinds.count('segment'):,} segments) are too many to draw legibly "
            f"(at most {max_boxes}); {advice}"
        )


def _num(x: float) -> str:
    return f"{x:g}"
