"""Read a file saved by draw.io (diagrams.net): its pages, boxes and arrows, as a
:class:`~servicechain.io.sketch.Sketch`.

draw.io saves an ``<mxfile>`` of ``<diagram>`` pages. A page holds an ``<mxGraphModel>``
either as XML or compressed the way draw.io's ``Graph.compress`` writes it: the XML
URL-encoded (``encodeURIComponent``), deflated without a zlib header (``pako.deflateRaw``) and
base64-encoded. Each shape is an ``<mxCell>``; a shape with properties of its own is wrapped in
an ``<object>`` (or ``<UserObject>``) that carries its ``id``, its ``label`` and the properties as
attributes: ``export -f drawio`` writes ``sc_id`` and ``sc_kind`` on every box (and
``sc_group`` on the members of a group drawn without a container) and ``sc_from`` and ``sc_to``
on every arrow, and draw.io keeps them through every edit.

The XML is parsed without DTDs or entities (defusedxml) and a compressed page may inflate to
at most :data:`MAX_PAGE_BYTES`.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from html.parser import HTMLParser
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from .sketch import KINDS, Arrow, Box, DrawingError, Sketch

__all__ = ["MAX_PAGE_BYTES", "compress_page", "decompress_page", "page_names", "read_drawio"]

#: The largest size a compressed page may inflate to.
MAX_PAGE_BYTES = 64 * 1024 * 1024
#: Properties ``export -f drawio`` writes on its shapes.
ID, KIND, ROLE, FROM, TO, GROUP = "sc_id", "sc_kind", "sc_role", "sc_from", "sc_to", "sc_group"
#: Characters ``encodeURIComponent`` leaves as they are, besides letters and digits.
_URI_SAFE = "-_.!~*'()"
_WRAPPERS = ("object", "UserObject")


def compress_page(xml: str) -> str:
    """A page's XML compressed the way draw.io writes it (``Graph.compress``).

    Examples
    --------
    >>> page = compress_page('<mxGraphModel><root><mxCell id="0"/></root></mxGraphModel>')
    >>> decompress_page(page, page="Page-1")
    '<mxGraphModel><root><mxCell id="0"/></root></mxGraphModel>'
    """
    from urllib.parse import quote

    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = deflate.compress(quote(xml, safe=_URI_SAFE).encode("ascii")) + deflate.flush()
    return base64.b64encode(raw).decode("ascii")


def decompress_page(text: str, *, page: str) -> str:
    """The XML of a compressed page (``Graph.decompress``: base64, raw inflate, URL-decoding).

    Raises
    ------
    DrawingError
        When the text is not base64, does not inflate, inflates past :data:`MAX_PAGE_BYTES`, or
        is not URL-encoded UTF-8.
    """
    fix = "save it again from draw.io, or File > Properties > uncheck Compressed"
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise DrawingError(
            "", [f"page {page!r}: the compressed page is not base64 ({fix})"]
        ) from None
    inflate = zlib.decompressobj(-15)
    try:
        data = inflate.decompress(raw, MAX_PAGE_BYTES)
    except zlib.error as err:
        raise DrawingError(
            "", [f"page {page!r}: the compressed page does not inflate: {err} ({fix})"]
        ) from None
    if inflate.unconsumed_tail:
        raise DrawingError(
            "", [f"page {page!r}: the page inflates past {MAX_PAGE_BYTES // 2**20} MB"]
        )
    if not inflate.eof:
        raise DrawingError(
            "", [f"page {page!r}: the compressed page is cut short and does not inflate ({fix})"]
        )
    try:
        return unquote(data.decode("ascii"), errors="strict")
    except UnicodeError:
        raise DrawingError(
            "", [f"page {page!r}: the inflated page is not URL-encoded text ({fix})"]
        ) from None


class _Text(HTMLParser):
    """The text of an HTML label: line breaks for ``<br>`` and block ends, tags dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("br", "div", "p", "li"):
            self.parts.append("\n")

    def handle_data(self, data) -> None:
        self.parts.append(data)


def _label_text(value: str, style: dict) -> str:
    """The text of a label: an HTML label (``html=1``) without its markup."""
    if style.get("html") != "1":
        return value
    parser = _Text()
    parser.feed(value)
    parser.close()
    return "".join(parser.parts)


def _style(text: str | None) -> dict:
    """``"rounded=1;ellipse;"`` → ``{"rounded": "1", "ellipse": ""}``."""
    out = {}
    for part in (text or "").split(";"):
        if part.strip():
            key, _, value = part.partition("=")
            out[key.strip()] = value.strip()
    return out


def _parse(data: str | bytes, what: str) -> Element:
    try:
        return fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as err:
        raise DrawingError("", [f"{what} is not well-formed XML: {err}"]) from None


