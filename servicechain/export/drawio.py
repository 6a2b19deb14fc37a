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

from collections.abc import Iterator
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from ..draw.bulk import BULK_FROM, bulk_placement
from ..draw.pinned import PIXELS_PER_UNIT
from .blocks import distinct_codes, float_codes, rows_text
from .drawio_cells import (
    CONTAINER,
    EDGE,
    EDGE_CELL,
    EDGE_END,
    HEAD,
    POINT,
    STRAIGHT,
    STYLE,
    TAIL,
    VERTEX,
    attribute,
    attributes,
    background,
    drawio_text,
    label_attribute,
    props,
)
from .graphs import xml_safe

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = ["PIXELS_PER_UNIT", "drawio_chunks", "drawio_positions", "drawio_text", "to_drawio"]

_GROUP_PAD = 0.08

#: Boxes or arrows written at a time (a block's text about 1.5 MB: made in memory already in
#: use, where larger blocks each took fresh pages).
_BLOCK = 4_096


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
    if chain.network.n >= BULK_FROM:
        place = bulk_placement(chain)
        xs, ys = place.x.round(1).tolist(), place.y.round(1).tolist()
        return dict(zip(chain.network.ids, zip(xs, ys, strict=True), strict=True))
    from ..draw.layout import diagram_layout

    graph = chain.graph
    layout = diagram_layout(graph)
    left, top = _page_transform(layout, graph)
    s = PIXELS_PER_UNIT
    return {
        n: (round((x - left) * s, 1), round((top - y) * s, 1)) for n, (x, y) in layout.pos.items()
    }


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

    Models of :data:`~servicechain.draw.bulk.BULK_FROM` boxes or more are placed by
    :func:`~servicechain.draw.bulk.bulk_placement` (columns wrapped to a slide's shape,
    straight arrows), the others by the diagram's layered layout.

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop", "departments": [{"id": "a", "name": "A"}]})
    >>> root = ET.fromstring(to_drawio(chain))
    >>> [(o.get("label"), o.get("sc_id")) for o in root.iter("object")]
    [('Shop', None), ('A', 'a')]
    """
    return "".join(drawio_chunks(chain))


def drawio_chunks(chain: Chain) -> Iterator[str]:
    """The text of :func:`to_drawio` in pieces, to be written one after the other (a big
    model's file is never held whole)."""
    if chain.network.n >= BULK_FROM:
        yield from _bulk_chunks(chain)
    else:
        yield _layered_text(chain)


def _layered_text(chain: Chain) -> str:
    """The draw.io file of a model placed by the diagram's layered layout: groups in frames
    where they stand together, arrows along the diagram's routes."""
    from ..draw.layout import diagram_layout

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

    visibility = None
    if layout.visibility_x is not None:
        visibility = page(layout.visibility_x, 0, layout.visibility_x, 0)[0]
    out = [
        HEAD % label_attribute(chain.model.name),
        background(chain.model.name, page(*layout.boundary), visibility),
    ]
    kinds = {n: a.get("kind", "department") for n, a in graph.nodes(data=True)}
    number = {n: i for i, n in enumerate(graph)}
    groups: dict[str, list[str]] = {}
    for n in graph:
        if kinds[n] == "department" and graph.nodes[n].get("group"):
            groups.setdefault(graph.nodes[n]["group"], []).append(n)
    parent_of = dict.fromkeys(graph, "1")
    origin: dict[str, tuple[float, float]] = {"1": (0.0, 0.0)}
    frames = _frames(groups, {n: node_box(n) for n in graph}, _GROUP_PAD * PIXELS_PER_UNIT)
    group_of = {}
    for i, (group, members) in enumerate(groups.items()):
        if group not in frames:  # members apart: the group is a property of each box
            group_of.update(dict.fromkeys(members, group))
            continue
        style = CONTAINER + "strokeColor=#bbbbbb;fontSize=10;"
        group_props = props(sc_role="group")
        out.append(
            VERTEX % (label_attribute(group), group_props, f"group-{i}", style, "1", *frames[group])
        )
        origin[f"group-{i}"] = frames[group][:2]
        for m in members:
            parent_of[m] = f"group-{i}"
    for n in graph:
        label = _label(graph.nodes[n].get("name", n), layout.lines[n])
        given = {"sc_id": xml_safe(str(n)), "sc_kind": kinds[n]}
        if n in group_of:
            given["sc_group"] = drawio_text(group_of[n])
        x, y, w, h = node_box(n)
        ox, oy = origin[parent_of[n]]
        cell = (f"node-{number[n]}", STYLE[kinds[n]], parent_of[n], x - ox, y - oy, w, h)
        out.append(VERTEX % (label_attribute(label), props(**given), *cell))
    for i, (source, target, attrs) in enumerate(graph.edges(data=True)):
        width = 1 + 3 * float(attrs.get("reliance") or 0)
        style = EDGE + f"strokeWidth={width:.1f};" + _ends(layout, source, target)
        route = layout.routes.get((source, target))
        geometry = STRAIGHT
        if route is not None:  # the diagram's route: the ends of its pieces, head excluded
            points = "".join(POINT % page(x, y, x, y)[:2] for x, y in route[3:-4:3])
            points = f'<Array as="points">{points}</Array>' if points else '<Array as="points"/>'
            geometry = f'<mxGeometry relative="1" as="geometry">{points}</mxGeometry>'
        ends = (attribute(xml_safe(str(source))), attribute(xml_safe(str(target))))
        label = label_attribute(attrs.get("name") or "")
        cells = (number[source], number[target])
        out.append(EDGE_CELL % (label, *ends, i, style, *cells, geometry))
    out.append(TAIL)
    return "".join(out)


def _float_texts(values: np.ndarray, template: str) -> tuple[list[str], np.ndarray]:
    """``template`` filled with each distinct value of ``values`` (formatted once), and the
    number of each value's text."""
    unique, codes = float_codes(values)
    return list(map(template.__mod__, unique.tolist())), codes


def _box_rows(chain: Chain, place) -> Iterator[str]:
    """The boxes of a big model, a block at a time: a row's pieces are its label, id and
    kind (a piece of each node), its group's property, its number, and its geometry (a text
    for each distinct coordinate)."""
    net = chain.network
    groups = list(map(attrgetter("group"), chain.records.departments))
    groups += [None] * (net.n - len(groups))
    group_names, group_codes = distinct_codes(groups)
    extra = [
        f' sc_group="{label_attribute(g)}"' if isinstance(g, str) and g else "" for g in group_names
    ]
    kinds = np.asarray(net.kind)
    kind_props = np.array(
        [f'" sc_kind="{k}"' for k in ("department", "partner", "segment")], dtype=object
    )
    styles = np.array(
        [
            f'"><mxCell style="{STYLE[k]}" vertex="1" parent="1"><mxGeometry x="'
            for k in ("department", "partner", "segment")
        ],
        dtype=object,
    )
    labels = np.empty(net.n, dtype=object)
    labels[:] = [f'<object label="{t}" sc_id="' for t in attributes(net.names, label=True)]
    ids = np.empty(net.n, dtype=object)
    ids[:] = attributes(net.ids)
    extra = np.array(extra, dtype=object)
    geometry = []
    for values, template in (
        (place.x - place.width / 2, '%.1f" y="'),
        (place.y - place.height / 2, '%.1f" width="'),
        (place.width, '%.1f" height="'),
        (place.height, '%.1f" as="geometry"/></mxCell></object>\n'),
    ):
        texts, codes = _float_texts(values, template)
        geometry.append((np.array(texts, dtype=object), codes))
    for start in range(0, net.n, _BLOCK):
        rows = slice(start, min(start + _BLOCK, net.n))
        pieces = [
            labels[rows],
            ids[rows],
            kind_props[kinds[rows]],
            extra[group_codes[rows]],
            ' id="node-',
            list(map(str, range(rows.start, rows.stop))),
            styles[kinds[rows]],
            *(texts[codes[rows]] for texts, codes in geometry),
        ]
        yield rows_text(pieces, rows.stop - rows.start)


def _arrow_rows(chain: Chain) -> Iterator[str]:
    """The arrows of a big model, a block at a time: a row's pieces are its label (a text
    for each distinct name), its ends (a piece of each node for each end), its number and its
    style (a text for each distinct width, as the layered file writes it)."""
    net = chain.network
    names, name_codes = distinct_codes(net.service_names or [""] * net.m)
    labels = np.array(
        [f'<object label="{t}" sc_from="' for t in attributes(names, label=True)], dtype=object
    )
    unique, inverse = np.unique(1 + 3 * np.asarray(net.reliance, dtype=float), return_inverse=True)
    styles = np.array(
        [
            f'"><mxCell style="{EDGE}strokeWidth={w:.1f};" edge="1" parent="1" source="node-'
            for w in unique.tolist()
        ],
        dtype=object,
    )
    inverse = inverse.reshape(-1)
    ids = attributes(net.ids)
    suppliers = np.empty(net.n, dtype=object)
    suppliers[:] = [f'{i}" sc_to="' for i in ids]
    customers = np.empty(net.n, dtype=object)
    customers[:] = [f'{i}" id="service-' for i in ids]
    from_cells = np.empty(net.n, dtype=object)
    from_cells[:] = [f'{i}" target="node-' for i in range(net.n)]
    to_cells = np.empty(net.n, dtype=object)
    to_cells[:] = [f'{i}">{STRAIGHT}{EDGE_END}' for i in range(net.n)]
    src, dst = np.asarray(net.source), np.asarray(net.target)
    for start in range(0, net.m, _BLOCK):
        rows = slice(start, min(start + _BLOCK, net.m))
        pieces = [
            labels[name_codes[rows]],
            suppliers[src[rows]],
            customers[dst[rows]],
            list(map(str, range(rows.start, rows.stop))),
            styles[inverse[rows]],
            from_cells[src[rows]],
            to_cells[dst[rows]],
        ]
        yield rows_text(pieces, rows.stop - rows.start)


def _bulk_chunks(chain: Chain) -> Iterator[str]:
    """The draw.io file of a big model placed by :func:`~servicechain.draw.bulk.bulk_placement`,
    a block of rows at a time: groups as a property of each member, straight arrows."""
    place = bulk_placement(chain)
    yield HEAD % label_attribute(chain.name)
    yield background(chain.name, place.boundary, place.visibility_x)
    yield from _box_rows(chain, place)
    yield from _arrow_rows(chain)
    yield TAIL
