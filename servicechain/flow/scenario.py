"""What-if scenarios: a scenario's ids and values (plain data) resolved into positions on 0..1.

Every id and value is checked, and every problem found is an :class:`Issue`: a command-line
what-if stops at the first, a scenario file lists them all. Scenario files are read by
:mod:`servicechain.io.scenario`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ScenarioError, UnknownNodeError, did_you_mean, shown_number
from ..model.limits import MAX_NUMBER
from ..model.network import DEPARTMENT, PARTNER, SEGMENT, Network

__all__ = ["Issue", "Scenario", "ScenarioError", "parse_scenario", "resolve_scenario"]


@dataclass
class Scenario:
    """A scenario resolved against a network: positions and values on 0..1."""

    own: dict[int, float] = field(default_factory=dict)
    rating: dict[int, float] = field(default_factory=dict)
    weight: dict[int, float] = field(default_factory=dict)
    dependence: dict[int, float] = field(default_factory=dict)
    fail: list[int] = field(default_factory=list)
    fail_services: list[int] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Whether the scenario changes nothing."""
        return not (
            self.own
            or self.rating
            or self.weight
            or self.dependence
            or self.fail
            or self.fail_services
        )


@dataclass(frozen=True)
class Issue:
    """One thing a scenario asks that the model cannot take.

    ``loc`` is where it stands in the scenario (``("set", "it")``, ``("fail", 0)``);
    ``message`` and ``fix`` are its words in a scenario file, ``option`` the whole line for a
    command-line option (``set it=9: outside the scale ...``); ``unknown`` is the id that
    names nothing, when that is the issue.
    """

    loc: tuple
    message: str
    fix: str
    option: str
    unknown: str | None = None


def _split(key: Any) -> tuple[str, str] | None:
    if not isinstance(key, str):
        return None
    for arrow in ("->", "→"):
        if arrow in key:
            a, _, b = key.partition(arrow)
            return a.strip(), b.strip()
    return None


class _Refused(Exception):
    """An entry of a scenario that cannot be taken (carried to the loop that records it)."""

    def __init__(self, issue: Issue):
        self.issue = issue


def _node(net: Network, key: Any, loc: tuple) -> int:
    try:
        return net.node(key)
    except UnknownNodeError as err:
        message, found, hint = err.message.rpartition("; did you mean ")
        if not found:  # no hint (an id may hold "; " itself: split at the hint alone)
            message, hint = err.message, ""
        else:
            hint = "did you mean " + hint
        raise _Refused(Issue(loc, message, hint, err.message, unknown=str(key))) from None


def _service(net: Network, key: str, loc: tuple) -> int:
    what = loc[0]
    pair = _split(key)
    if pair is None:
        message = f"{key!r} is not a service"
        fix = "write it as SUPPLIER->CUSTOMER"
        raise _Refused(Issue(loc, message, fix, f"{what}: {message}; {fix}", unknown=str(key)))
    src = _node(net, pair[0], loc)
    tgt = _node(net, pair[1], loc)
    hits = np.flatnonzero((net.source == src) & (net.target == tgt))
    if not len(hits):
        if ((net.source == tgt) & (net.target == src)).any():
            hint = f"did you mean '{pair[1]}->{pair[0]}'? (a service runs from its supplier)"
        else:
            keys = [
                f"{net.ids[s]}->{net.ids[t]}" for s, t in zip(net.source, net.target, strict=True)
            ]
            hint = did_you_mean(f"{pair[0]}->{pair[1]}", keys)
        message = f"no service from {pair[0]!r} to {pair[1]!r}"
        option = f"{what}: {message}" + (f"; {hint}" if hint else "")
        raise _Refused(Issue(loc, message, hint, option, unknown=key))
    return int(hits[0])


def _refuse(loc: tuple, option: str, message: str, fix: str = "") -> _Refused:
    """An issue worded ``option`` on the command line and ``message (fix)`` in a file."""
    return _Refused(Issue(loc, message, fix, option))


