"""Edits made on a draw.io file the way draw.io itself writes them, for the round-trip tests.

draw.io keeps a shape's id, label and properties on its ``<object>`` wrapper and its style,
parent, ends and geometry on the ``<mxCell>`` inside; a shape without properties is a bare
``<mxCell>`` with ``id`` and ``value``. New shapes drawn from its palette get ``html=1`` labels,
a new arrow's text is a child ``edgeLabel`` cell, deleting a box deletes its arrows, and a
compressed page is ``encodeURIComponent`` + raw deflate + base64 (written here independently
of the library's own encoder).
"""

from __future__ import annotations

import base64
import html
import xml.etree.ElementTree as ET
import zlib
from urllib.parse import quote

DRAWIO_HOST = {
    "host": "Electron",
    "agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "draw.io/24.7.17 Chrome/128.0.6613.36 Electron/32.0.1 Safari/537.36",
    "version": "24.7.17",
}


def parse(text: str) -> ET.Element:
    return ET.fromstring(text)


def page_root(mxfile: ET.Element) -> ET.Element:
    return mxfile.find("diagram/mxGraphModel/root")


def _find(root: ET.Element, ident: str) -> tuple[ET.Element, ET.Element]:
    """``(element in root, its mxCell)`` of the shape ``ident``."""
    for item in root:
        if item.get("id") == ident:
            cell = item.find("mxCell") if item.tag in ("object", "UserObject") else item
            return item, cell
    raise KeyError(ident)


def arrow(mxfile: ET.Element, source: str, target: str) -> str:
    """The id of the arrow drawn for the service ``source -> target`` (model ids)."""
    for item in page_root(mxfile).iter("object"):
        if (item.get("sc_from"), item.get("sc_to")) == (source, target):
            return item.get("id")
    raise KeyError((source, target))


def box(mxfile: ET.Element, node: str) -> str:
    """The id of the box drawn for the model id ``node``."""
    for item in page_root(mxfile).iter("object"):
        if item.get("sc_id") == node:
            return item.get("id")
    raise KeyError(node)


def move(mxfile: ET.Element, ident: str, dx: float, dy: float) -> None:
    geometry = _find(page_root(mxfile), ident)[1].find("mxGeometry")
    geometry.set("x", f"{float(geometry.get('x', 0)) + dx:g}")
    geometry.set("y", f"{float(geometry.get('y', 0)) + dy:g}")


def rename(mxfile: ET.Element, ident: str, label: str) -> None:
    item, cell = _find(page_root(mxfile), ident)
    if item is cell:
        cell.set("value", label)
    else:
        item.set("label", label)


def delete(mxfile: ET.Element, ident: str) -> None:
    """Delete a shape and, as draw.io does, every arrow attached to it."""
    root = page_root(mxfile)
    for item in list(root):
        cell = item.find("mxCell") if item.tag in ("object", "UserObject") else item
        if item.get("id") == ident or ident in (cell.get("source"), cell.get("target")):
            root.remove(item)


def add_box(
    mxfile: ET.Element,
    ident: str,
    label: str,
    x: float,
    y: float,
    *,
    parent: str = "1",
    style: str = "rounded=1;whiteSpace=wrap;html=1;",
) -> None:
    """A box from draw.io's palette: an HTML label (``<br>`` for a line break)."""
    value = "<br>".join(html.escape(line, quote=False) for line in label.split("\n"))
    cell = ET.SubElement(
        page_root(mxfile),
        "mxCell",
        {"id": ident, "value": value, "style": style, "vertex": "1", "parent": parent},
    )
    ET.SubElement(
        cell, "mxGeometry", {"x": f"{x:g}", "y": f"{y:g}", "width": "120", "height": "60",
                             "as": "geometry"},
    )  # fmt: skip


def add_text(mxfile: ET.Element, ident: str, text: str, x: float, y: float) -> None:
    style = (
        "text;html=1;align=center;verticalAlign=middle;resizable=0;points=[];autosize=1;"
        "strokeColor=none;fillColor=none;"
    )
    add_box(mxfile, ident, text, x, y, style=style)


def add_arrow(
    mxfile: ET.Element, ident: str, source: str | None, target: str | None, label: str = ""
) -> None:
    """An arrow drawn in draw.io: its text, if any, on a child ``edgeLabel`` cell; a loose end
    is a ``sourcePoint``/``targetPoint`` instead of a ``source``/``target``."""
    root = page_root(mxfile)
    attrs = {
        "id": ident,
        "style": "edgeStyle=orthogonalEdgeStyle;rounded=0;orthogonalLoop=1;jettySize=auto;html=1;",
        "edge": "1",
        "parent": "1",
    }
    if source:
        attrs["source"] = source
    if target:
        attrs["target"] = target
    cell = ET.SubElement(root, "mxCell", attrs)
    geometry = ET.SubElement(cell, "mxGeometry", {"relative": "1", "as": "geometry"})
    if not target:
        ET.SubElement(geometry, "mxPoint", {"x": "700", "y": "300", "as": "targetPoint"})
    if label:
        text = ET.SubElement(
            root,
            "mxCell",
            {
                "id": f"{ident}-1",
                "value": html.escape(label, quote=False),
                "style": "edgeLabel;html=1;align=center;verticalAlign=middle;resizable=0;"
                "points=[];",
                "vertex": "1",
                "connectable": "0",
                "parent": ident,
            },
        )
        g = ET.SubElement(text, "mxGeometry", {"x": "-0.1", "relative": "1", "as": "geometry"})
        ET.SubElement(g, "mxPoint", {"as": "offset"})


def reattach(mxfile: ET.Element, ident: str, *, source: str | None = None, target=None) -> None:
    cell = _find(page_root(mxfile), ident)[1]
    if source:
        cell.set("source", source)
    if target:
        cell.set("target", target)


def saved(mxfile: ET.Element, *, compressed: bool = False) -> str:
    """The file as draw.io saves it: its own header, pages as XML or compressed."""
    out = ET.Element("mxfile", DRAWIO_HOST)
    for diagram in mxfile.findall("diagram"):
        page = ET.SubElement(out, "diagram", {"id": diagram.get("id"), "name": diagram.get("name")})
        model = diagram.find("mxGraphModel")
        if compressed:
            xml = ET.tostring(model, encoding="unicode")
            deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
            raw = deflate.compress(quote(xml, safe="-_.!~*'()").encode()) + deflate.flush()
            page.text = base64.b64encode(raw).decode("ascii")
        else:
            page.append(model)
    ET.indent(out)
    return ET.tostring(out, encoding="unicode") + "\n"
