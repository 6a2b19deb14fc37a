"""The diff of two versions of a model as one self-contained HTML page in the report's style:
what changed, a waterfall per segment from OLD to NEW, and the two chain diagrams side by side
with the same positions, the changed boxes and arrows marked."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from matplotlib.figure import Figure as MplFigure

from ..compare import Diff
from ..flow.state import state_of
from ..io.atomic import write_atomic
from ..text import number
from .document import Document, Figure, Section, Table, Text
from .html import render_html

__all__ = ["diff_page", "waterfall", "write_diff_page"]

#: Contributions shown one by one in a waterfall; the rest are summed into one bar.
WATERFALL_BARS = 8
#: Outline of a changed box or arrow (purple: apart from the red-blue quality colours).
CHANGED = "#7b3294"
_NODE_CHANGES = ("added", "removed", "renamed", "quality", "baseline", "dependence", "value")
_UP, _DOWN, _TOTAL = "#2166ac", "#d6604d", "#8c8c8c"
#: Side by side diagrams (the report's figures stack one under the other).
_SIDE_BY_SIDE = (
    "#diagrams .pair{display:grid;grid-template-columns:1fr 1fr;gap:12px}"
    "#diagrams .pair figure{margin:0}"
    "@media (max-width:900px){#diagrams .pair{grid-template-columns:1fr}}"
)


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _file(label: str) -> str:
    """A version's label without its folders (``REV:PATH`` kept whole when short)."""
    return label if len(label) <= 32 else os.path.basename(label)


def waterfall(result: Diff, move: Any) -> MplFigure:
    """A horizontal waterfall of one movement: OLD's score, each contribution, NEW's score.

    Examples
    --------
    >>> import servicechain
    >>> d = servicechain.diff(servicechain.example_path("sapataria_q1"),
    ...                       servicechain.example_path("sapataria_q2"))
    >>> fig = waterfall(d, d.segment("compradores_online"))
    >>> len(fig.axes[0].patches)
    5
    """
    lo, span = result.scale[0], result.span
    parts = list(move.contributions[:WATERFALL_BARS])
    rest = move.contributions[WATERFALL_BARS:]
    labels = [_file(result.old_label)] + [_short(c.brief or c.text) for c in parts]
    amounts = [c.amount * span for c in parts]
    if rest:
        labels.append(f"{len(rest)} other changes")
        amounts.append(sum(c.amount for c in rest) * span)
    labels.append(_file(result.new_label))
    before, after = lo + move.before * span, lo + move.after * span
    rows = len(labels)
    fig = MplFigure(figsize=(9.5, 0.42 * rows + 1.3))
    ax = fig.add_subplot()
    level = before
    values = [before, *amounts, after]
    low = min(before, after, *(np.cumsum([before, *amounts])))
    high = max(before, after, *(np.cumsum([before, *amounts])))
    pad = max((high - low) * 0.6, 0.05 * span)
    base = max(lo, low - pad)
    digits = 1 if span > 20 else 2
    for row, value in enumerate(values):
        y = rows - 1 - row
        if row in (0, rows - 1):
            ax.barh(y, value - base, left=base, color=_TOTAL, height=0.6)
            ax.text(value, y, f" {value:.{digits}f}", va="center", fontsize=9)
            continue
        start = level
        level += value
        ax.barh(y, value, left=start, color=_UP if value >= 0 else _DOWN, height=0.6)
        ax.text(max(start, level), y, f" {number(value, f'+.{digits}f')}", va="center", fontsize=9)
    ax.set_yticks(range(rows), labels[::-1], fontsize=9)
    ax.set_xlim(base, min(result.scale[1], high + pad))
    ax.set_xlabel(f"delivered quality ({result.scale[0]:g}–{result.scale[1]:g})")
    fig.suptitle(
        f"{move.name}: {before:.{digits}f} → {after:.{digits}f} "
        f"({number(after - before, f'+.{digits}f')})",
        fontsize=11,
        x=0.01,
        ha="left",
    )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def _values(chain) -> tuple[dict, dict]:
    state = state_of(chain)
    net = chain.network
    nodes = {ident: float(q) for ident, q in zip(net.ids, state.quality, strict=True)}
    edges = {
        (net.ids[s], net.ids[t]): float(q)
        for s, t, q in zip(net.source, net.target, state.service_quality, strict=True)
    }
    return nodes, edges


