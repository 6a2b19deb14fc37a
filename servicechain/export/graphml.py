"""GraphML written straight from a chain's records and arrays, column by column.

The text is byte for byte what ``networkx.write_graphml_xml(plain_graph(chain),
infer_numeric_types=True)`` writes (keys numbered as they first appear, written last first;
nodes in file order; edges grouped by supplier; two-space indentation; the escapes of
ElementTree), without a graph object or an element per value: each attribute is a column of
lines made by C-level ``map`` and joined a block of rows at a time, so 300,000 departments and
two million services take seconds instead of many minutes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import repeat
from operator import attrgetter, eq, is_not
from typing import TYPE_CHECKING, Any

import numpy as np
from msgspec import UNSET

from ..model.network import KIND_NAMES
from ..text import visible

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = ["ATTR_ESCAPES", "graphml_chunks", "graphml_text"]

#: Rows (nodes or edges) turned into text at a time.
BLOCK = 65_536

_HEAD = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)
#: Characters XML 1.0 cannot hold at all (as ``export.graphs.xml_safe`` replaces them).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
#: XML attribute escapes: markup characters, and line breaks and tabs as character references
#: (an attribute value would otherwise have them normalised to spaces).
ATTR_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\r": "&#13;",
        "\n": "&#10;",
        "\t": "&#09;",
    }
)
#: networkx's GraphML names of Python types (``GraphML.xml_type``).
_XML_TYPES = {int: "long", float: "double", str: "string", bool: "boolean"}

_NODE_FIELDS = {
    "department": ("group", "headcount", "cost", "notes"),
    "partner": ("notes",),
    "segment": ("kind", "relationship", "customers", "revenue", "revenue_elasticity", "notes"),
}
_EDGE_FIELDS = ("name", "volume", "unit", "cost", "sla", "notes")


class _Column:
    """One attribute: its key, name and values, which rows give it, and which give an empty
    text (written as an empty element).

    ``values`` is a float array (``nan`` where absent) or a list or object array of values
    (``None`` where absent).
    """

    def __init__(self, name: str, values: list | np.ndarray):
        self.name, self.key = name, ""
        self.empty: np.ndarray | None = None
        if isinstance(values, np.ndarray) and values.dtype.kind == "f":
            self.given = ~np.isnan(values)
            self.types = {float} if self.given.any() else set()
            self.values, self.spec = _rendered(values)
            return
        items = values.tolist() if isinstance(values, np.ndarray) else list(values)
        n = len(items)
        self.types = set(map(type, items))
        if type(None) in self.types:
            self.types.discard(type(None))
            self.given = np.fromiter(map(is_not, items, repeat(None)), bool, n)
        else:
            self.given = np.ones(n, dtype=bool)
        self.values = np.empty(n, dtype=object)
        self.values[:] = items
        self.spec = "%r"  # numbers as repr, exactly as str() writes them
        if str in self.types:
            self.spec = "%s"
            # texts repeat (names of services, groups): each distinct one is looked at once
            distinct = [v for v in dict.fromkeys(items) if v is not None]
            if "" in distinct:
                self.empty = np.fromiter(map(eq, items, repeat("")), bool, n)
                self.given &= ~self.empty
            joined = "".join(distinct)
            if _XML_INVALID.search(joined) or "&" in joined or "<" in joined or ">" in joined:
                texts = {v: _value_text(v) for v in distinct}
                given = self.values[self.given].tolist()
                self.values[self.given] = list(map(texts.__getitem__, given))

    def xml_type(self) -> str:
        """The key's type as networkx infers it from every value given."""
        if len(self.types) == 1:
            return _XML_TYPES[next(iter(self.types))]
        names = {_XML_TYPES[t] for t in self.types}
        return "string" if "string" in names else "double" if "double" in names else "long"

    @property
    def anywhere(self) -> bool:
        return bool(self.given.any() or (self.empty is not None and self.empty.any()))

    def first(self) -> int:
        """The first row that writes this attribute."""
        rows = self.given if self.empty is None else self.given | self.empty
        return int(np.argmax(rows))


