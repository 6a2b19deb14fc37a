"""What-if: the before and after of every node when qualities, ratings, weights or dependences
change or departments fail, and several named scenarios side by side."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import ScenarioError, ServiceChainError, unknown_node
from ..model.network import KIND_NAMES, SEGMENT
from ..model.scenarios import ScenarioFile
from ..text import fmt_score, number, table, text_repr
from .capped import capped_fixed_point
from .scenario import Scenario, parse_scenario, resolve_scenario
from .solve import SolveError
from .state import NO_SEGMENTS, ZERO, State, state_of

__all__ = ["Comparison", "Impact", "compare", "impact", "solve_scenario"]


def _num(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def _money(x: float) -> str:
    return "-" if math.isnan(x) else number(x, "+,.0f")


@dataclass
class Impact:
    """Before and after of every node (0..1, aligned with ``ids``), the company's value-weighted
    quality, and the revenue change of segments with ``revenue_elasticity``."""

    name: str
    changes: list[str]
    ids: list[str]
    names: list[str]
    kinds: list[str]
    scale: tuple[float, float]
    before: np.ndarray
    after: np.ndarray
    company_before: float
    company_after: float
    revenue_change: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def change(self) -> np.ndarray:
        """``after - before`` of every node."""
        return self.after - self.before

    @property
    def company_change(self) -> float:
        """Change of the company's value-weighted external quality."""
        return self.company_after - self.company_before

    @property
    def revenue_total(self) -> float:
        """Sum of the revenue changes that can be computed (nan if none)."""
        known = self.revenue_change[~np.isnan(self.revenue_change)]
        return float(known.sum()) if len(known) else float("nan")

    def segments(self) -> list[int]:
        """Positions of the segments."""
        return [i for i, k in enumerate(self.kinds) if k == "segment"]

    def by_id(self, ident: str) -> tuple[float, float]:
        """``(before, after)`` of one node, 0..1."""
        if ident not in self.ids:
            raise unknown_node(ident, self.ids)
        i = self.ids.index(ident)
        return float(self.before[i]), float(self.after[i])

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Text and an HTML table in Jupyter."""
        from ..display import result_bundle

        return result_bundle(self, "What-if", include=include, exclude=exclude)

    def to_dict(self) -> dict:
        """Plain data: segments, company and every node, on 0..1 and on the model's scale."""
        lo, hi = self.scale
        span = hi - lo

        def row(i: int) -> dict:
            return {
                "id": self.ids[i],
                "name": self.names[i],
                "kind": self.kinds[i],
                "before": float(self.before[i]),
                "after": float(self.after[i]),
                "change": float(self.after[i] - self.before[i]),
                "score_before": float(lo + self.before[i] * span),
                "score_after": float(lo + self.after[i] * span),
                "score_change": float((self.after[i] - self.before[i]) * span),
                "revenue_change": _num(self.revenue_change[i]),
            }

        order = self.segments() + [i for i, k in enumerate(self.kinds) if k != "segment"]
        return {
            "scenario": self.name,
            "changes": list(self.changes),
            "scale": {"min": lo, "max": hi},
            "company": {
                "before": _num(self.company_before),
                "after": _num(self.company_after),
                "change": _num(self.company_change),
                "score_before": _num(lo + self.company_before * span),
                "score_after": _num(lo + self.company_after * span),
                "score_change": _num(self.company_change * span),
                "revenue_change": _num(self.revenue_total),
            },
            "segments": [row(i) for i in self.segments()],
            "nodes": [row(i) for i in order],
        }

    __repr__ = text_repr

    def __str__(self) -> str:
        lo, hi = self.scale
        span = hi - lo
        title = f"What-if {self.name!r}" if self.name else "What-if"
        lines = [f"{title}: {'; '.join(self.changes) or 'no change'} (scale {lo:g}..{hi:g})"]
        rows = [["segment", "name", "before", "after", "change", "revenue"]]
        for i in self.segments():
            b, a = self.before[i], self.after[i]
            rows.append(
                [
                    self.ids[i],
                    self.names[i],
                    fmt_score(lo + b * span, span),
                    fmt_score(lo + a * span, span),
                    fmt_score((a - b) * span, span, sign=True),
                    _money(self.revenue_change[i]),
                ]
            )
        if not math.isnan(self.company_before):
            rows.append(
                [
                    "company",
                    "value-weighted",
                    fmt_score(lo + self.company_before * span, span),
                    fmt_score(lo + self.company_after * span, span),
                    fmt_score(self.company_change * span, span, sign=True),
                    _money(self.revenue_total),
                ]
            )
        lines += table(rows, right=(2, 3, 4, 5))
        change = self.change  # a fresh array at each use of the property: taken once
        inside = np.array([k != "segment" for k in self.kinds], dtype=bool)
        moved = np.flatnonzero(inside & (np.abs(change) * span >= 0.005))
        moved = moved[np.argsort(-np.abs(change[moved]), kind="stable")].tolist()
        if moved:
            shown = moved[:5]
            parts = [f"{self.ids[i]} {fmt_score(change[i] * span, span, sign=True)}" for i in shown]
            more = f" and {len(moved) - len(shown)} more" if len(moved) > len(shown) else ""
            lines.append(f"  largest changes inside: {', '.join(parts)}{more}")
        return "\n".join(lines)