def _pages(root: Element) -> list[Element]:
    if root.tag.rsplit("}", 1)[-1] == "svg" and root.get("content"):
        root = _parse(root.get("content"), "the diagram inside the SVG")
    if root.tag == "mxGraphModel":
        holder = Element("diagram", {"name": "Page-1"})
        holder.append(root)
        return [holder]
    if root.tag != "mxfile":
        raise DrawingError(
            "",
            [
                f"this is not a draw.io diagram: its root element is <{root.tag}>, not "
                "<mxfile> (give the .drawio file draw.io saves for a diagram)"
            ],
        )
    pages = root.findall("diagram")
    if not pages:
        raise DrawingError("", ["the draw.io file has no page (<diagram>)"])
    return pages


def page_names(data: str | bytes) -> list[str]:
    """The names of the pages of a draw.io file, in order.

    Examples
    --------
    >>> page_names('<mxfile><diagram name="Chain"/><diagram name="Notes"/></mxfile>')
    ['Chain', 'Notes']
    """
    return [p.get("name") or f"Page-{i}" for i, p in enumerate(_pages(_parse(data, "the file")), 1)]


def _graph_model(page: Element, name: str) -> Element:
    model = page.find("mxGraphModel")
    if model is not None:
        return model
    text = (page.text or "").strip()
    if not text:
        raise DrawingError("", [f"page {name!r} is empty"])
    model = _parse(decompress_page(text, page=name), f"page {name!r}")
    if model.tag != "mxGraphModel":
        raise DrawingError("", [f"page {name!r} holds <{model.tag}>, not <mxGraphModel>"])
    return model


def _cells(model: Element) -> list[tuple[dict, Element]]:
    """Each cell of a page as ``(attributes, mxCell)``: the wrapper's attributes (id, label,
    properties) merged with the cell's own."""
    root = model.find("root")
    out = []
    for item in [] if root is None else list(root):
        if item.tag in _WRAPPERS:
            cell = item.find("mxCell")
            if cell is None:
                continue
            attrs = {**cell.attrib, **item.attrib}
            attrs["value"] = item.get("label", "")
            out.append((attrs, cell))
        elif item.tag == "mxCell":
            out.append((dict(item.attrib), item))
    return out


def _number(text: str | None) -> float:
    try:
        value = float(text) if text else 0.0
    except ValueError:
        return 0.0
    return value if abs(value) < 1e12 else 0.0


def read_drawio(data: str | bytes, *, file: str = "<drawio>", page: str | None = None) -> Sketch:
    """The boxes and arrows of one page of a draw.io file (the first, or the one named ``page``).

    Boxes are vertices with a label; a vertex holding other boxes is a container whose label
    is their group (a box outside every container keeps the group of its ``sc_group``
    property, which the export writes where a group's members stand apart). Shapes that are
    neither (free text, images, lines, the locked company
    boundary and line of visibility) are listed in ``ignored``.

    Parameters
    ----------
    data : str or bytes
        The file's content.
    file : str, keyword-only
        The file's name, for messages.
    page : str, keyword-only
        The name of the page to read (default: the first).

    Returns
    -------
    Sketch

    Raises
    ------
    DrawingError
        With every problem at once: not a diagram, a page that does not inflate, an arrow with
        a loose end, two boxes with the same model id; each names the shape (id and label).

    Examples
    --------
    >>> xml = '''<mxfile><diagram name="P"><mxGraphModel><root>
    ...   <mxCell id="0"/><mxCell id="1" parent="0"/>
    ...   <object id="a" label="IT" sc_id="it"><mxCell vertex="1" parent="1">
    ...     <mxGeometry x="10" y="20" width="100" height="40" as="geometry"/></mxCell></object>
    ...   <mxCell id="b" value="Store" vertex="1" parent="1">
    ...     <mxGeometry x="200" y="20" width="100" height="40" as="geometry"/></mxCell>
    ...   <mxCell id="e" value="" edge="1" parent="1" source="a" target="b"/>
    ... </root></mxGraphModel></diagram></mxfile>'''
    >>> sketch = read_drawio(xml)
    >>> [(b.ref, b.label, b.model_id, b.centre) for b in sketch.boxes]
    [('a', 'IT', 'it', (60.0, 40.0)), ('b', 'Store', None, (250.0, 40.0))]
    >>> [(a.source, a.target) for a in sketch.arrows]
    [('a', 'b')]
    """
    try:
        pages = _pages(_parse(data, "the file"))
        names = [p.get("name") or f"Page-{i}" for i, p in enumerate(pages, 1)]
        if page is not None and page not in names:
            listed = ", ".join(repr(n) for n in names)
            raise DrawingError("", [f"no page is named {page!r} (the pages: {listed})"])
        index = 0 if page is None else names.index(page)
        sketch = _sketch(_graph_model(pages[index], names[index]), file=file, page=names[index])
    except DrawingError as err:
        raise DrawingError(file, err.problems) from None
    return sketch


