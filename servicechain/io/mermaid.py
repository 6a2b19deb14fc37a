"""Read a Mermaid flowchart (``flowchart LR`` or ``graph LR``, as kept in wikis) as a
:class:`~servicechain.io.sketch.Sketch`.

The subset read is what ``export -f mermaid`` writes plus plain charts: nodes ``A``,
``A[Label]``, ``A["Label"]`` (a department), ``A(["Label"])`` (a segment), ``A[/"Label"/]`` (a
partner) and the other box shapes (departments); edges ``A --> B``, ``A -->|"text"| B``,
``A -- text --> B`` and chains ``A --> B --> C``; ``subgraph`` blocks (``company`` is the
company boundary, any other a group); Mermaid's entity codes (``#quot;``, ``#35;``) and
``<br>``. Styling statements (``classDef``, ``class``, ``style``, ``linkStyle``) are ignored and
listed; ``click`` callbacks are never run, only listed. A node's Mermaid id is taken as its
model id; an edge carries no service id, so it is matched to a model's service by its ends.
"""

from __future__ import annotations

import html
import itertools
import re

from .sketch import Arrow, Box, DrawingError, Sketch

__all__ = ["read_mermaid"]

_ID = r"[A-Za-z0-9_\u00c0-\uffff][\w.\-\u00c0-\uffff]*?"
_LABEL = r'"[^"\n]*"|[^"\n]*?'
#: Node shapes, most specific first: (opening, closing, kind).
_SHAPES = [
    (r"\(\[", r"\]\)", "segment"),
    (r"\[/", r"/\]", "partner"),
    (r"\[\\", r"\\\]", "department"),
    (r"\(\(\(", r"\)\)\)", "department"),
    (r"\(\(", r"\)\)", "department"),
    (r"\[\[", r"\]\]", "department"),
    (r"\[\(", r"\)\]", "department"),
    (r"\{\{", r"\}\}", "department"),
    (r"\[", r"\]", "department"),
    (r"\(", r"\)", "department"),
    (r"\{", r"\}", "department"),
    (r">", r"\]", "department"),
]
_SHAPE = "|".join(f"(?P<s{i}>{o}(?P<l{i}>{_LABEL}){c})" for i, (o, c, _) in enumerate(_SHAPES))
_NODE = re.compile(rf"\s*(?P<id>{_ID})(?:{_SHAPE})?(?=\s|$|-|=|&|;)")
_LINK = re.compile(
    r"\s*(?:"
    r"(?:--|==|-\.)\s*(?P<text>[^\s>|-][^>|]*?)\s*(?:-->|==>|\.->|---|===|-\.-)"
    r"|(?P<arrow>-->|==>|-\.->|---|===|-\.-|--o|--x)(?:\|(?P<piped>[^|\n]*)\|)?"
    r")"
)
_HEADER = re.compile(r"\s*(flowchart|graph)(\s+(LR|RL|TB|TD|BT))?\s*;?\s*$")
_SUBGRAPH = re.compile(r"\s*subgraph\s+(?P<id>[^\s\[]+)\s*(?:\[(?P<label>" + _LABEL + r")\])?\s*$")
_IGNORED = re.compile(r"\s*(classDef|class|style|linkStyle|click|direction|accTitle|accDescr)\b")
_ENTITY = re.compile(r"#(\d+|[A-Za-z]+);")


def _text(label: str) -> str:
    """A Mermaid label as plain text: quotes, entity codes and ``<br>`` resolved."""
    label = label.strip()
    if len(label) >= 2 and label[0] == label[-1] == '"':
        label = label[1:-1]
    label = re.sub(r"<br\s*/?>", "\n", label, flags=re.IGNORECASE)

    def entity(m: re.Match) -> str:
        code = m.group(1)
        if code.isdigit():
            return chr(int(code)) if int(code) < 0x110000 else m.group()
        return (
            html.unescape(f"&{code};") if html.unescape(f"&{code};") != f"&{code};" else m.group()
        )

    return _ENTITY.sub(entity, label)


