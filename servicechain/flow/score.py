"""Delivered quality of every node and the company's value-weighted external quality."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..model.assumptions import Assumption
from ..model.lazy import LazyList
from ..model.network import KIND_NAMES, SEGMENT
from ..model.records import Coded, Records, plain
from ..text import column_table, fmt_score, fmt_scores, listed, text_repr
from .state import NO_SEGMENTS, state_of

__all__ = ["Score", "score"]


def _num(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


@dataclass
class Score:
    """Delivered quality ``Q`` of every node (0..1, aligned with ``ids``) and of each service.

    ``company`` is the value-weighted quality of the segments (nan when there are none);
    ``top``, when set, limits the text to the first ``top`` rows (segments come first).
    """

    name: str
    scale: tuple[float, float]
    ids: list[str]
    names: list[str]
    kinds: list[str]
    quality: np.ndarray
    service_quality: np.ndarray
    services: Sequence[tuple[str, str]]
    service_names: list[str]
    company: float
    value: np.ndarray
    assumptions: Sequence[Assumption] = field(default_factory=list)
    top: int | None = None
    notes: list[str] = field(default_factory=list)
    #: Positions of the supplier and the customer of each service in ``ids`` (when known).
    ends: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def to_scale(self, x):
        """0..1 values on the model's own scale."""
        lo, hi = self.scale
        return lo + np.asarray(x) * (hi - lo) if np.ndim(x) else lo + x * (hi - lo)

    def by_id(self, ident: str) -> float:
        """Delivered quality of one node, 0..1; raises ``UnknownNodeError`` for a bad id."""
        try:
            return float(self.quality[self.ids.index(ident)])
        except ValueError:
            from ..errors import unknown_node

            raise unknown_node(ident, self.ids) from None

    def order(self) -> list[int]:
        """Node positions, segments first, then departments, then partners (file order)."""
        rank = {"segment": 0, "department": 1, "partner": 2}
        keys = np.fromiter(map(rank.__getitem__, self.kinds), dtype=np.int8, count=len(self.kinds))
        return np.argsort(keys, kind="stable").tolist()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Text and an HTML table in Jupyter."""
        from ..display import result_bundle

        return result_bundle(self, "Delivered quality", include=include, exclude=exclude)

    def to_dict(self) -> dict:
        """Plain data: every score as ``quality`` (0..1) and ``score`` (the model's scale)."""
        return plain(self.json_data())

    def json_data(self) -> dict:
        """:meth:`to_dict` with its lists of nodes and services as
        :class:`~servicechain.model.records.Records` (what ``--json`` streams)."""
        lo, hi = self.scale
        if self.ends is not None:
            source, target = Coded(self.ids, self.ends[0]), Coded(self.ids, self.ends[1])
        else:
            source = [s for s, _ in self.services]
            target = [t for _, t in self.services]
        return {
            "name": self.name,
            "scale": {"min": lo, "max": hi},
            "company": {
                "quality": _num(self.company),
                "score": _num(self.to_scale(self.company)),
            },
            "nodes": Records(
                {
                    "id": self.ids,
                    "name": self.names,
                    "kind": self.kinds,
                    "quality": np.asarray(self.quality, dtype=float),
                    "score": np.asarray(self.to_scale(self.quality), dtype=float),
                },
                order=self.order(),
            ),
            "services": Records(
                {
                    "from": source,
                    "to": target,
                    "name": self.service_names,
                    "quality": np.asarray(self.service_quality, dtype=float),
                    "score": np.asarray(self.to_scale(self.service_quality), dtype=float),
                }
            ),
            "assumptions": Records.from_rows(self.assumptions),
            "notes": list(self.notes),
        }

    __repr__ = text_repr

    def __str__(self) -> str:
        lo, hi = self.scale
        span = hi - lo
        lines = [f"{self.name}: delivered quality on the scale {lo:g}..{hi:g}"]
        lines += [f"  Note: {note}" for note in self.notes]
        if not math.isnan(self.company):
            lines.append(
                f"  company (value-weighted over segments): "
                f"{fmt_score(self.to_scale(self.company), span)}"
            )
        shown = self.order()[: self.top]
        scores = fmt_scores(
            (lo + np.asarray(self.quality, dtype=float)[shown] * span).tolist(), span
        )
        # the table made a column at a time: no list per row of a long table
        columns = [
            [head, *map(values.__getitem__, shown)]
            for head, values in (("kind", self.kinds), ("id", self.ids), ("name", self.names))
        ]
        lines += column_table([*columns, ["score", *scores]], right=(3,))
        hidden = len(self.ids) - len(shown)
        if hidden > 0:
            lines.append(f"  ... and {hidden:,} more (--json lists them all)")
        count = len(self.assumptions)
        if count:
            lines.append(f"Assumptions ({count:,}):")
            lines += listed(self.assumptions)
        return "\n".join(lines)


def score(chain, *, top: int | None = None) -> Score:
    """Delivered quality of every node of ``chain``, the company's value-weighted external
    quality, and the assumptions made for missing scores.

    Parameters
    ----------
    chain : Chain
        A loaded model.
    top : int, keyword-only
        Show only the first ``top`` nodes in the text (segments first); the data keeps all.

    Returns
    -------
    Score

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop", "scale": {"min": 1, "max": 5},
    ...     "departments": [{"id": "it", "name": "IT", "quality": 3, "dependence": 0},
    ...                     {"id": "store", "name": "Store", "quality": 5, "dependence": 0.5}],
    ...     "segments": [{"id": "walkin", "name": "Walk-in", "kind": "consumer",
    ...                   "relationship": "customer"}],
    ...     "services": [{"from": "it", "to": "store", "quality": 3},
    ...                  {"from": "store", "to": "walkin", "quality": 4}]})
    >>> s = score(chain)
    >>> round(s.by_id("store"), 6), round(s.company, 6)
    (0.75, 0.75)
    >>> print(s)
    Shop: delivered quality on the scale 1..5
      company (value-weighted over segments): 4.00
      kind        id      name     score
      segment     walkin  Walk-in   4.00
      department  it      IT        3.00
      department  store   Store     4.00
    """
    state = state_of(chain)
    net = state.net
    names = net.service_names or [""] * net.m
    q = state.quality
    return Score(
        name=chain.name,
        scale=(net.scale.min, net.scale.max),
        ids=list(net.ids),
        names=list(net.names),
        kinds=[KIND_NAMES[k] for k in net.kind],
        quality=q.copy(),
        service_quality=state.service_quality.copy(),
        services=_pairs(net),
        service_names=list(names),
        company=state.company(q),
        value=np.where(net.kind == SEGMENT, net.value, 0.0),
        assumptions=chain.assumptions,
        top=top,
        notes=[] if (net.kind == SEGMENT).any() else [NO_SEGMENTS],
        ends=(net.source, net.target),
    )


def _pairs(net) -> LazyList:
    """``(supplier id, customer id)`` of every service, made when looked at."""
    ids, source, target = net.ids, net.source, net.target
    return LazyList(net.m, lambda j: (ids[source[j]], ids[target[j]]))
