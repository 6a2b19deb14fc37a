"""Mermaid flowchart (for wikis and Markdown): left to right, the company as a subgraph with
its groups inside, partners on the left and segments outside."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..text import plain_text

if TYPE_CHECKING:
    from ..chain import Chain


__all__ = ["mermaid_ids", "mermaid_text", "to_mermaid"]

_ENTITIES = {
    "#": "#35;",
    "&": "#38;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",
    "|": "#124;",
    "%": "#37;",  # no `%%{init: ...}%%` directive or `%%` comment can form
}


def mermaid_text(text: str) -> str:
    """``text`` for a double-quoted Mermaid label: markup characters and ``%`` as Mermaid
    entity codes (``#lt;``, ``#quot;``, ``#37;``, ...), so no directive (``%%{init: ...}%%``)
    can form; newlines as ``<br>``; control characters and bidi overrides dropped.

    Examples
    --------
    >>> mermaid_text('<script>"x" & #1; a|b')
    '#lt;script#gt;#quot;x#quot; #38; #35;1; a#124;b'
    >>> mermaid_text("%%{init: {'theme': 'dark'}}%%")
    "#37;#37;{init: {'theme': 'dark'}}#37;#37;"
    """
    text = plain_text(text.replace("\r\n", "\n"))
    text = "".join(_ENTITIES.get(ch, ch) for ch in text)
    return text.replace("\n", "<br>")


#: Words Mermaid reads as keywords, never written as node ids (compared in lower case).
_KEYWORDS = {
    "end", "graph", "flowchart", "subgraph", "direction", "click", "call", "href", "callback",
    "style", "class", "classdef", "linkstyle", "default", "interpolate", "company",
}  # fmt: skip
_SAFE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,59}")


def mermaid_ids(ids: list[str], kinds: list[str]) -> dict[str, str]:
    """The Mermaid id of each node: its model id where that is a plain word Mermaid cannot
    take for anything else (so `servicechain import` gives the same ids back), else a
    generated one (``d1``, ``p1``, ``s1``) no other node uses.

    Examples
    --------
    >>> mermaid_ids(["it", "end", "a b", "d1"], ["department"] * 4)
    {'it': 'it', 'end': 'd2', 'a b': 'd3', 'd1': 'd1'}
    """
    out = {n: n for n in ids if _SAFE_ID.fullmatch(n) and n.lower() not in _KEYWORDS}
    taken = set(out.values())
    prefix = {"department": "d", "partner": "p", "segment": "s"}
    counts: dict[str, int] = {}
    for node, kind in zip(ids, kinds, strict=True):
        if node in out:
            continue
        p = prefix.get(kind, "d")
        while True:
            counts[p] = counts.get(p, 0) + 1
            if f"{p}{counts[p]}" not in taken:
                break
        out[node] = f"{p}{counts[p]}"
        taken.add(out[node])
    return {n: out[n] for n in ids}


def to_mermaid(chain: Chain) -> str:
    """The chain as a Mermaid ``flowchart LR``.

    Nodes keep their model ids where Mermaid can hold them safely (see :func:`mermaid_ids`);
    names are the labels.

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop", "departments": [{"id": "a", "name": "A"}]})
    >>> print(to_mermaid(chain), end="")
    flowchart LR
      subgraph company["Shop"]
        a["A"]
      end
    """
    graph = chain.graph
    nodes = list(graph)
    ids = mermaid_ids(nodes, [graph.nodes[n].get("kind", "department") for n in nodes])

    def box(node: str) -> str:
        label = f'"{mermaid_text(graph.nodes[node].get("name", node))}"'
        kind = graph.nodes[node].get("kind", "department")
        if kind == "segment":
            return f"{ids[node]}([{label}])"
        if kind == "partner":
            return f"{ids[node]}[/{label}/]"
        return f"{ids[node]}[{label}]"

    lines = ["flowchart LR"]
    lines += [f"  {box(n)}" for n, a in graph.nodes(data=True) if a.get("kind") == "partner"]
    lines.append(f'  subgraph company["{mermaid_text(chain.model.name)}"]')
    groups: dict[str, list[str]] = {}
    for node, attrs in graph.nodes(data=True):
        if attrs.get("kind", "department") == "department":
            groups.setdefault(attrs.get("group") or "", []).append(node)
    for i, (group, members) in enumerate(groups.items(), start=1):
        if group:
            lines.append(f'    subgraph group{i}["{mermaid_text(group)}"]')
            lines += [f"      {box(m)}" for m in members]
            lines.append("    end")
        else:
            lines += [f"    {box(m)}" for m in members]
    lines.append("  end")
    lines += [f"  {box(n)}" for n, a in graph.nodes(data=True) if a.get("kind") == "segment"]
    for source, target, attrs in graph.edges(data=True):
        name = attrs.get("name")
        arrow = f'-->|"{mermaid_text(name)}"|' if name else "-->"
        lines.append(f"  {ids[source]} {arrow} {ids[target]}")
    return "\n".join(lines) + "\n"
