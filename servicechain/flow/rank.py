"""Priorities: importance, performance, exact gain if perfect, exact failure and quadrant of
every department, partner and service, with the top rows certified exact."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import ServiceChainError, did_you_mean
from ..model.lazy import LazyList
from ..model.network import PARTNER, SEGMENT
from ..model.records import Ends
from ..text import fmt_score, table, text_repr
from .columns import RankColumns, labels, service_labels
from .effects import Effects, certify
from .ordering import Order
from .quadrants import QUADRANTS, Split, quadrants
from .sensitivity import segment_index
from .state import NO_SEGMENTS, state_of

__all__ = ["BY", "QUADRANTS", "TEXT_ROWS", "Ranking", "Row", "rank"]

BY = ("gain", "importance", "failure", "gain-per-cost")
#: Without ``top``, the text of a ranking lists at most this many rows of each list, and this
#: many are made exact unless ``exact`` says otherwise.
TEXT_ROWS = 100
#: Marks a quadrant that a reader could take to contradict the row's rank.
MARK = "*"
#: The text solves the failures it shows (when not ranked by failure) to this first, on 0..1;
#: only those whose rounding that leaves open are solved exactly.
_TEXT_TOL = 1e-6


@dataclass
class Row:
    """One department or partner (``node`` an id) or service (``node`` a ``(source, target)``).

    Values are on 0..1 (``to_dict`` adds points). ``importance`` is the value-weighted
    sensitivity (points gained per point of own quality or rating), ``performance`` the own
    quality or rating, ``gain`` the exact gain if it were perfect (``bound`` its linear
    estimate, an upper bound), ``failure`` the exact drop if it delivered nothing
    (``failure_bound`` its linear estimate). ``gain`` and ``failure`` are nan where not
    computed exactly (rows after the certified ones).
    """

    kind: str
    node: str | tuple[str, str]
    label: str
    importance: float
    performance: float
    gain: float
    bound: float
    failure: float
    failure_bound: float
    quadrant: str = ""
    mark: str = ""
    #: For ``by="gain-per-cost"``: the item's cost (a department's total cost, a service's
    #: charge), in the model's currency; nan where it has none.
    cost: float = float("nan")

    def to_dict(self, scale: tuple[float, float] = (0.0, 1.0)) -> dict:
        """Plain data; ``*_points`` are on the model's scale; ``None`` where not exact."""
        lo, hi = scale
        span = hi - lo

        def num(x: float) -> float | None:
            return None if np.isnan(x) else float(x)

        def points(x: float) -> float | None:
            return None if np.isnan(x) else float(x * span)

        return {
            "kind": self.kind,
            "node": list(self.node) if isinstance(self.node, tuple) else self.node,
            "label": self.label,
            "importance": self.importance,
            "performance": self.performance,
            "score": lo + self.performance * span,
            "gain": num(self.gain),
            "gain_points": points(self.gain),
            "bound": self.bound,
            "bound_points": self.bound * span,
            "gain_exact": not np.isnan(self.gain),
            "failure": num(self.failure),
            "failure_points": points(self.failure),
            "failure_bound": self.failure_bound,
            "failure_exact": not np.isnan(self.failure),
            "quadrant": self.quadrant or None,
            **(
                {}
                if np.isnan(self.cost)
                else {
                    "cost": self.cost,
                    "gain_points_per_million": None
                    if np.isnan(self.gain) or self.cost <= 0
                    else float(self.gain * span / self.cost * 1e6),
                }
            ),
        }


