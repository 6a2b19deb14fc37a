"""Spreadsheet rows → a validated model, written as a readable YAML model file.

Every problem names the file (and sheet), row and column, with a fix; nothing is dropped
silently: a row the model cannot use is an error, not a skipped line.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import ModelError, Problem, did_you_mean
from ..model.rules import check_model, pydantic_problems
from ..model.spec import Model
from .load import parse_model, validate_data
from .tabular import Row, Table, read_tables
from .yamlout import model_yaml

__all__ = ["DEFAULT_SCALE", "Imported", "import_tables", "slug"]

#: The scale assumed when neither ``--scale`` nor a model sheet gives one.
DEFAULT_SCALE = (1.0, 5.0)

_NUMBER = {
    "quality", "dependence", "cost", "revenue", "revenue_elasticity", "baseline", "weight",
    "volume", "scale_min", "scale_max", "quality_se",
}  # fmt: skip
_WHOLE = {"headcount", "customers", "answers"}
_LOWER = {"kind", "relationship"}
_NODES = ("departments", "segments", "partners")
_SINGULAR = {"departments": "department", "segments": "segment", "partners": "partner"}


@dataclass
class Imported:
    """The result of an import: the model, its YAML text and what the import did."""

    model: Model
    text: str
    sources: list[str]
    created: list[str] = field(default_factory=list)
    scale_given: bool = True

    def __repr__(self) -> str:
        m = self.model
        made = f"; created {', '.join(self.created)}" if self.created else ""
        return (
            f"<Imported {m.name!r} from {', '.join(self.sources)}: "
            f"{len(m.departments):,} departments, {len(m.segments):,} segments, "
            f"{len(m.partners):,} partners, {len(m.services):,} services{made}>"
        )

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        m = self.model
        return {
            "name": m.name,
            "sources": self.sources,
            "scale": {"min": m.scale.min, "max": m.scale.max, "given": self.scale_given},
            "counts": {
                "departments": len(m.departments),
                "segments": len(m.segments),
                "partners": len(m.partners),
                "services": len(m.services),
            },
            "created": self.created,
        }


def slug(text: str) -> str:
    """An id made from a name: lower case, runs of spaces turned into ``_``.

    Examples
    --------
    >>> slug("  IT  Support "), slug("客服中心")
    ('it_support', '客服中心')
    """
    return "_".join(text.split()).lower()


def _near(text: str) -> str:
    """The form under which two spellings count as the same name (case and spaces ignored)."""
    return "".join(text.split()).casefold()


def _number(text: str, *, whole: bool, comma: bool, share: bool) -> float | int | None:
    t = text.replace("\u00a0", "").replace(" ", "")
    if comma and re.fullmatch(r"[-+]?\d+,\d+", t):
        t = t.replace(",", ".")
    percent = share and t.endswith("%")
    if percent:
        t = t[:-1]
    try:
        value = float(t)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    if percent:
        value /= 100
    if whole:
        return int(value) if value.is_integer() else None
    return value


class _Builder:
    """Collects records and where each value came from."""

    def __init__(self, create_missing: bool):
        self.create_missing = create_missing
        self.data: dict[str, Any] = {s: [] for s in (*_NODES, "services")}
        self.where: dict[tuple, tuple[Table, Row | None, str]] = {}
        self.problems: list[Problem] = []
        self.created: list[str] = []

    def record(self, table: Table, row: Row) -> dict[str, Any]:
        rec: dict[str, Any] = {}
        for name, text in row.values.items():
            if name in _NUMBER or name in _WHOLE:
                value = _number(
                    text,
                    whole=name in _WHOLE,
                    comma=table.decimal_comma,
                    share=name == "dependence",
                )
                if value is None:
                    kind = "a whole number" if name in _WHOLE else "a number"
                    example = "12" if name in _WHOLE else "3.5"
                    self.problems.append(
                        table.problem(
                            row.number,
                            name,
                            f"expected {kind}, got {text!r}",
                            f"write {kind}, e.g. {example}",
                        )
                    )
                    continue
                rec[name] = value
            elif name in _LOWER:
                rec[name] = text.lower()
            else:
                rec[name] = text
        return rec

    def add(self, section: str, table: Table, row: Row, rec: dict[str, Any]) -> None:
        i = len(self.data[section])
        self.data[section].append(rec)
        self.where[(section, i)] = (table, row, "")
        for name in rec:
            self.where[(section, i, name)] = (table, row, name)

    def place(self, loc: tuple, message: str, fix: str, default: str) -> Problem:
        probe = loc
        while probe and probe not in self.where:
            probe = probe[:-1]
        if not probe:
            return Problem(default, None, None, str(loc[-1]) if loc else "", message, fix)
        table, row, name = self.where[probe]
        name = name or (str(loc[2]) if len(loc) > 2 else "")
        return table.problem(row.number if row else None, name, message, fix)


def import_tables(
    path: str | os.PathLike,
    *,
    extra: Mapping[str, str | os.PathLike] | None = None,
    name: str | None = None,
    scale: tuple[float, float] | None = None,
    create_missing: bool = False,
) -> Imported:
    """Build a model from a service list (CSV or XLSX) and optional tables of the other records.

    Parameters
    ----------
    path : path-like
        The main file: a CSV service list, a CSV with ``[section]`` rows, or an XLSX workbook
        with sheets Departments, Segments, Partners, Services (and Model).
    extra : mapping, keyword-only
        Section name (``departments``, ``segments``, ``partners``) → file holding that table.
    name : str, keyword-only
        The model's name (default: the model table's, else the file name).
    scale : (min, max), keyword-only
        The scale of the scores (default: the model table's, else 1..5).
    create_missing : bool, keyword-only
        Create a department for every supplier or customer not declared in a table
        (otherwise an undeclared one is an error).

    Returns
    -------
    Imported
        The validated model and its YAML text (which loads back into the same model).

    Raises
    ------
    ModelError
        Every problem found, each with file[sheet]:row:column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "services.csv"
    >>> _ = p.write_text("supplier,customer,quality\\nIT,Stores,3.5\\n", encoding="utf-8")
    >>> result = import_tables(p, create_missing=True)
    >>> [d.id for d in result.model.departments], result.model.services[0].quality
    (['it', 'stores'], 3.5)
    """
    path = Path(path)
    tables, problems = read_tables(path)
    sources = [str(path)]
    for section, other in (extra or {}).items():
        more, found = read_tables(other, section=section)
        tables.extend(more)
        problems.extend(found)
        sources.append(str(other))
    builder = _Builder(create_missing)
    builder.problems.extend(problems)
    seen: dict[str, Table] = {}
    for table in tables:
        if table.section in seen:
            builder.problems.append(
                table.problem(
                    None,
                    "",
                    f"a second {table.section} table "
                    f"(the first is in {seen[table.section].source})",
                    "put all rows of a section in one table",
                )
            )
            continue
        seen[table.section] = table
    head, scale_given = _model_head(seen.get("model"), builder, path, name, scale)
    for section in _NODES:
        if section in seen:
            _nodes(seen[section], section, builder)
    _check_near_duplicates(builder)
    if "services" in seen:
        _services(seen["services"], builder)
    data = {**head, **{k: v for k, v in builder.data.items() if v}}
    if not builder.problems and not builder.data["departments"]:
        builder.problems.append(_nothing_to_import(path, seen.get("services")))
    if not builder.problems:
        builder.problems.extend(_validate(data, builder, str(path)))
    if builder.problems:
        raise ModelError(_sorted(builder.problems))
    model = validate_data(data, {}, file=str(path)).model
    text = model_yaml(model, header=f"Imported from {path.name} by `servicechain import`.")
    if parse_model(text, fmt="yaml").model != model:  # the file must say exactly the model
        raise AssertionError("the YAML writer lost information; please report this model")
    return Imported(model, text, sources, builder.created, scale_given)


def _model_head(
    table: Table | None,
    builder: _Builder,
    path: Path,
    name: str | None,
    scale: tuple[float, float] | None,
) -> tuple[dict[str, Any], bool]:
    rec: dict[str, Any] = {}
    if table is not None:
        for row in table.rows:
            if rec:
                builder.problems.append(
                    table.problem(
                        row.number,
                        "",
                        "the model table has more than one row",
                        "keep one row: name, description, scale min, scale max",
                    )
                )
                break
            rec = builder.record(table, row)
    head: dict[str, Any] = {"name": name or rec.get("name") or path.stem}
    if rec.get("description"):
        head["description"] = rec["description"]
    if rec.get("currency"):
        head["currency"] = rec["currency"]
    given = scale is not None or ("scale_min" in rec and "scale_max" in rec)
    lo, hi = scale or (
        rec.get("scale_min", DEFAULT_SCALE[0]),
        rec.get("scale_max", DEFAULT_SCALE[1]),
    )
    head["scale"] = {"min": float(lo), "max": float(hi)}
    return head, given


def _nodes(table: Table, section: str, builder: _Builder) -> None:
    for row in table.rows:
        rec = builder.record(table, row)
        if "id" not in rec and "name" in rec:
            rec = {"id": slug(rec["name"]), **rec}
        elif "name" not in rec and "id" in rec:
            rec = {"id": rec["id"], "name": rec["id"], **rec}
        builder.add(section, table, row, rec)


def _check_near_duplicates(builder: _Builder) -> None:
    """Flag ids or names that differ only in case or spaces from an earlier one."""
    for key in ("id", "name"):
        first: dict[str, tuple[str, str, int]] = {}
        for section in _NODES:
            for i, rec in enumerate(builder.data[section]):
                text = rec.get(key)
                if not isinstance(text, str):
                    continue
                near = _near(text)
                if near in first and first[near][0] != text:
                    other, where, _ = first[near]
                    builder.problems.append(
                        builder.place(
                            (section, i, key),
                            f"{text!r} differs from {other!r} ({where}) only in case or spaces",
                            "if they are the same, keep one row; otherwise name them apart",
                            "",
                        )
                    )
                else:
                    table, row, _ = builder.where[(section, i)]
                    first.setdefault(near, (text, f"{table.source} row {row.number}", i))


def _nothing_to_import(path: Path, services: Table | None) -> Problem:
    """The problem of tables that hold no department: a service list with a header and no
    rows (at its header), or no table at all."""
    if services is not None:
        return services.problem(
            None,
            "",
            "the service list has a header but no rows",
            "add one row per service under the header: supplier, customer, name, quality",
        )
    return Problem(
        str(path),
        None,
        None,
        "",
        "no table holds a department or a service",
        "start from `servicechain template -o services.xlsx`, or `-o services.csv`",
    )


def _services(table: Table, builder: _Builder) -> None:
    ids: dict[str, str] = {}
    names: dict[str, list[str]] = {}
    for section in _NODES:
        for rec in builder.data[section]:
            if isinstance(rec.get("id"), str):
                ids[rec["id"]] = section
                if isinstance(rec.get("name"), str):
                    names.setdefault(rec["name"], []).append(rec["id"])
    near = {_near(k): k for k in [*names, *ids]}
    created: dict[str, tuple[str, str]] = {}  # near form → (spelling used first, its id)
    for row in table.rows:
        rec = builder.record(table, row)
        for end in ("from", "to"):
            ref = rec.get(end)
            if not isinstance(ref, str) or ids.get(ref, "created") != "created":
                continue
            problem = _resolve(ref, rec, end, ids, names, near, created, builder)
            if problem:
                builder.problems.append(table.problem(row.number, end, *problem))
            elif rec[end] not in ids:
                ident = rec[end]
                ids[ident] = "created"
                builder.data["departments"].append({"id": ident, "name": ref})
                builder.where[("departments", len(builder.data["departments"]) - 1)] = (
                    table,
                    row,
                    end,
                )
                builder.created.append(ident)
        builder.add("services", table, row, rec)


def _resolve(
    ref: str,
    rec: dict[str, Any],
    end: str,
    ids: dict[str, str],
    names: dict[str, list[str]],
    near: dict[str, str],
    created: dict[str, tuple[str, str]],
    builder: _Builder,
) -> tuple[str, str] | None:
    """Put the id that ``ref`` stands for in ``rec[end]``, or return (message, fix)."""
    if len(names.get(ref, ())) == 1:
        rec[end] = names[ref][0]
        return None
    if ref in names:
        return (
            f"{ref!r} is the name of several records",
            f"write one of their ids: {', '.join(names[ref])}",
        )
    if _near(ref) in near:
        known = near[_near(ref)]
        return f"{ref!r} differs from {known!r} only in case or spaces", f"write it as {known!r}"
    if _near(ref) in created:
        first, ident = created[_near(ref)]
        if first != ref:
            return (
                f"{ref!r} differs from {first!r} only in case or spaces",
                f"write it as {first!r}",
            )
        rec[end] = ident
        return None
    if builder.create_missing:
        ident = slug(ref)
        if ident in ids:
            return (
                f"{ref!r} would become the id {ident!r}, which a table declares already",
                f"write {ident!r} if that is meant, or add {ref!r} to the departments table",
            )
        created[_near(ref)] = (ref, ident)
        rec[end] = ident
        return None
    hint = did_you_mean(ref, [*ids, *names])
    return (
        f"unknown department {ref!r}",
        (hint + "; " if hint else "") + "add it to the departments table, or pass --create-missing",
    )


def _validate(data: dict, builder: _Builder, default: str) -> list[Problem]:
    model = None
    found = []
    try:
        model = Model.model_validate(data)
    except ValidationError as err:
        found.extend(pydantic_problems(err, data))
    found.extend(check_model(data, model=model, shape_ok=model is not None))
    out = []
    for loc, message, fix in found:
        if loc and loc[0] == "scale":
            fix = "give the scale with --scale MIN:MAX or in the model table"
        elif "change `scale`" in fix:
            fix = fix.replace("change `scale`", "give the scale with --scale MIN:MAX")
        out.append(builder.place(loc, message, fix, default))
    return out


def _sorted(problems: list[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.file, p.line or 0, p.column or 0))
