"""The chain diagram of a model: pick what to show (segment, roll-up, highlight), colour it by
delivered quality or importance, and hand it to the renderer."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from ..model.network import DEPARTMENT
from .collapse import MAX_OUTSIDE_BOXES, MAX_OUTSIDE_PARTNERS, SLIDE_BOXES
from .style import DEFAULT_THRESHOLD, QUALITY_CMAP, quality_norm, score_text

__all__ = [
    "COLORS",
    "MAX_BOXES",
    "MAX_DEPARTMENTS",
    "MAX_OUTSIDE_BOXES",
    "MAX_OUTSIDE_PARTNERS",
    "SLIDE_BOXES",
    "draw_chain",
]

COLORS = ("quality", "importance", "none")
#: At most this many department (or group) boxes are drawn.
MAX_DEPARTMENTS = 200
#: At most this many boxes of any kind are drawn; checked before any figure is made.
MAX_BOXES = 300


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


def _roll_nodes(graph: nx.DiGraph, nodes: dict) -> dict:
    """Values of the boxes of a rolled-up graph: the mean over each box's members."""
    rolled = {}
    for node, attrs in graph.nodes(data=True):
        members = attrs.get("members")
        values = [nodes[m] for m in members if m in nodes] if members else [nodes.get(node)]
        values = [v for v in values if v is not None and not np.isnan(v)]
        if values:
            rolled[node] = float(np.mean(values))
    return rolled


def _grouped_importance(chain, grouped, kept, graph: nx.DiGraph) -> tuple[dict, dict]:
    """Importance of the boxes of a grouped diagram (the mean over each group's departments)
    and of its arrows at positions ``kept`` (the mean over their services, each service
    counting all the services of its supplier and customer)."""
    from ..flow.sensitivity import sensitivities

    sens = sensitivities(chain)
    net = chain.network
    departments = np.flatnonzero(np.asarray(net.kind) == DEPARTMENT).tolist()
    own = np.asarray(sens.own, dtype=float)
    nodes = _roll_nodes(graph, {net.ids[i]: float(own[i]) for i in departments})
    # a service counts every service between the same supplier and customer
    pair = np.asarray(net.source, dtype=np.int64) * net.n + np.asarray(net.target)
    _, which = np.unique(pair, return_inverse=True)
    which = which.reshape(-1)
    totals = np.bincount(which, weights=np.asarray(sens.service, dtype=float))[which]
    means = grouped.arrow_means(totals, kept)
    labels, arrows = grouped.labels, grouped.arrows
    edges = {
        (labels[arrows.source[k]], labels[arrows.target[k]]): mean
        for k, mean in zip(np.asarray(kept).tolist(), means, strict=True)
    }
    return nodes, edges