@dataclass
class Ranking:
    """Departments (with partners) and services ranked by ``by``, for one segment or the
    company; the first ``exact_rows`` of each list carry exact gains and failures.

    ``departments`` and ``services`` are lists whose :class:`Row` objects are made when looked
    at (the numbers stay in arrays until then).
    """

    segment: str | None
    by: str
    departments: Sequence[Row]
    services: Sequence[Row]
    scale: tuple[float, float] = (0.0, 1.0)
    top: int | None = None
    splits: dict[str, Split] = field(default_factory=dict)
    exact_rows: int = 0
    notes: list[str] = field(default_factory=list)
    partners: bool = False
    #: Per list: what is made only when looked at (see :class:`_Listed`).
    _lists: dict[str, _Listed] = field(default_factory=dict, repr=False, compare=False)

    @property
    def columns(self) -> dict[str, RankColumns] | None:
        """The numbers of ``departments`` and ``services`` as columns (what ``--json``
        streams)."""
        if not self._lists:
            return None
        return {key: listed.made_columns() for key, listed in self._lists.items()}

    def shown(self, rows: Sequence[Row]) -> list[Row]:
        """The first ``top`` rows (all without ``top``)."""
        return list(rows) if self.top is None else rows[: self.top]

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Text and an HTML table in Jupyter."""
        from ..display import result_bundle

        return result_bundle(self, "Priorities", include=include, exclude=exclude)

    def to_dict(self) -> dict:
        """Plain data: lists of rows, the quadrant split values and notes."""
        return {
            **self._head(),
            "departments": [r.to_dict(self.scale) for r in self.shown(self.departments)],
            "services": [r.to_dict(self.scale) for r in self.shown(self.services)],
        }

    def json_data(self) -> dict:
        """:meth:`to_dict` with its lists of rows as
        :class:`~servicechain.model.records.Records` (what ``--json`` streams)."""
        data = self._head()
        columns = self.columns
        for key, rows in (("departments", self.departments), ("services", self.services)):
            count = len(rows) if self.top is None else min(self.top, len(rows))
            held = None if columns is None else columns[key].records(count, self.scale)
            # rows with a cost beside rows without one are written as plain dicts
            data[key] = (
                held if held is not None else [r.to_dict(self.scale) for r in self.shown(rows)]
            )
        return data

    def _head(self) -> dict:
        lo, hi = self.scale
        return {
            "segment": self.segment,
            "by": self.by,
            "scale": {"min": lo, "max": hi},
            "exact_rows": self.exact_rows,
            "quadrant_split": {k: s.to_dict(self.scale) for k, s in self.splits.items()},
            "notes": list(self.notes),
        }

    __repr__ = text_repr

    def __str__(self) -> str:
        lo, hi = self.scale
        span = hi - lo
        target = f"segment {self.segment!r}" if self.segment else "the company (value-weighted)"
        lines = [f"Priorities for {target}, by {self.by} (scale {lo:g}..{hi:g})"]
        lines += [f"  Note: {note}" for note in self.notes]
        marked = inexact = False
        for key, title, rows in (
            ("departments", "Departments", self.departments),
            ("services", "Services", self.services),
        ):
            if key == "departments" and self.partners:
                title = "Departments and partners"
            lines.append(f"{title}:")
            head = "department" if key == "departments" else "service"
            body = [["", head, "importance", "score", "gain", "failure", "quadrant"]]
            per_cost = self.by == "gain-per-cost"
            if per_cost:
                body[0][4:4] = ["cost", "gain per 1M"]
            stop = min(len(rows), TEXT_ROWS if self.top is None else self.top)
            shown = rows[:stop]
            # the failures to the digits written (exact ones only where those need them)
            listed = self._lists.get(key)
            digits = None if listed is None else listed.failures.to_digits(span)
            where = None if listed is None else listed.order.head(stop)
            for n, row in enumerate(shown, 1):
                gain = row.gain
                failure = row.failure if digits is None else float(digits[where[n - 1]])
                inexact |= bool(np.isnan(gain) or np.isnan(failure))
                marked |= bool(row.mark)
                cells = [
                    f"{n}.",
                    row.label,
                    f"{row.importance:.3f}",
                    fmt_score(lo + row.performance * span, span),
                    _points(gain, row.bound, span),
                    _points(failure, row.failure_bound, span),
                    (row.quadrant or "-") + row.mark,
                ]
                if per_cost:
                    cells[4:4] = _per_cost(row, span)
                body.append(cells)
            lines += table(body, right=(0, 2, 3, 4, 5, 6, 7) if per_cost else (0, 2, 3, 4, 5))
            hidden = len(rows) - len(shown)
            if hidden:
                lines.append(f"  ... {hidden} more")
            split = self.splits.get(key)
            if split is not None and len(shown):
                lines.append(f"  {split.describe(self.scale)}")
        what = f"segment {self.segment!r}" if self.segment else "the company"
        lines.append(f"  importance: points {what} gains per point of own quality or rating;")
        if self.by == "gain-per-cost":
            lines.append(
                "  cost: a department's total cost (with the support it receives), a service's "
                "charge;"
            )
            lines.append("  gain per 1M: points gained if it were perfect per million of cost;")
        lines.append("  gain: points gained if it were perfect (exact, the cap included);")
        lines.append("  failure: points lost if it delivered nothing (exact);")
        lines.append("  quadrant: importance and score against their means (- for no effect).")
        if inexact:
            lines.append(
                f"  ≤: rows after the first {self.exact_rows} show the linear estimate, an "
                "upper bound."
            )
        if marked:
            lines.append(
                f"  {MARK} ranked above a row to 'concentrate here' yet in a lower quadrant: "
                f"ranked by {self.by},"
            )
            lines.append("    while the quadrant compares importance and score with their means.")
        return "\n".join(lines)


def _per_cost(row: Row, span: float) -> list[str]:
    if np.isnan(row.cost) or row.cost <= 0:
        return ["-", "-"]
    value = row.bound if np.isnan(row.gain) else row.gain
    per = value * span / row.cost * 1e6
    return [f"{row.cost:,.0f}", ("≤" if np.isnan(row.gain) else "") + f"{per:.4g}"]


def _points(value: float, bound: float, span: float) -> str:
    if np.isnan(value):
        return "≤" + fmt_score(bound * span, span)
    return fmt_score(value * span, span)


def rank(
    chain,
    *,
    segment: str | None = None,
    by: str = "gain",
    top: int | None = None,
    exact: int | None = None,
    costs: tuple[np.ndarray, np.ndarray] | None = None,
) -> Ranking:
    """Rank departments, partners and services by exact gain, importance, exact failure or
    exact gain per unit of cost.

    The first ``top`` rows (``exact`` rows without ``top``, default ``TEXT_ROWS``, the rows its
    text shows) of each list carry exact gains and failures; ranking by gain or failure walks
    the items by their linear bound and stops once the ``top``-th exact value is at least the
    next bound, so the top rows are certified with few solves.

    Parameters
    ----------
    chain : Chain
    segment : str, optional
        Rank for one segment instead of the value-weighted company.
    by : {"gain", "importance", "failure", "gain-per-cost"}
        ``gain-per-cost`` ranks by the exact gain divided by ``costs`` (items without a cost
        come last).
    top : int, optional
        Keep only the first ``top`` rows of each list for display.
    exact : int, optional
        Without ``top``: how many rows of each list to make exact (``rank --exact``; the rest
        carry their linear bounds, marked as such).
    costs : (array, array), optional
        For ``gain-per-cost``: the cost of each node (a department's total cost) and of each
        service (its charge), as :meth:`servicechain.Chain.rank` takes them from
        :func:`servicechain.cost.allocate`.

    Examples
    --------
    >>> r = rank(shop)
    >>> [(row.node, round(row.gain, 6), round(row.failure, 6)) for row in r.departments]
    [('it', 0.166667, 0.25), ('store', 0.05, 0.7)]
    """
    if by == "opportunity":
        by = "gain"
    if by not in BY:
        hint = did_you_mean(by, BY, what="ranking")
        raise ServiceChainError(f"cannot rank by {by!r}; {hint}")
    if by == "gain-per-cost" and costs is None:
        raise ServiceChainError("ranking by gain-per-cost needs the costs: use Chain.rank")
    state = state_of(chain)
    net = state.net
    notes: list[str] = []
    has_segments = bool((net.kind == SEGMENT).any())
    k = None if segment is None or not has_segments else segment_index(net, segment)
    if segment is not None and not has_segments:
        raise ServiceChainError(NO_SEGMENTS)
    if not has_segments:
        notes.append(NO_SEGMENTS)
        y, w = np.zeros(net.n), np.zeros(net.n)
    elif k is None:
        y, w = state.adjoint, net.value / state.total_value
    else:
        y = state.row(k)
        w = np.zeros(net.n)
        w[k] = 1.0
    eff = Effects(state, w, y)
    count = top if top is not None else (TEXT_ROWS if exact is None else exact)
    reach = state.reaching(w)
    ids, names_of = net.ids, net.names

    nodes = np.flatnonzero(net.kind != SEGMENT)
    imp = y[nodes] * net.own_share[nodes]
    zero = ~reach[nodes] | (net.own_share[nodes] <= 0)
    kinds = np.where(net.kind[nodes] == 0, "department", "partner")
    node_cost, service_cost = costs if costs is not None else (None, None)
    node_items = (
        ["department", "partner"],
        (net.kind[nodes] != 0).astype(np.intp),
        Ends(ids, np.full(len(nodes), -1), nodes),
        lambda where: labels(ids, names_of, nodes[where]),
    )
    departments, dsplit, dlisted = _rows(
        by,
        count,
        imp,
        net.own_filled[nodes],
        zero,
        (eff.node_gain_bound(nodes), lambda i: eff.node_gain(nodes[i])),
        (eff.node_failure_bound(nodes), lambda i, tol=None: eff.node_failure(nodes[i], tol=tol)),
        lambda i: (str(kinds[i]), ids[nodes[i]], f"{ids[nodes[i]]} ({names_of[nodes[i]]})"),
        node_items,
        None if node_cost is None else np.asarray(node_cost, dtype=float)[nodes],
    )
    services = np.arange(net.m)
    names = net.service_names or [""] * net.m

    def service(j: int) -> tuple[str, tuple[str, str], str]:
        a, b = ids[net.source[j]], ids[net.target[j]]
        return "service", (a, b), f"{a} → {b}" + (f" ({names[j]})" if names[j] else "")

    service_items = (
        ["service"],
        np.zeros(net.m, dtype=np.intp),
        Ends(ids, net.source, net.target),
        lambda where: service_labels(ids, net.source, net.target, names, where),
    )
    rows, ssplit, slisted = _rows(
        by,
        count,
        y[net.target] * net.reliance,
        state.service_quality,
        ~reach[net.target] | (net.reliance <= 0),
        (eff.service_gain_bound(services), eff.service_gain),
        (eff.service_failure_bound(services), eff.service_failure),
        service,
        service_items,
        None if service_cost is None else np.asarray(service_cost, dtype=float),
    )
    return Ranking(
        segment=segment,
        by=by,
        departments=departments,
        services=rows,
        scale=(net.scale.min, net.scale.max),
        top=top,
        splits={"departments": dsplit, "services": ssplit},
        exact_rows=count,
        notes=notes,
        partners=bool((net.kind[nodes] == PARTNER).any()),
        _lists={"departments": dlisted, "services": slisted},
    )


def _rows(by: str, count: int, imp, perf, zero, gains, failures, describe, items, cost=None):
    """Rows sorted by ``by`` (largest first, ties in file order) with exact gains and
    failures for the first ``count``, made when looked at; the quadrant split; and what the
    list makes only when looked at (:class:`_Listed`): its order past the first rows, the
    exact failures of the first ``count`` when not ranked by them, and the rows' numbers as
    columns (``items``: kind names, kind per item, ends, labels).

    ``failures[1](items, tol=None)`` solves failures exactly, or each within ``tol``.
    """
    n = len(imp)
    gain, gain_known = np.full(n, np.nan), np.zeros(n, dtype=bool)
    fail, fail_known = np.full(n, np.nan), np.zeros(n, dtype=bool)
    if by == "importance":
        order = Order(imp)
    elif by == "gain-per-cost":
        # gain / cost <= bound / cost: the bound of the ratio certifies it as it does the gain.
        costed = cost > 0
        safe = np.where(costed, cost, 1.0)
        bound = np.where(costed, gains[0] / safe, -np.inf)

        def ratio(items: np.ndarray) -> np.ndarray:
            out = np.full(len(items), -np.inf)
            has = costed[items]
            out[has] = gains[1](items[has]) / safe[items[has]]
            return out

        values, known = certify(bound, ratio, min(count, int(costed.sum())))
        order = Order(values, known)
        done = known & costed
        gain[done], gain_known[done] = values[done] * cost[done], True
    else:
        bound, exact = gains if by == "gain" else failures
        values, known = certify(bound, exact, count)
        order = Order(values, known)
        target, mask = (gain, gain_known) if by == "gain" else (fail, fail_known)
        target[known], mask[known] = values[known], True
    first = order.head(count)
    todo = first[~gain_known[first]]
    if len(todo):
        gain[todo] = gains[1](todo)
        gain_known[todo] = True
    # the failures of the first rows, when not ranked by, are solved when first looked at
    deferred = _Deferred(fail, first[~fail_known[first]], failures[1])
    quadrant, split = quadrants(imp, perf, zero)
    # A row is marked when it sits in a lower quadrant yet ranks first or above a row in
    # "concentrate here" (the ranking and the quadrant answer different questions).
    # ("concentrate here": high importance, low score, as quadrants() splits them)
    live = ~np.asarray(zero, dtype=bool)
    upper = live & (imp >= split.importance) & ~(perf >= split.performance)
    last_upper = order.last(upper) if split.items else -1
    gain_bound, fail_bound = gains[0], failures[0]

    def row(pos: int) -> Row:
        i = order[pos]
        kind, node, label = describe(i)
        lower = quadrant[i] in (QUADRANTS[(False, False)], QUADRANTS[(False, True)])
        fields = (
            kind,
            node,
            label,
            float(imp[i]),
            float(perf[i]),
            float(gain[i]),
            float(gain_bound[i]),
            float(fail[i]),
            float(fail_bound[i]),
            str(quadrant[i]),
            MARK if lower and (pos < last_upper or pos == 0) and by != "importance" else "",
            float("nan") if cost is None else float(cost[i]),
        )
        if deferred.holds(i):
            return _Row(*fields, failure_of=lambda: float(deferred.settle()[i]))
        return Row(*fields)

    def columns() -> RankColumns:
        return RankColumns(
            order.whole(), imp, perf, gain, gain_bound, fail, fail_bound, quadrant, cost, *items
        )

    return LazyList(n, row), split, _Listed(order, deferred, columns)


@dataclass
class _Listed:
    """What one ranked list makes only when looked at: its ``order`` past the rows shown, the
    exact ``failures`` of its first rows (:class:`_Deferred`) and its numbers as columns
    (``columns()``, made once, with every failure exact)."""

    order: Order
    failures: _Deferred
    columns: Callable[[], RankColumns]
    _made: RankColumns | None = None

    def made_columns(self) -> RankColumns:
        """The list's numbers as columns, its failures exact."""
        self.failures.settle()
        if self._made is None:
            self._made = self.columns()
        return self._made


class _Row(Row):
    """A :class:`Row` whose exact failure is solved when first read (``failure_of()``)."""

    def __init__(self, *fields, failure_of: Callable[[], float]) -> None:
        self._failure_of: Callable[[], float] | None = failure_of
        super().__init__(*fields)

    @property
    def failure(self) -> float:  # type: ignore[override]
        """The exact drop if it delivered nothing (see :class:`Row`)."""
        if self._failure_of is not None:
            self._failure, self._failure_of = self._failure_of(), None
        return self._failure

    @failure.setter
    def failure(self, value: float) -> None:
        self._failure = value

    def __repr__(self) -> str:
        return "Row" + super().__repr__().removeprefix(type(self).__qualname__)


class _Deferred:
    """Exact values of some items (``values[items]``, nan until then) solved when first
    looked at; the text of a ranking asks only for the digits it shows.

    ``exact(items, tol=None)`` solves them exactly, or each within ``tol``.
    """

    def __init__(self, values: np.ndarray, items: np.ndarray, exact: Callable) -> None:
        self.values, self.items, self.exact = values, items, exact
        self._digits: np.ndarray | None = None
        self._held = set(items.tolist())

    def holds(self, item: int) -> bool:
        """Whether ``item``'s exact value is still to be solved."""
        return item in self._held

    def settle(self) -> np.ndarray:
        """``values`` with every item solved exactly."""
        if len(self.items):
            self.values[self.items] = self.exact(self.items)
            self.items = self.items[:0]
            self._digits = None
            self._held.clear()
        return self.values

    def to_digits(self, span: float) -> np.ndarray:
        """``values``, or a copy with the items not yet solved good to the digits the text
        shows on a scale of width ``span``: each solved within ``_TEXT_TOL`` first, then
        exactly where the two ends of its interval would not be written alike."""
        if not len(self.items):
            return self.values
        if self._digits is None:
            near = self.exact(self.items, tol=_TEXT_TOL)
            margin = 2 * _TEXT_TOL  # the interval, with room for round-off
            unsure = [
                i
                for i, v in enumerate(near.tolist())
                if fmt_score((v - margin) * span, span) != fmt_score((v + margin) * span, span)
            ]
            if unsure:
                near[unsure] = self.exact(self.items[unsure])
            self._digits = self.values.copy()
            self._digits[self.items] = near
        return self._digits