def read_mermaid(text: str, *, file: str = "<mermaid>") -> Sketch:
    """The nodes and edges of a Mermaid flowchart (in a ``.md`` file: its first ``mermaid``
    block).

    Raises
    ------
    DrawingError
        For text that is not a flowchart, and every statement it cannot read, by line.

    Examples
    --------
    >>> sketch = read_mermaid('''flowchart LR
    ...   it[IT Support] -->|"POS support"| store["Store staff"]
    ...   store --> walkin(["Walk-in shoppers"])''')
    >>> [(b.ref, b.label, b.kind) for b in sketch.boxes]
    [('it', 'IT Support', None), ('store', 'Store staff', None),
     ('walkin', 'Walk-in shoppers', 'segment')]
    >>> [(a.source, a.target, a.label) for a in sketch.arrows]
    [('it', 'store', 'POS support'), ('store', 'walkin', '')]
    """
    lines = text.splitlines()
    fence = next((i for i, line in enumerate(lines) if line.strip() == "```mermaid"), None)
    first = 0
    if fence is not None:
        end = next((i for i in range(fence + 1, len(lines)) if lines[i].strip() == "```"), None)
        lines = lines[fence + 1 : end]
        first = fence + 1
    numbered = [
        (first + i + 1, line)
        for i, line in enumerate(lines)
        if line.strip() and not line.strip().startswith("%%")
    ]
    if not numbered or not _HEADER.match(numbered[0][1]):
        where = f"line {numbered[0][0]}: " if numbered else ""
        raise DrawingError(
            file,
            [f"{where}this is not a Mermaid flowchart (start it with `flowchart LR`)"],
        )
    labels: dict[str, str] = {}
    kinds: dict[str, str] = {}
    groups: dict[str, str | None] = {}
    order: list[str] = []
    arrows: list[Arrow] = []
    stack: list[tuple[str, str]] = []
    problems: list[str] = []
    ignored: list[str] = []
    name = None

    def group_now() -> str | None:
        inner = [label for ident, label in stack if ident != "company"]
        return inner[-1] if inner else None

    def node(m: re.Match) -> str:
        ident = m.group("id")
        if ident not in labels:
            labels[ident], groups[ident] = ident, group_now()
            order.append(ident)
        for i, (_, _, kind) in enumerate(_SHAPES):
            if m.group(f"s{i}") is not None:
                labels[ident] = _text(m.group(f"l{i}"))
                kinds[ident] = kind
                groups[ident] = group_now()
        return ident

    for number, line in numbered[1:]:
        statement = line.strip().rstrip(";")
        if statement == "end":
            if not stack:
                problems.append(f"line {number}: `end` without a `subgraph` (delete it)")
            else:
                stack.pop()
            continue
        sub = _SUBGRAPH.match(statement)
        if sub:
            label = _text(sub.group("label") or sub.group("id"))
            if sub.group("id") == "company":
                name = label
            stack.append((sub.group("id"), label))
            continue
        if _IGNORED.match(statement):
            ignored.append(f"line {number}: {statement.split()[0]} statement (styling)")
            continue
        at, ends, texts = 0, [], []
        m = _NODE.match(statement, at)
        while m:
            ends.append(node(m))
            at = m.end()
            link = _LINK.match(statement, at)
            if not link:
                break
            texts.append(_text(link.group("text") or link.group("piped") or ""))
            at = link.end()
            m = _NODE.match(statement, at)
            if not m:
                ends.append(None)
        if not ends or None in ends or statement[at:].strip():
            problems.append(
                f"line {number}: cannot read {statement!r} (write `A[Label]` or `A --> B`, "
                "one statement a line)"
            )
            continue
        for (u, v), label in zip(itertools.pairwise(ends), texts, strict=True):
            arrows.append(Arrow(f"line {number}", label, u, v))
    if stack:
        problems.append(f"subgraph {stack[-1][0]!r} has no `end` (add one)")
    if problems:
        raise DrawingError(file, problems)
    boxes = [
        Box(
            n,
            labels[n],
            n,
            "segment"
            if kinds.get(n) == "segment"
            else "partner"
            if kinds.get(n) == "partner"
            else None,
            groups[n],
        )
        for n in order
    ]
    return Sketch(file=file, boxes=boxes, arrows=arrows, name=name, ignored=ignored)
