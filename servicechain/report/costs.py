"""The report's "Cost to serve" section: each segment's cost beside its satisfaction and revenue,
each department's total cost beside the quality it delivers (shown when departments have costs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .document import Section, Table, Text
from .labels import score_format
from .rows import REPORT_ROWS, more, rest_row

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = ["SEGMENT_SHARE", "cost_section"]

_MONEY = ",.2f"
#: Format of a segment's share of all direct costs, in the table and in the summary.
SEGMENT_SHARE = ".0%"


def _shown(values: list[float], total: float) -> list[float]:
    """Amounts rounded to the cent by largest remainder, so that they add up to ``total``."""
    from ..cost.rounding import cents

    return [c / 100 for c in cents(values, total)]


def cost_section(chain: Chain, result: Any, costs: Any = None) -> Section | None:
    """Cost to serve by the reciprocal method, or ``None`` when no department has a cost.

    ``result`` is the chain's :func:`~servicechain.flow.score` (for delivered quality);
    ``costs`` the allocation already made (:func:`~servicechain.cost.allocate`), or the text of
    the reason it could not be made; computed here when not given.
    """
    from ..cost import CostError, allocate

    if not chain.costs.any_given:
        return None
    if costs is None:
        try:
            costs = allocate(chain)
        except CostError as err:
            costs = str(err)
    if isinstance(costs, str):
        return Section("cost", "Cost to serve", [Text(costs, note=True)])
    fmt = score_format(chain)
    currency = f" ({costs.currency})" if costs.currency else ""
    blocks: list[Any] = [
        Text(
            "Each department's direct cost is shared among its customers in proportion to the "
            "volume of service each takes, along the same chain as the quality, by the "
            "reciprocal method of cost accounting (every department's total cost is its own "
            "plus its share of the total cost of each department serving it). What the "
            "segments take from the front line is their cost to serve; the segments' costs "
            "add up to the departments' direct costs."
        )
    ]
    blocks.append(_segment_table(costs, fmt, currency))
    blocks.append(_department_table(costs, result, fmt, currency))
    blocks.extend(
        Text(f"Note: {note}" + ("" if note.endswith(".") else "."), note=True)
        for note in costs.notes
    )
    return Section("cost", "Cost to serve", blocks)


def _segment_table(costs: Any, fmt: str, currency: str) -> Table:
    segments = costs.segments.tolist()
    values = [float(costs.received[k]) for k in segments]
    kept = costs.total_kept
    total = costs.total_direct
    shown = _shown([*values, kept] if kept else values, total)
    listed = list(range(len(segments)))
    if len(segments) > REPORT_ROWS:  # the segments costing the most, then one line for the rest
        listed = sorted(listed, key=lambda i: -shown[i])[:REPORT_ROWS]
    rows = []
    for i in listed:
        k = segments[i]
        share = values[i] / total if total else None
        customers, revenue = costs.customers[k], costs.revenue[k]
        per = shown[i] / customers if customers and not np.isnan(customers) else None
        margin = None if np.isnan(revenue) else round(revenue - shown[i], 2)
        rows.append(
            [
                costs.names[k],
                float(costs.satisfaction[k]),
                shown[i],
                share,
                per,
                None if np.isnan(revenue) else float(revenue),
                margin,
            ]
        )
    left = sorted(set(range(len(segments))) - set(listed))
    if left:
        amount = round(sum(shown[i] for i in left), 2)
        share = sum(values[i] for i in left) / total if total else None
        label = more(len(left), "segment") + ", each costing no more"
        rows.append([label, None, amount, share, None, None, None])
    if kept:
        label = "Kept by departments that serve no one"
        rows.append([label, None, shown[-1], kept / total if total else None, None, None, None])
    rows.append(["Total", None, round(sum(shown), 2), 1.0 if total else None, None, None, None])
    return Table(
        [
            "Segment",
            "Satisfaction",
            f"Cost to serve{currency}",
            "Share of direct costs",
            "Per customer",
            "Revenue",
            "Margin after cost to serve",
        ],
        rows,
        formats=[None, fmt, _MONEY, SEGMENT_SHARE, _MONEY, _MONEY, _MONEY],
        caption="Satisfaction is the delivered quality on the model's scale; the margin is "
        "revenue less cost to serve"
        + (f"; amounts in {currency.strip(' ()')}." if currency else "."),
        sortable=False,
    )


def _department_table(costs: Any, result: Any, fmt: str, currency: str) -> Table:
    departments = costs.departments.tolist()
    direct = _shown(costs.direct[departments].tolist(), costs.total_direct)
    total = _shown(costs.total[departments].tolist(), float(costs.total[departments].sum()))
    listed = list(range(len(departments)))
    rest: list = []
    caption = (
        "Total cost counts a support cost again at each department it passes, so the "
        "totals add up to more than the direct costs."
    )
    if len(departments) > REPORT_ROWS:  # the largest total costs, then one line for the rest
        listed = sorted(listed, key=lambda i: -total[i])[:REPORT_ROWS]
        left = sorted(set(range(len(departments))) - set(listed))
        amount = round(sum(direct[i] for i in left), 2)
        rest = rest_row(
            5,
            more(len(left), "department") + ", none with a larger total cost",
            c2=amount,
            c3=amount / costs.total_direct if costs.total_direct else None,
            c4=round(sum(total[i] for i in left), 2),
        )
        caption = f"The {REPORT_ROWS} departments with the largest total cost. " + caption
    rows = [
        [
            costs.names[departments[i]],
            float(result.to_scale(result.quality[departments[i]])),
            direct[i],
            direct[i] / costs.total_direct if costs.total_direct else None,
            total[i],
        ]
        for i in listed
    ]
    return Table(
        [
            "Department",
            "Delivered quality",
            f"Direct cost{currency}",
            "Share of direct costs",
            "Total cost with support received",
        ],
        rows,
        formats=[None, fmt, _MONEY, ".1%", _MONEY],
        caption=caption,
        rest=rest,
    )
