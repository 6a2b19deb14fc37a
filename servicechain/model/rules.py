"""The rules a model must satisfy beyond its field types, and the assumptions it leads to.

Each finding is ``(loc, message, fix)`` where ``loc`` is a path into the file's data such as
``("services", 3, "to")``; :mod:`servicechain.io.load` turns it into a positioned problem.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import ValidationError

from ..errors import did_you_mean, number_hint, shown_number
from .costs import cost_findings, costs_of
from .links import closed_loop_groups, columns_of_data, cross_record_findings
from .loops import self_sustaining_groups
from .network import network
from .spec import MAX_NUMBER, Department, Model, Partner, Scale, Segment, Service

__all__ = [
    "check_model",
    "closed_loops",
    "layout_findings",
    "pydantic_problems",
    "self_sustaining_loops",
]

Loc = tuple[str | int, ...]
Finding = tuple[Loc, str, str]

_SECTIONS = {
    "departments": Department,
    "segments": Segment,
    "partners": Partner,
    "services": Service,
}
_SINGULAR = {
    "departments": "department",
    "segments": "segment",
    "partners": "partner",
    "services": "service",
}


# --- field types -------------------------------------------------------------------------


def _model_at(loc: Loc) -> type:
    if len(loc) >= 2 and loc[0] in _SECTIONS and isinstance(loc[1], int):
        return _SECTIONS[loc[0]]
    if loc and loc[0] == "scale":
        return Scale
    return Model


def _field_names(model: type) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _bounded(value: Any) -> bool:
    """Whether ``value`` is a number a model may hold: finite and at most ``MAX_NUMBER``."""
    return _is_number(value) and abs(value) <= MAX_NUMBER


def _too_big(value: int | float) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "nan is not a number"
    return (
        f"{shown_number(value)} is too large: numbers in a model are at most {MAX_NUMBER:g} in size"
    )


def pydantic_problems(err: ValidationError, data: Any) -> list[Finding]:
    """Translate pydantic's errors into findings with plain words and a fix."""
    out: list[Finding] = []
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        kind, value, ctx = e["type"], e.get("input"), e.get("ctx") or {}
        name = str(loc[-1]) if loc else ""
        owner = _model_at(loc[:-1])
        if _is_number(value) and not _bounded(value):
            out.append((loc, _too_big(value), _BIG_FIX))
        elif kind == "missing":
            out.append((loc, "required field is missing", f"add `{name}: ...`"))
        elif kind == "extra_forbidden":
            hint = did_you_mean(name, _field_names(owner))
            allowed = ", ".join(_field_names(owner))
            out.append((loc, f"unknown field {name!r}", hint or f"allowed fields: {allowed}"))
        elif kind == "string_type":
            fix = (
                'put it in quotes as it should read, e.g. id: "007"'
                if isinstance(value, int | float)
                else "write text"
            )
            out.append((loc, f"expected text, got {_describe(value)}", fix))
        elif kind in ("float_type", "float_parsing", "int_type", "int_parsing"):
            whole = kind.startswith("int")
            hint = number_hint(value) if isinstance(value, str) else ""
            out.append(
                (
                    loc,
                    f"expected a {'whole ' if whole else ''}number, got {_describe(value)}",
                    hint
                    or (
                        "write a number without quotes, e.g. 12"
                        if whole
                        else "write a number, e.g. 3.5"
                    ),
                )
            )
        elif kind == "int_from_float":
            out.append((loc, f"expected a whole number, got {value!r}", "drop the decimals"))
        elif kind == "finite_number":
            out.append((loc, "must be a finite number", "write an ordinary number"))
        elif kind == "literal_error":
            choices = [
                c.strip(" '") for c in str(ctx.get("expected", "")).replace(" or ", ",").split(",")
            ]
            choices = [c for c in choices if c]
            hint = did_you_mean(str(value), choices, what=name)
            out.append((loc, f"{value!r} is not a valid {name}", hint))
        elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
            out.append(_range_problem(loc, name, value, kind, ctx))
        elif kind == "string_pattern_mismatch":
            out.append(
                (
                    loc,
                    f"{value!r} contains spaces; ids may not",
                    f"use e.g. {'_'.join(str(value).split())!r} and keep the name for display",
                )
            )
        elif kind == "string_too_short":
            out.append((loc, "must not be empty", f"write a {name}"))
        elif kind == "string_too_long":
            out.append((loc, f"is longer than {ctx.get('max_length')} characters", "shorten it"))
        elif kind == "list_type":
            out.append(
                (
                    loc,
                    f"expected a list, got {_describe(value)}",
                    f"write `{name}:` then `- ...` items",
                )
            )
        elif kind == "too_short" and isinstance(value, list):
            out.append(
                (
                    loc,
                    f"needs at least one {_SINGULAR.get(name, 'item')}",
                    f"add one under `{name}:`",
                )
            )
        elif kind in ("model_type", "dict_type", "model_attributes_type"):
            out.append(
                (
                    loc,
                    f"expected a mapping of fields, got {_describe(value)}",
                    "write `field: value` pairs",
                )
            )
        elif kind == "value_error" and loc == ("scale",):
            out.append((loc, str(ctx.get("error", e["msg"])), "e.g. scale: {min: 1, max: 5}"))
        elif kind == "value_error":
            out.append((loc, str(ctx.get("error", e["msg"])), "fix the value"))
        elif kind == "bool_type":
            out.append(
                (loc, f"expected true or false, got {_describe(value)}", "write true or false")
            )
        else:
            out.append((loc, e["msg"], "see `servicechain schema` for the expected form"))
    return out


