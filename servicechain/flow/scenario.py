"""What-if scenarios: a scenario's ids and values (plain data) resolved into positions on 0..1.

Scenario files are read by :mod:`servicechain.io.scenario`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ScenarioError, UnknownNodeError, did_you_mean
from ..model.network import DEPARTMENT, PARTNER, SEGMENT, Network
from ..model.spec import MAX_NUMBER

__all__ = ["Scenario", "ScenarioError", "parse_scenario"]


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


def _split(key: str) -> tuple[str, str] | None:
    for arrow in ("->", "→"):
        if arrow in key:
            a, _, b = key.partition(arrow)
            return a.strip(), b.strip()
    return None


def _service(net: Network, key: str, what: str) -> int:
    pair = _split(key)
    if pair is None:
        raise UnknownNodeError(
            key, f"{what}: {key!r} is not a service; write it as SUPPLIER->CUSTOMER"
        )
    src, tgt = net.node(pair[0]), net.node(pair[1])
    hits = np.flatnonzero((net.source == src) & (net.target == tgt))
    if not len(hits):
        keys = [f"{net.ids[s]}->{net.ids[t]}" for s, t in zip(net.source, net.target, strict=True)]
        hint = did_you_mean(f"{pair[0]}->{pair[1]}", keys)
        raise UnknownNodeError(
            key,
            f"{what}: no service from {pair[0]!r} to {pair[1]!r}" + (f"; {hint}" if hint else ""),
        )
    return int(hits[0])


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{what}: expected a number, got {value!r}")
    if not abs(value) <= MAX_NUMBER:  # also refuses nan and infinities
        shown = f"{value:g}" if isinstance(value, float) else "a number of that size"
        raise ScenarioError(
            f"{what}: {shown} is too large (numbers are at most {MAX_NUMBER:g} in size)"
        )
    return float(value)


def parse_scenario(
    net: Network,
    *,
    set: dict[str, float] | None = None,
    weight: dict[str, float] | None = None,
    dependence: dict[str, float] | None = None,
    fail: list[str] | tuple[str, ...] | None = None,
) -> Scenario:
    """Resolve ids and check values (given on the model's scale) against ``net``.

    Raises
    ------
    UnknownNodeError
        For an id that names no node or service (with a "did you mean").
    ScenarioError
        For a value outside the scale, a non-positive weight, a dependence outside 0..1, or a
        change the node cannot take (e.g. the dependence of a partner).
    """
    where = ["set"]
    try:
        return _parse(net, set or {}, weight or {}, dependence or {}, fail or (), where)
    except UnknownNodeError as err:
        err.field = where[0]  # the option the bad id came from, for the CLI
        raise


def _parse(net: Network, set: dict, weight: dict, dependence: dict, fail, where: list) -> Scenario:
    lo, hi = net.scale.min, net.scale.max
    out = Scenario()
    for key, value in set.items():
        v = _number(value, f"set {key}")
        if not lo <= v <= hi:
            raise ScenarioError(
                f"set {key}={v:g}: outside the scale {lo:g}..{hi:g} (use a value from {lo:g} "
                f"to {hi:g})"
            )
        norm = (v - lo) / (hi - lo)
        if _split(key) is not None:
            out.rating[_service(net, key, "set")] = norm
        else:
            i = net.node(key)
            relaxed = isinstance(dependence.get(key), int | float) and dependence[key] < 1
            if net.kind[i] == SEGMENT and net.own_share[i] <= 0 and not relaxed:
                raise ScenarioError(
                    f"set {key}={v:g}: {key!r} is a segment with dependence 1, so its baseline "
                    "(what it gets from outside the chain) counts for nothing; give it a "
                    f"dependence below 1 first (e.g. --dependence {key}=0.8)"
                )
            out.own[i] = norm
        out.changes.append(f"{key} = {v:g}")
    where[0] = "weight"
    for key, value in weight.items():
        v = _number(value, f"weight {key}")
        if not v > 0:
            raise ScenarioError(f"weight {key}={v:g}: a weight must be positive (e.g. 1)")
        out.weight[_service(net, key, "weight")] = v
        out.changes.append(f"weight {key} = {v:g}")
    where[0] = "dependence"
    for key, value in dependence.items():
        v = _number(value, f"dependence {key}")
        if not 0 <= v <= 1:
            raise ScenarioError(f"dependence {key}={v:g}: must be from 0 to 1")
        i = net.node(key)
        if net.kind[i] == PARTNER:
            raise ScenarioError(
                f"dependence {key}: {key!r} is a partner, which has no inputs; "
                "change the dependence of a department or segment"
            )
        out.dependence[i] = v
        out.changes.append(f"dependence {key} = {v:g}")
    where[0] = "fail"
    for key in fail:
        if _split(key) is not None:
            s = _service(net, key, "fail")
            if s not in out.fail_services:
                out.fail_services.append(s)
                out.changes.append(f"service {key} fails")
            continue
        i = net.node(key)
        if net.kind[i] == SEGMENT:
            raise ScenarioError(
                f"fail {key}: {key!r} is a segment; only a department or a partner can fail"
            )
        if i not in out.fail:
            out.fail.append(i)
            kind = "department" if net.kind[i] == DEPARTMENT else "partner"
            out.changes.append(f"{kind} {key} fails")
    return out
