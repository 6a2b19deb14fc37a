"""Gather the report from the library: each function turns one analysis into a section.

Only plain data and lazily drawn charts come out of here; no format is known (see
:mod:`~servicechain.report.document`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..graph import KIND_NAMES
from .document import Bullets, Document, Figure, Section, Table, Text

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = [
    "DIAGRAM",
    "build_document",
    "chain_section",
    "departments_section",
    "disconnected_section",
    "glance_section",
    "structure_section",
]

#: Name of the chain diagram's figure; its SVG ids start with ``diagram-``.
DIAGRAM = "diagram"


def _score_format(chain: Chain) -> str:
    span = chain.model.scale.max - chain.model.scale.min
    return ".2f" if span <= 10 else ".1f"


def _label(names: dict[str, str], ident: str) -> str:
    name = names.get(ident, ident)
    return ident if name == ident else f"{name} ({ident})"


def glance_section(chain: Chain) -> Section:
    """Counts, groups, segments by kind and relationship, and the assumptions made."""
    model = chain.model
    summary = chain.summary()
    blocks: list[Any] = []
    if model.description:
        blocks.append(Text(model.description))
    c = summary.counts
    blocks.append(
        Text(
            f"{c['departments']} departments serve each other and {c['segments']} customer "
            f"segments through {c['services']} services, with {c['partners']} outside partners. "
            f"Scores are on a scale from {model.scale.min:g} (worst) to {model.scale.max:g} "
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
        blocks.append(
            Table(
                ["Group", "Departments"],
                [[g, n] for g, n in summary.groups.items()],
                caption="Departments by group",
                sortable=False,
            )
        )
    names = {d.id: d.name for d in model.departments}
    if summary.front_line:
        front = ", ".join(_label(names, d) for d in summary.front_line)
        blocks.append(Text(f"Front line (serving customers directly): {front}."))
    if summary.assumptions:
        blocks.append(Text("Assumptions made for scores the model does not give:"))
        blocks.append(Bullets([str(a) for a in summary.assumptions]))
    else:
        blocks.append(Text("No assumptions: every score is given in the model."))
    return Section("glance", "At a glance", blocks)


def chain_section(chain: Chain) -> tuple[Section, dict | None]:
    """The chain diagram, and the data its click-to-highlight script needs (``None`` when the
    diagram is rolled up by group or left out).

    Boxes and labels get the SVG ids ``node-<i>`` and ``label-<i>``, ``i`` being the node's
    position in ``chain.network.ids`` (ids may hold any text, positions are safe in HTML).
    """
    from ..draw.diagram import draw_chain
    from ..draw.render import DiagramTooLargeError

    net = chain.network
    intro = (
        "Read from left to right: outside partners, then departments in columns by their "
        "distance to the customer, then the customer segments beyond the dashed line of "
        "visibility. Box colour shows delivered quality; arrow width shows how much a "
        "customer relies on the service."
    )
    interactive = True
    try:
        drawing = draw_chain(chain, color="quality", title="")
        notes: list[Any] = []
    except DiagramTooLargeError as err:
        groups = {d.group for d in chain.model.departments if d.group}
        if not groups:
            return Section("chain", "The chain", [Text(f"No diagram: {err}.", note=True)]), None
        drawing = draw_chain(chain, color="quality", title="", group_by="group")
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
    figure = Figure(
        DIAGRAM,
        f"The service chain of {chain.name}.",
        make=lambda: drawing.figure,
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


def departments_section(chain: Chain, result: Any) -> Section:
    """Every department's and partner's delivered quality next to its own inputs."""
    net = chain.network
    fmt = _score_format(chain)
    groups = {d.id: d.group for d in chain.model.departments}
    rows = []
    for i, ident in enumerate(net.ids):
        kind = KIND_NAMES[net.kind[i]]
        if kind == "segment":
            continue
        own = None if math.isnan(net.own[i]) else float(net.to_scale(net.own[i]))
        rows.append(
            [
                net.names[i],
                ident,
                kind,
                groups.get(ident),
                own,
                float(net.dependence[i]) if kind == "department" else None,
                float(result.to_scale(result.quality[i])),
            ]
        )
    table = Table(
        ["Name", "Id", "Kind", "Group", "Own quality", "Dependence", "Delivered quality"],
        rows,
        formats=[None, None, None, None, fmt, ".0%", fmt],
        caption="Own quality is what a unit achieves with perfect inputs; delivered quality "
        "includes what it receives. Click a column heading to sort.",
    )
    return Section("departments", "Departments and partners", [table])


def structure_section(chain: Chain, analysis: Any) -> Section:
    """Gateways, mutual dependencies and single front lines."""
    names = analysis.names
    blocks: list[Any] = [
        Text(
            "A gateway is a department through which every path of some other departments to "
            "a segment passes: if it falters, all of them lose their way to that segment."
        )
    ]
    rows = [
        [
            _label(names, g.segment),
            _label(names, gw.id),
            len(gw.gates),
            ", ".join(_label(names, x) for x in gw.gates),
        ]
        for g in analysis.gateways
        for gw in g.gateways
    ]
    if rows:
        blocks.append(
            Table(["Segment", "Gateway", "Gated", "Departments and partners gated"], rows)
        )
    else:
        blocks.append(
            Text("No gateways: every department reaches each segment by more than one route.")
        )
    blocks.extend(Text(note, note=True) for note in analysis.notes)
    sub: list[Any] = []
    if analysis.clusters:
        for c in analysis.clusters:
            members = ", ".join(_label(names, m) for m in c.members)
            sub.append(Text(f"{len(c.members)} departments depend on each other: {members}."))
            loops = [" → ".join(names.get(n, n) for n in [*cycle, cycle[0]]) for cycle in c.cycles]
            if loops:
                sub.append(Bullets(loops))
    else:
        sub.append(Text("None: no departments serve each other in a loop."))
    blocks.append(Section("mutual", "Mutual dependencies", sub))
    if analysis.single_front_line:
        rows = [[_label(names, s), _label(names, d)] for s, d in analysis.single_front_line.items()]
        blocks.append(
            Section(
                "single-front-line",
                "Segments served by a single front-line department",
                [Table(["Segment", "Only front-line department"], rows)],
            )
        )
    return Section("structure", "Gateways and mutual dependencies", blocks)


def disconnected_section(chain: Chain, analysis: Any) -> Section:
    """Departments whose work reaches no segment."""
    names, kinds = analysis.names, analysis.kinds
    if not analysis.disconnected:
        return Section(
            "disconnected",
            "Disconnected work",
            [Text("None: the work of every department reaches at least one segment.")],
        )
    rows = [[names.get(n, n), n, kinds.get(n, "")] for n in analysis.disconnected]
    return Section(
        "disconnected",
        "Disconnected work",
        [
            Text(
                "The services of these units reach no customer segment. Either the model "
                "misses a hand-off, or the work is worth a second look."
            ),
            Table(["Name", "Id", "Kind"], rows),
        ],
    )


def _facts(chain: Chain, result: Any) -> list[tuple[str, str]]:
    c = chain.summary().counts
    facts = [(k.capitalize(), f"{v:,}") for k, v in c.items()]
    if not math.isnan(result.company):
        facts.append(
            ("Customer quality", f"{result.to_scale(result.company):{_score_format(chain)}}")
        )
    return facts


def build_document(
    chain: Chain,
    *,
    scenarios: Sequence[Any] | None = None,
    source: str = "",
    today: date | None = None,
) -> Document:
    """The whole report of ``chain`` (and of its what-if ``scenarios``) as a document."""
    from ..flow import score
    from ..structure import analyze

    result = score(chain)
    analysis = analyze(chain)
    diagram, chain_data = chain_section(chain)
    sections = [
        glance_section(chain),
        diagram,
        structure_section(chain, analysis),
        disconnected_section(chain, analysis),
        departments_section(chain, result),
    ]
    when = (today or date.today()).isoformat()
    footer = f"Made with servicechain {__version__}" + (f" from {source}" if source else "")
    return Document(
        title=chain.name,
        subtitle=f"Internal service chain report · {when}",
        sections=sections,
        facts=_facts(chain, result),
        data={"footer": footer + ".", "chain": chain_data},
    )