def _rendered(values: np.ndarray) -> tuple[np.ndarray, str]:
    """Floats ready for a ``%`` template: the text of each when few values repeat often (as
    weights and ratings on a scale do: each distinct value is written out once), else the
    floats themselves for ``%r``."""
    unique, inverse = np.unique(values, return_inverse=True)
    if len(unique) * 4 > len(values):
        return values, "%r"
    texts = np.empty(len(unique), dtype=object)
    texts[:] = list(map(repr, unique.tolist()))
    return texts[inverse.reshape(-1)], "%s"


def _value_text(value: Any) -> str:
    if isinstance(value, str):
        if _XML_INVALID.search(value):
            value = _XML_INVALID.sub("\ufffd", value)
        return value.translate(_TEXT_ESCAPES)
    return str(value)


def _given(value: Any) -> Any:
    return None if value is UNSET else value


def _field(records: list, name: str) -> np.ndarray | None:
    """A field of every record as an object array, ``None`` where absent or unset; ``None``
    when no record gives it."""
    items = list(map(attrgetter(name), records))
    unset = items.count(UNSET)
    if unset + items.count(None) == len(items):
        return None
    if unset:
        items = [None if v is UNSET else v for v in items]
    values = np.empty(len(items), dtype=object)
    values[:] = items
    return values


def _fields(records: list, names: tuple) -> dict[str, np.ndarray]:
    """The fields of ``names`` that some record gives, each as :func:`_field` gives it, in the
    order of ``names``. The fields the first records leave out are first checked together,
    with one pass over the records: an optional field no record gives costs little."""
    sample = records[:256]
    rare = [
        n for n in names if all(getattr(r, n) is None or getattr(r, n) is UNSET for r in sample)
    ]
    if len(rare) > 1:
        rows = list(map(attrgetter(*rare), records))
        if rows.count((UNSET,) * len(rare)) + rows.count((None,) * len(rare)) == len(rows):
            names = tuple(n for n in names if n not in rare)
    return {n: values for n in names if (values := _field(records, n)) is not None}


def _attribute(text: str) -> str:
    return text.translate(ATTR_ESCAPES)


def _assign_keys(columns: list[_Column], start: int) -> int:
    """Number the keys of ``columns`` (given in the order a row writes them) from ``start`` in
    the order they first appear, reading the rows in order."""
    first = [(c.first(), position, c) for position, c in enumerate(columns) if c.anywhere]
    for k, (_, _, column) in enumerate(sorted(first, key=lambda t: t[:2])):
        column.key = f"d{start + k}"
    return start + len(first)


def _block(
    head: str, heads: list[np.ndarray], columns: list[_Column], rows: slice, tail: str
) -> str:
    """The text of the rows in ``rows``: rows that write the same attributes share one
    ``%`` template, filled a row at a time in C."""
    n = rows.stop - rows.start
    pattern = np.zeros(n, dtype=np.int64)
    for bit, column in enumerate(columns):
        pattern |= column.given[rows].astype(np.int64) << (2 * bit)
        if column.empty is not None:
            pattern |= column.empty[rows].astype(np.int64) << (2 * bit + 1)
    codes = np.unique(pattern).tolist()
    out = None if len(codes) == 1 else np.empty(n, dtype=object)  # one template: no gathering
    for code in codes:
        pick = slice(None) if out is None else np.flatnonzero(pattern == code)
        parts, args = [head], [h[rows][pick].tolist() for h in heads]
        for bit, column in enumerate(columns):
            if code >> (2 * bit) & 1:
                parts.append(f'      <data key="{column.key}">{column.spec}</data>\n')
                args.append(column.values[rows][pick].tolist())
            elif code >> (2 * bit + 1) & 1:
                parts.append(f'      <data key="{column.key}" />\n')
        parts.append(tail)
        text = map("".join(parts).__mod__, zip(*args, strict=True))
        if out is None:
            return "".join(text)
        out[pick] = list(text)
    return "".join(out.tolist())


def graphml_text(chain: Chain) -> str:
    """The chain as GraphML text, exactly as networkx writes its plain graph.

    Examples
    --------
    >>> print(graphml_text(shop).splitlines()[3])
      <key id="d13" for="edge" attr.name="weight" attr.type="double" />
    """
    return "".join(graphml_chunks(chain))


