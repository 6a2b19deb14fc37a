"""Mermaid flowchart (for wikis and Markdown): left to right, the company as a subgraph with
its groups inside, partners on the left and segments outside."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..text import plain_text

if TYPE_CHECKING:
    from ..chain import Chain


__all__ = ["mermaid_text", "to_mermaid"]

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


def to_mermaid(chain: Chain) -> str:
    """The chain as a Mermaid ``flowchart LR``.

    Nodes get safe generated ids (``d1``, ``p1``, ``s1``); names are the labels.

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop", "departments": [{"id": "a", "name": "A"}]})
    >>> print(to_mermaid(chain), end="")
    flowchart LR
      subgraph company["Shop"]
        d1["A"]
      end
    """
    graph = chain.graph
    prefix = {"department": "d", "partner": "p", "segment": "s"}
    counts: dict[str, int] = {}
    ids: dict[str, str] = {}
    for node, attrs in graph.nodes(data=True):
        p = prefix.get(attrs.get("kind", "department"), "d")
        counts[p] = counts.get(p, 0) + 1
        ids[node] = f"{p}{counts[p]}"

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
