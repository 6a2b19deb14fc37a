"""What-if scenario files (YAML or JSON): read and checked as plain data, every problem at once.

The ids and values are resolved against a model later, by :mod:`servicechain.flow.scenario`.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import Problem, ScenarioError, did_you_mean
from .load import ReadError, read_data

__all__ = ["FIELDS", "read_scenarios"]

#: The fields a scenario may hold.
FIELDS = ("description", "set", "weight", "dependence", "fail")
_MAX_BYTES = 10 * 2**20


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
    except ReadError as err:
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
