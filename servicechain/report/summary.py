"""The report's executive summary: findings built as data from the analysis, then rendered.

Each :class:`Finding` carries the numbers it cites (``numbers``, on the model's scale or in
money), taken from the same result objects the command line prints with ``--json``: the
company's score (``score``), the weakest segment's gap tracing (``explain``), the exact gains
and failures of the priorities (``rank``), the revenue of a what-if (``impact``) and the cost to
serve (``cost``). A finding may carry an interval (``interval``) where the scores have standard
errors; the text shows it when present.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .costs import SEGMENT_SHARE
from .document import Findings, Section, Text
from .labels import (
    currency_of,
    gain_format,
    importance_format,
    money,
    node_name,
    score_format,
    segments_of,
    service_names,
)
from .rows import most_important
from .weak_points import gateway_failures

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = [
    "Finding",
    "Summary",
    "elastic",
    "fixes",
    "revenue_if_perfect",
    "revenues_if_perfect",
    "summarize",
]

#: Fixes named in the summary.
TOP_FIXES = 3
#: Parts of the weakest segment's gap named in the summary.
TOP_TERMS = 3
#: Single points of failure named in the summary.
TOP_GATEWAYS = 2


@dataclass(frozen=True)
class Finding:
    """One statement of the summary: a short title, the sentence, and the numbers it cites.

    ``numbers`` maps a key (such as ``"company"`` or ``"gain:<id>"``) to the value quoted, on
    the model's scale (points) or in the model's currency; ``interval`` is an optional
    ``(low, high)`` range of the headline number, shown after the sentence; ``items`` are the
    points of a list the sentence introduces (the fixes, in order).

    Examples
    --------
    >>> f = Finding("quality", "Customer quality", "Customers rate the company 4.07 of 5.",
    ...             {"company": 4.07}, interval=(3.9, 4.2))
    >>> f.sentence(".2f")
    'Customers rate the company 4.07 of 5. (95% interval 3.90 to 4.20.)'
    """

    key: str
    title: str
    text: str
    numbers: Mapping[str, float] = field(default_factory=dict)
    interval: tuple[float, float] | None = None
    level: float = 0.95
    items: tuple[str, ...] = ()

    def sentence(self, fmt: str = ".2f") -> str:
        """The finding's text, with its interval when it has one."""
        if self.interval is None:
            return self.text
        lo, hi = self.interval
        return f"{self.text} ({self.level:.0%} interval {lo:{fmt}} to {hi:{fmt}}.)"


@dataclass
class Summary:
    """The findings of a report, in reading order, and the number format they use."""

    findings: list[Finding]
    fmt: str = ".2f"

    def get(self, key: str) -> Finding | None:
        """The finding with ``key``, or ``None``."""
        return next((f for f in self.findings if f.key == key), None)

    def section(self) -> Section:
        """The summary as the report's first section."""
        items = [(f.title, f.sentence(self.fmt), f.items) for f in self.findings]
        blocks: list[Any] = [Findings(items)]
        blocks.append(
            Text(
                "Every number above is shown again, with how it was reached, in the sections "
                "below; scores are on the model's scale, gains and losses in points of it.",
                note=True,
            )
        )
        return Section("summary", "Executive summary", blocks)


def fixes(ranking: Any, *, top: int = TOP_FIXES) -> list[Any]:
    """The ``top`` rows of ``ranking`` by exact gain, departments, partners and services
    together (each list keeps its own order: the merge never reorders a list).

    Rows whose gain is not exact (nan) or zero are left out.
    """
    rows = [r for r in [*ranking.departments[:top], *ranking.services[:top]]]
    rows = [r for r in rows if not math.isnan(r.gain) and r.gain > 0]
    rows.sort(key=lambda r: -r.gain)
    return rows[:top]


def elastic(chain: Chain) -> bool:
    """Whether some segment has both ``revenue`` and ``revenue_elasticity`` (so a change of
    quality has a price)."""
    return any(
        s.revenue is not None and s.revenue_elasticity is not None for s in segments_of(chain)
    )


def revenue_if_perfect(chain: Chain, node: Any) -> float:
    """The yearly revenue change if ``node`` (an id, or a ``(supplier, customer)`` service)
    were at the top of the scale: what ``impact --set NODE=MAX`` reports (nan without
    elasticities).

    Examples
    --------
    >>> import servicechain
    >>> chain = servicechain.load(servicechain.example_path("flowershop"))
    >>> round(revenue_if_perfect(chain, ("phone_web", "van")))  # impact --set 'phone_web->van=5'
    12053
    """
    return float(revenues_if_perfect(chain, [node])[0])


