"""draw.io (diagrams.net) XML: the diagram layout's boxes as vertices, services as edges bound
to their source and target (so they follow a moved box) along the diagram's routes, groups as
containers (a group whose members stand apart among other boxes as an ``sc_group`` property of
each member instead), the company boundary and the line of visibility as locked background shapes.

Every box carries its model id and kind (``sc_id``, ``sc_kind``) and every arrow the service it
stands for (``sc_from``, ``sc_to``) as properties of an ``<object>`` wrapper, which draw.io keeps
through every edit (Edit Data, Ctrl+M, shows them), so ``servicechain import FILE.drawio --into
MODEL`` can tell a moved or renamed box from a new one.

Positions are draw.io pixels, :data:`PIXELS_PER_UNIT` to a layout unit, y downwards. When the
model pins positions (its ``layout``), the page is not shifted: a pinned box is written exactly
where the model says.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from ..draw.layout import diagram_layout
from ..draw.pinned import PIXELS_PER_UNIT
from .graphs import xml_safe

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = ["PIXELS_PER_UNIT", "drawio_positions", "drawio_text", "to_drawio"]

_GROUP_PAD = 0.08

_STYLE = {
    "department": "rounded=1;whiteSpace=wrap;fillColor=#dbe9f6;strokeColor=#4a6fa5;",
    "partner": "rounded=0;whiteSpace=wrap;fillColor=#eeeeee;strokeColor=#777777;",
    "segment": "ellipse;whiteSpace=wrap;fillColor=#fdf1d6;strokeColor=#b08d3c;",
}
_CONTAINER = (
    "rounded=1;container=1;collapsible=0;recursiveResize=0;fillColor=none;verticalAlign=top;"
    "align=left;spacingLeft=8;connectable=0;"
)
#: The company boundary and the line of visibility: behind everything, locked (draw.io neither
#: selects nor moves them), not containers (so the boxes on them stay free to move).
_BACKGROUND = "locked=1;fillColor=none;connectable=0;"
_EDGE = "endArrow=block;endFill=1;curved=1;fontSize=9;strokeColor=#555555;"


def drawio_text(text: str) -> str:
    """A label for a draw.io ``value`` attribute (plain text, not HTML: the cells carry no
    ``html=1``, so ``<`` and ``&`` show as typed once the XML writer has escaped them).

    Examples
    --------
    >>> drawio_text("R&D <lab>\\x00\\r\\n2")
    'R&D <lab>\\ufffd\\n2'
    """
    return xml_safe(text.replace("\r\n", "\n"))


def _label(name: str, lines: list[str]) -> str:
    """The label of a box: its name broken where the diagram wraps it, or the whole name where
    the diagram shortens it (so the label always reads as the name)."""
    wrapped = "\n".join(lines)
    if " ".join(lines) == " ".join(name.split()) or "".join(lines) == name:
        return wrapped
    return name


def _page_transform(layout, graph) -> tuple[float, float]:
    """``(left, top)`` of the page in layout units: the drawing's top left corner, or
    ``(0, 0)`` when the model pins positions (pixels then mean the same on every export)."""
    if graph.graph.get("layout"):
        return 0.0, 0.0
    top = max([layout.boundary[3], *(layout.pos[n][1] + layout.size[n][1] / 2 for n in graph)])
    left = min([layout.boundary[0], *(layout.pos[n][0] - layout.size[n][0] / 2 for n in graph)])
    return left - 20 / PIXELS_PER_UNIT, top + 20 / PIXELS_PER_UNIT


def drawio_positions(chain: Chain) -> dict[str, tuple[float, float]]:
    """Where :func:`to_drawio` puts the centre of each box, in draw.io pixels.

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop", "departments": [{"id": "a", "name": "A"}],
    ...                          "layout": {"a": {"x": 300, "y": 120}}})
    >>> drawio_positions(chain)
    {'a': (300.0, 120.0)}
    """
    graph = chain.graph
    layout = diagram_layout(graph)
    left, top = _page_transform(layout, graph)
    s = PIXELS_PER_UNIT
    return {
        n: (round((x - left) * s, 1), round((top - y) * s, 1)) for n, (x, y) in layout.pos.items()
    }


def _geometry(cell: ET.Element, box: tuple[float, float, float, float]) -> None:
    x, y, w, h = box
    ET.SubElement(
        cell,
        "mxGeometry",
        {
            "x": f"{x:.1f}",
            "y": f"{y:.1f}",
            "width": f"{w:.1f}",
            "height": f"{h:.1f}",
            "as": "geometry",
        },
    )


def _ends(layout, source, target) -> str:
    """draw.io style fixing where an edge leaves and enters its boxes, as in the diagram."""
    route = layout.routes.get((source, target))
    if route is None:
        return ""

    def at(node, point) -> tuple[float, float]:
        (x, y), (w, h) = layout.pos[node], layout.size[node]
        return (round((point[0] - x) / w + 0.5, 3) + 0.0, round(0.5 - (point[1] - y) / h, 3) + 0.0)

    (ex, ey), (nx_, ny) = at(source, route[0]), at(target, route[-1])
    return f"exitX={ex:g};exitY={ey:g};entryX={nx_:g};entryY={ny:g};"


def _frames(groups: dict, boxes: dict, pad: float) -> dict:
    """The frame (x, y, width, height in pixels) of each group drawn as a container: a group
    whose frame round its members would hold or touch a box of another group, or cross a frame
    already drawn, gets none (its members then carry the group as a property).

    Examples
    --------
    >>> boxes = {"a": (0, 0, 10, 10), "b": (40, 0, 10, 10), "c": (20, 0, 10, 10)}
    >>> _frames({"G": ["a", "b"], "H": ["c"]}, boxes, 2)
    {'H': (18, -16, 14, 28)}
    """
    frames: dict = {}
    for group, members in groups.items():
        x0 = min(boxes[m][0] for m in members) - pad
        y0 = min(boxes[m][1] for m in members) - pad - 14
        x1 = max(boxes[m][0] + boxes[m][2] for m in members) + pad
        y1 = max(boxes[m][1] + boxes[m][3] for m in members) + pad
        others = [b for n, b in boxes.items() if n not in members]
        taken = [(x, y, w, h) for x, y, w, h in frames.values()]
        if not any(
            x < x1 and x0 < x + w and y < y1 and y0 < y + h for x, y, w, h in others + taken
        ):
            frames[group] = (x0, y0, x1 - x0, y1 - y0)
    return frames


def to_drawio(chain: Chain) -> str:
    """The chain as a draw.io file (open it in diagrams.net, or import it into Confluence).

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop", "departments": [{"id": "a", "name": "A"}]})
    >>> root = ET.fromstring(to_drawio(chain))
    >>> [(o.get("label"), o.get("sc_id")) for o in root.iter("object")]
    [('Shop', None), ('A', 'a')]
    """
    graph = chain.graph
    layout = diagram_layout(graph)
    left, top = _page_transform(layout, graph)

    def page(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """Layout box (y up) → draw.io box (y down), in pixels."""
        s = PIXELS_PER_UNIT
        return ((x0 - left) * s, (top - y1) * s, (x1 - x0) * s, (y1 - y0) * s)

    def node_box(n: str) -> tuple[float, float, float, float]:
        (x, y), (w, h) = layout.pos[n], layout.size[n]
        return page(x - w / 2, y - h / 2, x + w / 2, y + h / 2)

    mxfile = ET.Element("mxfile", {"host": "servicechain", "type": "device"})
    diagram = ET.SubElement(
        mxfile, "diagram", {"id": "servicechain", "name": drawio_text(chain.model.name)}
    )
    model = ET.SubElement(diagram, "mxGraphModel", {"grid": "1", "gridSize": "10", "page": "0"})
    root = ET.SubElement(model, "root")
    ET.SubElement(root, "mxCell", {"id": "0"})
    ET.SubElement(root, "mxCell", {"id": "1", "parent": "0"})
    origin: dict[str, tuple[float, float]] = {"1": (0.0, 0.0)}

    def vertex(ident: str, value: str, style: str, parent: str, box: tuple, **props) -> None:
        wrapper = ET.SubElement(root, "object", {"label": drawio_text(value), **props, "id": ident})
        cell = ET.SubElement(wrapper, "mxCell", {"style": style, "vertex": "1", "parent": parent})
        ox, oy = origin[parent]
        _geometry(cell, (box[0] - ox, box[1] - oy, box[2], box[3]))
        origin[ident] = (box[0], box[1])

    kinds = {n: a.get("kind", "department") for n, a in graph.nodes(data=True)}
    cell_id = {n: f"node-{i}" for i, n in enumerate(graph)}
    company = page(*layout.boundary)
    vertex(
        "company",
        chain.model.name,
        _BACKGROUND + "rounded=1;dashed=1;strokeColor=#888888;verticalAlign=top;align=left;"
        "spacingLeft=8;",
        "1",
        company,
        sc_role="boundary",
    )
    if layout.visibility_x is not None:
        x = page(layout.visibility_x, 0, layout.visibility_x, 0)[0]
        style = _BACKGROUND + "shape=line;direction=south;dashed=1;strokeColor=#888888;"
        vertex(
            "visibility",
            "line of visibility",
            style + "verticalAlign=bottom;fontSize=9;",
            "1",
            (x - 10, company[1], 20, company[3]),
            sc_role="visibility",
        )
    groups: dict[str, list[str]] = {}
    for n in graph:
        if kinds[n] == "department" and graph.nodes[n].get("group"):
            groups.setdefault(graph.nodes[n]["group"], []).append(n)
    parent_of = dict.fromkeys(graph, "1")
    frames = _frames(groups, {n: node_box(n) for n in graph}, _GROUP_PAD * PIXELS_PER_UNIT)
    group_of = {}
    for i, (group, members) in enumerate(groups.items()):
        if group not in frames:  # members apart: the group is a property of each box
            group_of.update(dict.fromkeys(members, group))
            continue
        style = _CONTAINER + "strokeColor=#bbbbbb;fontSize=10;"
        vertex(f"group-{i}", group, style, "1", frames[group], sc_role="group")
        for m in members:
            parent_of[m] = f"group-{i}"
    for n in graph:
        label = _label(graph.nodes[n].get("name", n), layout.lines[n])
        props = {"sc_id": xml_safe(str(n)), "sc_kind": kinds[n]}
        if n in group_of:
            props["sc_group"] = drawio_text(group_of[n])
        vertex(cell_id[n], label, _STYLE[kinds[n]], parent_of[n], node_box(n), **props)
    for i, (source, target, attrs) in enumerate(graph.edges(data=True)):
        width = 1 + 3 * float(attrs.get("reliance") or 0)
        wrapper = ET.SubElement(
            root,
            "object",
            {
                "label": drawio_text(attrs.get("name") or ""),
                "sc_from": xml_safe(str(source)),
                "sc_to": xml_safe(str(target)),
                "id": f"service-{i}",
            },
        )
        cell = ET.SubElement(
            wrapper,
            "mxCell",
            {
                "style": _EDGE + f"strokeWidth={width:.1f};" + _ends(layout, source, target),
                "edge": "1",
                "parent": "1",
                "source": cell_id[source],
                "target": cell_id[target],
            },
        )
        geometry = ET.SubElement(cell, "mxGeometry", {"relative": "1", "as": "geometry"})
        route = layout.routes.get((source, target))
        if route is not None:  # the diagram's route: the ends of its pieces, head excluded
            points = ET.SubElement(geometry, "Array", {"as": "points"})
            for x, y in route[3:-4:3]:
                px, py = page(x, y, x, y)[:2]
                ET.SubElement(points, "mxPoint", {"x": f"{px:.1f}", "y": f"{py:.1f}"})
    ET.indent(mxfile)
    return ET.tostring(mxfile, encoding="unicode") + "\n"
