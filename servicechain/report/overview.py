"""Report sections on the organisation: at a glance, the chain diagram, every department."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..model.network import DEPARTMENT, KIND_NAMES, SEGMENT
from .document import Bullets, Figure, Section, Table, Text
from .labels import given, score_format, service_names
from .rows import GLANCE_ROWS, LISTED_NAMES, REPORT_ROWS, more, name_list, rest_row

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = [
    "DIAGRAM",
    "assumption_texts",
    "chain_section",
    "departments_section",
    "glance_section",
]

#: Name of the chain diagram's figure; its SVG ids start with ``diagram-``.
DIAGRAM = "diagram"


def glance_section(chain: Chain) -> Section:
    """Counts, groups, segments by kind and relationship, and the assumptions made."""
    scale = chain.network.scale
    summary = chain.summary()
    blocks: list[Any] = []
    description = given(chain.records.description)
    if description:
        blocks.append(Text(description))
    c = summary.counts
    blocks.append(
        Text(
            f"{c['departments']:,} departments serve each other and {c['segments']:,} customer "
            f"segments through {c['services']:,} services, with {c['partners']:,} outside "
            "partners. "
            f"Scores are on a scale from {scale.min:g} (worst) to {scale.max:g} "
            "(best)."
        )
    )
    kinds = {k: v for k, v in summary.segments.items()}
    if kinds:
        rows = [
            [kind, rels.get("customer", 0), rels.get("client", 0), sum(rels.values())]
            for kind, rels in kinds.items()
        ]
        blocks.append(
            Table(
                ["Segment kind", "Customers (transactional)", "Clients (long-term)", "Total"],
                rows,
                caption="Segments by kind and relationship",
                sortable=False,
            )
        )
    if summary.groups:
        groups = list(summary.groups.items())
        caption = "Departments by group"
        if len(groups) > GLANCE_ROWS:  # the largest groups, then one line for the rest
            groups.sort(key=lambda item: -item[1])
            caption += f" (the {GLANCE_ROWS} largest of {len(groups):,})"
        left = groups[GLANCE_ROWS:]
        blocks.append(
            Table(
                ["Group", "Departments"],
                [[g, n] for g, n in groups[:GLANCE_ROWS]],
                caption=caption,
                sortable=False,
                rest=rest_row(2, more(len(left), "group"), c1=sum(n for _, n in left))
                if left
                else (),
            )
        )
    if summary.front_line:
        net = chain.network
        front = name_list([net.names[net.index[d]] for d in summary.front_line])
        blocks.append(Text(f"Front line (serving customers directly): {front}."))
    if summary.assumptions:
        texts = assumption_texts(chain, limit=LISTED_NAMES)
        count = len(summary.assumptions)
        blocks.append(
            Text(
                f"{count:,} score{'s' if count != 1 else ''} the model does not "
                "give, and what was assumed in their place:"
            )
        )
        blocks.append(Bullets(texts))
        if count > len(texts):
            blocks.append(
                Text(more(count - len(texts), "assumption") + " of the same kinds.", note=True)
            )
    else:
        blocks.append(Text("No assumptions: every score is given in the model."))
    return Section("glance", "At a glance", blocks)


def assumption_texts(chain: Chain, *, limit: int | None = None) -> list[str]:
    """Each assumption the flow makes, in plain words with names (never ids); the first
    ``limit`` only when given (nodes first, then services)."""
    from ..model.assumptions import assumptions_of
    from ..model.network import DEPARTMENT, PARTNER

    net = chain.network
    found = assumptions_of(net)
    top = f"{net.scale.max:g}"
    out = []
    nodes, services = found.nodes, found.services
    if limit is not None:
        nodes, services = nodes[:limit], services[: max(0, limit - len(nodes[:limit]))]
    for i in nodes.tolist():
        name = net.names[i]
        if net.kind[i] in (DEPARTMENT, PARTNER):
            out.append(f"{name} has no score of its own quality: counted as perfect ({top}).")
        else:
            out.append(
                f"{name}: satisfaction from outside the chain is not given: counted as "
                f"perfect ({top})."
            )
    names = service_names(net)
    for j in services.tolist():
        s, t = net.ids[net.source[j]], net.ids[net.target[j]]
        name = names.get((s, t), "")
        what = f"The hand-off {net.names[net.source[j]]} → {net.names[net.target[j]]}"
        what += f" ({name})" if name else ""
        out.append(f"{what} is not rated: taken as what {net.names[net.source[j]]} delivers.")
    return out


def chain_section(chain: Chain) -> tuple[Section, dict | None]:
    """The chain diagram, and the data its click-to-highlight script needs (``None`` when the
    diagram is rolled up by group or left out).

    Boxes and labels get the SVG ids ``node-<i>`` and ``label-<i>``, ``i`` being the node's
    position in ``chain.network.ids`` (ids may hold any text, positions are safe in HTML);
    arrows, in diagrams small enough to draw one artist per arrow, get ``edge-<j>``, ``j``
    being the position of the first service between that supplier and customer.
    """
    from ..draw.diagram import SLIDE_BOXES, draw_chain
    from ..draw.render import DiagramTooLargeError

    net = chain.network
    intro = (
        "Read from left to right: outside partners, then departments in columns by their "
        "distance to the customer, then the customer segments beyond the dashed line of "
        "visibility. Box colour shows delivered quality; arrow width shows how much a "
        "customer relies on the service."
    )
    interactive = True
    grouped = any(d.group for d in chain.records.departments)
    try:
        if grouped and net.n > SLIDE_BOXES:  # more boxes than a slide holds: refused at once
            raise DiagramTooLargeError("")
        drawing = draw_chain(chain, color="quality", title="")
        notes: list[Any] = []
    except DiagramTooLargeError as err:
        if not grouped:
            return Section("chain", "The chain", [Text(f"No diagram: {err}.", note=True)]), None
        try:  # a page of its own holds more boxes than a slide
            drawing = draw_chain(chain, color="quality", title="", group_by="group", force=True)
        except DiagramTooLargeError as grouped:
            note = Text(f"No diagram: {grouped}.", note=True)
            return Section("chain", "The chain", [note]), None
        interactive = False
        notes = [
            Text(
                "The model is too large to draw every department legibly; each box "
                "below is a group of departments.",
                note=True,
            )
        ]
    for node, box in drawing.boxes.items():
        if node in net.index:
            box.set_gid(f"node-{net.index[node]}")
            drawing.labels[node].set_gid(f"label-{net.index[node]}")
    first_service: dict = {}
    if interactive and drawing.arrows:  # empty above the per-arrow size limit
        ends = zip(net.source.tolist(), net.target.tolist(), strict=True)
        for j, (s, t) in enumerate(ends):
            first_service.setdefault((net.ids[s], net.ids[t]), j)
    for pair, arrow in drawing.arrows.items():
        if pair in first_service:
            arrow.set_gid(f"edge-{first_service[pair]}")
    figure = Figure(
        DIAGRAM,
        f"The service chain of {chain.name}.",
        make=lambda: drawing,
        interactive=interactive,
    )
    data = None
    if interactive:
        data = {
            "prefix": f"{DIAGRAM}-",
            "nodes": [
                {"id": ident, "name": net.names[i], "kind": KIND_NAMES[net.kind[i]]}
                for i, ident in enumerate(net.ids)
            ],
            "edges": [[int(s), int(t)] for s, t in zip(net.source, net.target, strict=True)],
        }
    return Section("chain", "The chain", [*notes, figure], intro=intro), data


def departments_section(chain: Chain, result: Any, ranking: Any = None) -> Section:
    """Every department's and partner's delivered quality next to its own inputs (in file
    order); beyond :data:`REPORT_ROWS` of them, the first of ``ranking`` (the priorities, by
    gain) and one line for the rest."""
    net = chain.network
    fmt = score_format(chain)
    departments = chain.records.departments
    units = np.flatnonzero(net.kind != SEGMENT).tolist()
    rest: list = []
    caption = (
        "Own quality is what a unit achieves with perfect inputs; delivered quality "
        "includes what it receives."
    )
    if len(units) > REPORT_ROWS and ranking is not None:
        units = [net.index[row.node] for row in ranking.departments[:REPORT_ROWS]]
        left = len(ranking.departments) - len(units)
        rest = rest_row(6, more(left, "department or partner", "departments and partners"))
        caption = (
            f"The {len(units)} departments and partners first in the priorities (by gain if "
            "perfect). " + caption
        )
    rows = []
    for i in units:
        kind = KIND_NAMES[net.kind[i]]
        own = None if math.isnan(net.own[i]) else float(net.to_scale(net.own[i]))
        rows.append(
            [
                net.names[i],
                kind,
                given(departments[i].group) if net.kind[i] == DEPARTMENT else None,
                own,
                float(net.dependence[i]) if kind == "department" else None,
                float(result.to_scale(result.quality[i])),
            ]
        )
    table = Table(
        ["Name", "Kind", "Group", "Own quality", "Dependence", "Delivered quality"],
        rows,
        formats=[None, None, None, fmt, ".0%", fmt],
        caption=caption,
        rest=rest,
    )
    return Section("departments", "Departments and partners", [table])