def solve_scenario(state: State, scenario: Scenario) -> np.ndarray:
    """Delivered quality of every node under ``scenario`` (0..1).

    Services move with their supplier as ``min(1, e_ji Q_j)``; a failed node delivers 0 and so
    do its services. The current state is returned unchanged for an empty scenario.
    """
    if scenario.empty:
        return state.quality.copy()
    net = state.net
    n, src, tgt = net.n, net.source, net.target
    own = net.own_filled.copy()
    dep = net.dependence.copy()
    weight = net.weight.copy()
    for i, v in scenario.own.items():
        own[i] = v
    for i, v in scenario.dependence.items():
        dep[i] = v
    for s, v in scenario.weight.items():
        weight[s] = v
    weight_in = np.bincount(tgt, weights=weight, minlength=n)
    r = dep[tgt] * weight / weight_in[tgt]
    a = 1.0 - np.bincount(tgt, weights=r, minlength=n)
    a[weight_in == 0] = 1.0
    a = np.clip(a, 0.0, 1.0)
    e = state.e.copy()
    constant = state.constant.copy()
    fixed = np.where(constant, net.rating, 0.0)
    for s, v in scenario.rating.items():
        supplied = state.quality[src[s]]
        if supplied > ZERO:
            e[s], constant[s] = v / supplied, False
        else:
            constant[s], fixed[s] = True, v
    failed = np.zeros(n, dtype=bool)
    failed[scenario.fail] = True
    out_of_failed = failed[src]
    constant |= out_of_failed
    fixed[out_of_failed] = 0.0
    constant[scenario.fail_services] = True
    fixed[scenario.fail_services] = 0.0
    into_failed = failed[tgt]
    r = np.where(into_failed, 0.0, r)
    c = np.where(failed, 0.0, a * own)
    c += np.bincount(tgt[constant], weights=(r * fixed)[constant], minlength=n)
    moving = ~constant
    # the current state is the start: a what-if moves a few nodes, most of the chain stays
    q = capped_fixed_point(
        n, c, src[moving], tgt[moving], r[moving], e[moving], start=state.quality
    )
    return np.clip(q, 0.0, 1.0)


def _revenue(chain, state: State, change: np.ndarray) -> np.ndarray:
    net = state.net
    out = np.full(net.n, np.nan)
    if net.revenue_slope is not None:
        return net.revenue_slope * change
    first = int(np.flatnonzero(net.kind == SEGMENT)[0]) if (net.kind == SEGMENT).any() else 0
    for j, seg in enumerate(chain.model.segments):
        if seg.revenue is not None and seg.revenue_elasticity is not None:
            out[first + j] = seg.revenue * seg.revenue_elasticity * change[first + j]
    return out


def impact(
    chain,
    *,
    set: dict[str, float] | None = None,
    weight: dict[str, float] | None = None,
    dependence: dict[str, float] | None = None,
    fail: list[str] | tuple[str, ...] | None = None,
    name: str = "",
) -> Impact:
    """Before and after of every node, segment and the company when the given changes are made.

    Parameters
    ----------
    chain : Chain
    set : dict, optional
        ``{node id: own quality}`` or ``{"SUPPLIER->CUSTOMER": service rating}``, on the
        model's scale.
    weight : dict, optional
        ``{"SUPPLIER->CUSTOMER": weight}``.
    dependence : dict, optional
        ``{department or segment id: dependence 0..1}``.
    fail : list of str, optional
        Departments (or partners) that deliver nothing: quality 0 and every service 0; or
        ``"SUPPLIER->CUSTOMER"``: that service delivers nothing.
    name : str, optional
        A name for the scenario, shown in the result.

    Returns
    -------
    Impact

    Raises
    ------
    UnknownNodeError
        For an unknown id (with a "did you mean").
    ScenarioError
        For a value the model cannot take (e.g. the baseline of a segment with dependence 1).
    ServiceChainError
        For a model without segments.

    Examples
    --------
    >>> result = impact(shop, fail=["it"])
    >>> result.by_id("walkin"), round(result.revenue_total, 6)
    ((0.7, 0.45), -125.0)
    """
    state = state_of(chain)
    _need_segments(state)
    scenario = parse_scenario(state.net, set=set, weight=weight, dependence=dependence, fail=fail)
    return _impact(chain, state, scenario, name)


def _need_segments(state: State) -> None:
    if not (state.net.kind == SEGMENT).any():
        raise ServiceChainError(NO_SEGMENTS)


#: Why a what-if has no result: its dependences and weights close a loop (the model is valid).
UNDETERMINED = (
    "with the dependences, weights and ratings it sets, some departments pass all they deliver "
    "round a loop, so the result is undetermined"
)
UNDETERMINED_FIX = "keep a dependence below 1, or a supplier outside the loop, for one of them"