def draw_chain(
    chain,
    *,
    ax: Any = None,
    highlight: str | None = None,
    depth: int | None = None,
    segment: str | None = None,
    group_by: str | None = None,
    color: str = "quality",
    threshold: float | None = None,
    labels: str | None = None,
    title: str | None = None,
    size=None,
    dpi: float = 150,
    font: str | None = None,
    force: bool = False,
    max_slide_boxes: int = SLIDE_BOXES,
    max_departments: int = MAX_DEPARTMENTS,
    max_boxes: int = MAX_BOXES,
    relayout: bool = False,
):
    """Draw the chain: departments in columns by distance to the customer, partners on the left,
    segments on the right behind the line of visibility, each box with its delivered score.

    Parameters
    ----------
    chain : Chain
        A loaded model.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes; default a new figure of ``size``.
    highlight : str, optional
        A node id: it is outlined, its upstream and downstream chain stay in full colour and
        the rest is muted; the title says so.
    depth : int, optional
        With ``highlight``: follow the chain at most this many hand-offs each way.
    segment : str, optional
        A segment id: only the departments and partners whose work reaches it are drawn, at
        their places in the full diagram; the title names the segment.
    group_by : str, optional
        Roll departments up by this attribute (``"group"``) and draw one box per group.
        More than :data:`MAX_OUTSIDE_PARTNERS` partners are drawn as one "external partners
        (N)" box, more than :data:`MAX_OUTSIDE_BOXES` segments as one box per kind and
        relationship; a note under the title says so.
    color : {"quality", "importance", "none"}
        What box and arrow colours show: delivered quality and service ratings (red below
        ``threshold``, blue above), the value-weighted importance, or nothing.
    threshold : float, optional
        The score, on the model's scale, where quality colours are neutral (default 70% of
        the scale).
    labels : {"ratings", "interval"}, optional
        ``"ratings"``: write each rated service's rating on its arrow, where there is room;
        ``"interval"``: write each box's 90% interval (from the scores' ``quality_se``, by the
        delta method) beside its score.
    title : str, optional
        Title above the diagram (default the model's name and what the view shows).
    size : str or (float, float), optional
        The page: ``"slide"`` (16:9, the default), ``"a4"``, ``"a4-portrait"`` or inches.
    dpi : float
        Resolution for PNG.
    font : str, optional
        Font family to use first (CJK fonts are added when the names need them).
    force : bool
        Draw even when there are more boxes than a slide holds (``max_slide_boxes``).
    max_slide_boxes : int
        Without ``force``, refuse to draw more boxes than this.
    max_departments, max_boxes : int
        Refuse, even with ``force``, to draw more department (or group) boxes, or boxes of
        any kind, than this (checked before any figure is made, so time and memory stay
        bounded whatever the model).
    relayout : bool
        Lay every box out afresh, ignoring the positions the model pins (its ``layout``).

    Returns
    -------
    Drawing
        The figure, axes and artists; ``drawing.save("chain.svg")`` writes it.

    Raises
    ------
    UnknownNodeError
        When ``highlight`` or ``segment`` names nothing in the model (with a "did you mean").
    DiagramTooLargeError
        When there are more boxes than a slide holds (without ``force``), or than the hard
        limits; the message says which view to draw instead.

    Examples
    --------
    >>> from servicechain import load
    >>> from servicechain.samples.examples import example_path
    >>> drawing = draw_chain(load(example_path("flowershop")))
    >>> len(drawing.boxes) == len(drawing.layout.pos)
    True
    >>> drawing.figure.get_size_inches().tolist()
    [13.333, 7.5]
    """
    from ..structure._base import resolve, resolve_segment
    from ..structure.tracing import downstream, upstream
    from .backbone import arrows_note, strongest
    from .collapse import grouped_boxes
    from .layout import HEAD, columns, diagram_layout, layered_layout
    from .pinned import pin_layout
    from .render import DrawError, render_graph

    if color not in COLORS:
        raise DrawError(f"unknown colour {color!r}; use one of {', '.join(COLORS)}")
    if labels not in (None, "ratings", "interval"):
        raise DrawError(f"unknown labels {labels!r}; use ratings or interval")
    if group_by not in (None, "group"):
        raise DrawError(f"cannot roll up by {group_by!r}; departments roll up by 'group'")
    note = ""
    grouped = kept = None
    if group_by:  # rolled up from the arrays: no graph of every service
        grouped = grouped_boxes(chain, slide=max_slide_boxes)
        note = grouped.note
        arrows = grouped.arrows
        # groups that serve nearly every other group: only the strongest arrows are drawn
        kept = strongest(
            arrows.source,
            arrows.target,
            reliance=arrows.reliance,
            count=arrows.count,
            names=grouped.labels,
        )
        if len(kept) == len(arrows):
            full = whole = grouped.graph()
        else:  # every hand-off still traces chains and gives the columns
            full, whole = grouped.graph(kept), grouped.graph(data=False)
        left_out = arrows_note(
            len(arrows), len(kept), int(arrows.count.sum()), int(arrows.count[kept].sum())
        )
        if left_out:
            note = f"{note}; {left_out}" if note else left_out[0].upper() + left_out[1:]
    else:
        full = whole = chain.graph
    graph = full
    what = ""
    if segment is not None:
        target = resolve_segment(chain, full, segment)
        graph = full.subgraph([*nx.ancestors(whole, target), target]).copy()
        what = f"what reaches {full.nodes[target].get('name', target)}"
    _check_size(
        graph,
        grouped=bool(group_by),
        force=force,
        max_slide_boxes=max_slide_boxes,
        max_departments=max_departments,
        max_boxes=max_boxes,
    )
    keep = keep_edges = focus = None
    if highlight is not None:
        focus = resolve(chain, graph, highlight)
        # the chain through every hand-off, drawn or not
        traced = whole.subgraph(graph) if whole is not full else graph
        up = {focus: 0, **upstream(traced, focus, depth=depth)}
        down = {focus: 0, **downstream(traced, focus, depth=depth)}
        keep = {*up, *down}
        # the hand-offs on the chain: each one step nearer the node (up) or further (down)
        keep_edges = {
            (u, v)
            for u, v in graph.edges()
            if (u in up and v in up and up[u] == up[v] + 1)
            or (u in down and v in down and down[v] == down[u] + 1)
        }
        reach = f", {depth} hand-off{'s' if depth != 1 else ''} each way" if depth else ""
        name = graph.nodes[focus].get("name", focus)
        what = f"{what}: " if what else ""
        what += f"the chain of {name} (its suppliers and customers{reach})"

    lo, hi = chain.network.scale.min, chain.network.scale.max
    unrated = _unrated_nodes(chain, full)
    scored = _scores(chain, full, lo, hi, unrated)
    if labels == "interval":
        scored = (scored[0], _interval_texts(chain, full, scored[1], lo, hi))
    unrated_edges = {(u, v) for u, v, q in full.edges(data="quality") if q is None}
    kwargs: dict = {}
    if color == "quality":
        share = DEFAULT_THRESHOLD if threshold is None else (threshold - lo) / (hi - lo)
        if not 0 < share < 1:
            raise DrawError(
                f"threshold {_num(threshold)} is not inside the scale {_num(lo)}–{_num(hi)}"
            )
        norm = quality_norm(share)
        nodes = dict(scored[0])
        edges = {(u, v): q for u, v, q in full.edges(data="quality") if q is not None}
        at = [norm.vmin, norm.vcenter, norm.vmax]
        shown = [score_text(lo + (hi - lo) * x, lo, hi) for x in at]
        kwargs.update(
            cmap=QUALITY_CMAP,
            norm=norm,
            ticks=at,
            tick_labels=[
                f"{shown[0]} or less" if norm.vmin > 0 else shown[0],
                f"{shown[1]} neutral ({share:.0%})",
                shown[2],
            ],
            extend="min" if norm.vmin > 0 else "neither",
            colorbar_label="box: delivered quality · arrow: service rating",
        )
    elif color == "importance":
        if grouped is not None:
            nodes, edges = _grouped_importance(chain, grouped, kept, full)
        else:
            nodes, edges = _importance_values(chain)
        top = max([*nodes.values(), *edges.values(), 1e-9])
        kwargs.update(
            cmap="YlOrBr",
            norm=(0.0, top),
            ticks=(0.0, top),
            tick_labels=("0", f"{top:.2g}"),
            colorbar_label="importance (company quality gained per unit of quality)",
        )
        unrated_edges = set()
    else:
        nodes = edges = None
        unrated_edges = set()
    if title is None:
        title = f"{chain.name} — {what}" if what else chain.name
        if labels == "interval":
            title += " · score (90% interval)"
    page = size or "slide"
    laid = full if _fits(full, force, max_slide_boxes, max_boxes) else graph
    # columns from every hand-off, drawn or not: a group that serves customers stays on the
    # front line when its arrows to them are among those left out
    column = columns(whole) if whole is not full else None
    if ax is not None:
        layout = layered_layout(laid, notes=scored[1], column=column)
        if not relayout and laid.graph.get("layout"):
            layout = pin_layout(layout, laid, laid.graph["layout"], head=HEAD)
    else:
        layout = diagram_layout(
            laid,
            page=page,
            note=bool(note),
            scores=scored[1],
            relayout=relayout,
            column=column,
        )
    ratings = None
    if labels == "ratings":
        ratings = {
            (u, v): score_text(lo + (hi - lo) * q, lo, hi)
            for u, v, q in graph.edges(data="quality")
            if q is not None
        }
    return render_graph(
        graph,
        layout=layout,
        node_values=nodes,
        edge_values=edges,
        keep=keep,
        keep_edges=keep_edges,
        focus=focus,
        scores=scored[1],
        ratings=ratings,
        unrated=unrated & set(graph),
        unrated_edges=unrated_edges,
        title=title,
        caption=chain.name,
        ax=ax,
        size=page,
        dpi=dpi,
        font=font,
        note=note,
        larger="fewer groups (more departments sharing one) draw them larger"
        if group_by
        else "one box per group (--by-group) draws them larger",
        **kwargs,
    )


