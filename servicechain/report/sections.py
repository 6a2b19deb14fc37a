"""Gather the report from the library: each function turns one analysis into a section.

Only plain data and lazily drawn charts come out of here; no format is known (see
:mod:`~servicechain.report.document`).
"""

from __future__ import annotations

import math
import os
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
    "priorities_section",
    "scenarios_section",
    "segments_section",
    "structure_section",
]

#: Name of the chain diagram's figure; its SVG ids start with ``diagram-``.
DIAGRAM = "diagram"
#: Gap terms listed per segment, and services listed among the priorities.
TOP_TERMS = 8
TOP_SERVICES = 15


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


def _node_name(net: Any, node: Any) -> str:
    """Display name of a node id or of a ``(supplier, customer)`` service."""
    if isinstance(node, tuple | list):
        a, b = node
        return f"{net.names[net.index[a]]} → {net.names[net.index[b]]}"
    return net.names[net.index[node]]


def _service_names(net: Any) -> dict[tuple[str, str], str]:
    names = net.service_names or [""] * net.m
    return {
        (net.ids[s], net.ids[t]): names[k]
        for k, (s, t) in enumerate(zip(net.source, net.target, strict=True))
    }


def _chart(chain: Chain, kind: str, **options: Any) -> Any:
    """A maker of one chart of :func:`servicechain.draw.charts.plot`, called when needed."""

    def make() -> Any:
        from ..draw.charts import plot

        return plot(chain, kind, **options)

    return make


def segments_section(chain: Chain, result: Any, *, top: int = TOP_TERMS) -> Section:
    """Each segment's predicted satisfaction and where its gap to a perfect score comes from."""
    from ..flow import explain

    net = chain.network
    fmt = _score_format(chain)
    hi = chain.model.scale.max
    records = {s.id: s for s in chain.model.segments}
    if not records:
        return Section("segments", "Customer segments", [Text("The model has no segments.")])
    rows = []
    for ident, seg in records.items():
        q = float(result.to_scale(result.quality[net.index[ident]]))
        rows.append([seg.name, seg.kind, seg.relationship, seg.customers, seg.revenue, q, hi - q])
    blocks: list[Any] = [
        Text(
            "Predicted satisfaction of each segment, from the quality that reaches it through "
            "the chain. The gap is the distance to a perfect score."
        ),
        Table(
            ["Segment", "Kind", "Relationship", "Customers", "Revenue", "Satisfaction", "Gap"],
            rows,
            formats=[None, None, None, ",d", ",.0f", fmt, fmt],
        ),
    ]
    services = _service_names(net)
    span = chain.model.scale.max - chain.model.scale.min
    for ident, seg in records.items():
        breakdown = explain(chain, ident)
        shown = breakdown.terms[:top]
        term_rows = []
        for term in shown:
            if term.kind == "own":
                where, what = _node_name(net, term.node), "own shortfall"
            else:
                where = _node_name(net, term.node)
                name = services.get(tuple(term.node), "")
                where += f" ({name})" if name else ""
                what = "hand-off loss" if term.value >= 0 else "hand-off recovery"
            term_rows.append([where, what, term.value * span, term.share_of_gap])
        sub: list[Any] = [
            Text(
                f"Satisfaction {lo_hi(chain, breakdown.quality, fmt)}; gap to a perfect "
                f"{hi:g}: {breakdown.gap * span:{fmt}} points. Own shortfalls are what a unit "
                "misses with perfect inputs; hand-off losses are what is lost between a "
                "supplier and its customer."
            ),
        ]
        sub.append(
            Figure(
                f"waterfall-{net.index[ident]}",
                f"How the gap of {seg.name} builds up, term by term.",
                make=_chart(chain, "waterfall", segment=ident),
            )
        )
        if term_rows:
            sub.append(
                Table(
                    ["Where", "What", "Points of the gap", "Share of the gap"],
                    term_rows,
                    formats=[None, None, fmt, ".1%"],
                )
            )
        hidden = breakdown.terms[top:]
        if hidden:
            rest = sum(t.value for t in hidden) * span
            sub.append(Text(f"{len(hidden)} smaller terms add {rest:+{fmt}} points.", note=True))
        blocks.append(Section(f"segment-{_anchor(ident)}", f"{seg.name}", sub))
    return Section("segments", "Customer segments", blocks)


def lo_hi(chain: Chain, quality: float, fmt: str) -> str:
    """A 0..1 quality on the model's scale, with the scale: ``4.06 on 1..5``."""
    lo, hi = chain.model.scale.min, chain.model.scale.max
    return f"{lo + quality * (hi - lo):{fmt}} on {lo:g}..{hi:g}"


