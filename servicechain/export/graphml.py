"""GraphML written straight from a chain's records and arrays, column by column.

The text is byte for byte what ``networkx.write_graphml_xml(plain_graph(chain),
infer_numeric_types=True)`` writes (keys numbered as they first appear, written last first;
nodes in file order; edges grouped by supplier; two-space indentation; the escapes of
ElementTree), without a graph object or an element per value. Each attribute is a column of
codes into a table of its lines, one per distinct value (a column of values that seldom
repeat is formatted a block at a time instead); a block of rows is then one gather of every
column's lines into a table of rows and one join, so 300,000 departments and two million
services take a few seconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np
from msgspec import UNSET

from ..model.network import KIND_NAMES
from ..text import visible
from .blocks import distinct_codes, float_codes, rows_text

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = ["ATTR_ESCAPES", "graphml_chunks", "graphml_text"]

#: Rows (nodes or edges) turned into text at a time: a block's text (about 2 MB) is made in
#: memory already in use, where blocks eight times as large each took fresh pages (at 2.1
#: million services: 0.6 s more CPU, half of it in the kernel).
BLOCK = 8_192

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
#: Codes every column keeps for a row that leaves the attribute out, and for an empty text
#: (written as an empty element); the codes of the values follow.
_ABSENT, _EMPTY = 0, 1


class _Column:
    """One attribute: its key, name and types, which rows give it and which give an empty
    text, and its values as codes into the texts of the distinct values.

    ``values`` is a float array (``nan`` where absent) or a list or object array of values
    (``None`` where absent), in file order; ``order`` (a permutation of the rows) is the order
    they are written in. A float column whose values seldom repeat keeps the floats instead of
    codes, each written with ``repr`` a block at a time.
    """

    def __init__(self, name: str, values: list | np.ndarray, order: np.ndarray | None = None):
        self.name, self.key = name, ""
        self.empty: np.ndarray | None = None
        self.floats: np.ndarray | None = None
        self._lines: np.ndarray | None = None
        if not (isinstance(values, np.ndarray) and values.dtype.kind == "f"):
            items = values.tolist() if isinstance(values, np.ndarray) else list(values)
            self.types = set(map(type, items)) - {type(None)}
            if self.types != {float}:
                self._objects(items, order)
                return
            values = np.array(items, dtype=float)  # None as nan
        values = np.ascontiguousarray(values if order is None else values[order], dtype=float)
        self.given = ~np.isnan(values)
        self.types = {float} if self.given.any() else set()
        unique, codes = float_codes(values)
        if len(unique) * 4 > len(values):
            self.floats = values
            return
        self.texts = [None, None, *map(repr, unique.tolist())]
        self.codes = codes + 2
        self.codes[~self.given] = _ABSENT

    def _objects(self, items: list, order: np.ndarray | None) -> None:
        """Codes of values of any type: each distinct value looked at once (texts repeat, as
        the names of services and groups do)."""
        n = len(items)
        if len(self.types) > 1:  # 1, 1.0 and True are one key of a dict: keep them apart
            keys = [v if v is None else (type(v), repr(v)) for v in items]
        else:
            keys = items
        values, codes = distinct_codes(keys)
        if keys is not items:
            first = dict(zip(keys, items, strict=True))
            values = [first[k] for k in values]
        texts = _texts(values)
        # distinct value i → its code: absent, empty, or 2 + its place among the texts
        table = np.array(
            [_ABSENT if t is None else _EMPTY if t == "" else 2 + i for i, t in enumerate(texts)],
            dtype=np.int64,
        )
        codes = table[codes] if n else np.zeros(0, dtype=np.int64)
        self.codes = codes if order is None else codes[order]
        self.texts = [None, None, *texts]
        self.given = self.codes >= 2
        if (self.codes == _EMPTY).any():
            self.empty = self.codes == _EMPTY

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

    def lines(self, rows: slice) -> np.ndarray | list:
        """The lines of ``rows`` (``""`` where a row leaves the attribute out)."""
        if self.floats is not None:
            template = f'      <data key="{self.key}">%r</data>\n'
            given = self.given[rows]
            values = self.floats[rows]
            if given.all():
                return list(map(template.__mod__, values.tolist()))
            out = np.full(len(values), "", dtype=object)
            out[given] = list(map(template.__mod__, values[given].tolist()))
            return out
        if self._lines is None:
            # (the line of an absent or empty value's text is never read: its rows have the
            # codes of absent and empty)
            template = f'      <data key="{self.key}">%s</data>\n'
            self._lines = np.empty(len(self.texts), dtype=object)
            self._lines[:] = [
                "",
                f'      <data key="{self.key}" />\n',
                *map(template.__mod__, self.texts[2:]),
            ]
        return self._lines[self.codes[rows]]


def _texts(values: list) -> list:
    """:func:`_value_text` of each value (``None`` kept), the texts first looked at together:
    where none holds a character to replace or escape, each is its own text."""
    if set(map(type, values)) <= {str, type(None)}:
        joined = "".join(filter(None, values))
        if not _XML_INVALID.search(joined) and not any(c in joined for c in "&<>"):
            return values
    return [None if v is None else _value_text(v) for v in values]


def _value_text(value: Any) -> str:
    if isinstance(value, str):
        if _XML_INVALID.search(value):
            value = _XML_INVALID.sub("\ufffd", value)
        return value.translate(_TEXT_ESCAPES)
    return str(value)


def _given(value: Any) -> Any:
    return None if value is UNSET else value


def _field(records: list, name: str) -> list | None:
    """A field of every record, ``None`` where absent or unset; ``None`` when no record gives
    it (a field nobody gives costs one pass and a count in C)."""
    items = list(map(attrgetter(name), records))
    if items and items[0] is UNSET and items.count(UNSET) == len(items):
        return None  # left out everywhere: a count of one object, fast
    types = set(map(type, items))
    if not types - {type(UNSET), type(None)}:
        return None
    if type(UNSET) in types:
        items = [None if v is UNSET else v for v in items]
    return items


def _attribute(text: str) -> str:
    return text.translate(ATTR_ESCAPES)


def _assign_keys(columns: list[_Column], start: int) -> int:
    """Number the keys of ``columns`` (given in the order a row writes them) from ``start`` in
    the order they first appear, reading the rows in order."""
    first = [(c.first(), position, c) for position, c in enumerate(columns) if c.anywhere]
    for k, (_, _, column) in enumerate(sorted(first, key=lambda t: t[:2])):
        column.key = f"d{start + k}"
    return start + len(first)


def _block(heads: list, columns: list[_Column], rows: slice, tail: str) -> str:
    """The text of the rows in ``rows``: a table of rows by pieces (the heads of the rows,
    each column's line, the tail; a piece is empty where a row leaves the attribute out),
    filled a column at a time and joined in one go."""
    pieces = [*heads, *(column.lines(rows) for column in columns), tail]
    return rows_text(pieces, rows.stop - rows.start)


def graphml_text(chain: Chain) -> str:
    """The chain as GraphML text, exactly as networkx writes its plain graph.

    Examples
    --------
    >>> print(graphml_text(shop).splitlines()[3])
      <key id="d13" for="edge" attr.name="weight" attr.type="double" />
    """
    return "".join(graphml_chunks(chain))


def _node_columns(net, nodes: list) -> list[_Column]:
    """The node attributes of ``model.graph.to_networkx``, in the order a node writes them
    (every kind's own fields before ``notes``, which each kind writes last)."""
    n = len(nodes)
    kinds = np.asarray(net.kind)
    columns = [
        _Column("kind", np.array(KIND_NAMES, dtype=object)[kinds]),
        _Column("name", list(map(attrgetter("name"), nodes))),
        _Column("quality", net.own),
        _Column("dependence", net.dependence.astype(float)),
        _Column("own_share", net.own_share.astype(float)),
    ]
    fields: dict[str, np.ndarray] = {}
    for kind, names in _NODE_FIELDS.items():
        rows = np.flatnonzero(kinds == KIND_NAMES.index(kind))
        records = [nodes[i] for i in rows.tolist()] if len(rows) < n else nodes
        for field in names:
            label = "segment_kind" if field == "kind" else field
            values = fields.setdefault(label, np.full(n, None, dtype=object))
            given = _field(records, field)
            if given is not None:
                values[rows] = given
    notes = fields.pop("notes")
    columns += [_Column(label, values) for label, values in fields.items()]
    return [*columns, _Column("notes", notes)]


def _ids(net) -> list[str]:
    """The node ids as attribute text: control characters written as escapes, markup
    escaped (each id looked at only when the ids hold something to change)."""
    joined = "".join(net.ids)
    if joined.isprintable() and not any(c in joined for c in '&<>"'):
        return net.ids
    return [_attribute(visible(i)) for i in net.ids]


def graphml_chunks(chain: Chain) -> Iterator[str]:
    """The text of :func:`graphml_text` in pieces (a block of rows at a time), to be written
    one after the other without holding the whole file."""
    net = chain.network
    records = chain.records
    nodes = [*records.departments, *(records.partners or []), *(records.segments or [])]
    services = list(records.services or [])

    # graph attributes as plain_graph gives them: name, description, scale_min, scale_max
    graph_data = [("name", _given(records.name)), ("description", _given(records.description))]
    graph_data += [("scale_min", float(net.scale.min)), ("scale_max", float(net.scale.max))]
    graph_data = [(name, value) for name, value in graph_data if value is not None]

    node_columns = _node_columns(net, nodes)
    order = np.argsort(net.source, kind="stable")  # a DiGraph lists edges by supplier
    edge_columns = [
        _Column("quality", net.rating, order),
        _Column("weight", net.weight.astype(float), order),
        _Column("reliance", net.reliance.astype(float), order),
    ]
    for field in _EDGE_FIELDS:
        values = _field(services, field)
        if values is not None:
            edge_columns.append(_Column(field, values, order))
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
    ids = _ids(net)
    heads = np.empty(net.n, dtype=object)
    heads[:] = [f'    <node id="{i}">\n' for i in ids]
    for start in range(0, len(nodes), BLOCK):
        rows = slice(start, min(start + BLOCK, len(nodes)))
        yield _block([heads[rows]], node_columns, rows, "    </node>\n")
    # an edge's head in two pieces: its supplier's and its customer's
    heads[:] = [f'    <edge source="{i}" target="' for i in ids]
    ends = np.empty(net.n, dtype=object)
    ends[:] = [f'{i}">\n' for i in ids]
    source, target = net.source[order], net.target[order]
    for start in range(0, len(services), BLOCK):
        rows = slice(start, min(start + BLOCK, len(services)))
        pieces = [heads[source[rows]], ends[target[rows]]]
        yield _block(pieces, edge_columns, rows, "    </edge>\n")
    for k, (_, value) in enumerate(graph_data):
        text = _value_text(value)
        yield (f'    <data key="d{k}">{text}</data>\n' if text else f'    <data key="d{k}" />\n')
    yield "  </graph>\n</graphml>\n"
