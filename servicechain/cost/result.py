"""The result of a cost allocation: per department, per segment and per service, with its text."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..model.network import DEPARTMENT, SEGMENT
from ..text import fmt_score, table, text_repr
from .rounding import cents, money

__all__ = ["METHOD_NAMES", "CostResult", "shown_rows"]

#: Methods by their CLI name, with the words the text uses for each.
METHOD_NAMES = {"reciprocal": "reciprocal", "step-down": "step-down", "direct": "direct"}
#: Tables of the text show every row up to this many, else the largest and one "other" row.
ROWS_SHOWN = 40
ROWS_LARGEST = 25


def _num(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def shown_rows(values: np.ndarray, nodes: np.ndarray) -> tuple[list[int], list[int]]:
    """``(shown, others)``: all ``nodes`` when few, else the largest by ``values`` (in that
    order) and the rest, which the text sums into one row."""
    nodes = np.asarray(nodes)
    if len(nodes) <= ROWS_SHOWN:
        return nodes.tolist(), []
    order = nodes[np.argsort(-values[nodes], kind="stable")]
    return order[:ROWS_LARGEST].tolist(), order[ROWS_LARGEST:].tolist()


@dataclass(eq=False)
class CostResult:
    """Support costs allocated along the chain by one method (DESIGN section 3c).

    Per node (aligned with ``ids``): ``direct`` cost, cost ``received`` from suppliers,
    cost ``passed`` on to customers; a segment's ``received`` is its cost to serve. Per service:
    the ``amount`` of cost it carries and its ``volume``. Amounts are exact (floats); only the
    text rounds them, to the cent, so that every shown column adds up.
    """

    name: str
    method: str
    ids: list[str]
    names: list[str]
    kind: np.ndarray
    direct: np.ndarray
    received: np.ndarray
    passed: np.ndarray
    source: np.ndarray
    target: np.ndarray
    amount: np.ndarray
    volume: np.ndarray
    units: list[str | None]
    service_names: list[str]
    satisfaction: np.ndarray
    revenue: np.ndarray
    customers: np.ndarray
    scale: tuple[float, float] = (0.0, 1.0)
    currency: str | None = None
    order: list[str] | None = None
    notes: list[str] = field(default_factory=list)

    # --- derived amounts ---------------------------------------------------------------------

    @cached_property
    def total(self) -> np.ndarray:
        """Total cost of each department: its direct cost plus what it received."""
        return self.direct + self.received

    @cached_property
    def kept(self) -> np.ndarray:
        """Cost each department keeps (it serves no one): total less passed on."""
        kept = np.where(self.kind == DEPARTMENT, self.total - self.passed, 0.0)
        return np.where(np.abs(kept) <= 1e-9 * max(1.0, self.total_direct), 0.0, kept)

    @cached_property
    def departments(self) -> np.ndarray:
        """Node numbers of the departments."""
        return np.flatnonzero(self.kind == DEPARTMENT)

    @cached_property
    def segments(self) -> np.ndarray:
        """Node numbers of the segments."""
        return np.flatnonzero(self.kind == SEGMENT)

    @property
    def total_direct(self) -> float:
        """Sum of the direct costs."""
        return float(self.direct.sum())

    @property
    def to_segments(self) -> float:
        """Cost that reaches the segments (their cost to serve)."""
        return float(self.received[self.segments].sum())

    @property
    def total_kept(self) -> float:
        """Cost kept by departments that serve no one."""
        return float(self.kept.sum())

    def cost_to_serve(self, segment: str) -> float:
        """A segment's cost to serve; raises ``UnknownNodeError`` for an id that is no segment."""
        from ..errors import unknown_node

        names = [self.ids[k] for k in self.segments]
        if segment not in names:
            raise unknown_node(segment, names, what="segment")
        return float(self.received[self.ids.index(segment)])

    def total_of(self, department: str) -> float:
        """A department's total cost; raises ``UnknownNodeError`` for an id that is none."""
        from ..errors import unknown_node

        names = [self.ids[j] for j in self.departments]
        if department not in names:
            raise unknown_node(department, names, what="department")
        return float(self.total[self.ids.index(department)])

    # --- plain data ---------------------------------------------------------------------------

    def to_dict(self) -> dict:
        """Plain data for ``--json``: every department, segment and service, amounts exact."""
        lo, hi = self.scale
        departments = [
            {
                "id": self.ids[j],
                "name": self.names[j],
                "direct": float(self.direct[j]),
                "received": float(self.received[j]),
                "passed_on": float(self.passed[j]),
                "total": float(self.total[j]),
                "kept": float(self.kept[j]),
            }
            for j in self.departments.tolist()
        ]
        segments = []
        for k in self.segments.tolist():
            cost = float(self.received[k])
            customers, revenue = _num(self.customers[k]), _num(self.revenue[k])
            segments.append(
                {
                    "id": self.ids[k],
                    "name": self.names[k],
                    "satisfaction": _num(self.satisfaction[k]),
                    "cost_to_serve": cost,
                    "customers": None if customers is None else int(customers),
                    "per_customer": cost / customers if customers else None,
                    "revenue": revenue,
                    "margin": None if revenue is None else revenue - cost,
                }
            )
        services = [
            {
                "from": self.ids[self.source[s]],
                "to": self.ids[self.target[s]],
                "name": self.service_names[s] or None,
                "volume": float(self.volume[s]),
                "unit": self.units[s],
                "amount": float(self.amount[s]),
                "price_per_unit": float(self.amount[s] / self.volume[s])
                if self.volume[s] > 0
                else None,
            }
            for s in range(len(self.source))
        ]
        return {
            "model": self.name,
            "method": self.method,
            "currency": self.currency,
            "scale": {"min": lo, "max": hi},
            "order": self.order,
            "total_direct": self.total_direct,
            "to_segments": self.to_segments,
            "kept": self.total_kept,
            "departments": departments,
            "segments": segments,
            "services": services,
            "notes": list(self.notes),
        }

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        from ..display import result_bundle

        return result_bundle(self, "Cost to serve", include=include, exclude=exclude)

    __repr__ = text_repr

    # --- text ----------------------------------------------------------------------------------

    def __str__(self) -> str:
        unit = f" (amounts in {self.currency})" if self.currency else ""
        lines = [f"Cost to serve: {self.name}, {self.method} method{unit}"]
        if self.order is not None:
            shown = [self.names[self.ids.index(i)] for i in self.order[:12]]
            more = f" → … {len(self.order) - 12:,} more" if len(self.order) > 12 else ""
            lines.append("Step-down order: " + " → ".join(shown) + more)
        lines += ["", *self._department_lines(), "", *self._segment_lines()]
        prices = self._price_lines()
        if prices:
            lines += ["", *prices]
        if self.notes:
            lines += ["", *(f"Note: {note}" for note in self.notes)]
        return "\n".join(lines)

    def _department_lines(self) -> list[str]:
        shown, others = shown_rows(self.total, self.departments)
        columns = (self.direct, self.received, self.passed, self.total)
        rows = [["Department", "Direct cost", "Received", "Passed on", "Total cost"]]
        labels = [self.names[j] for j in shown]
        if others:
            labels.append(f"{len(others):,} other departments")
        cells = []
        for values in columns:
            parts = [float(values[j]) for j in shown]
            if others:
                parts.append(float(values[others].sum()))
            rounded = cents(parts, float(values[self.departments].sum()))
            cells.append([*map(money, rounded), money(sum(rounded))])
        for i, label in enumerate([*labels, "Sum"]):
            rows.append([label, *(column[i] for column in cells)])
        lines = table(rows, right=(1, 2, 3, 4), indent="")
        if float(self.received[self.departments].sum()) > 0:
            lines.append(
                "(received, passed on and total count a cost again at each department it "
                "passes; the segments' cost to serve adds up to the direct costs)"
            )
        return lines

    def _segment_lines(self) -> list[str]:
        lo, hi = self.scale
        shown, others = shown_rows(self.received, self.segments)
        parts = [float(self.received[k]) for k in shown]
        labels = [self.names[k] for k in shown]
        if others:
            parts.append(float(self.received[others].sum()))
            labels.append(f"{len(others):,} other segments")
        kept = self.total_kept
        if kept:
            parts.append(kept)
            labels.append("Kept by departments that serve no one")
        rounded = cents(parts, self.total_direct)
        rows = [
            [
                "Segment",
                "Satisfaction",
                "Cost to serve",
                "Customers",
                "Per customer",
                "Revenue",
                "Margin after cost",
            ]
        ]
        for i, label in enumerate(labels):
            k = shown[i] if i < len(shown) else None
            row = [label, "", money(rounded[i]), "", "", "", ""]
            if k is not None:
                row[1] = fmt_score(float(self.satisfaction[k]), hi - lo)
                customers, revenue = self.customers[k], self.revenue[k]
                if not math.isnan(customers):
                    row[3] = f"{int(customers):,}"
                    if customers > 0:
                        row[4] = money(round(self.received[k] / customers * 100))
                if not math.isnan(revenue):
                    row[5] = money(round(revenue * 100))
                    row[6] = money(round(revenue * 100) - rounded[i])
            rows.append(row)
        rows.append(["Total", "", money(sum(rounded)), "", "", "", ""])
        return table(rows, right=(1, 2, 3, 4, 5, 6), indent="")

    def _price_lines(self) -> list[str]:
        charged = self.volume > 0
        suppliers = np.unique(self.source[charged & (self.amount > 0)])
        if not len(suppliers):
            return []
        volume = np.bincount(
            self.source[charged & (self.amount > 0)],
            weights=self.volume[charged & (self.amount > 0)],
            minlength=len(self.ids),
        )
        shown, others = shown_rows(self.passed, suppliers)
        rows = [["Internal price of", "Charged volume", "Unit", "Price per unit"]]
        for j in shown:
            units = {self.units[s] for s in np.flatnonzero(self.source == j) if self.units[s]}
            price = self.passed[j] / volume[j]
            rows.append(
                [
                    self.names[j],
                    f"{volume[j]:,.6g}",
                    ", ".join(sorted(units)) or "-",
                    money(round(price * 100)),
                ]
            )
        lines = table(rows, right=(1, 3), indent="")
        if others:
            lines.append(f"… {len(others):,} more suppliers (--json lists every service)")
        return lines
