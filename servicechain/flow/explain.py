"""A segment's gap to a perfect score, split exactly into own shortfalls and hand-off losses:
by gap tracing (every term >= 0, the default) or by the marginal (linearised) breakdown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import ServiceChainError, did_you_mean
from ..model.lazy import LazyList
from ..model.network import SEGMENT
from ..model.records import Ends
from ..text import fmt_score, percent, table, text_repr
from .columns import OUTSIDE, TermColumns, term_labels
from .sensitivity import segment_index
from .solve import SolveError
from .state import NO_SEGMENTS, state_of

__all__ = [
    "GAP_TOL",
    "METHODS",
    "METHOD_NOTES",
    "OUTSIDE",
    "SHOWN_TERMS",
    "TEXT_TERMS",
    "Breakdown",
    "Term",
    "check_sum",
    "explain",
    "largest_first",
    "service_losses",
    "term_values",
]

#: The terms of a breakdown must add up to the gap within ``GAP_TOL``, or within
#: ``GAP_REL_TOL`` of the total size of the terms when they are huge (else SolveError).
GAP_TOL = 1e-9
GAP_REL_TOL = 1e-12
#: Without ``top``, the text of a breakdown lists at most this many terms (then a remainder).
TEXT_TERMS = 100
#: Terms a chart or a report shows before one labelled remainder.
SHOWN_TERMS = 8
METHODS = ("tracing", "marginal")
#: One line on what each method's terms mean.
METHOD_NOTES = {
    "tracing": "gap tracing: each supplier's gap is followed upstream; every term >= 0, "
    "adding up to the gap.",
    "marginal": "marginal (linearised) breakdown: a negative term is a hand-off rated above "
    "its supplier's delivery.",
}


@dataclass
class Term:
    """One part of a segment's gap.

    ``kind`` is ``"own"`` (a department's or partner's own shortfall; ``node`` is its id),
    ``"outside"`` (the segment's own part, from outside the chain: price, product ...) or
    ``"service"`` (a hand-off's loss; ``node`` is ``(source, target)``). ``value`` is on the
    0..1 scale and ``share_of_gap`` is ``value / gap`` (negative only in the marginal
    breakdown, for a hand-off that offsets part of the gap).
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
    method: str = "tracing"
    #: The terms as columns (what ``--json`` streams).
    columns: TermColumns | None = field(default=None, repr=False, compare=False)

    def remainder(self, shown: int) -> tuple[int, float, str]:
        """``(count, value, label)`` of the terms after the first ``shown``: the one labelled
        remainder that the text, the waterfall chart and the report all show."""
        count = max(0, len(self.terms) - shown)
        value = self._rest(shown) if count else 0.0
        return count, value, f"{count:,} smaller term{'s' if count != 1 else ''}"

    def shown(self) -> list[Term]:
        """The terms to display (the first ``top`` when set)."""
        return list(self.terms) if self.top is None else self.terms[: self.top]

    def _rest(self, start: int) -> float:
        """Sum of the values of the terms from ``start`` on, each added in turn, in order (a
        running sum in numpy: no Python float per term)."""
        if self.values is not None:
            rest = self.values[start:]
            return float(np.cumsum(rest)[-1]) if len(rest) else 0.0
        return sum(t.value for t in self.terms[start:])

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Text and an HTML table in Jupyter."""
        from ..display import result_bundle

        return result_bundle(self, "Gap breakdown", include=include, exclude=exclude)

    def to_dict(self) -> dict:
        """Plain data with values on 0..1 and on the model's scale (``points``)."""
        span = self.scale[1] - self.scale[0]
        return self._data([t.to_dict(span) for t in self.shown()])

    def json_data(self) -> dict:
        """:meth:`to_dict` with its terms as :class:`~servicechain.model.records.Records`
        (what ``--json`` streams)."""
        if self.columns is None:
            return self.to_dict()
        count = len(self.terms) if self.top is None else min(self.top, len(self.terms))
        span = self.scale[1] - self.scale[0]
        return self._data(self.columns.records(count, self.gap, span))

    def _data(self, terms) -> dict:
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
            "method": self.method,
            "terms": terms,
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
        hidden, rest, label = self.remainder(len(shown))
        if hidden:
            share = rest / self.gap if self.gap > 0 else 0.0
            lines.append(f"  ... {label}: {fmt_score(rest * span, span)} ({percent(share)})")
        lines.append(f"  {METHOD_NOTES[self.method]}")
        return "\n".join(lines)


def service_losses(state) -> np.ndarray:
    """``r_ji (1 - e_ji)`` per service (``r_ji (1 - P_ji)`` for a constant rating)."""
    net = state.net
    return net.reliance * np.where(state.constant, 1.0 - net.rating, 1.0 - state.e)


def term_values(state, k: int, method: str = "tracing") -> tuple[np.ndarray, np.ndarray]:
    """Own terms per node and hand-off terms per service of node ``k``'s gap, for ``state``
    (a model's current state): the numbers :func:`explain` lists, as arrays."""
    return _terms(state, k, method)


def _terms(state, k: int, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Own terms per node and hand-off terms per service of node ``k``'s gap."""
    net = state.net
    unit = np.zeros(net.n)
    unit[k] = 1.0
    own_gap = net.own_share * (1.0 - net.own_filled)
    if method == "tracing":
        row = state.tracing.solve(unit, transpose=True)  # T[k, :]
        return row * own_gap, row[net.target] * net.reliance * state.loss
    row = state.operator.solve(unit, transpose=True)  # L[k, :]
    return row * own_gap, row[net.target] * service_losses(state)


def largest_first(values: np.ndarray) -> np.ndarray:
    """Positions of ``values`` from the largest to the smallest, equal values in the order
    they come (what a stable sort gives): a fast unstable sort, then each run of equal values
    put back in order.

    Examples
    --------
    >>> largest_first(np.array([0.1, 0.3, 0.1, 0.3, 0.2])).tolist()
    [1, 3, 4, 0, 2]
    """
    order = np.argsort(-values)
    ranked = values[order]
    tied = ranked[1:] == ranked[:-1]
    if tied.any():
        run = np.concatenate([[0], np.cumsum(~tied)])  # number of each run of equal values
        where = np.flatnonzero(np.concatenate([tied, [False]]) | np.concatenate([[False], tied]))
        order[where] = order[where][np.lexsort((order[where], run[where]))]
    return order


def check_sum(own: np.ndarray, svc: np.ndarray, gap: float, what: str) -> float:
    """The residual ``sum(terms) - gap``, raising ``SolveError`` when it is larger than
    round-off explains: ``GAP_TOL``, or ``GAP_REL_TOL`` of the total size of the terms."""
    total = float(own.sum() + svc.sum())
    size = float(np.abs(own).sum() + np.abs(svc).sum())
    residual = total - gap
    if not abs(residual) <= max(GAP_TOL, GAP_REL_TOL * size):
        raise SolveError(
            f"the gap breakdown of {what} does not add up: terms {total:.12f} against a gap of "
            f"{gap:.12f} (terms of total size {size:.3g}); please report this model"
        )
    return residual


def explain(chain, segment: str, *, top: int | None = None, method: str = "tracing") -> Breakdown:
    """Split the gap of ``segment`` to a perfect score into own shortfalls and hand-off losses.

    ``method="tracing"`` (the default) traces each supplier's gap upstream in proportion: every
    term is >= 0 and they add up to the gap (own term ``T[k,i] a_i (1 - b_i)``, hand-off term
    ``T[k,i] r_ji loss_ji``, ``T = (I - Psi)^-1``). ``method="marginal"`` is the linearised
    breakdown ``L[k,i] a_i (1 - b_i)`` and ``L[k,i] r_ji (1 - e_ji)``: also exact, but a hand-off
    rated above what its supplier delivers overall gets a negative term.

    Parameters
    ----------
    chain : Chain
    segment : str
        Id of a segment.
    top : int, optional
        Show only the largest ``top`` terms (all are kept in ``terms``).
    method : {"tracing", "marginal"}

    Returns
    -------
    Breakdown

    Raises
    ------
    UnknownNodeError
        If ``segment`` is not the id of a segment.
    ServiceChainError
        For an unknown method, or a model without segments.
    SolveError
        If the terms do not add up to the gap (relative to their size, see :func:`check_sum`).

    Examples
    --------
    >>> b = explain(shop, "walkin")
    >>> round(b.gap, 6), [(t.node, round(t.value, 6)) for t in b.terms]
    (0.3, [('it', 0.2), ('store', 0.05), (('it', 'store'), 0.05)])
    >>> print(b)
    Walk-in (walkin): 0.70 on 0..1, gap to a perfect 1: 0.30
               where                points  share
      own      it (IT)                0.20  66.7%
      own      store (Store)          0.05  16.7%
      service  it → store             0.05  16.7%
      gap tracing: each supplier's gap is followed upstream; every term >= 0, adding up to the gap.
    """
    if method not in METHODS:
        raise ServiceChainError(
            f"unknown breakdown method {method!r}; " + did_you_mean(method, METHODS, what="method")
        )
    state = state_of(chain)
    net = state.net
    if not (net.kind == SEGMENT).any():
        raise ServiceChainError(NO_SEGMENTS)
    k = segment_index(net, segment)
    own, svc = _terms(state, k, method)
    gap = 1.0 - float(state.quality[k])
    residual = check_sum(own, svc, gap, repr(segment))
    # Own terms then hand-off terms, largest first (a stable sort keeps that order on ties).
    nodes = np.flatnonzero(np.abs(own) > 1e-15)
    services = np.flatnonzero(np.abs(svc) > 1e-15)
    values = np.concatenate([own[nodes], svc[services]])
    order = largest_first(values)
    values = values[order]
    names = net.service_names or [""] * net.m

    def term(t: int) -> Term:
        pos = int(order[t])
        value = float(values[t])
        share = value / gap if gap > 0 else 0.0
        if pos < len(nodes):
            i = int(nodes[pos])
            if net.kind[i] == SEGMENT:
                return Term("outside", net.ids[i], OUTSIDE, value, share)
            return Term("own", net.ids[i], f"{net.ids[i]} ({net.names[i]})", value, share)
        s = int(services[pos - len(nodes)])
        a, b = net.ids[net.source[s]], net.ids[net.target[s]]
        label = f"{a} → {b}" + (f" ({names[s]})" if names[s] else "")
        return Term("service", (a, b), label, value, share)

    is_service = order >= len(nodes)
    at = np.where(is_service, 0, order)
    on = np.where(is_service, order - len(nodes), 0)
    node = nodes[at] if len(nodes) else np.zeros(len(order), dtype=int)
    service = services[on] if len(services) else np.zeros(len(order), dtype=int)
    first = np.where(is_service, net.source[service] if net.m else -1, -1)
    second = np.where(is_service, net.target[service] if net.m else 0, node)
    kind = np.where(is_service, 2, (net.kind[node] == SEGMENT).astype(np.intp))

    columns = TermColumns(
        values,
        ["own", "outside", "service"],
        kind,
        Ends(net.ids, first, second),
        lambda where: term_labels(net, kind[where], node[where], service[where]),
    )
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
        method=method,
        columns=columns,
    )