def revenues_if_perfect(chain: Chain, nodes: Sequence[Any]) -> list[float]:
    """:func:`revenue_if_perfect` of many items at once (one adjoint solve for them all).

    Examples
    --------
    >>> import servicechain
    >>> chain = servicechain.load(servicechain.example_path("flowershop"))
    >>> [round(x) for x in revenues_if_perfect(chain, [("phone_web", "van"), "van"])]
    [12053, 24106]
    """
    from ..flow.revenue import revenue_if_perfect as revenues

    return revenues(chain, [tuple(n) if isinstance(n, list) else n for n in nodes]).tolist()


def _item_name(net: Any, row: Any, services: Mapping) -> str:
    if row.kind == "service":
        name = services.get(tuple(row.node), "")
        where = node_name(net, row.node)
        return f"the hand-off {where}" + (f" ({name})" if name else "")
    return node_name(net, row.node)


def _key(node: Any) -> str:
    return "->".join(node) if isinstance(node, tuple | list) else str(node)


def _quality(chain: Chain, result: Any, fmt: str) -> Finding:
    net = chain.network
    lo, hi = chain.network.scale.min, chain.network.scale.max
    company = float(result.to_scale(result.company))
    segs = [s.id for s in segments_of(chain)]
    scores = {s: float(result.to_scale(result.quality[net.index[s]])) for s in segs}
    best = max(segs, key=lambda s: scores[s])
    worst = min(segs, key=lambda s: scores[s])
    weighting = {
        "revenue": "weighted by revenue",
        "customers": "weighted by number of customers",
    }.get(_weighting(chain), "each segment counted alike")
    text = (
        f"Customers rate {chain.name} {company:{fmt}} on a scale of {lo:g} to {hi:g} ({weighting})."
    )
    numbers = {"company": company}
    if len(segs) > 1:
        text += (
            f" The segments range from {net.names[net.index[worst]]} at {scores[worst]:{fmt}} "
            f"to {net.names[net.index[best]]} at {scores[best]:{fmt}}."
        )
        numbers |= {f"segment:{worst}": scores[worst], f"segment:{best}": scores[best]}
    return Finding("quality", "Customer quality", text, numbers)


def _weighting(chain: Chain) -> str:
    segs = segments_of(chain)
    if all(s.revenue is not None for s in segs):
        return "revenue"
    if all(s.customers is not None for s in segs):
        return "customers"
    return ""


def _rests_on(chain: Chain, ranking: Any, fmt: str) -> Finding | None:
    rows = [ranking.departments[p] for p in most_important(ranking)]
    if not rows:
        return None
    net = chain.network
    names = " and ".join(node_name(net, r.node) for r in rows)
    fine = importance_format(ranking)
    per = " and ".join(f"{r.importance:{fine}}" for r in rows)
    text = (
        f"It rests most on {names}: each point of their own quality is worth {per} points "
        f"to the customers{' respectively' if len(rows) > 1 else ''} (importance, in the "
        "priorities)."
    )
    numbers = {f"importance:{_key(r.node)}": r.importance for r in rows}
    return Finding("rests-on", "What it rests on", text, numbers)


def _term_text(net: Any, term: Any, services: Mapping, segment_name: str) -> str:
    if term.kind == "outside":
        return f"what {segment_name} judge outside the chain (price, product ...)"
    if term.kind == "own":
        return f"{node_name(net, term.node)} (own shortfall)"
    name = services.get(tuple(term.node), "")
    return f"the hand-off {node_name(net, term.node)}" + (f" ({name})" if name else "")


def _weakest(chain: Chain, breakdowns: Mapping[str, Any], fmt: str) -> Finding | None:
    if not breakdowns:
        return None
    net = chain.network
    span = chain.network.scale.max - chain.network.scale.min
    lo = chain.network.scale.min
    seg = min(breakdowns, key=lambda s: breakdowns[s].quality)
    b = breakdowns[seg]
    name = net.names[net.index[seg]]
    services = service_names(net)
    score = lo + b.quality * span
    numbers = {"score": score, "gap": b.gap * span}
    parts = []
    for term in list(b.terms[:TOP_TERMS]):
        pts = term.value * span
        numbers[f"term:{_key(term.node)}"] = pts
        parts.append(
            f"{_term_text(net, term, services, name)} {pts:{fmt}} points ({term.share_of_gap:.0%})"
        )
    text = f"The weakest segment is {name}, at {score:{fmt}}: a gap of {b.gap * span:{fmt}} points."
    if parts:
        text += " Its largest parts are " + _join(parts) + "."
    return Finding("weakest", f"Weakest segment: {name}", text, numbers)


