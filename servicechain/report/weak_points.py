"""Report sections on structural weak points: gateways, loops, work reaching no customer."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .document import Bullets, Section, Table, Text
from .labels import label, score_format

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = ["disconnected_section", "structure_section"]


def structure_section(chain: Chain, analysis: Any, ranking: Any = None) -> Section:
    """Gateways (those of more than one department or partner, by the exact loss if they
    failed; the rest in one line), mutual dependencies and single front lines.

    ``ranking`` is the company-level :func:`~servicechain.flow.rank` with exact failures
    (gateways are then sorted by it); without it they keep the analysis's order.
    """
    names = analysis.names
    fmt = score_format(chain)
    span = chain.model.scale.max - chain.model.scale.min
    failure = {}
    if ranking is not None:
        failure = {
            r.node: r.failure * span for r in ranking.departments if not math.isnan(r.failure)
        }
    blocks: list[Any] = [
        Text(
            "A gateway is a department through which every path of some other departments to "
            "a segment passes: if it falters, all of them lose their way to that segment."
        )
    ]
    rows, trivial = [], []
    for g in analysis.gateways:
        for gw in g.gateways:
            if len(gw.gates) > 1:
                rows.append(
                    [
                        label(names, gw.id),
                        label(names, g.segment),
                        len(gw.gates),
                        ", ".join(label(names, x) for x in gw.gates),
                        failure.get(gw.id),
                    ]
                )
            else:
                trivial.append(gw)
    rows.sort(key=lambda r: (-(r[4] if r[4] is not None else -1.0), r[0], r[1]))
    if rows:
        blocks.append(
            Table(
                ["Gateway", "Segment", "Gated", "Departments and partners gated", "If it failed"],
                rows,
                formats=[None, None, None, None, fmt],
                caption="Gateways of more than one department or partner, by the points the "
                "customers (value-weighted) would lose if the gateway failed (exact).",
            )
        )
    if trivial:
        pairs = len(trivial)
        units = len({gw.id for gw in trivial})
        blocks.append(
            Text(
                f"{units} more department{'s' if units != 1 else ''} "
                f"{'are gateways' if units != 1 else 'is a gateway'} of a single department "
                f"or partner each ({pairs} pair{'s' if pairs != 1 else ''} of gateway and "
                "segment): each is the only customer of the unit it gates.",
                note=True,
            )
        )
    if not rows and not trivial:
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
    rows = [[names.get(n, n), kinds.get(n, "")] for n in analysis.disconnected]
    return Section(
        "disconnected",
        "Disconnected work",
        [
            Text(
                "The services of these units reach no customer segment. Either the model "
                "misses a hand-off, or the work is worth a second look."
            ),
            Table(["Name", "Kind"], rows),
        ],
    )
