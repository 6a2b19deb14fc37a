"""Report sections on structural weak points: gateways, loops, work reaching no customer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .document import Bullets, Section, Table, Text
from .labels import label

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = ["disconnected_section", "structure_section"]


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
            label(names, g.segment),
            label(names, gw.id),
            len(gw.gates),
            ", ".join(label(names, x) for x in gw.gates),
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
            members = ", ".join(label(names, m) for m in c.members)
            sub.append(Text(f"{len(c.members)} departments depend on each other: {members}."))
            loops = [" → ".join(names.get(n, n) for n in [*cycle, cycle[0]]) for cycle in c.cycles]
            if loops:
                sub.append(Bullets(loops))
    else:
        sub.append(Text("None: no departments serve each other in a loop."))
    blocks.append(Section("mutual", "Mutual dependencies", sub))
    if analysis.single_front_line:
        rows = [[label(names, s), label(names, d)] for s, d in analysis.single_front_line.items()]
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
