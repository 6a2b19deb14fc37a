"""Report section on how sure the numbers are: each segment's interval from the survey's standard
errors, the stability of the top priorities, and which findings are robust."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .document import Bullets, Section, Table, Text
from .labels import node_name, score_format

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = [
    "ROBUST_SHARE",
    "STABILITY_MAX_NODES",
    "TOP_PRIORITIES",
    "uncertainty_results",
    "uncertainty_section",
]

#: A priority that stays in the top N in at least this share of the draws is a robust finding.
ROBUST_SHARE = 0.95
#: Priorities whose stability the report shows.
TOP_PRIORITIES = 5
#: Models up to this many nodes get the stability of their priorities in the report (it
#: re-solves every top item in every draw).
STABILITY_MAX_NODES = 2000


def uncertainty_results(chain: Chain, *, draws: int = 500, seed: int = 0) -> tuple | None:
    """What the section and the summary's robustness rest on: the delivered quality's
    intervals and, on models of up to ``STABILITY_MAX_NODES`` nodes, the top priorities
    re-ranked in ``draws`` drawn models; ``None`` when no score carries a standard error or the
    model has no segment."""
    from ..flow.draws import uncertain_inputs
    from ..flow.stability import ranked_with_stability
    from ..flow.state import state_of
    from ..flow.uncertainty import intervals

    if uncertain_inputs(state_of(chain)).count == 0 or not chain.records.segments:
        return None
    ranked = None
    if chain.network.n <= STABILITY_MAX_NODES:
        ranked = ranked_with_stability(chain, top=TOP_PRIORITIES, draws=draws, seed=seed)
    return intervals(chain), ranked


def uncertainty_section(
    chain: Chain, *, draws: int = 500, seed: int = 0, results: tuple | None = None
) -> Section | None:
    """How sure the segments' scores and the top priorities are, or ``None`` when no score of
    the model carries a standard error (``quality_se``). ``results`` are those of
    :func:`uncertainty_results`, when already computed."""
    from ..flow.draws import uncertain_inputs
    from ..flow.state import state_of

    if results is None:
        results = uncertainty_results(chain, draws=draws, seed=seed)
    if results is None:
        return None
    inputs = uncertain_inputs(state_of(chain))
    fmt = score_format(chain)
    result, ranked = results
    lo, hi = result.scale
    span = hi - lo
    pct = f"{result.level * 100:g}%"
    segments = [i for i, kind in enumerate(result.kinds) if kind == "segment"]
    rows = [
        [
            result.names[i],
            lo + float(result.quality[i]) * span,
            float(result.se[i]) * span,
            lo + float(result.low[i]) * span,
            lo + float(result.high[i]) * span,
        ]
        for i in segments
    ]
    blocks: list[Any] = [
        Text(
            f"{inputs.count:,} scores of the model come from surveys with a standard error "
            "(quality_se); the others are taken as exact. Each segment's satisfaction is shown "
            f"with its standard error and {pct} interval (delta method, the scores' errors "
            f"independent): a repeat of the same surveys would put it inside in {pct} of cases."
        ),
        Table(
            ["Segment", "Satisfaction", "± se", f"{pct} from", f"{pct} to"],
            rows,
            formats=[None, fmt, fmt, fmt, fmt],
        ),
    ]
    findings = [
        f"{result.names[a]} and {result.names[b]} cannot be told apart: their difference "
        f"({diff * span:{fmt}}) is within the noise (standard error {se * span:{fmt}})."
        for a, b, diff, se in result.ties
    ]
    net = chain.network
    if ranked is not None:
        stable = ranked.stability
        blocks += _priority_blocks(stable, net, fmt, span, pct)
        findings = _priority_findings(stable, net) + findings
    else:
        blocks.append(
            Text(
                f"The stability of the priorities is not computed for models of more than "
                f"{STABILITY_MAX_NODES:,} nodes in a report: run "
                "`servicechain rank MODEL --uncertainty`.",
                note=True,
            )
        )
    if findings:
        blocks += [Text("Which findings are robust:"), Bullets(findings)]
    return Section("uncertainty", "How sure are we?", blocks)


def _priority_blocks(stable: Any, net: Any, fmt: str, span: float, pct: str) -> list[Any]:
    top = stable.top
    blocks: list[Any] = [
        Text(
            f"The top {top} priorities (exact gain if perfect), each gain with its standard "
            f"error and {pct} interval by the delta method (exact gradients), and re-ranked in "
            f"{stable.draws:,} draws of the surveyed scores within their standard errors (seed "
            f"{stable.seed}), each draw's gains exact: the share of draws in which each stays in "
            f"the top {top}."
        )
    ]
    for title, rows in (("Department", stable.departments), ("Service", stable.services)):
        if not rows:
            continue
        blocks.append(
            Table(
                [title, "Gain", "± se", f"{pct} from", f"{pct} to", f"Stays in top {top}"],
                [
                    [
                        node_name(net, row.node),
                        row.gain * span,
                        row.se * span,
                        row.low * span,
                        row.high * span,
                        row.stays,
                    ]
                    for row in rows
                ],
                formats=[None, fmt, fmt, fmt, fmt, ".0%"],
            )
        )
    return blocks


def _priority_findings(stable: Any, net: Any) -> list[str]:
    out = []
    for key, what in (("departments", "department"), ("services", "service")):
        rows = stable.departments if key == "departments" else stable.services
        for n, row in enumerate(rows, 1):
            name = node_name(net, row.node)
            if n == 1 and row.stays >= ROBUST_SHARE:
                out.append(
                    f"Robust: {name} is the first {what} to improve and stays in the top "
                    f"{stable.top} in {row.stays:.0%} of the draws."
                )
            elif row.stays < 0.8 and not math.isnan(row.stays):
                out.append(
                    f"Not robust: {name} ({what} no. {n}) stays in the top {stable.top} in "
                    f"only {row.stays:.0%} of the draws."
                )
        for a, b in stable.ties.get(key, []):
            a_name, b_name = node_name(net, rows[a].node), node_name(net, rows[b].node)
            out.append(f"Tied within noise: {a_name} and {b_name}.")
    return out