def _unrated_nodes(chain, graph: nx.DiGraph) -> set:
    """Departments and partners with no own score (a group or a merged box: none of its
    members has one), read from the chain's arrays."""
    net = chain.network
    result = set()
    for node, attrs in graph.nodes(data=True):
        if attrs.get("kind") == "segment":
            continue
        members = [m for m in attrs.get("members") or [node] if m in net.index]
        if members and all(np.isnan(net.own[net.index[m]]) for m in members):
            result.add(node)
    return result


def _scores(chain, graph: nx.DiGraph, lo: float, hi: float, unrated: set) -> tuple[dict, dict]:
    """Delivered quality (0..1) of every box of ``graph`` (a group: its members' mean) and
    the text its box shows: the score on the model's scale, or "not rated"."""
    from ..flow import score

    result = score(chain)
    index = chain.network.index if result.ids is chain.network.ids else None
    if index is None:
        index = {ident: i for i, ident in enumerate(result.ids)}
    quality = np.asarray(result.quality, dtype=float)
    values, texts = {}, {}
    for node, attrs in graph.nodes(data=True):
        members = attrs.get("members") or [node]
        found = [index[m] for m in members if m in index]
        if found:
            values[node] = float(np.mean(quality[found]))
        if node in unrated:
            texts[node] = "not rated"
        elif node in values:
            texts[node] = score_text(lo + (hi - lo) * values[node], lo, hi)
    return values, texts