def _sketch(model: Element, *, file: str, page: str) -> Sketch:
    cells = _cells(model)
    by_id = {attrs.get("id"): (attrs, cell) for attrs, cell in cells}
    parent = {i: attrs.get("parent") for i, (attrs, _) in by_id.items()}
    styles = {i: _style(attrs.get("style")) for i, (attrs, _) in by_id.items()}
    labels = {
        i: _label_text(attrs.get("value") or "", styles[i]) for i, (attrs, _) in by_id.items()
    }
    vertex = {i for i, (attrs, _) in by_id.items() if attrs.get("vertex") == "1"}
    edges = [i for i, (attrs, _) in by_id.items() if attrs.get("edge") == "1"]
    edge_set = set(edges)
    layers = {i for i in by_id if parent[i] is None or parent[i] not in by_id}
    layers |= {i for i in by_id if parent[i] in layers and i not in vertex and i not in edge_set}

    def geometry(i: str) -> Element | None:
        return by_id[i][1].find("mxGeometry")

    def origin(i: str | None) -> tuple[float, float]:
        x = y = 0.0
        seen = set()
        while i in vertex and i not in seen:
            seen.add(i)
            g = geometry(i)
            if g is not None:
                x, y = x + _number(g.get("x")), y + _number(g.get("y"))
            i = parent[i]
        return x, y

    ignored: list[str] = []
    problems: list[str] = []
    holders = {parent[i] for i in vertex if parent[i] in vertex}
    boxes: list[Box] = []
    name = None

    def describe(i: str) -> str:
        label = " ".join(labels[i].split())
        return f"shape {i!r} ({label!r})" if label else f"shape {i!r} (no label)"

    for i in vertex:
        attrs, style = by_id[i][0], styles[i]
        role = attrs.get(ROLE)
        if role == "boundary":
            name = " ".join(labels[i].split()) or None
            continue
        if role in ("visibility", "group") or i in holders:
            continue
        g = geometry(i)
        why = None
        if parent[i] in edge_set or (g is not None and g.get("relative") == "1"):
            continue  # a label of an arrow
        if "text" in style or style.get("shape") == "image" or "image" in style:
            why = "free text" if "text" in style else "an image"
        elif style.get("shape") == "line" or "line" in style:
            why = "a line"
        elif not labels[i].strip():
            why = "a shape without a label"
        if why:
            ignored.append(f"{describe(i)}: {why}")
            continue
        x, y = origin(i)
        w, h = (_number(g.get("width")), _number(g.get("height"))) if g is not None else (0, 0)
        kind = attrs.get(KIND) if attrs.get(KIND) in KINDS else None
        if kind is None and "ellipse" in style:
            kind = "segment"
        group = None
        up = parent[i]
        while up in vertex and group is None:
            if by_id[up][0].get(ROLE) != "boundary":
                group = " ".join(labels[up].split()) or None
            up = parent[up]
        if group is None:  # outside every container: the group it was written with, if any
            group = " ".join((attrs.get(GROUP) or "").split()) or None
        model_id = (attrs.get(ID) or "").strip() or None
        boxes.append(Box(i, labels[i], model_id, kind, group, (x + w / 2, y + h / 2)))
    order = {i: n for n, i in enumerate(by_id)}
    boxes.sort(key=lambda b: order[b.ref])
    refs = {b.ref for b in boxes}
    first: dict[str, Box] = {}
    for box in boxes:
        if box.model_id is None:
            continue
        if box.model_id in first:
            problems.append(
                f"{box.describe()} and {first[box.model_id].describe()} both carry the id "
                f"{box.model_id!r} (a copy keeps the id of its original: select the copy, Edit "
                f"Data (Ctrl+M), delete its {ID} property)"
            )
        else:
            first[box.model_id] = box
    arrows: list[Arrow] = []
    child_label: dict[str, str] = {}  # an arrow's text may be a child cell: the first one
    for c, text in labels.items():
        if text.strip():
            child_label.setdefault(parent[c], text)
    for i in edges:
        attrs = by_id[i][0]
        label = labels[i] or child_label.get(i, "")
        arrow = Arrow(i, label, attrs.get("source") or "", attrs.get("target") or "")
        loose = [end for end, ref in (("start", arrow.source), ("end", arrow.target)) if not ref]
        if loose:
            problems.append(
                f"{arrow.describe()} has a loose {' and '.join(loose)} (connect it to a box: "
                "drag the end onto the box until it is outlined, or delete the arrow)"
            )
            continue
        bad = [ref for ref in (arrow.source, arrow.target) if ref not in refs]
        if bad:
            what = ", ".join(describe(r) if r in by_id else f"shape {r!r}" for r in bad)
            problems.append(
                f"{arrow.describe()} ends on {what}, which is not a box of the chain "
                "(connect it to a department, partner or segment)"
            )
            continue
        service = (attrs[FROM], attrs[TO]) if attrs.get(FROM) and attrs.get(TO) else None
        arrows.append(Arrow(i, label, arrow.source, arrow.target, service))
    if problems:
        raise DrawingError(file, [f"page {page!r}: {p}" for p in problems])
    return Sketch(file=file, boxes=boxes, arrows=arrows, page=page, name=name, ignored=ignored)
