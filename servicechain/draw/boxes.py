"""Boxes and labels of a chain diagram: one shaped, coloured box per node with its wrapped
name, and the check that every label fits inside its box."""

from __future__ import annotations

import warnings

import networkx as nx
import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.colors import to_rgba
from matplotlib.patches import FancyBboxPatch
from matplotlib.transforms import Bbox

from .fonts import families_for, glyph_advance, line_height
from .plan import Layout
from .style import KIND_FILL, UNRATED_FILL, UNRATED_HATCH, box_style, faded, text_colour
from .text import EM_PER_UNIT, LINE_EM, text_width

__all__ = ["draw_boxes", "fit_caption", "fit_labels"]

_LABEL_INK = "#2b3138"
_FADED_TEXT = "#9aa0a6"
#: Behind the text of a hatched box, so the hatching never runs through the letters.
_HALO = {"boxstyle": "square,pad=0.08", "facecolor": UNRATED_FILL, "edgecolor": "none"}


def draw_boxes(
    ax,
    graph: nx.DiGraph,
    layout: Layout,
    *,
    fontsize: float,
    node_values: dict | None,
    colormap,
    normalize,
    keep: set | None,
    families: list | None = None,
    scores: dict | None = None,
    unrated: set | frozenset = frozenset(),
    focus=None,
) -> tuple[dict, dict, dict]:
    """Draw a box per node with its wrapped name and, below it, its score (``scores``: node
    → text); returns ``(boxes, labels, score_labels)`` by node id.

    Fill = the node's value on the colour map (a neutral fill by kind without one); nodes in
    ``unrated`` are grey and hatched whatever their value; shape and outline tell
    departments, partners and segments apart; off the ``keep`` chain, faded; ``focus`` gets
    a heavy outline. Each label uses only the head of ``families`` its characters need.
    """
    kinds = nx.get_node_attributes(graph, "kind")
    nodes = list(graph)
    scores = scores or {}
    fills = [KIND_FILL[kinds.get(n, "department")] for n in nodes]
    if node_values is not None and nodes:
        values = np.array([node_values.get(n, np.nan) for n in nodes], dtype=float)
        valued = np.flatnonzero(~np.isnan(values))
        if len(valued):
            mapped = colormap(normalize(values[valued]))
            for i, rgba in zip(valued, mapped, strict=True):
                fills[i] = tuple(rgba)
    line_u = LINE_EM / EM_PER_UNIT
    boxes, labels, score_labels = {}, {}, {}
    for node, fill in zip(nodes, fills, strict=True):
        kind = kinds.get(node, "department")
        (cx, cy), (w, h) = layout.pos[node], layout.size[node]
        live = keep is None or node in keep
        style = box_style(kind, w, h)
        if node == focus:
            style["linewidth"] = 3.2
        hatch = node in unrated
        if hatch:
            fill = UNRATED_FILL
        box = FancyBboxPatch(
            (cx - w / 2, cy - h / 2),
            w,
            h,
            facecolor=faded(fill, live),
            edgecolor=faded(_LABEL_INK, live),
            hatch=UNRATED_HATCH if hatch else None,
            zorder=3,
            **style,
        )
        ax.add_artist(box)  # limits are set by the caller: no patch extents to compute
        boxes[node] = box
        lines = layout.lines[node]
        text = "\n".join(lines)
        bold = kind == "segment"
        colour = text_colour(to_rgba(fill)) if live else _FADED_TEXT
        score = scores.get(node)
        shift = line_u / 2 if score is not None else 0.0
        labels[node] = ax.text(
            cx,
            cy + shift,
            text,
            fontfamily=families_for(text, families, bold=bold) if families else None,
            ha="center",
            va="center",
            fontsize=fontsize,
            color=colour,
            zorder=4,
            linespacing=1.15,
            fontweight="bold" if bold else "normal",
            bbox=_HALO if hatch and live else None,
        )
        if score is not None:
            score_labels[node] = ax.text(
                cx,
                cy - len(lines) * line_u / 2,
                score,
                fontfamily=families_for(score, families, bold=True) if families else None,
                ha="center",
                va="center",
                fontsize=fontsize,
                color=colour,
                zorder=4,
                fontweight="bold",
                style="italic" if hatch else "normal",
                bbox=_HALO if hatch and live else None,
            )
    return boxes, labels, score_labels


def fit_caption(text: str, width_u: float, em_scale: float) -> str:
    """Cut a caption to fit ``width_u`` layout units (ending with an ellipsis when cut).

    Examples
    --------
    >>> fit_caption("Sapataria", 5.0, 1.0)
    'Sapataria'
    >>> fit_caption("A very long company name indeed", 1.0, 1.0)
    'A very long compa…'
    """
    limit = width_u * EM_PER_UNIT / em_scale
    if text_width(text) <= limit:
        return text
    while text and text_width(text + "…") > limit:
        text = text[:-1]
    return text.rstrip() + "…" if text else ""


def _surely_fits(text, families: tuple, width_px: float, height_px: float, dpi: float) -> bool:
    """Whether ``text`` fits in 90% of the box by its size computed from font metrics: the
    sum of the hinted glyph advances (plus a margin for kerning) and the line stack."""
    lines = text.get_text().split("\n")
    bold = text.get_fontweight() in ("bold", 700)
    pixels = text.get_fontsize() * dpi / 72
    height = len(lines) * text.get_linespacing() * line_height(families[0], bold) * pixels
    if height * 1.01 > height_px * 0.96:
        return False
    for line in lines:
        width = 0.0
        for char in line:
            advance = glyph_advance(char, families, bold, pixels)
            if advance is None:
                return False
            width += advance
        if width * 1.02 > width_px * 0.96:
            return False
    return True


def fit_labels(figure, ax, layout: Layout, labels: dict, families: list) -> None:
    """Shrink any label whose rendered text overflows its box (the layout's width estimates
    are generous, so this rarely changes anything).

    A label whose size, bounded from its glyphs' metrics, surely fits is left alone; the
    others are measured with a one-pixel renderer at the figure's resolution (the same text
    metrics as the full canvas, without allocating a canvas the size of a large diagram).
    """
    renderer = RendererAgg(1, 1, figure.dpi)
    ax.apply_aspect()
    to_px = ax.transData.transform
    families = tuple(families)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing")
        for node, text in labels.items():
            (cx, cy), (w, h) = layout.pos[node], layout.size[node]
            (x0, y0), (x1, y1) = to_px([(cx - w / 2, cy - h / 2), (cx + w / 2, cy + h / 2)])
            box = Bbox.from_extents(x0, y0, x1, y1)
            if _surely_fits(text, families, box.width, box.height, figure.dpi):
                continue
            for _ in range(4):
                ext = text.get_window_extent(renderer)
                over = max(ext.width / (box.width * 0.96), ext.height / (box.height * 0.96))
                if over <= 1:
                    break
                text.set_fontsize(text.get_fontsize() / over * 0.97)