def _interval_texts(chain, graph: nx.DiGraph, texts: dict, lo: float, hi: float) -> dict:
    """Each box's text with its 90% interval, ``3.9 (3.8–4.1)``, where its delivered quality
    has a standard error (a group's box keeps its plain score)."""
    from ..flow.uncertainty import intervals

    result = intervals(chain)
    where = {ident: i for i, ident in enumerate(result.ids)}
    low, high = result.low, result.high
    out = dict(texts)
    for node, text in texts.items():
        i = where.get(node)
        if i is None or graph.nodes[node].get("members") or not result.se[i] > 0:
            continue
        a = score_text(lo + (hi - lo) * float(low[i]), lo, hi)
        b = score_text(lo + (hi - lo) * float(high[i]), lo, hi)
        out[node] = f"{text} ({a}–{b})"
    return out


def _fits(graph: nx.DiGraph, force: bool, slide: int, hard: int) -> bool:
    return graph.number_of_nodes() <= (hard if force else slide)


def _check_size(
    graph: nx.DiGraph,
    *,
    grouped: bool,
    force: bool,
    max_slide_boxes: int,
    max_departments: int,
    max_boxes: int,
):
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
    count = (
        f"{len(kinds):,} boxes ({departments:,} {what}, {kinds.count('partner'):,} "
        f"partners, {kinds.count('segment'):,} segments)"
    )
    if departments > max_departments:
        raise DiagramTooLargeError(
            f"{departments:,} {what} are too many to draw legibly (at most "
            f"{max_departments}); {advice}"
        )
    if len(kinds) > max_boxes:
        raise DiagramTooLargeError(
            f"{count} are too many to draw legibly (at most {max_boxes}); {advice}"
        )
    if len(kinds) > max_slide_boxes and not force:
        raise DiagramTooLargeError(
            f"{count} are more than a slide holds (about {max_slide_boxes}); {advice}, "
            "or draw them all anyway with --force"
        )


def _num(x: float) -> str:
    return f"{x:g}"