def _node_columns(net, nodes: list, kinds: np.ndarray) -> list[_Column]:
    """The node attributes of ``model.graph.to_networkx``, in the order a node writes them
    (every kind's own fields before ``notes``, which each kind writes last)."""
    own = net.own
    names = np.empty(len(nodes), dtype=object)
    names[:] = list(map(attrgetter("name"), nodes))
    columns = [
        _Column("kind", kinds),
        _Column("name", names),
        _Column("quality", own),
        _Column("dependence", net.dependence.astype(float)),
        _Column("own_share", net.own_share.astype(float)),
    ]
    fields: dict[str, np.ndarray] = {}
    for kind, names in _NODE_FIELDS.items():
        rows = np.flatnonzero(kinds == kind)
        records = [nodes[i] for i in rows.tolist()]
        for field in names:
            label = "segment_kind" if field == "kind" else field
            values = fields.setdefault(label, np.full(len(nodes), None, dtype=object))
            given = _field(records, field)
            if given is not None:
                values[rows] = given
    notes = fields.pop("notes")
    columns += [_Column(label, values) for label, values in fields.items()]
    return [*columns, _Column("notes", notes)]


def graphml_chunks(chain: Chain) -> Iterator[str]:
    """The text of :func:`graphml_text` in pieces (a block of rows at a time), to be written
    one after the other without holding the whole file."""
    net = chain.network
    records = chain.records
    nodes = [*records.departments, *(records.partners or []), *(records.segments or [])]
    services = list(records.services or [])
    kinds = np.array(KIND_NAMES, dtype=object)[net.kind]

    # graph attributes as plain_graph gives them: name, description, scale_min, scale_max
    graph_data = [("name", _given(records.name)), ("description", _given(records.description))]
    graph_data += [("scale_min", float(net.scale.min)), ("scale_max", float(net.scale.max))]
    graph_data = [(name, value) for name, value in graph_data if value is not None]

    node_columns = _node_columns(net, nodes, kinds)
    order = np.argsort(net.source, kind="stable")  # a DiGraph lists edges by supplier
    edge_columns = [
        _Column("quality", net.rating[order]),
        _Column("weight", net.weight[order].astype(float)),
        _Column("reliance", net.reliance[order].astype(float)),
    ]
    for field, values in _fields(services, _EDGE_FIELDS).items():
        edge_columns.append(_Column(field, values[order]))
    count = _assign_keys(node_columns, len(graph_data))
    _assign_keys(edge_columns, count)
    node_columns = [c for c in node_columns if c.key]
    edge_columns = [c for c in edge_columns if c.key]
    keys = [
        (k, "graph", name, _Column(name, [value]).xml_type())
        for k, (name, value) in enumerate(graph_data)
    ]
    keys += [(int(c.key[1:]), "node", c.name, c.xml_type()) for c in node_columns]
    keys += [(int(c.key[1:]), "edge", c.name, c.xml_type()) for c in edge_columns]

    yield _HEAD
    yield "".join(
        f'  <key id="d{key}" for="{scope}" attr.name="{name}" attr.type="{kind}" />\n'
        for key, scope, name, kind in sorted(keys, reverse=True)
    )
    yield '  <graph edgedefault="directed">\n'
    ids = np.empty(net.n, dtype=object)
    ids[:] = [_attribute(visible(i)) for i in net.ids]
    for start in range(0, len(nodes), BLOCK):
        rows = slice(start, min(start + BLOCK, len(nodes)))
        yield _block('    <node id="%s">\n', [ids], node_columns, rows, "    </node>\n")
    ends = [ids[net.source[order]], ids[net.target[order]]]
    head = '    <edge source="%s" target="%s">\n'
    for start in range(0, len(services), BLOCK):
        rows = slice(start, min(start + BLOCK, len(services)))
        yield _block(head, ends, edge_columns, rows, "    </edge>\n")
    for k, (_, value) in enumerate(graph_data):
        text = _value_text(value)
        yield f'    <data key="d{k}">{text}</data>\n' if text else f'    <data key="d{k}" />\n'
    yield "  </graph>\n</graphml>\n"