_BIG_FIX = "give amounts in thousands or millions, and scores on a scale such as 1..5"


def _range_problem(loc: Loc, name: str, value: Any, kind: str, ctx: dict) -> Finding:
    if name == "dependence":
        return (loc, f"{value:g} is outside 0..1", "dependence is a share: use a value from 0 to 1")
    if name == "weight":
        return (loc, f"{value:g} is not a positive weight", "use a weight above 0, e.g. 1")
    bound = next(iter(ctx.values()), 0)
    return (loc, f"{value!r} is below {bound}", f"use a value of at least {bound}")


# --- cross-record rules ------------------------------------------------------------------


def _scale(data: dict) -> tuple[float, float] | None:
    scale = data.get("scale", {})
    if not isinstance(scale, dict):
        return None
    lo, hi = scale.get("min", 0.0), scale.get("max", 1.0)
    if not (_bounded(lo) and _bounded(hi) and hi > lo):
        return None
    return float(lo), float(hi)


def check_model(data: dict, *, model: Model | None = None, shape_ok: bool = False) -> list[Finding]:
    """Findings for the rules that span records: ids, references, scale, closed loops, costs.

    Works on the raw data, so it reports these problems alongside type errors; the closed-loop
    rule needs a well-formed model and runs only when ``shape_ok`` and everything else is clean.
    The rules themselves live in :mod:`servicechain.model.links`, shared with the fast path.
    """
    columns = columns_of_data(data, _scale(data))
    out = cross_record_findings(columns)
    out.extend(layout_findings(data.get("layout"), columns.node_ids()))
    if shape_ok and model is not None and not out:
        out.extend(_loop_findings(model))
        out.extend(_cost_findings(model))
    return out


def layout_findings(layout: Any, ids: list) -> list[Finding]:
    """Findings for pinned positions (the ``layout`` section) that name no node.

    Examples
    --------
    >>> for loc, message, fix in layout_findings({"it": {}, "stokc": {}}, ["it", "stock"]):
    ...     print(loc, message, f"({fix})")
    ('layout', 'stokc') unknown id 'stokc' (did you mean 'stock'? else delete its position)
    """
    if not isinstance(layout, dict):
        return []
    known = [i for i in ids if isinstance(i, str)]
    names = set(known)
    out: list[Finding] = []
    for key in layout:
        if isinstance(key, str) and key not in names:
            hint = did_you_mean(key, known)
            fix = f"{hint} else delete its position" if hint else "delete its position"
            out.append((("layout", key), f"unknown id {key!r}", fix))
    return out


