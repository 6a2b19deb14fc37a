"""draw.io markup: the templates of the cells of a draw.io file, the escapes of their texts,
and the cells every drawing starts with (the company boundary and the line of visibility).

The file is written a cell to a line, without indentation (as draw.io itself saves files), in
plain ASCII: characters beyond it are written as character references.
"""

from __future__ import annotations

import re

from .graphml import ATTR_ESCAPES
from .graphs import xml_safe

__all__ = [
    "BACKGROUND",
    "CONTAINER",
    "EDGE",
    "EDGE_CELL",
    "EDGE_END",
    "EDGE_START",
    "HEAD",
    "POINT",
    "STRAIGHT",
    "STRAIGHT_CELL",
    "STYLE",
    "TAIL",
    "VERTEX",
    "attribute",
    "attributes",
    "background",
    "drawio_text",
    "label_attribute",
    "props",
]

STYLE = {
    "department": "rounded=1;whiteSpace=wrap;fillColor=#dbe9f6;strokeColor=#4a6fa5;",
    "partner": "rounded=0;whiteSpace=wrap;fillColor=#eeeeee;strokeColor=#777777;",
    "segment": "ellipse;whiteSpace=wrap;fillColor=#fdf1d6;strokeColor=#b08d3c;",
}
CONTAINER = (
    "rounded=1;container=1;collapsible=0;recursiveResize=0;fillColor=none;verticalAlign=top;"
    "align=left;spacingLeft=8;connectable=0;"
)
#: The company boundary and the line of visibility: behind everything, locked (draw.io neither
#: selects nor moves them), not containers (so the boxes on them stay free to move).
BACKGROUND = "locked=1;fillColor=none;connectable=0;"
EDGE = "endArrow=block;endFill=1;curved=1;fontSize=9;strokeColor=#555555;"
_SPECIAL = re.compile('[&<>"\r\n\t]')
#: What :data:`ATTR_ESCAPES` does, as replacements in turn (``&`` first).
_ESCAPES = [(chr(c), e) for c, e in ATTR_ESCAPES.items()]

#: The file is written a cell to a line, without indentation (as draw.io itself saves files):
#: a big model's file is then a third smaller than an indented one.
HEAD = (
    '<mxfile host="servicechain" type="device">\n'
    '<diagram id="servicechain" name="%s">\n'
    '<mxGraphModel grid="1" gridSize="10" page="0">\n'
    "<root>\n"
    '<mxCell id="0"/>\n'
    '<mxCell id="1" parent="0"/>\n'
)
TAIL = "</root>\n</mxGraphModel>\n</diagram>\n</mxfile>\n"
#: A box: label, properties, id, style, parent, x, y, width, height.
VERTEX = (
    '<object label="%s"%s id="%s"><mxCell style="%s" vertex="1" parent="%s">'
    '<mxGeometry x="%.1f" y="%.1f" width="%.1f" height="%.1f" as="geometry"/>'
    "</mxCell></object>\n"
)
#: An arrow: label, supplier id, customer id, number, style, supplier cell number, customer
#: cell number, then (in :data:`EDGE_CELL`) its geometry.
EDGE_START = (
    '<object label="%s" sc_from="%s" sc_to="%s" id="service-%d">'
    '<mxCell style="%s" edge="1" parent="1" source="node-%d" target="node-%d">'
)
EDGE_END = "</mxCell></object>\n"
EDGE_CELL = EDGE_START + "%s" + EDGE_END
#: A straight arrow: draw.io draws it between its boxes, wherever they are moved.
STRAIGHT = '<mxGeometry relative="1" as="geometry"/>'
STRAIGHT_CELL = EDGE_START + STRAIGHT + EDGE_END
POINT = '<mxPoint x="%.1f" y="%.1f"/>'


def drawio_text(text: str) -> str:
    """A label for a draw.io ``value`` attribute (plain text, not HTML: the cells carry no
    ``html=1``, so ``<`` and ``&`` show as typed once :func:`attribute` has escaped them).

    Examples
    --------
    >>> drawio_text("R&D <lab>\\x00\\r\\n2")
    'R&D <lab>\\ufffd\\n2'
    """
    return xml_safe(text.replace("\r\n", "\n"))


def attribute(text: str) -> str:
    """``text`` escaped for an XML attribute in double quotes (as ElementTree escapes it),
    characters beyond ASCII as character references (every XML reader decodes them; the file
    is then plain ASCII, the fastest text to make and write).

    Examples
    --------
    >>> attribute('Café "R&D"\\n')
    'Caf&#233; &quot;R&amp;D&quot;&#10;'
    """
    if _SPECIAL.search(text):  # a replace per character: faster than a translate on long texts
        for char, escaped in _ESCAPES:
            text = text.replace(char, escaped)
    return text if text.isascii() else text.encode("ascii", "xmlcharrefreplace").decode("ascii")


def label_attribute(text: str) -> str:
    """A label as a cell's ``label`` attribute: :func:`drawio_text`, then :func:`attribute`.

    Examples
    --------
    >>> label_attribute("Sales\\r\\n& Marketing")
    'Sales&#10;&amp; Marketing'
    """
    return attribute(drawio_text(text))


def props(**props: str) -> str:
    """Properties of a cell's wrapper as attribute text (values given as plain text).

    Examples
    --------
    >>> props(sc_id="a&b", sc_kind="department")
    ' sc_id="a&amp;b" sc_kind="department"'
    """
    return "".join(f' {key}="{attribute(value)}"' for key, value in props.items())


def background(name: str, boundary: tuple, visibility_x: float | None) -> str:
    """The company boundary and the line of visibility (pixel boxes, y down).

    Examples
    --------
    >>> print(background("Shop", (0, 0, 100, 50), None)[:60])
    <object label="Shop" sc_role="boundary" id="company"><mxCell
    """
    out = VERTEX % (
        label_attribute(name),
        props(sc_role="boundary"),
        "company",
        BACKGROUND + "rounded=1;dashed=1;strokeColor=#888888;verticalAlign=top;align=left;"
        "spacingLeft=8;",
        "1",
        *boundary,
    )
    if visibility_x is not None:
        style = BACKGROUND + "shape=line;direction=south;dashed=1;strokeColor=#888888;"
        box = (visibility_x - 10, boundary[1], 20, boundary[3])
        out += VERTEX % (
            "line of visibility",
            props(sc_role="visibility"),
            "visibility",
            style + "verticalAlign=bottom;fontSize=9;",
            "1",
            *box,
        )
    return out


def attributes(texts: list[str], *, label: bool = False) -> list[str]:
    """:func:`label_attribute` (``label``) or :func:`attribute` of :func:`xml_safe` of each
    text, all escaped in one go: joined by tabs, which both escapes write as ``&#09;`` and no
    other text gives (an ``&`` of a text is written ``&amp;``); texts that hold a tab are
    escaped one by one.

    Examples
    --------
    >>> attributes(["R&D", "Café", "a\\x00"], label=True)
    ['R&amp;D', 'Caf&#233;', 'a&#65533;']
    """
    escape = label_attribute if label else _id_attribute
    joined = "\t".join(texts)
    if not texts or joined.count("\t") != len(texts) - 1:
        return list(map(escape, texts))
    return escape(joined).split("&#09;")


def _id_attribute(text: str) -> str:
    return attribute(xml_safe(text))
