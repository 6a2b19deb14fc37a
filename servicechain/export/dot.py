"""Graphviz DOT: the chain left to right in the same columns as the diagram layout, with the
company as a cluster."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..draw.layout import columns

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


def _node(ident: str, attrs: dict, indent: str) -> str:
    kind = attrs.get("kind", "department")
    shape = {"segment": "ellipse", "partner": "box"}.get(kind, "box")
    style = "filled" if kind != "department" else "rounded,filled"
    group = f", tooltip={dot_string(attrs['group'])}" if attrs.get("group") else ""
    return (
        f"{indent}{dot_string(ident)} [label={dot_string(attrs.get('name', ident))}{group}, "
        f'shape={shape}, style="{style}", fillcolor="{_FILL.get(kind, "#ffffff")}"];'
    )


def to_dot(chain: Chain) -> str:
    """The chain as a DOT digraph (render with ``dot -Tsvg``).

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop", "departments": [{"id": "a", "name": "A"}]})
    >>> print(to_dot(chain).splitlines()[0])
    digraph "Shop" {
    """
    graph = chain.graph
    column = columns(graph)
    lines = [
        f"digraph {dot_string(chain.model.name)} {{",
        f"  graph [rankdir=LR, newrank=true, label={dot_string(chain.model.name)}, "
        'labelloc=t, fontname="Helvetica", charset="UTF-8"];',
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
    ]
    kinds = {n: a.get("kind", "department") for n, a in graph.nodes(data=True)}
    for ident, attrs in graph.nodes(data=True):
        if kinds[ident] == "partner":
            lines.append(_node(ident, attrs, "  "))
    lines.append('  subgraph "cluster_company" {')
    lines.append(
        f'    label={dot_string(chain.model.name)}; style="rounded,dashed"; color="#888888";'
    )
    # groups are not drawn as nested clusters: Graphviz cannot keep them and the columns both
    lines += [
        _node(n, attrs, "    ") for n, attrs in graph.nodes(data=True) if kinds[n] == "department"
    ]
    lines.append("  }")
    for ident, attrs in graph.nodes(data=True):
        if kinds[ident] == "segment":
            lines.append(_node(ident, attrs, "  "))
    # one invisible anchor per column keeps the columns of the diagram layout, left to right
    by_column: dict[int, list[str]] = {}
    for ident in graph:
        by_column.setdefault(column[ident], []).append(ident)
    anchors = [f'"__column_{c}"' for c in sorted(by_column)]
    for c, anchor in zip(sorted(by_column), anchors, strict=True):
        members = "; ".join(dot_string(m) for m in by_column[c])
        lines.append(f'  {{ rank=same; {anchor} [style=invis, width=0, label=""]; {members}; }}')
    if len(anchors) > 1:
        lines.append(f"  {' -> '.join(anchors)} [style=invis];")
    for source, target, attrs in graph.edges(data=True):
        width = 0.5 + 3 * float(attrs.get("reliance") or 0)
        label = f", label={dot_string(attrs['name'])}" if attrs.get("name") else ""
        if column[source] >= column[target]:  # a back edge must not fight the columns
            label += ", constraint=false"
        lines.append(
            f"  {dot_string(source)} -> {dot_string(target)} [penwidth={width:.2f}{label}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"
