"""What-if scenario files (YAML or JSON): read and checked as plain data, every problem at once.

The ids and values are resolved against a model later, by :mod:`servicechain.flow.scenario`.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import Problem, ScenarioError, did_you_mean
from ..model.scenarios import ScenarioFile
from .load import ReadError, json_positions, read_data

__all__ = ["FIELDS", "read_scenarios"]

#: The fields a scenario may hold.
FIELDS = ("description", "set", "weight", "dependence", "fail")
_MAX_BYTES = 10 * 2**20


def read_scenarios(path: str | os.PathLike) -> ScenarioFile:
    """Read a scenario file (YAML or JSON) into ``{name: {set, weight, dependence, fail}}``.

    The file holds one mapping, ``scenarios``, of scenario names to scenarios; each may have a
    ``description`` (text), ``set`` (node id or ``SUPPLIER->CUSTOMER`` → value on the model's
    scale), ``weight`` (``SUPPLIER->CUSTOMER`` → positive number), ``dependence`` (id → 0..1)
    and ``fail`` (list of department or partner ids). Ids and values are checked against the
    model later, by :func:`~servicechain.flow.compare`, whose problems name their line and
    column in this file too (the result keeps the positions of its values).

    Raises
    ------
    ScenarioError
        Listing every problem as ``FILE:LINE:COL: field: message (fix)``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "s.yaml"
    >>> _ = path.write_text("scenarios:\\n  it-down:\\n    fail: [it]\\n", encoding="utf-8")
    >>> scenarios = read_scenarios(path)
    >>> scenarios, scenarios.positions[("scenarios", "it-down", "fail", 0)]
    ({'it-down': {'fail': ['it']}}, (3, 12))
    """
    path = Path(path)
    name = str(path)

    try:
        if path.stat().st_size > _MAX_BYTES:
            raise ScenarioError.listing(
                [Problem(name, None, None, "", "the file is over 10 MB", "split it")]
            )
        text = path.read_text(encoding="utf-8")
        fmt = "json" if path.suffix.lower() == ".json" else "yaml"
        data, positions = read_data(text, fmt=fmt)
    except ReadError as err:
        raise ScenarioError.listing(
            [Problem(name, err.line, err.col, "", err.message, err.fix)]
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or "not UTF-8 text"
        raise ScenarioError.listing(
            [Problem(name, None, None, "", f"cannot read the file: {reason}", "")]
        ) from None
    if fmt == "json":  # JSON is read without positions: read again for them only when needed
        located = ScenarioFile(file=name, locate=lambda: json_positions(text))
    else:
        located = ScenarioFile(file=name, positions=positions)

    problems: list[Problem] = []

    def problem(loc: tuple, message: str, fix: str) -> None:
        problems.append(located.problem(loc, message, fix))

    example = "scenarios: {fix-it: {set: {it: 4}}}"
    if not isinstance(data, dict) or set(data) != {"scenarios"}:
        problem((), "expected one mapping named `scenarios`", f"write e.g. `{example}`")
        raise ScenarioError.listing(problems)
    scenarios = data["scenarios"]
    if not isinstance(scenarios, dict) or not scenarios:
        problem(("scenarios",), "expected a mapping of scenario names", f"write e.g. `{example}`")
        raise ScenarioError.listing(problems)
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
        raise ScenarioError.listing(problems)
    located.update(out)
    return located
