"""Report sections on the quality reaching customers: segment gaps, priorities, what-if."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .document import Bullets, Figure, Section, Table, Text
from .labels import (
    anchor,
    chart,
    currency_of,
    gain_format,
    importance_format,
    lo_hi,
    node_name,
    score_format,
    segments_of,
    service_names,
)
from .rows import REPORT_ROWS, SEGMENT_DETAILS, listed_positions, more, rest_row
from .summary import elastic, revenues_if_perfect

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = [
    "TOP_SERVICES",
    "detailed_segments",
    "named_changes",
    "priorities_section",
    "scenarios_section",
    "segments_section",
]

#: Services listed among the priorities (the gap terms per segment are those of the waterfall
#: chart: ``flow.explain.SHOWN_TERMS``).
TOP_SERVICES = 15


def _with_currency(title: str, chain: Chain) -> str:
    currency = currency_of(chain)
    return f"{title} ({currency})" if currency else title


def _by_value(chain: Chain) -> list[str]:
    """Segment ids, the most valuable first (file order among equals)."""
    import numpy as np

    net = chain.network
    segments = [s.id for s in segments_of(chain)]
    value = net.value[[net.index[s] for s in segments]]
    return [segments[i] for i in np.argsort(-value, kind="stable").tolist()]


def detailed_segments(chain: Chain, result: Any) -> list[str]:
    """The segments whose gap the report traces term by term: every segment up to
    :data:`SEGMENT_DETAILS`; beyond, the most valuable ones and the weakest (file order)."""
    segments = [s.id for s in segments_of(chain)]
    if len(segments) <= SEGMENT_DETAILS:
        return segments
    net = chain.network
    weakest = min(segments, key=lambda s: result.quality[net.index[s]])
    chosen = set(_by_value(chain)[: SEGMENT_DETAILS - 1]) | {weakest}
    for ident in _by_value(chain)[SEGMENT_DETAILS - 1 :]:
        if len(chosen) >= SEGMENT_DETAILS:
            break
        chosen.add(ident)
    return [s for s in segments if s in chosen]


def segments_section(
    chain: Chain, result: Any, breakdowns: Mapping[str, Any] | None = None
) -> Section:
    """Each segment's predicted satisfaction and where its gap to a perfect score comes from:
    gap tracing, the same terms and labelled remainder as the waterfall chart beside it.

    ``breakdowns`` holds the gap tracing of the segments shown in detail by id (made here
    when not given): of every segment up to :data:`SEGMENT_DETAILS`, beyond that of the most
    valuable ones and the weakest (:func:`detailed_segments`). The table lists every segment
    up to :data:`REPORT_ROWS`, beyond that the most valuable ones and one line for the rest.
    """
    from ..flow.explain import OUTSIDE, SHOWN_TERMS, explain

    net = chain.network
    fmt = score_format(chain)
    hi = chain.network.scale.max
    records = {s.id: s for s in segments_of(chain)}
    if not records:
        return Section("segments", "Customer segments", [Text("The model has no segments.")])
    span = chain.network.scale.max - chain.network.scale.min
    if breakdowns is None:
        breakdowns = {ident: explain(chain, ident) for ident in detailed_segments(chain, result)}
    listed = list(records) if len(records) <= REPORT_ROWS else _by_value(chain)[:REPORT_ROWS]
    rows = []
    for ident in listed:
        seg = records[ident]
        i = net.index[ident]
        q = float(result.to_scale(result.quality[i]))
        # the gap as the breakdown below states it (hi - q may round the other way)
        gap = breakdowns[ident].gap if ident in breakdowns else 1.0 - float(result.quality[i])
        rows.append(
            [seg.name, seg.kind, seg.relationship, seg.customers, seg.revenue, q, gap * span]
        )
    columns = [
        "Segment",
        "Kind",
        "Relationship",
        "Customers",
        _with_currency("Revenue", chain),
        "Satisfaction",
        "Gap",
    ]
    rest: list = []
    if len(listed) < len(records):
        left = [records[s] for s in _by_value(chain)[REPORT_ROWS:]]
        customers = [s.customers for s in left]
        revenue = [s.revenue for s in left]
        rest = rest_row(
            len(columns),
            more(len(left), "segment") + ", each worth less",
            c3=sum(customers) if None not in customers else None,
            c4=sum(revenue) if None not in revenue else None,
        )
    company = float(result.to_scale(result.company))
    blocks: list[Any] = [
        Text(
            "Predicted satisfaction of each segment, from the quality that reaches it through "
            "the chain. The gap is the distance to a perfect score. Weighted by each segment's "
            "value (its revenue, else its number of customers), the company as a whole scores "
            f"{company:{fmt}}."
            + (
                f" The {len(listed)} segments carrying the most value are listed; the last "
                "line adds up the others."
                if rest
                else ""
            )
        ),
        Table(columns, rows, formats=[None, None, None, ",d", ",.0f", fmt, fmt], rest=rest),
    ]
    detailed = list(breakdowns)
    if len(detailed) < len(records):
        blocks.append(
            Text(
                f"The gap of {len(detailed)} of the {len(records):,} segments is traced below, "
                "term by term: the most valuable ones and the weakest. `servicechain explain "
                "MODEL --segment SEGMENT` traces any other.",
                note=True,
            )
        )
    services = service_names(net)
    for ident in detailed:
        seg = records[ident]
        breakdown = breakdowns[ident]
        shown = breakdown.terms[:SHOWN_TERMS]
        term_rows = []
        for term in shown:
            if term.kind == "own":
                where, what = node_name(net, term.node), "own shortfall"
            elif term.kind == "outside":
                where, what = seg.name, OUTSIDE
            else:
                where = node_name(net, term.node)
                name = services.get(tuple(term.node), "")
                where += f" ({name})" if name else ""
                what = "hand-off loss"
            term_rows.append([where, what, -term.value * span, term.share_of_gap])
        hidden, rest, label = breakdown.remainder(len(shown))
        if hidden:
            share = rest / breakdown.gap if breakdown.gap > 0 else 0.0
            term_rows.append([label, "together", -rest * span, share])
        sub: list[Any] = [
            Text(
                f"Satisfaction {lo_hi(chain, breakdown.quality, fmt)}; gap to a perfect "
                f"{hi:g}: {breakdown.gap * span:{fmt}} points. Own shortfalls are what a unit "
                "misses with perfect inputs; hand-off losses are what a hand-off loses beyond "
                "what its supplier already lacks. Each supplier's gap is traced on to the "
                "customers it reaches, so every part is positive and they add up to the gap."
            ),
        ]
        sub.append(
            Figure(
                f"waterfall-{net.index[ident]}",
                f"How the gap of {seg.name} builds up, term by term.",
                make=chart(chain, "waterfall", segment=ident, breakdown=breakdown),
            )
        )
        if term_rows:
            sub.append(
                Table(
                    ["Where", "What", "Points lost", "Share of the gap"],
                    term_rows,
                    formats=[None, None, fmt, ".0%"],
                    caption="The same parts, in the same order, as the chart above.",
                )
            )
        blocks.append(Section(f"segment-{anchor(ident)}", f"{seg.name}", sub))
    return Section("segments", "Customer segments", blocks)


def priorities_section(chain: Chain, ranking: Any = None, *, top: int = TOP_SERVICES) -> Section:
    """Departments, partners and services by exact gain if perfect, with importance, exact
    failure and quadrant (split values stated, contradictions explained).

    ``ranking`` is the company-level :func:`~servicechain.flow.rank` by gain with exact rows
    (made here when not given).
    """
    from ..flow import rank
    from ..flow.rank import MARK

    net = chain.network
    fmt = score_format(chain)
    span = chain.network.scale.max - chain.network.scale.min
    services = service_names(net)
    if ranking is None:
        ranking = rank(chain, top=None, exact=max(top, len(net.ids)))
    marked = False
    priced = elastic(chain)

    def rows(items: list, *, service: bool, ranks: list[int] | None = None) -> list[list]:
        nonlocal marked
        out = []
        ranks = ranks or list(range(1, len(items) + 1))
        priced_rows = [row.node for n, row in zip(ranks, items, strict=True) if n <= top]
        revenues = iter(revenues_if_perfect(chain, priced_rows) if priced else [])
        for n, row in zip(ranks, items, strict=True):
            name = node_name(net, row.node)
            if service and services.get(tuple(row.node)):
                name += f" ({services[tuple(row.node)]})"
            marked |= bool(row.mark)
            out.append(
                [
                    n,
                    name,
                    row.importance,
                    chain.network.scale.min + row.performance * span,
                    row.gain * span,
                    row.failure * span,
                    (row.quadrant or "no effect") + row.mark,
                ]
            )
            if priced:
                money = next(revenues) if n <= top else None
                out[-1].insert(5, money)
        return out

    columns = ["Rank", "", "Importance", "Score", "Gain if perfect", "If it failed", "Quadrant"]
    fine = gain_format(chain, ranking)
    formats = [None, None, importance_format(ranking), fmt, fine, fine, None]
    if priced:
        columns.insert(5, _with_currency("Revenue if perfect", chain))
        formats.insert(5, "+,.0f")
    split = ranking.splits["departments"]
    caption, rest = "Departments and partners, by gain if perfect", []
    listed = listed_positions(ranking)
    ranks = [p + 1 for p in listed]
    left = len(ranking.departments) - len(listed)
    if left > 0:
        caption += f" (the first {REPORT_ROWS} of {len(ranking.departments):,}"
        caption += (
            ", and further down those the summary names for their importance)"
            if len(listed) > REPORT_ROWS
            else ")"
        )
        rest = rest_row(
            len(columns),
            "",
            c1=more(left, "department or partner", "departments and partners")
            + f", each gaining at most what no. {REPORT_ROWS} gains if perfect",
        )
    blocks: list[Any] = [
        Text(
            "What to fix first, ranked by the gain if each were perfect. Importance is how many "
            "points the customers' value-weighted satisfaction gains per point of a "
            "department's own quality or a service's rating; the gain if perfect and the drop "
            "if it failed are exact what-ifs, in points of the model's scale (a hand-off "
            "already rated near its cap gains less than its importance suggests). Quadrants "
            "split importance and score at their means over the items that reach a customer."
            + (
                f" Revenue if perfect is the yearly revenue change of the segments with a "
                f"revenue elasticity (for the first {top} rows of each table)."
                if priced
                else ""
            )
        ),
        Table(
            ["Rank", "Department or partner", *columns[2:]],
            rows([ranking.departments[p] for p in listed], service=False, ranks=ranks),
            formats=formats,
            caption=caption,
            rest=rest,
        ),
        Text(split.describe(ranking.scale).capitalize() + ".", note=True),
    ]
    blocks.append(
        Figure(
            "ipa",
            "Importance against performance of each department and partner; the dashed lines "
            "split both at the means stated above.",
            make=chart(chain, "ipa"),
        )
    )
    shown = ranking.services[:top]
    caption = "Services, by gain if perfect"
    if len(ranking.services) > top:
        caption += f" (the first {top} of {len(ranking.services)})"
    blocks.append(
        Table(
            ["Rank", "Service", *columns[2:]],
            rows(shown, service=True),
            formats=[*formats[:2], importance_format(ranking, shown), *formats[3:]],
            caption=caption,
        )
    )
    blocks.append(
        Text(ranking.splits["services"].describe(ranking.scale).capitalize() + ".", note=True)
    )
    if marked:
        blocks.append(
            Text(
                f"{MARK} Ranked above a unit to 'concentrate here' (or first) yet in a lower "
                "quadrant: the ranking is by the exact gain if perfect, while the quadrant "
                "compares importance and score with their means; a unit with a low score can "
                "gain much even where it matters little per point.",
                note=True,
            )
        )
    return Section("priorities", "Priorities", blocks)


def scenarios_section(chain: Chain, scenarios: Any, comparison: Any = None) -> Section:
    """What-if scenarios side by side: each segment and the company before and after.

    ``comparison`` is :func:`~servicechain.flow.compare` of the scenarios (made here when not
    given).
    """
    from ..flow import compare
    from ..io.scenario import read_scenarios

    if isinstance(scenarios, str | os.PathLike):
        scenarios = read_scenarios(scenarios)
    if comparison is None and scenarios:
        comparison = compare(chain, scenarios)
    impacts = list(comparison.impacts.values()) if comparison is not None else []
    fmt = score_format(chain)
    blocks: list[Any] = []
    if not impacts:
        return Section("scenarios", "What-if scenarios", [Text("The scenario file is empty.")])
    items = []
    for imp in impacts:
        description = str(scenarios[imp.name].get("description") or "")
        changes = "; ".join(named_changes(chain, scenarios[imp.name])) or "no change"
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
            make=chart(chain, "whatif", scenario=dict(scenarios)),
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
                ["Scenario", _with_currency("Revenue change", chain)],
                [
                    [imp.name, None if math.isnan(imp.revenue_total) else imp.revenue_total]
                    for imp in impacts
                ],
                formats=[None, "+,.0f"],
                caption="Yearly revenue change of the segments with a revenue elasticity",
            )
        )
    return Section("scenarios", "What-if scenarios", blocks)


def _named(chain: Chain, key: Any, services: Mapping) -> str:
    """A scenario's key (an id, or ``a->b`` for a service) as the names a client reads."""
    net = chain.network
    text = str(key)
    for arrow in ("->", "→"):
        if arrow in text:
            a, _, b = (x.strip() for x in text.partition(arrow))
            if a in net.index and b in net.index:
                name = services.get((a, b), "")
                return f"{node_name(net, (a, b))}" + (f" ({name})" if name else "")
            return text
    return node_name(net, text) if text in net.index else text


def named_changes(chain: Chain, scenario: Mapping[str, Any]) -> list[str]:
    """What a scenario (one entry of a scenario file) changes, in words with names (never ids),
    in the order the what-if takes them: scores set, weights, dependences, failures.

    Examples
    --------
    >>> import servicechain
    >>> chain = servicechain.load(servicechain.example_path("sapataria"))
    >>> named_changes(chain, {"set": {"it": 3.6}, "fail": ["transportadora"]})
    ['Informática = 3.6', 'Transportadora expresso fails']
    """
    services = service_names(chain.network)
    out = [
        f"{_named(chain, k, services)} = {float(v):g}"
        for k, v in (scenario.get("set") or {}).items()
    ]
    out += [
        f"weight of {_named(chain, k, services)} = {float(v):g}"
        for k, v in (scenario.get("weight") or {}).items()
    ]
    out += [
        f"dependence of {_named(chain, k, services)} = {float(v):.0%}"
        for k, v in (scenario.get("dependence") or {}).items()
    ]
    out += [f"{_named(chain, k, services)} fails" for k in scenario.get("fail") or ()]
    return out
