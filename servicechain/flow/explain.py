"""A segment's gap to a perfect score, split exactly into own shortfalls and hand-off losses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..model.lazy import LazyList
from ..model.text import text_repr
from ._text import fmt_score, percent, table
from .sensitivity import segment_index
from .solve import SolveError
from .state import state_of

__all__ = ["GAP_TOL", "TEXT_TERMS", "Breakdown", "Term", "explain", "service_losses"]

#: The terms of a breakdown must add up to the gap within this (else SolveError).
GAP_TOL = 1e-9
#: Without ``top``, the text of a breakdown lists at most this many terms (then a remainder).
TEXT_TERMS = 100


@dataclass
class Term:
    """One part of a segment's gap.

    ``kind`` is ``"own"`` (a node's own shortfall; ``node`` is its id) or ``"service"`` (a
    hand-off's loss; ``node`` is ``(source, target)``). ``value`` is on the 0..1 scale and
    ``share_of_gap`` is ``value / gap`` (negative for a hand-off that recovers part of the gap).
    """

    kind: str
    node: str | tuple[str, str]
    label: str
    value: float
    share_of_gap: float

    def to_dict(self, span: float = 1.0) -> dict:
        """Plain data; ``points`` is the value on the model's scale (width ``span``)."""
        node = list(self.node) if isinstance(self.node, tuple) else self.node
        return {
            "kind": self.kind,
            "node": node,
            "label": self.label,
            "value": self.value,
            "points": self.value * span,
            "share_of_gap": self.share_of_gap,
        }


@dataclass
class Breakdown:
    """Gap ``1 - Q_k`` of a segment and the terms that add up to it, largest first.

    ``terms`` is a list whose :class:`Term` objects are made when looked at; ``values`` holds
    their values in the same order.
    """

    segment: str
    name: str
    quality: float
    gap: float
    terms: Sequence[Term]
    scale: tuple[float, float] = (0.0, 1.0)
    top: int | None = None
    residual: float = 0.0
    extra: dict = field(default_factory=dict)
    values: np.ndarray | None = field(default=None, repr=False)

    def shown(self) -> list[Term]:
        """The terms to display (the first ``top`` when set)."""
        return list(self.terms) if self.top is None else self.terms[: self.top]

    def _rest(self, start: int) -> float:
        """Sum of the values of the terms from ``start`` on, in order."""
        if self.values is not None:
            return sum(self.values[start:].tolist())
        return sum(t.value for t in self.terms[start:])

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Text and an HTML table in Jupyter."""
        from ..display import result_bundle

        return result_bundle(self, "Gap breakdown", include=include, exclude=exclude)

    def to_dict(self) -> dict:
        """Plain data with values on 0..1 and on the model's scale (``points``)."""
        lo, hi = self.scale
        span = hi - lo
        return {
            "segment": self.segment,
            "name": self.name,
            "scale": {"min": lo, "max": hi},
            "quality": self.quality,
            "score": lo + self.quality * span,
            "gap": self.gap,
            "gap_points": self.gap * span,
            "terms": [t.to_dict(span) for t in self.shown()],
            "terms_total": len(self.terms),
        }

    __repr__ = text_repr

    def __str__(self) -> str:
        lo, hi = self.scale
        span = hi - lo
        lines = [
            f"{self.name} ({self.segment}): {fmt_score(lo + self.quality * span, span)} "
            f"on {lo:g}..{hi:g}, gap to a perfect {hi:g}: {fmt_score(self.gap * span, span)}"
        ]
        rows = [["", "where", "points", "share"]]
        count = len(self.terms)
        shown = self.terms[: min(count, TEXT_TERMS) if self.top is None else self.top]
        rows += [
            [t.kind, t.label, fmt_score(t.value * span, span), percent(t.share_of_gap)]
            for t in shown
        ]
        lines += table(rows, right=(2, 3))
        hidden = count - len(shown)
        if hidden:
            rest = self._rest(len(shown))
            share = rest / self.gap if self.gap > 0 else 0.0
            lines.append(
                f"  ... {hidden} more term{'s' if hidden != 1 else ''}: "
                f"{fmt_score(rest * span, span)} ({percent(share)})"
            )
        return "\n".join(lines)


def service_losses(state) -> np.ndarray:
    """``r_ji (1 - e_ji)`` per service (``r_ji (1 - P_ji)`` for a constant rating)."""
    net = state.net
    return net.reliance * np.where(state.constant, 1.0 - net.rating, 1.0 - state.e)


def explain(chain, segment: str, *, top: int | None = None) -> Breakdown:
    """Split the gap of ``segment`` to a perfect score into each node's own shortfall
    ``L[k,i] a_i (1 - b_i)`` and each hand-off's loss ``L[k,i] r_ji (1 - e_ji)``.

    Parameters
    ----------
    chain : Chain
    segment : str
        Id of a segment.
    top : int, optional
        Show only the largest ``top`` terms (all are kept in ``terms``).

    Returns
    -------
    Breakdown

    Raises
    ------
    UnknownNodeError
        If ``segment`` is not the id of a segment.
    SolveError
        If the terms do not add up to the gap within ``GAP_TOL``.

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop",
    ...     "departments": [{"id": "it", "name": "IT", "quality": 0.6, "dependence": 0},
    ...                     {"id": "store", "name": "Store", "quality": 0.9}],
    ...     "segments": [{"id": "walkin", "name": "Walk-in", "kind": "consumer",
    ...                   "relationship": "customer"}],
    ...     "services": [{"from": "it", "to": "store", "quality": 0.5},
    ...                  {"from": "store", "to": "walkin"}]})
    >>> b = explain(chain, "walkin")
    >>> round(b.gap, 6), [(t.node, round(t.value, 6)) for t in b.terms]
    (0.3, [('it', 0.166667), (('it', 'store'), 0.083333), ('store', 0.05)])
    >>> print(b)
    Walk-in (walkin): 0.70 on 0..1, gap to a perfect 1: 0.30
               where                points  share
      own      it (IT)                0.17  55.6%
      service  it → store             0.08  27.8%
      own      store (Store)          0.05  16.7%
    """
    state = state_of(chain)
    net = state.net
    k = segment_index(net, segment)
    row = state.row(k)
    own = row * net.own_share * (1.0 - net.own_filled)
    svc = row[net.target] * service_losses(state)
    gap = 1.0 - float(state.quality[k])
    residual = float(own.sum() + svc.sum()) - gap
    if abs(residual) > GAP_TOL:
        raise SolveError(
            f"the gap breakdown of {segment!r} does not add up: terms {gap + residual:.12f} "
            f"against a gap of {gap:.12f}; please report this model"
        )
    # Own terms then hand-off terms, largest first (a stable sort keeps that order on ties).
    nodes = np.flatnonzero(np.abs(own) > 1e-15)
    services = np.flatnonzero(np.abs(svc) > 1e-15)
    values = np.concatenate([own[nodes], svc[services]])
    order = np.argsort(-values, kind="stable")
    values = values[order]
    names = net.service_names or [""] * net.m

    def term(t: int) -> Term:
        pos = int(order[t])
        value = float(values[t])
        share = value / gap if gap > 0 else 0.0
        if pos < len(nodes):
            i = int(nodes[pos])
            return Term("own", net.ids[i], f"{net.ids[i]} ({net.names[i]})", value, share)
        s = int(services[pos - len(nodes)])
        a, b = net.ids[net.source[s]], net.ids[net.target[s]]
        label = f"{a} → {b}" + (f" ({names[s]})" if names[s] else "")
        return Term("service", (a, b), label, value, share)

    return Breakdown(
        segment=segment,
        name=net.names[k],
        quality=float(state.quality[k]),
        gap=gap,
        terms=LazyList(len(values), term),
        scale=(net.scale.min, net.scale.max),
        top=top,
        residual=residual,
        values=values,
    )
