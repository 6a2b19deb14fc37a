"""The allocation methods side by side (``servicechain cost --method all``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..text import table, text_repr
from .result import CostResult, shown_rows
from .rounding import cents, money

__all__ = ["CostComparison"]


@dataclass(eq=False)
class CostComparison:
    """Each department's total cost and each segment's cost to serve by every method that
    applies; ``unavailable`` gives, for a method that cannot allocate the model, the reason."""

    results: list[CostResult]
    unavailable: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain data for ``--json``: each method's full result, and the reasons of the others."""
        return {
            "methods": {r.method: r.to_dict() for r in self.results},
            "unavailable": dict(self.unavailable),
        }

    __repr__ = text_repr

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        from ..display import result_bundle

        return result_bundle(self, "Cost to serve by method", include=include, exclude=exclude)

    def _column_lines(self, title: str, nodes: np.ndarray, values: str, extra: str) -> list[str]:
        first = self.results[0]
        shown, others = shown_rows(getattr(first, values), nodes)
        labels = [first.names[j] for j in shown]
        if others:
            labels.append(f"{len(others):,} others")
        columns = []
        for result in self.results:
            array = getattr(result, values)
            parts = [float(array[j]) for j in shown]
            if others:
                parts.append(float(array[others].sum()))
            total = float(array[nodes].sum())
            if extra:
                kept = result.total_kept
                parts.append(kept)
                total += kept
            rounded = cents(parts, total)
            columns.append([*map(money, rounded), money(sum(rounded))])
        if extra:
            labels.append(extra)
        rows = [[title, *(r.method for r in self.results)]]
        for i, label in enumerate([*labels, "Total" if extra else "Sum"]):
            rows.append([label, *(column[i] for column in columns)])
        return table(rows, right=tuple(range(1, len(self.results) + 1)), indent="")

    def __str__(self) -> str:
        first = self.results[0]
        unit = f" (amounts in {first.currency})" if first.currency else ""
        lines = [f"Cost to serve: {first.name}, the methods side by side{unit}", ""]
        if len(first.segments):
            kept = "Kept by departments that serve no one"
            lines += [*self._column_lines("Cost to serve", first.segments, "received", kept), ""]
        lines += self._column_lines("Department total cost", first.departments, "total", "")
        for result in self.results:
            if result.order is not None:
                shown = [result.names[result.ids.index(i)] for i in result.order[:12]]
                more = f" → … {len(result.order) - 12:,} more" if len(result.order) > 12 else ""
                lines += ["", "Step-down order: " + " → ".join(shown) + more]
        for method, reason in self.unavailable.items():
            lines += ["", f"Not shown: {method}: {reason}"]
        return "\n".join(lines)