def _impact(chain, state: State, scenario: Scenario, name: str) -> Impact:
    net = state.net
    try:
        after = solve_scenario(state, scenario)
    except SolveError:
        message = f"this what-if has no result: {UNDETERMINED} ({UNDETERMINED_FIX})"
        raise SolveError(message) from None
    before = state.quality.copy()
    return Impact(
        name=name,
        changes=scenario.changes,
        ids=list(net.ids),
        names=list(net.names),
        kinds=[KIND_NAMES[k] for k in net.kind],
        scale=(net.scale.min, net.scale.max),
        before=before,
        after=after,
        company_before=state.company(before),
        company_after=state.company(after),
        revenue_change=_revenue(chain, state, after - before),
    )


@dataclass
class Comparison:
    """Several named scenarios, each an :class:`Impact`, side by side."""

    impacts: dict[str, Impact]

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Text and an HTML table in Jupyter."""
        from ..display import result_bundle

        return result_bundle(self, "Scenarios", include=include, exclude=exclude)

    def to_dict(self) -> dict:
        """Plain data: one entry per scenario."""
        return {"scenarios": [imp.to_dict() for imp in self.impacts.values()]}

    __repr__ = text_repr

    def __str__(self) -> str:
        impacts = list(self.impacts.values())
        if not impacts:
            return "No scenarios."
        first = impacts[0]
        lo, hi = first.scale
        span = hi - lo
        lines = [
            f"{len(impacts)} scenario{'s' if len(impacts) != 1 else ''} (scale {lo:g}..{hi:g})"
        ]
        lines += [f"  {imp.name}: {'; '.join(imp.changes) or 'no change'}" for imp in impacts]
        rows = [["segment", "before", *[imp.name for imp in impacts]]]
        for i in first.segments():
            rows.append(
                [first.ids[i], fmt_score(lo + first.before[i] * span, span)]
                + [
                    f"{fmt_score(lo + imp.after[i] * span, span)} "
                    f"({fmt_score(imp.change[i] * span, span, sign=True)})"
                    for imp in impacts
                ]
            )
        if not math.isnan(first.company_before):
            rows.append(
                ["company", fmt_score(lo + first.company_before * span, span)]
                + [
                    f"{fmt_score(lo + imp.company_after * span, span)} "
                    f"({fmt_score(imp.company_change * span, span, sign=True)})"
                    for imp in impacts
                ]
            )
            if any(not math.isnan(imp.revenue_total) for imp in impacts):
                rows.append(["revenue", ""] + [_money(imp.revenue_total) for imp in impacts])
        lines += table(rows, right=tuple(range(1, len(impacts) + 2)))
        return "\n".join(lines)


def compare(chain, scenarios: dict[str, dict]) -> Comparison:
    """Solve several named scenarios (as read by :func:`read_scenarios`) against ``chain``.

    Every id and value of every scenario is checked first; the problems are raised together,
    each at its line and column when ``scenarios`` came from a file.

    Raises
    ------
    ScenarioError
        Listing every problem as ``FILE:LINE:COL: field: message (fix)`` (an unknown id with a
        "did you mean"); ``problems`` holds them.

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop",
    ...     "departments": [{"id": "it", "name": "IT", "quality": 0.6}],
    ...     "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "client"}],
    ...     "services": [{"from": "it", "to": "s"}]})
    >>> c = compare(chain, {"better": {"set": {"it": 0.8}}, "none": {}})
    >>> [round(imp.company_after, 6) for imp in c.impacts.values()]
    [0.8, 0.6]
    >>> compare(chain, {"bad": {"set": {"itt": 0.8}, "fail": ["s"]}})
    Traceback (most recent call last):
    ...
    servicechain.errors.ScenarioError: 2 problems in the scenario file
    <scenarios>: scenarios.bad.set.itt: no department, segment or partner has the id 'itt' (did you mean 'it'?)
    <scenarios>: scenarios.bad.fail[0]: 's' is a segment (only a department or a partner can fail)
    """  # noqa: E501
    state = state_of(chain)
    _need_segments(state)
    located = scenarios if isinstance(scenarios, ScenarioFile) else ScenarioFile(scenarios)
    resolved: dict[str, Scenario] = {}
    problems = []
    for name, body in scenarios.items():
        fields = {k: body.get(k) for k in ("set", "weight", "dependence", "fail")}
        resolved[name], issues = resolve_scenario(state.net, **fields)
        for issue in issues:
            loc = ("scenarios", name, *issue.loc)
            problems.append(located.problem(loc, issue.message, issue.fix))
    if problems:
        raise ScenarioError.listing(problems)
    out: dict[str, Impact] = {}
    for name, scenario in resolved.items():
        try:
            out[name] = _impact(chain, state, scenario, name)
        except SolveError:
            loc = ("scenarios", name)
            problems.append(located.problem(loc, UNDETERMINED, UNDETERMINED_FIX))
    if problems:
        raise ScenarioError.listing(problems)
    return Comparison(out)