def closed_loops(model: Model) -> list[list[str]]:
    """Groups of departments that serve each other in a cycle and get nothing from outside it.

    No member has an own contribution (dependence 1, or own quality at the scale's minimum) and
    none has a supplier outside the group, so their quality would sustain itself and how a
    change travels through them is undetermined.

    Examples
    --------
    >>> m = Model.model_validate({"name": "x",
    ...     "departments": [{"id": "a", "name": "A", "dependence": 1},
    ...                     {"id": "b", "name": "B", "dependence": 1}],
    ...     "services": [{"from": "a", "to": "b"}, {"from": "b", "to": "a"}]})
    >>> closed_loops(m)
    [['a', 'b']]
    """
    net = network(model)
    groups = closed_loop_groups(
        net.own, net.dependence, net.source, net.target, len(model.departments)
    )
    return [[net.ids[i] for i in group.tolist()] for group in groups]


def _cost_findings(model: Model) -> list[Finding]:
    """The rules costs must satisfy (:func:`servicechain.model.costs.cost_findings`)."""
    net = network(model)
    costs = costs_of(
        net, model.departments, model.services, segments=model.segments, currency=model.currency
    )
    return cost_findings(net, costs)


def self_sustaining_loops(model: Model) -> list[list[str]]:
    """Groups of departments whose loop gain is exactly 1, though not closed loops: they pass
    quality round a cycle and none has an own part or gets anything from outside the group
    (what comes from outside is rated at the minimum, or comes from a supplier that delivers
    nothing). How a change travels round such a loop is undetermined (``I - A`` is singular;
    see :mod:`servicechain.model.loops`).

    Examples
    --------
    >>> m = Model.model_validate({"name": "x",
    ...     "departments": [{"id": "a", "name": "A", "dependence": 1},
    ...                     {"id": "b", "name": "B", "dependence": 1}],
    ...     "partners": [{"id": "p", "name": "P", "quality": 0.9}],
    ...     "services": [{"from": "p", "to": "a", "quality": 0}, {"from": "b", "to": "a",
    ...                   "quality": 0.8}, {"from": "a", "to": "b", "quality": 0.6}]})
    >>> closed_loops(m), self_sustaining_loops(m)
    ([], [['a', 'b']])
    """
    return _loops(model)[1]


def _loops(model: Model) -> tuple[list[list[str]], list[list[str]]]:
    """The closed loops, and the self-sustaining loops that share no member with them."""
    net = network(model)
    n_dep = len(model.departments)
    closed = closed_loop_groups(net.own, net.dependence, net.source, net.target, n_dep)
    taken = {int(i) for group in closed for i in group}
    sustaining = [
        group
        for group in self_sustaining_groups(
            net.own, net.dependence, net.rating, net.source, net.target, n_dep
        )
        if not taken.intersection(group.tolist())
    ]
    return (
        [[net.ids[i] for i in group.tolist()] for group in closed],
        [[net.ids[i] for i in group.tolist()] for group in sustaining],
    )


def _loop_findings(model: Model) -> list[Finding]:
    index = {d.id: i for i, d in enumerate(model.departments)}
    out = []
    closed, sustaining = _loops(model)
    for loop in closed:
        members = ", ".join(repr(m) for m in loop)
        out.append(
            (
                ("departments", index[loop[0]]),
                f"closed loop: departments {members} serve each other and get nothing from "
                "outside the loop (each has dependence 1 or own quality at the minimum)",
                "give one of them its own quality and a dependence below 1, "
                "or a supplier outside the loop",
            )
        )
    for loop in sustaining:
        members = ", ".join(repr(m) for m in loop)
        out.append(
            (
                ("departments", index[loop[0]]),
                f"closed loop: departments {members} pass all they deliver round the loop "
                "(each has dependence 1 or own quality at the minimum, and what they get from "
                "outside it is rated at the minimum or comes from suppliers that deliver "
                "nothing), so how a change travels round it is undetermined",
                "give one of them its own quality and a dependence below 1, or rate a "
                "service it gets from outside the loop above the minimum",
            )
        )
    return out
