"""What-if scenarios: the file format, and turning a scenario's ids and values into arrays."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import Problem, ServiceChainError, UnknownNodeError, did_you_mean
from ..model.network import DEPARTMENT, PARTNER, SEGMENT, Network

__all__ = ["FIELDS", "Scenario", "ScenarioError", "parse_scenario", "read_scenarios"]

#: The fields a scenario may hold.
FIELDS = ("description", "set", "weight", "dependence", "fail")
_MAX_BYTES = 10 * 2**20


class ScenarioError(ServiceChainError):
    """A what-if scenario (or scenario file) asks for something the model cannot take."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        self.problems = list(problems or [])
        super().__init__(message)


@dataclass
class Scenario:
    """A scenario resolved against a network: positions and values on 0..1."""

    own: dict[int, float] = field(default_factory=dict)
    rating: dict[int, float] = field(default_factory=dict)
    weight: dict[int, float] = field(default_factory=dict)
    dependence: dict[int, float] = field(default_factory=dict)
    fail: list[int] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Whether the scenario changes nothing."""
        return not (self.own or self.rating or self.weight or self.dependence or self.fail)


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
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise ScenarioError(f"{what}: expected a number, got {value!r}")
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
            out.own[net.node(key)] = norm
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


def read_scenarios(path: str | os.PathLike) -> dict[str, dict]:
    """Read a scenario file (YAML or JSON) into ``{name: {set, weight, dependence, fail}}``.

    The file holds one mapping, ``scenarios``, of scenario names to scenarios; each may have a
    ``description`` (text), ``set`` (node id or ``SUPPLIER->CUSTOMER`` → value on the model's
    scale), ``weight`` (``SUPPLIER->CUSTOMER`` → positive number), ``dependence`` (id → 0..1)
    and ``fail`` (list of department or partner ids). Ids are checked against the model later,
    by :func:`~servicechain.flow.compare`.

    Raises
    ------
    ScenarioError
        Listing every problem as ``FILE:LINE:COL: field: message (fix)``.
    """
    from ..io.load import _Fail, read_data

    path = Path(path)
    name = str(path)

    def fail(problems: list[Problem]) -> ScenarioError:
        count = len(problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the scenario file"
        return ScenarioError("\n".join([head, *map(str, problems)]), problems)

    try:
        if path.stat().st_size > _MAX_BYTES:
            raise fail([Problem(name, None, None, "", "the file is over 10 MB", "split it")])
        text = path.read_text(encoding="utf-8")
        data, positions = read_data(text, fmt="json" if path.suffix.lower() == ".json" else "yaml")
    except _Fail as err:
        raise fail([Problem(name, err.line, err.col, "", err.message, err.fix)]) from None
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or "not UTF-8 text"
        raise fail([Problem(name, None, None, "", f"cannot read the file: {reason}", "")]) from None

    problems: list[Problem] = []

    def problem(loc: tuple, message: str, fix: str) -> None:
        probe = loc
        while probe and probe not in positions:
            probe = probe[:-1]
        line, col = positions.get(probe, (None, None))
        where = ".".join(str(p) for p in loc)
        problems.append(Problem(name, line, col, where, message, fix))

    example = "scenarios: {fix-it: {set: {it: 4}}}"
    if not isinstance(data, dict) or set(data) != {"scenarios"}:
        problem((), "expected one mapping named `scenarios`", f"write e.g. `{example}`")
        raise fail(problems)
    scenarios = data["scenarios"]
    if not isinstance(scenarios, dict) or not scenarios:
        problem(("scenarios",), "expected a mapping of scenario names", f"write e.g. `{example}`")
        raise fail(problems)
    out: dict[str, dict] = {}
    for sname, body in scenarios.items():
        loc = ("scenarios", sname)
        if not isinstance(body, dict):
            problem(loc, "expected a mapping", "give it fields such as `set:` or `fail:`")
            continue
        for key in body:
            if key not in FIELDS:
                hint = did_you_mean(str(key), FIELDS, what="field")
                problem((*loc, key), f"unknown field {key!r}", hint)
        for key in ("set", "weight", "dependence"):
            value = body.get(key, {})
            if not isinstance(value, dict):
                problem(
                    (*loc, key), "expected a mapping of ids to numbers", f"write `{key}: {{id: 1}}`"
                )
                continue
            for ident, number in value.items():
                if isinstance(number, bool) or not isinstance(number, int | float):
                    problem(
                        (*loc, key, ident), f"expected a number, got {number!r}", "write e.g. 3.5"
                    )
        fails = body.get("fail", [])
        if not isinstance(fails, list) or not all(isinstance(f, str) for f in fails):
            problem((*loc, "fail"), "expected a list of ids", "write `fail: [id, ...]`")
        description = body.get("description")
        if description is not None and not isinstance(description, str):
            problem((*loc, "description"), "expected text", "write a sentence")
        out[str(sname)] = {k: body[k] for k in FIELDS if k in body}
    if problems:
        raise fail(problems)
    return out