def _join(parts: Sequence[str], word: str = "and") -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {word} " + parts[-1]


def _fixes(chain: Chain, ranking: Any, fmt: str) -> Finding | None:
    rows = fixes(ranking)
    if not rows:
        return None
    net = chain.network
    services = service_names(net)
    priced = elastic(chain)
    currency = currency_of(chain)
    span = chain.network.scale.max - chain.network.scale.min
    numbers: dict[str, float] = {}
    parts = []
    revenues = revenues_if_perfect(chain, [r.node for r in rows]) if priced else []
    fine = gain_format(chain, ranking)
    for n, row in enumerate(rows):
        key = _key(row.node)
        gain = row.gain * span
        numbers[f"gain:{key}"] = gain
        part = f"{_item_name(net, row, services)}: +{gain:{fine}} points"
        if priced:
            revenue = revenues[n]
            if not math.isnan(revenue):
                numbers[f"revenue:{key}"] = revenue
                part += f", {money(revenue, currency, sign=True)} a year in revenue"
        parts.append(part[0].upper() + part[1:] + ".")
    text = (
        f"The {len(rows)} largest gains for the customers (value-weighted) if one department "
        "or hand-off were perfect, exact:"
    )
    marked = [r for r in rows if r.mark]
    if marked:
        text += (
            " (where the priorities put one of these in a lower quadrant, that is because the "
            "quadrant compares importance and score with their means, while the ranking counts "
            "how far the score is from perfect)"
        )
    return Finding("fixes", "Fix first", text, numbers, items=tuple(parts))


def _failures(
    chain: Chain, ranking: Any, analysis: Any, fmt: str, failures: Mapping[str, float] | None
) -> Finding | None:
    net = chain.network
    span = chain.network.scale.max - chain.network.scale.min
    if failures is None:
        failures = gateway_failures(chain, ranking, analysis)
    gated: dict[str, set] = {}
    reaches: dict[str, set] = {}
    for g in analysis.gateways:
        for gw in g.gateways:
            if len(gw.gates) > 1 and gw.id in failures:
                gated.setdefault(gw.id, set()).update(gw.gates)
                reaches.setdefault(gw.id, set()).add(g.segment)
    if not gated:
        return None
    order = sorted(gated, key=lambda d: (-failures[d], d))[:TOP_GATEWAYS]
    numbers: dict[str, float] = {}
    parts = []
    for d in order:
        loss = failures[d] * span
        numbers[f"failure:{d}"] = loss
        # Each counted unit reaches at least one of these segments only through it (the
        # gateway table gives the count per segment).
        segs = _join(sorted(net.names[net.index[s]] for s in reaches[d]), "or")
        parts.append(
            f"{net.names[net.index[d]]}: the customers would lose {loss:{fmt}} points; "
            f"{len(gated[d])} departments and partners reach {segs} only through it."
        )
    text = "If one of these departments failed, whole parts of the chain would be cut off:"
    return Finding("failure", "Single points of failure", text, numbers, items=tuple(parts))


def _scenario(chain: Chain, comparison: Any, fmt: str) -> Finding | None:
    impacts = list(comparison.impacts.values()) if comparison is not None else []
    impacts = [i for i in impacts if not math.isnan(i.company_change)]
    if not impacts:
        return None
    span = chain.network.scale.max - chain.network.scale.min
    lo = chain.network.scale.min
    big = max(impacts, key=lambda i: abs(i.company_change))
    change = big.company_change * span
    numbers = {
        f"scenario:{big.name}": change,
        "company_after": lo + big.company_after * span,
    }
    text = (
        f"Of the {len(impacts)} what-if scenario{'s' if len(impacts) != 1 else ''}, "
        f"'{big.name}' moves the customers most: {change:+{fmt}} points, to "
        f"{lo + big.company_after * span:{fmt}}"
    )
    if not math.isnan(big.revenue_total):
        numbers[f"revenue:{big.name}"] = big.revenue_total
        text += f", and {money(big.revenue_total, currency_of(chain), sign=True)} of revenue"
    return Finding("scenario", "Largest what-if", text + ".", numbers)