def _diagrams(result: Diff, old, new) -> list[Figure]:
    """OLD and NEW drawn on the union of their boxes with one layout; boxes and arrows a
    version lacks are faded, changed ones outlined."""
    from ..draw.layout import layered_layout
    from ..draw.render import render_graph

    union = nx.compose(old.graph, new.graph)
    layout = layered_layout(union)
    changed_nodes = {i.id for i in result.items if i.kind in _NODE_CHANGES}
    changed_edges = {pair for i in result.items for pair in i.services}
    figures = []
    versions = (("old", old, result.old_label), ("new", new, result.new_label))
    for tag, chain, label in ((t, c, _file(lab)) for t, c, lab in versions):
        nodes, edges = _values(chain)

        def make(chain=chain, nodes=nodes, edges=edges, label=label):
            drawing = render_graph(
                union,
                layout=layout,
                node_values=nodes,
                edge_values=edges,
                keep=set(chain.graph.nodes),
                title=label,
                caption=chain.name,
                cmap="RdYlBu",
                norm=(0.0, 1.0),
                ticks=result.scale,
                colorbar_label=f"delivered quality ({result.scale[0]:g}–{result.scale[1]:g})",
            )
            for node, box in drawing.boxes.items():
                if node in changed_nodes:
                    box.set_edgecolor(CHANGED)
                    box.set_linewidth(3.0)
            for pair, arrow in drawing.arrows.items():
                if tuple(pair) in changed_edges:
                    arrow.set_edgecolor(CHANGED)
                    arrow.set_linewidth(2.0)
            return drawing

        figures.append(Figure(f"diagram-{tag}", f"{label}: {chain.name}", make))
    return figures


def diff_page(result: Diff, old, new) -> str:
    """The whole diff page as HTML text (``old`` and ``new`` are the two chains compared)."""
    lo, span = result.scale[0], result.span
    digits = 1 if span > 20 else 2
    fmt = f".{digits}f"
    sections = []
    intro = [Text(line) for line in _summary(result)]
    changes = Table(
        ["Change", "What"],
        [[i.kind, i.text] for i in result.items],
        caption=f"{len(result.items)} changes",
    )
    sections.append(Section("changes", "What changed", [*intro, changes]))
    moves = ([result.company] if result.company is not None else []) + result.segments
    scores = Table(
        ["Segment", _file(result.old_label), _file(result.new_label), "Change"],
        [
            [
                m.name if m.id is not None else "Company (value-weighted)",
                lo + m.before * span,
                lo + m.after * span,
                m.change * span,
            ]
            for m in moves
        ],
        formats=[None, fmt, fmt, "+" + fmt],
    )
    falls = [
        Figure(
            f"waterfall-{i}", f"Why {m.name if m.id else 'the company'} moved", _maker(result, m)
        )
        for i, m in enumerate(moves)
        if m.contributions
    ]
    sections.append(
        Section(
            "movements",
            "Why the scores moved",
            [scores, *falls],
            intro="Each bar is one changed input's share of the change; they add up exactly.",
        )
    )
    sections.append(
        Section(
            "diagrams",
            "The chain before and after",
            _diagrams(result, old, new),
            intro="Both diagrams keep the same positions; boxes and arrows outlined in purple "
            "changed, faded ones exist in the other version only.",
        )
    )
    doc = Document(
        title=f"{result.new_name}: what changed",
        subtitle=f"{_file(result.old_label)} → {_file(result.new_label)}",
        sections=sections,
        facts=[
            ("Changes", f"{len(result.items)}"),
            ("Scale", f"{result.scale[0]:g}–{result.scale[1]:g}"),
        ],
        data={"footer": "Made with servicechain diff."},
    )
    page = render_html(doc)
    pair = page.replace(
        '<figure id="fig-diagram-old"', '<div class="pair"><figure id="fig-diagram-old"', 1
    )
    end = pair.find("</figure>", pair.find('id="fig-diagram-new"'))
    pair = pair[: end + len("</figure>")] + "</div>" + pair[end + len("</figure>") :]
    return pair.replace("</style>", _SIDE_BY_SIDE + "\n</style>", 1)


def _maker(result: Diff, move):
    return lambda: waterfall(result, move)


def _summary(result: Diff) -> list[str]:
    lo, span = result.scale[0], result.span
    digits = 1 if span > 20 else 2
    out = []
    if result.old_scale != result.scale:
        out.append(
            f"The scale changed from {result.old_scale[0]:g}–{result.old_scale[1]:g} to "
            f"{result.scale[0]:g}–{result.scale[1]:g}; scores are compared as shares of the scale."
        )
    if result.company is not None:
        c = result.company
        top = c.contributions[0].text if c.contributions else "nothing"
        out.append(
            f"The company's value-weighted quality went from {lo + c.before * span:.{digits}f} "
            f"to {lo + c.after * span:.{digits}f} "
            f"({number(c.change * span, f'+.{digits}f')}); the largest "
            f"single reason: {top}."
        )
    return out


def write_diff_page(result: Diff, old, new, path: str | os.PathLike) -> Path:
    """Write the page atomically (nothing is left behind on failure); returns the path."""
    text = diff_page(result, old, new)
    target = Path(path)
    write_atomic(target, text.encode("utf-8"))
    return target
