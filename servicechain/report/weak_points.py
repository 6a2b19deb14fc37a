"""Report sections on structural weak points: gateways, loops, work reaching no customer."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .document import Section, Table, Text
from .labels import label, score_format
from .rows import REPORT_ROWS, more, name_list, rest_row

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = [
    "LOOP_SHOWN",
    "TOP_LOOPS",
    "disconnected_section",
    "gateway_failures",
    "loops_section",
    "structure_section",
]

#: A loop is listed when it passes back at least this share of a change per trip round it.
LOOP_SHOWN = 0.01
#: At most this many loops are listed; the rest are counted in one line.
TOP_LOOPS = 10


def gateway_failures(chain: Chain, ranking: Any, analysis: Any) -> dict[str, float]:
    """The exact drop (0..1, value-weighted) if each gateway of more than one department or
    partner failed: from ``ranking`` where its row is exact, else a what-if of its failure
    (for at most :data:`REPORT_ROWS` gateways, those gating the most; the others are left
    out)."""
    from ..flow import impact

    wanted: dict[str, int] = {}
    for g in analysis.gateways:
        for gw in g.gateways:
            if len(gw.gates) > 1:
                wanted[gw.id] = max(wanted.get(gw.id, 0), len(gw.gates))
    if not wanted or ranking is None:
        return {}
    net = chain.network
    out = {}
    columns = (ranking.columns or {}).get("departments")
    if columns is not None:
        known = dict(zip(columns.ends.second.tolist(), columns.failure.tolist(), strict=True))
        for ident in wanted:
            value = known.get(net.index[ident], math.nan)
            if not math.isnan(value):
                out[ident] = value
    else:
        rows = {r.node: r.failure for r in ranking.departments if r.node in wanted}
        out = {k: v for k, v in rows.items() if not math.isnan(v)}
    missing = sorted((d for d in wanted if d not in out), key=lambda d: (-wanted[d], d))
    for ident in missing[:REPORT_ROWS]:
        out[ident] = -impact(chain, fail=[ident]).company_change
    return out


def structure_section(
    chain: Chain, analysis: Any, ranking: Any = None, failures: dict[str, float] | None = None
) -> Section:
    """Gateways (those of more than one department or partner, by the exact loss if they
    failed; the first :data:`REPORT_ROWS` and the rest in one line), mutual dependencies and
    single front lines.

    ``ranking`` is the company-level :func:`~servicechain.flow.rank` with exact failures
    (gateways are then sorted by it); without it they keep the analysis's order.
    ``failures`` are :func:`gateway_failures` (made here from ``ranking`` when not given).
    """
    names = analysis.names
    fmt = score_format(chain)
    span = chain.network.scale.max - chain.network.scale.min
    if failures is None:
        failures = gateway_failures(chain, ranking, analysis)
    failure = {k: v * span for k, v in failures.items()}
    blocks: list[Any] = [
        Text(
            "A gateway is a department through which every path of some other departments to "
            "a segment passes: if it falters, all of them lose their way to that segment."
        )
    ]
    # one row per gateway and the units it gates, naming every segment it gates them from
    merged: dict[tuple, list[str]] = {}
    trivial = []
    for g in analysis.gateways:
        for gw in g.gateways:
            if len(gw.gates) > 1:
                merged.setdefault((gw.id, tuple(gw.gates)), []).append(g.segment)
            else:
                trivial.append(gw)
    rows = [
        [
            label(names, gateway),
            name_list([label(names, s) for s in segments], limit=REPORT_ROWS),
            len(gates),
            name_list([label(names, x) for x in gates], limit=REPORT_ROWS),
            failure.get(gateway),
        ]
        for (gateway, gates), segments in merged.items()
    ]
    rows.sort(key=lambda r: (-(r[4] if r[4] is not None else -1.0), r[0], r[1]))
    if rows:
        left = rows[REPORT_ROWS:]
        blocks.append(
            Table(
                ["Gateway", "Segments", "Gated", "Departments and partners gated", "If it failed"],
                rows[:REPORT_ROWS],
                formats=[None, None, None, None, fmt],
                caption="Gateways of more than one department or partner, by the points the "
                "customers (value-weighted) would lose if the gateway failed (exact); each "
                "row names the segments the gated units reach only through the gateway.",
                rest=rest_row(5, more(len(left), "gateway"), c2=sum(r[2] for r in left))
                if left
                else (),
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
    blocks.append(loops_section(chain, analysis))
    if analysis.single_front_line:
        pairs = list(analysis.single_front_line.items())
        rows = [[label(names, s), label(names, d)] for s, d in pairs[:REPORT_ROWS]]
        left = len(pairs) - len(rows)
        rest = rest_row(2, more(left, "segment")) if left else ()
        blocks.append(
            Section(
                "single-front-line",
                "Segments served by a single front-line department",
                [Table(["Segment", "Only front-line department"], rows, rest=rest)],
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
    rows = [[names.get(n, n), kinds.get(n, "")] for n in analysis.disconnected[:REPORT_ROWS]]
    left = len(analysis.disconnected) - len(rows)
    rest = rest_row(2, more(left, "unit")) if left else ()
    return Section(
        "disconnected",
        "Disconnected work",
        [
            Text(
                "The services of these units reach no customer segment. Either the model "
                "misses a hand-off, or the work is worth a second look."
            ),
            Table(["Name", "Kind"], rows, rest=rest),
        ],
    )


def loops_section(chain: Chain, analysis: Any) -> Section:
    """Departments serving each other in loops: the loops that pass quality back round them
    (at least :data:`LOOP_SHOWN` of a change per trip, strongest first, at most
    :data:`TOP_LOOPS`), with names; the rest counted in one line."""
    from ..flow.loops import loop_gains

    names = analysis.names
    title = "Mutual dependencies"
    if not analysis.clusters:
        return Section("mutual", title, [Text("None: no departments serve each other in a loop.")])
    cycles = [cycle for c in analysis.clusters for cycle in c.cycles]
    gains = loop_gains(chain, cycles)
    order = sorted(range(len(cycles)), key=lambda i: (-gains[i], len(cycles[i]), i))
    shown = [i for i in order if gains[i] >= LOOP_SHOWN][:TOP_LOOPS]
    blocks: list[Any] = [
        Text(
            "Departments that serve each other in a loop: a change to one of them comes back "
            "to it round the loop, so a weakness there feeds on itself. Passed back is the "
            "share of a change to one member's delivered quality that returns to it after one "
            "trip round the loop (the product of how strongly each hand-off passes quality on)."
        )
    ]
    if shown:
        rows = [
            [
                " → ".join(label(names, n) for n in [*cycles[i], cycles[i][0]]),
                len(cycles[i]),
                gains[i],
            ]
            for i in shown
        ]
        blocks.append(
            Table(
                ["Loop", "Departments", "Passed back"],
                rows,
                formats=[None, None, ".1%"],
                caption=f"Loops passing back at least {LOOP_SHOWN:.0%} of a change, "
                "strongest first.",
            )
        )
    rest = len(cycles) - len(shown)
    sizes = sorted((len(c.members) for c in analysis.clusters), reverse=True)
    if len(sizes) == 1:
        line = f"{sizes[0]:,} departments depend on each other in one group"
    else:
        line = (
            f"{sum(sizes):,} departments are in {len(sizes)} groups that depend on each other "
            f"({_sizes(sizes)})"
        )
    if rest:
        weak = all(gains[i] < LOOP_SHOWN for i in order[len(shown) :])
        verb = "pass" if rest != 1 else "passes"
        line += f"; {rest} more loop{'s' if rest != 1 else ''} {verb} back less than " + (
            f"{LOOP_SHOWN:.0%} of a change each" if weak else "the last one listed"
        )
    line += "; the shortest loops of each group are the ones looked at"
    blocks.append(Text(line + ".", note=True))
    return Section("mutual", title, blocks)


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _sizes(sizes: list[int], shown: int = 5) -> str:
    """The sizes of the groups, largest first: the first ``shown`` of them, the rest counted.

    Examples
    --------
    >>> _sizes([8, 2, 2])
    'of 8, 2 and 2 departments'
    >>> _sizes([900, 7, 5, 3, 3, 2, 2, 2])
    'of 900, 7, 5, 3 and 3 departments, and 3 more groups of 2'
    """
    text = f"of {_join([f'{n:,}' for n in sizes[:shown]])} departments"
    rest = sizes[shown:]
    if rest:
        lo, hi = min(rest), max(rest)
        span = f"{lo:,}" if lo == hi else f"{lo:,} to {hi:,}"
        text += f", and {len(rest):,} more group{'s' if len(rest) != 1 else ''} of {span}"
    return text