def _number(value: Any, loc: tuple, head: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        message, fix = f"expected a number, got {value!r}", "write e.g. 3.5"
        raise _refuse(loc, f"{head}: {message}", message, fix)
    if not abs(value) <= MAX_NUMBER:  # also refuses nan and infinities
        if isinstance(value, float) and math.isnan(value):
            message = "nan is not a number"
        else:
            message = f"{shown_number(value)} is too large"
        fix = f"numbers are at most {MAX_NUMBER:g} in size"
        raise _refuse(loc, f"{head}: {message} ({fix})", message, fix)
    return float(value)


def parse_scenario(
    net: Network,
    *,
    set: dict[str, float] | None = None,
    weight: dict[str, float] | None = None,
    dependence: dict[str, float] | None = None,
    fail: list[str] | tuple[str, ...] | None = None,
) -> Scenario:
    """Resolve ids and check values (given on the model's scale) against ``net``; the first
    problem found is raised (:func:`resolve_scenario` gives them all).

    Raises
    ------
    UnknownNodeError
        For an id that names no node or service (with a "did you mean"); its ``field`` is the
        option the id came from (``set``, ``weight``, ``dependence`` or ``fail``).
    ScenarioError
        For a value outside the scale, a non-positive weight, a dependence outside 0..1, or a
        change the node cannot take (e.g. the dependence of a partner).
    """
    scenario, issues = resolve_scenario(
        net, set=set, weight=weight, dependence=dependence, fail=fail
    )
    if issues:
        first = issues[0]
        if first.unknown is None:
            raise ScenarioError(first.option)
        err = UnknownNodeError(first.unknown, first.option)
        err.field = first.loc[0]  # the option the bad id came from, for the CLI
        raise err
    return scenario


def resolve_scenario(
    net: Network,
    *,
    set: dict[str, float] | None = None,
    weight: dict[str, float] | None = None,
    dependence: dict[str, float] | None = None,
    fail: list[str] | tuple[str, ...] | None = None,
) -> tuple[Scenario, list[Issue]]:
    """The scenario (of the entries that could be taken) and every :class:`Issue` found, in
    the order ``set``, ``weight``, ``dependence``, ``fail``.

    Examples
    --------
    >>> from servicechain import Chain
    >>> net = Chain.from_dict({"name": "Shop", "scale": {"min": 1, "max": 5},
    ...     "departments": [{"id": "it", "name": "IT", "quality": 4}],
    ...     "segments": [{"id": "s", "name": "S", "kind": "consumer",
    ...                   "relationship": "client"}],
    ...     "services": [{"from": "it", "to": "s"}]}).network
    >>> scenario, issues = resolve_scenario(net, set={"it": 9, "itt": 3}, fail=["s"])
    >>> for issue in issues:
    ...     print(issue.loc, issue.message, "|", issue.fix)
    ('set', 'it') 9 is outside the scale 1..5 | use a value from 1 to 5
    ('set', 'itt') no department, segment or partner has the id 'itt' | did you mean 'it'?
    ('fail', 0) 's' is a segment | only a department or a partner can fail
    """
    issues: list[Issue] = []
    out = Scenario()
    dependence = dependence or {}

    def each(entries, loc: str, take: Callable) -> None:
        for n, (key, value) in enumerate(entries):
            try:
                take(key, value, (loc, n if loc == "fail" else key))
            except _Refused as refused:
                issues.append(refused.issue)

    def take_set(key: Any, value: Any, loc: tuple) -> None:
        lo, hi = net.scale.min, net.scale.max
        v = _number(value, loc, f"set {key}")
        if not lo <= v <= hi:
            scale, fix = f"the scale {lo:g}..{hi:g}", f"use a value from {lo:g} to {hi:g}"
            raise _refuse(
                loc, f"set {key}={v:g}: outside {scale} ({fix})", f"{v:g} is outside {scale}", fix
            )
        norm = (v - lo) / (hi - lo)
        if _split(key) is not None:
            out.rating[_service(net, key, loc)] = norm
        else:
            i = _node(net, key, loc)
            relaxed = isinstance(dependence.get(key), int | float) and dependence[key] < 1
            if net.kind[i] == SEGMENT and net.own_share[i] <= 0 and not relaxed:
                why = (
                    f"{key!r} is a segment with dependence 1, so its baseline (what it gets "
                    "from outside the chain) counts for nothing"
                )
                raise _refuse(
                    loc,
                    f"set {key}={v:g}: {why}; give it a dependence below 1 first "
                    f"(e.g. --dependence {key}=0.8)",
                    why,
                    f"give it a dependence below 1 in the same scenario, e.g. "
                    f"`dependence: {{{key}: 0.8}}`",
                )
            out.own[i] = norm
        out.changes.append(f"{key} = {v:g}")

    def take_weight(key: Any, value: Any, loc: tuple) -> None:
        v = _number(value, loc, f"weight {key}")
        if not v > 0:
            raise _refuse(
                loc,
                f"weight {key}={v:g}: a weight must be positive (e.g. 1)",
                f"{v:g} is not a positive weight",
                "a weight is a positive number, e.g. 1",
            )
        out.weight[_service(net, key, loc)] = v
        out.changes.append(f"weight {key} = {v:g}")

    def take_dependence(key: Any, value: Any, loc: tuple) -> None:
        v = _number(value, loc, f"dependence {key}")
        if not 0 <= v <= 1:
            raise _refuse(
                loc,
                f"dependence {key}={v:g}: must be from 0 to 1",
                f"{v:g} is outside 0..1",
                "a dependence is a share from 0 to 1, e.g. 0.5",
            )
        i = _node(net, key, loc)
        if net.kind[i] == PARTNER:
            why = f"{key!r} is a partner, which has no inputs"
            fix = "change the dependence of a department or segment"
            raise _refuse(loc, f"dependence {key}: {why}; {fix}", why, fix)
        out.dependence[i] = v
        out.changes.append(f"dependence {key} = {v:g}")

    def take_fail(key: Any, _: Any, loc: tuple) -> None:
        if _split(key) is not None:
            s = _service(net, key, loc)
            if s not in out.fail_services:
                out.fail_services.append(s)
                out.changes.append(f"service {key} fails")
            return
        i = _node(net, key, loc)
        if net.kind[i] == SEGMENT:
            why, fix = f"{key!r} is a segment", "only a department or a partner can fail"
            raise _refuse(loc, f"fail {key}: {why}; {fix}", why, fix)
        if i not in out.fail:
            out.fail.append(i)
            kind = "department" if net.kind[i] == DEPARTMENT else "partner"
            out.changes.append(f"{kind} {key} fails")

    each((set or {}).items(), "set", take_set)
    each((weight or {}).items(), "weight", take_weight)
    each(dependence.items(), "dependence", take_dependence)
    each(((key, None) for key in fail or ()), "fail", take_fail)
    return out, issues
