"""Which findings of the executive summary are robust: where the model's scores carry standard
errors (``quality_se``), the summary's findings are given their intervals and say whether the
survey's noise could change them.

The numbers come from the same results the "How sure are we?" section shows: the delivered
quality's delta-method intervals (:func:`servicechain.flow.intervals`) and the priorities
re-ranked in drawn models (:func:`servicechain.flow.ranked_with_stability`), whose per-draw
exact gains say how often the first fix is the first.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .labels import node_name
from .summary import Finding, Summary, fixes
from .uncertainty import ROBUST_SHARE

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = ["first_fix_shares", "robust_summary"]


def first_fix_shares(stable: Any) -> dict[Any, float]:
    """For each top row of ``stable`` (a :class:`~servicechain.flow.stability.Stability`), the
    share of draws in which its exact gain is the largest of all, departments, partners and
    services together (each draw's largest is certified: every item that could beat it was
    solved in that draw)."""
    rows = [r for r in [*stable.departments, *stable.services] if r.values is not None]
    if not rows or not stable.best:
        return {}
    best = np.max(np.vstack(list(stable.best.values())), axis=0)
    return {r.node: float((r.values >= best).mean()) for r in rows}


def robust_summary(chain: Chain, summary: Summary, *, result: Any, ranked: Any) -> Summary:
    """``summary`` with a finding on which of its findings are robust to the survey's noise
    (``robust``, placed after the fixes): the company's score with its interval, whether the
    weakest segment is the weakest beyond the noise, and the share of draws in which the first
    fix stays the first.

    Parameters
    ----------
    chain : Chain
    summary : Summary
        :func:`~servicechain.report.summary.summarize` of the chain.
    result : Intervals
        :func:`servicechain.flow.intervals` of the chain (delta method).
    ranked : RankedWithStability or None
        :func:`servicechain.flow.ranked_with_stability` of the chain, when computed (the first
        fix's share of draws is then stated).
    """
    lo, span = result.scale[0], result.scale[1] - result.scale[0]
    fmt = summary.fmt
    pct = f"{result.level:.0%}"
    items: list[str] = []
    numbers: dict[str, float] = {}
    if not math.isnan(result.company_se):
        z = result.z
        low = lo + max(0.0, result.company - z * result.company_se) * span
        high = lo + min(1.0, result.company + z * result.company_se) * span
        numbers |= {"company_low": low, "company_high": high}
        items.append(
            f"Customer quality: {lo + result.company * span:{fmt}}, between {low:{fmt}} and "
            f"{high:{fmt}} ({pct} interval)."
        )
    weakest = _weakest(result, span, fmt, numbers)
    if weakest:
        items.append(weakest)
    if ranked is not None:
        first = _first_fix(chain, ranked, numbers)
        if first:
            items.append(first)
    if not items:
        return summary
    text = (
        f"{result.inputs:,} scores come from surveys with a standard error; with their noise "
        + (
            f"({ranked.stability.draws:,} drawn models, each solved exactly):"
            if ranked is not None
            else "(delta method):"
        )
    )
    finding = Finding("robust", "Survey noise", text, numbers, items=tuple(items))
    keys = [f.key for f in summary.findings]
    at = keys.index("fixes") + 1 if "fixes" in keys else len(keys)
    return Summary([*summary.findings[:at], finding, *summary.findings[at:]], fmt=fmt)


def _weakest(result: Any, span: float, fmt: str, numbers: dict) -> str:
    segments = [i for i, kind in enumerate(result.kinds) if kind == "segment"]
    if len(segments) < 2:
        return ""
    weakest = min(segments, key=lambda i: float(result.quality[i]))
    name = result.names[weakest]
    for a, b, diff, se in result.ties:
        if weakest in (a, b):
            other = b if a == weakest else a
            numbers["weakest_tie_difference"] = diff * span
            return (
                f"Weakest segment: {name} and {result.names[other]} are tied within noise "
                f"(difference {diff * span:{fmt}}, standard error {se * span:{fmt}}): not robust."
            )
    return f"Weakest segment: {name} is the weakest beyond the noise: robust."


def _first_fix(chain: Chain, ranked: Any, numbers: dict) -> str:
    net = chain.network
    rows = fixes(ranked.ranking)
    shares = first_fix_shares(ranked.stability)
    if not rows or rows[0].node not in shares:
        return ""
    first = rows[0]
    share = shares[first.node]
    name = _label(net, first)
    numbers[f"first_share:{_key(first.node)}"] = share
    if share >= ROBUST_SHARE:
        return f"Fix first: {name} is the first fix in {share:.0%} of the draws: robust."
    rival = max((n for n in shares if n != first.node), key=lambda n: shares[n], default=None)
    text = f"Fix first: {name} is the first fix in only {share:.0%} of the draws"
    if rival is None or shares[rival] < 1 - ROBUST_SHARE:
        return text + ": not robust."
    numbers[f"first_share:{_key(rival)}"] = shares[rival]
    stable = ranked.stability
    rival_row = next(r for r in [*stable.departments, *stable.services] if r.node == rival)
    return (
        f"{text}, {_label(net, rival_row)} in {shares[rival]:.0%}: tied within noise, not robust."
    )


def _key(node: Any) -> str:
    return "->".join(node) if isinstance(node, tuple | list) else str(node)


def _label(net: Any, row: Any) -> str:
    name = node_name(net, row.node)
    return f"the hand-off {name}" if row.kind == "service" else name