def _costs(chain: Chain, costs: Any, fmt: str) -> Finding | None:
    if costs is None:
        return None
    import numpy as np

    segments = costs.segments.tolist()
    if not segments:
        return None
    k = max(segments, key=lambda s: float(costs.received[s]))
    amount = float(costs.received[k])
    share = amount / costs.total_direct if costs.total_direct else 0.0
    text = (
        f"Serving {costs.names[k]} costs the most: {money(amount, costs.currency)} a year, "
        f"{share:{SEGMENT_SHARE}} of all direct costs"
    )
    numbers = {f"cost:{costs.ids[k]}": amount, f"cost_share:{costs.ids[k]}": share}
    revenue = costs.revenue[k]
    if not np.isnan(revenue):
        text += f", against {money(float(revenue), costs.currency)} of revenue"
    return Finding("cost", "Cost to serve", text + ".", numbers)


def _assumed(chain: Chain) -> Finding:
    from ..model.assumptions import assumptions_of

    found = assumptions_of(chain.network)
    if not len(found):
        return Finding(
            "assumed", "Assumed", "Nothing was assumed: every score is given in the model."
        )
    net = chain.network
    names = [net.names[int(i)] for i in found.nodes[:5]]
    names += [
        f"the hand-off {net.names[net.source[int(j)]]} → {net.names[net.target[int(j)]]}"
        for j in found.services[: max(0, 5 - len(names))]
    ]
    more = len(found) - len(names)
    listed = _join(names + ([f"{more:,} more"] if more > 0 else []))
    text = (
        f"{len(found):,} score{'s are' if len(found) != 1 else ' is'} not given in the model and "
        f"{'were' if len(found) != 1 else 'was'} assumed (a department as perfect, a hand-off "
        f"as good as its supplier): {listed}. A survey of these would firm up the findings."
    )
    return Finding("assumed", "Assumed", text, {"assumed": float(len(found))})


def summarize(
    chain: Chain,
    *,
    result: Any,
    ranking: Any,
    breakdowns: Mapping[str, Any],
    analysis: Any,
    comparison: Any = None,
    costs: Any = None,
    failures: Mapping[str, float] | None = None,
) -> Summary:
    """The findings of the report, from the results its sections show.

    Parameters
    ----------
    chain : Chain
    result : Score
        :func:`servicechain.flow.score` of the chain.
    ranking : Ranking
        :func:`servicechain.flow.rank` of the chain (company level, by gain), exact rows.
    breakdowns : dict
        Gap tracing (:func:`servicechain.flow.explain`) of each segment, by id.
    analysis : Analysis
        :func:`servicechain.structure.analyze` of the chain (gateways).
    comparison : Comparison, optional
        What-if scenarios, when the report has them.
    costs : CostResult, optional
        Cost to serve, when departments have costs.
    failures : dict, optional
        The exact failure of each gateway
        (:func:`~servicechain.report.weak_points.gateway_failures`; made when not given).

    Examples
    --------
    >>> import servicechain
    >>> from servicechain.flow import explain, rank, score
    >>> from servicechain.structure import analyze
    >>> chain = servicechain.load(servicechain.example_path("flowershop"))
    >>> found = summarize(chain, result=score(chain), ranking=rank(chain, top=None),
    ...                   breakdowns={s.id: explain(chain, s.id) for s in chain.model.segments},
    ...                   analysis=analyze(chain))
    >>> [f.key for f in found.findings]
    ['quality', 'rests-on', 'weakest', 'fixes', 'failure', 'assumed']
    >>> found.get("quality").numbers["company"]  # as ``score --json`` prints it
    4.074434782608696
    """
    fmt = score_format(chain)
    made = [
        _quality(chain, result, fmt) if chain.records.segments else None,
        _rests_on(chain, ranking, fmt),
        _weakest(chain, breakdowns, fmt),
        _fixes(chain, ranking, fmt),
        _failures(chain, ranking, analysis, fmt, failures),
        _scenario(chain, comparison, fmt),
        _costs(chain, costs, fmt),
        _assumed(chain),
    ]
    return Summary([f for f in made if f is not None], fmt=fmt)
