"""Graphviz DOT: the chain with the diagram's places and arrow routes (``neato -n2`` draws them
as they are), in the same columns for ``dot``, with the company as a cluster."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..draw.layout import EM_PER_UNIT, diagram_layout
from ..text import visible

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = ["dot_string", "to_dot"]

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_FILL = {"department": "#dbe9f6", "partner": "#eeeeee", "segment": "#fdf1d6"}


def dot_string(text: str) -> str:
    """``text`` as a double-quoted DOT string: backslashes and quotes escaped, newlines as
    ``\\n``, control characters dropped.

    Examples
    --------
    >>> print(dot_string('Say "hi" \\\\N <b> & 客服\\nline 2'))
    "Say \\"hi\\" \\\\N <b> & 客服\\nline 2"
    """
    text = text.replace("\r\n", "\n").replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _CONTROL.sub("", text.replace("\n", "\\n")) + '"'


#: Points per layout unit: one unit is ``EM_PER_UNIT`` ems of the node labels' 11 pt font.
POINTS_PER_UNIT = EM_PER_UNIT * 11


def _node(ident: str, name: str, attrs: dict, indent: str, layout) -> str:
    kind = attrs.get("kind", "department")
    (x, y), (w, h) = layout.pos[ident], layout.size[ident]
    s = POINTS_PER_UNIT
    place = (
        f'pos="{x * s:.2f},{y * s:.2f}!", width={w * s / 72:.3f}, height={h * s / 72:.3f}, '
        "fixedsize=true, "
    )
    shape = {"segment": "ellipse", "partner": "box"}.get(kind, "box")
    style = "filled" if kind != "department" else "rounded,filled"
    group = f", tooltip={dot_string(attrs['group'])}" if attrs.get("group") else ""
    return (
        f"{indent}{name} [label={dot_string(chr(10).join(layout.lines[ident]))}"
        f", comment={dot_string(visible(ident))}{group}, "
        f'{place}shape={shape}, style="{style}", fillcolor="{_FILL.get(kind, "#ffffff")}"];'
    )


def to_dot(chain: Chain) -> str:
    """The chain as a DOT digraph: ``neato -n2 -Tsvg`` draws it with the places and arrow
    routes of ``servicechain draw``; ``dot -Tsvg`` lays it out again in the same columns.

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop", "departments": [{"id": "a", "name": "A"}]})
    >>> print(to_dot(chain).splitlines()[0])
    digraph "Shop" {
    """
    graph = chain.graph
    layout = diagram_layout(graph)
    column = layout.column
    lines = [
        f"digraph {dot_string(chain.model.name)} {{",
        "  // neato -n2 keeps the places and routes below; dot lays out the columns again",
        f"  graph [rankdir=LR, newrank=true, label={dot_string(chain.model.name)}, "
        'labelloc=t, fontname="Helvetica", charset="UTF-8"];',
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
    ]
    kinds = {n: a.get("kind", "department") for n, a in graph.nodes(data=True)}
    # Nodes are named n1, n2, ... and carry their model id as a comment: ids that differ only
    # by a control character stay apart, and no id can meet a column anchor or a DOT keyword.
    name = {ident: f"n{i}" for i, ident in enumerate(graph, start=1)}
    for ident, attrs in graph.nodes(data=True):
        if kinds[ident] == "partner":
            lines.append(_node(ident, name[ident], attrs, "  ", layout))
    lines.append('  subgraph "cluster_company" {')
    lines.append(
        f'    label={dot_string(chain.model.name)}; style="rounded,dashed"; color="#888888";'
    )
    # groups are not drawn as nested clusters: Graphviz cannot keep them and the columns both
    lines += [
        _node(n, name[n], attrs, "    ", layout)
        for n, attrs in graph.nodes(data=True)
        if kinds[n] == "department"
    ]
    lines.append("  }")
    for ident, attrs in graph.nodes(data=True):
        if kinds[ident] == "segment":
            lines.append(_node(ident, name[ident], attrs, "  ", layout))
    # one invisible anchor per column keeps the columns of the diagram layout, left to right
    by_column: dict[int, list[str]] = {}
    for ident in graph:
        by_column.setdefault(column[ident], []).append(ident)
    anchors = [f'"__column_{c}"' for c in sorted(by_column)]
    top = layout.extent[3] * POINTS_PER_UNIT
    for c, anchor in zip(sorted(by_column), anchors, strict=True):
        members = "; ".join(name[m] for m in by_column[c])
        x = min(layout.pos[m][0] for m in by_column[c]) * POINTS_PER_UNIT
        hidden = f'style=invis, width=0, height=0, label="", pos="{x:.2f},{top:.2f}!"'
        lines.append(f"  {{ rank=same; {anchor} [{hidden}]; {members}; }}")
    if len(anchors) > 1:
        lines.append(f"  {' -> '.join(anchors)} [style=invis];")
    for source, target, attrs in graph.edges(data=True):
        width = 0.5 + 3 * float(attrs.get("reliance") or 0)
        label = f", label={dot_string(attrs['name'])}" if attrs.get("name") else ""
        if column[source] >= column[target]:  # a back edge must not fight the columns
            label += ", constraint=false"
        route = layout.routes.get((source, target))
        if route is not None:
            s = POINTS_PER_UNIT
            spline = " ".join(f"{x * s:.2f},{y * s:.2f}" for x, y in route[:-3])
            tip = route[-1]
            label += f', pos="e,{tip[0] * s:.2f},{tip[1] * s:.2f} {spline}"'
        lines.append(f"  {name[source]} -> {name[target]} [penwidth={width:.2f}{label}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