def _anchor(ident: str) -> str:
    """An ASCII-safe anchor for an id (ids may hold any text)."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in ident)
    return f"{safe}-{sum(map(ord, ident)) % 9973}" if safe != ident else safe


def priorities_section(chain: Chain, *, top: int = TOP_SERVICES) -> Section:
    """Departments and services by opportunity, with importance, quadrant and failure impact."""
    from ..flow import rank

    net = chain.network
    fmt = _score_format(chain)
    span = chain.model.scale.max - chain.model.scale.min
    ranking = rank(chain)
    services = _service_names(net)

    def rows(items: list, *, service: bool) -> list[list]:
        out = []
        for n, row in enumerate(items, 1):
            name = _node_name(net, row.node)
            if service and services.get(tuple(row.node)):
                name += f" ({services[tuple(row.node)]})"
            out.append(
                [
                    n,
                    name,
                    row.importance,
                    chain.model.scale.min + row.performance * span,
                    row.opportunity * span,
                    row.failure * span,
                    row.quadrant,
                ]
            )
        return out

    columns = ["Rank", "", "Importance", "Score", "Opportunity", "If it failed", "Quadrant"]
    formats = [None, None, ".3f", fmt, fmt, fmt, None]
    blocks: list[Any] = [
        Text(
            "What to fix first. Importance is how much the customers' value-weighted "
            "satisfaction gains per unit of a department's own quality or a service's rating; "
            "opportunity is the gain (in points) if it were perfect; 'if it failed' is the "
            "drop if it delivered nothing. Quadrants split importance and score at their means."
        ),
        Table(
            ["Rank", "Department", *columns[2:]],
            rows(ranking.departments, service=False),
            formats=formats,
            caption="Departments, by opportunity",
        ),
    ]
    blocks.append(
        Figure(
            "ipa",
            "Importance against performance of each department; the lines split both at "
            "their means.",
            make=_chart(chain, "ipa"),
        )
    )
    shown = ranking.services[:top]
    caption = "Services, by opportunity"
    if len(ranking.services) > top:
        caption += f" (the first {top} of {len(ranking.services)})"
    blocks.append(
        Table(
            ["Rank", "Service", *columns[2:]],
            rows(shown, service=True),
            formats=formats,
            caption=caption,
        )
    )
    return Section("priorities", "Priorities", blocks)


def scenarios_section(chain: Chain, scenarios: Any) -> Section:
    """What-if scenarios side by side: each segment and the company before and after."""
    from ..flow import compare, read_scenarios

    if isinstance(scenarios, str | os.PathLike):
        scenarios = read_scenarios(scenarios)
    comparison = compare(chain, dict(scenarios))
    impacts = list(comparison.impacts.values())
    fmt = _score_format(chain)
    blocks: list[Any] = []
    if not impacts:
        return Section("scenarios", "What-if scenarios", [Text("The scenario file is empty.")])
    items = []
    for imp in impacts:
        description = str(scenarios[imp.name].get("description") or "")
        changes = "; ".join(imp.changes) or "no change"
        items.append(
            f"{imp.name}: {description} ({changes})" if description else f"{imp.name}: {changes}"
        )
    blocks.append(Bullets(items))
    first = impacts[0]
    lo, hi = first.scale
    span = hi - lo
    columns = ["Segment", "Now"]
    for imp in impacts:
        columns += [imp.name, "change"]
    rows = []
    for i in first.segments():
        row: list = [first.names[i], lo + first.before[i] * span]
        for imp in impacts:
            row += [lo + imp.after[i] * span, imp.change[i] * span]
        rows.append(row)
    if not math.isnan(first.company_before):
        row = ["Company (value-weighted)", lo + first.company_before * span]
        for imp in impacts:
            row += [lo + imp.company_after * span, imp.company_change * span]
        rows.append(row)
    blocks.append(
        Figure(
            "whatif",
            "Satisfaction of each segment now and in each scenario.",
            make=_chart(chain, "whatif", scenario=dict(scenarios)),
        )
    )
    formats = [None, fmt] + [fmt, "+" + fmt] * len(impacts)
    blocks.append(
        Table(
            columns,
            rows,
            formats=formats,
            sortable=False,
            caption="Satisfaction now and in each scenario",
        )
    )
    if any(not math.isnan(imp.revenue_total) for imp in impacts):
        blocks.append(
            Table(
                ["Scenario", "Revenue change"],
                [
                    [imp.name, None if math.isnan(imp.revenue_total) else imp.revenue_total]
                    for imp in impacts
                ],
                formats=[None, "+,.0f"],
                caption="Yearly revenue change of the segments with a revenue elasticity",
            )
        )
    return Section("scenarios", "What-if scenarios", blocks)


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
    sections = [glance_section(chain), diagram]
    if chain.model.segments:
        sections += [segments_section(chain, result), priorities_section(chain)]
    if scenarios is not None:
        sections.append(scenarios_section(chain, scenarios))
    sections += [
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
