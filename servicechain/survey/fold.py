"""Internal customer satisfaction surveys → service qualities (with SERVQUAL gaps and confidence
intervals), and employee surveys → departments' own quality and eNPS.

Arithmetic, per service (the pair supplier → customer):

* quality = mean perception, normalised from the survey scale to the model's scale;
* confidence interval = mean ± t(n-1) · sd / √n, normalised the same way;
* SERVQUAL gap = mean of (perception − expectation) per dimension, then averaged over the
  dimensions answered (the five: tangibles, reliability, responsiveness, assurance, empathy);
* eNPS = % promoters (9-10) − % detractors (0-6) of the answers to the ``enps`` item (0-10).

Services and departments with fewer answers than the threshold are reported, never used. The
statistics (standard errors, clustered by respondent or bootstrapped, and Cronbach's alpha) are
in :mod:`servicechain.survey.stats`; the scores are made by :mod:`servicechain.survey.scores`.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from ..errors import ModelError, Problem, did_you_mean
from ..io.rewrite import model_text
from ..io.tabular import Row, Table, read_tables
from ..model.spec import Model
from .result import DepartmentScore, ServiceScore, SurveyResult
from .scores import ENPS_ITEMS, SERVQUAL, Answer, enps, fold_scores, servqual_gap

__all__ = [
    "ENPS_ITEMS",
    "SERVQUAL",
    "DepartmentScore",
    "ServiceScore",
    "SurveyResult",
    "enps",
    "fold_survey",
    "servqual_gap",
]


class _Refs:
    """Resolve a department written as an id or a name."""

    def __init__(self, model: Model):
        self.ids = {d.id for d in model.departments} | {p.id for p in model.partners}
        self.ids |= {s.id for s in model.segments}
        self.names = {}
        for rec in (*model.departments, *model.partners, *model.segments):
            self.names.setdefault(rec.name, rec.id)

    def find(self, text: str) -> str | None:
        if text in self.ids:
            return text
        return self.names.get(text)

    def hint(self, text: str) -> str:
        return did_you_mean(text, sorted(self.ids)) or "use the id of a department of the model"


def _score(table: Table, row: Row, name: str, lo: float, hi: float, problems: list) -> float | None:
    text = row.values.get(name)
    if text is None:
        return None
    try:
        value = float(text.replace(",", ".") if table.decimal_comma else text)
    except ValueError:
        problems.append(
            table.problem(
                row.number,
                name,
                f"expected a score, got {text!r}",
                f"write a number from {lo:g} to {hi:g}",
            )
        )
        return None
    if not (math.isfinite(value) and lo <= value <= hi):
        problems.append(
            table.problem(
                row.number,
                name,
                f"{value:g} is outside {lo:g}..{hi:g}",
                "fix the answer, or state the survey scale with --scale",
            )
        )
        return None
    return value


def _table(path: str | os.PathLike, section: str, problems: list[Problem]) -> Table | None:
    tables, found = read_tables(path, section=section)
    problems.extend(found)
    return next((t for t in tables if t.section == section), None)


def fold_survey(
    model: Model,
    responses: str | os.PathLike,
    *,
    scale: tuple[float, float] = (1.0, 5.0),
    min_answers: int = 5,
    employees: str | os.PathLike | None = None,
    employee_scale: tuple[float, float] = (1.0, 5.0),
    confidence: float = 0.95,
    bootstrap: int = 0,
    seed: int = 0,
    original: str | os.PathLike | None = None,
    fmt: str | None = None,
) -> SurveyResult:
    """Fold survey answers into a model: new service qualities and departments' own quality.

    Parameters
    ----------
    model : Model
        The model whose services were surveyed.
    responses : path-like
        CSV or XLSX, one row per answer: customer (the respondent's department), supplier,
        optional service, optional item (any question), optional dimension (a SERVQUAL
        dimension), perception, optional expectation, optional respondent_id (who answered:
        standard errors are then clustered by respondent, and each multi-item dimension gets
        Cronbach's alpha).
    scale : (min, max), keyword-only
        The Likert scale of the answers (default 1..5).
    min_answers : int, keyword-only
        Services (and departments) with fewer answers are reported and left unchanged.
    employees : path-like, keyword-only
        Optional employee survey: department, item, score; the item ``enps`` (0-10) gives the
        eNPS, the other items the department's own quality.
    employee_scale : (min, max), keyword-only
        Scale of the employee survey's items other than eNPS.
    confidence : float, keyword-only
        Level of the confidence intervals.
    bootstrap : int, keyword-only
        With a positive number, standard errors and intervals come from that many bootstrap
        resamples of the respondents (of the answers without a respondent column).
    seed : int, keyword-only
        Seed of the bootstrap: the same seed gives the same numbers.
    original : path-like, keyword-only
        The file ``model`` was read from. When given, the result's text is that file with
        only the values the survey sets changed: its comments and layout are kept.
    fmt : {"yaml", "json"}, keyword-only
        Format of the result's text (default: the format of ``original``, else YAML).

    Raises
    ------
    ModelError
        Every unusable answer (unknown department, no such service, score off the scale),
        with file, row and column; nothing is folded in then.
    """
    lo, hi = scale
    problems: list[Problem] = []
    refs = _Refs(model)
    pairs = {(s.source, s.target): i for i, s in enumerate(model.services)}
    answers: dict[int, list[Answer]] = {}
    table = _table(responses, "responses", problems)
    if table is not None and _missing_columns(table, problems):
        table = None
    for row in table.rows if table else []:
        ends = {}
        for col in ("supplier", "customer"):
            text = row.values.get(col)
            if text is None:
                problems.append(
                    table.problem(
                        row.number,
                        col,
                        "required answer field is empty",
                        f"write the {col}'s department id",
                    )
                )
                continue
            found = refs.find(text)
            if found is None:
                problems.append(
                    table.problem(row.number, col, f"unknown department {text!r}", refs.hint(text))
                )
            ends[col] = found
        p = _score(table, row, "perception", lo, hi, problems)
        e = _score(table, row, "expectation", lo, hi, problems)
        if "perception" not in row.values:
            problems.append(
                table.problem(
                    row.number, "perception", "no perception score", "write the answer's score"
                )
            )
        if None in ends.values() or len(ends) < 2 or p is None:
            continue
        index = pairs.get((ends["supplier"], ends["customer"]))
        if index is None:
            problems.append(
                table.problem(
                    row.number,
                    "customer",
                    f"the model has no service from {ends['supplier']!r} to {ends['customer']!r}",
                    "check supplier and customer, or add the service to the model",
                )
            )
            continue
        service = model.services[index]
        given = row.values.get("service")
        if given and service.name and given.casefold() != service.name.casefold():
            problems.append(
                table.problem(
                    row.number,
                    "service",
                    f"{given!r} is not the name of the service {service.source} → {service.target}",
                    f"did you mean {service.name!r}?",
                )
            )
            continue
        item = " ".join(row.values.get("item", "").split()).casefold()
        dimension = " ".join(row.values.get("dimension", "").split()).casefold()
        who = row.values.get("respondent_id")
        answers.setdefault(index, []).append(Answer(item, dimension, p, e, who))
    dept_answers: dict[str, list[tuple[str, float]]] = {}
    if employees is not None:
        etable = _table(employees, "employees", problems)
        for row in etable.rows if etable else []:
            text = row.values.get("department")
            dept = refs.find(text) if text else None
            if dept is None:
                problems.append(
                    etable.problem(
                        row.number,
                        "department",
                        f"unknown department {text!r}",
                        refs.hint(text or ""),
                    )
                )
                continue
            item = " ".join(row.values.get("item", "").split()).casefold()
            s_lo, s_hi = (0.0, 10.0) if item in ENPS_ITEMS else employee_scale
            value = _score(etable, row, "score", s_lo, s_hi, problems)
            if value is None:
                if "score" not in row.values:
                    problems.append(
                        etable.problem(row.number, "score", "no score", "write the answer's score")
                    )
                continue
            dept_answers.setdefault(dept, []).append((item, value))
    if problems:
        raise ModelError(
            sorted(dict.fromkeys(problems), key=lambda p: (p.file, p.line or 0, p.column or 0))
        )
    result = fold_scores(
        model,
        answers,
        dept_answers,
        scale=scale,
        employee_scale=employee_scale,
        min_answers=min_answers,
        level=confidence,
        by_respondent=table is not None and "respondent_id" in table.columns,
        bootstrap=bootstrap,
        seed=seed,
        source=str(responses),
    )
    original_fmt = "json" if original and Path(original).suffix.lower() == ".json" else "yaml"
    header = f"Survey answers from {Path(responses).name} folded in by `servicechain survey`."
    result.text = model_text(
        result.model,
        changes=result.changes,
        original=Path(original).read_text(encoding="utf-8-sig") if original else None,
        original_fmt=original_fmt,
        fmt=fmt or original_fmt,
        header=header,
    )
    return result


def _missing_columns(table: Table, problems: list[Problem]) -> bool:
    """Add one problem per required column the answers lack (instead of one per row)."""
    missing = [c for c in ("supplier", "customer", "perception") if c not in table.columns]
    if not missing:
        return False
    if "supplier" in missing and ("item" in table.columns or "dimension" in table.columns):
        problems.append(
            table.problem(
                None,
                "supplier",
                "this looks like an employee survey (department, item, score): "
                "it has no supplier column",
                "pass it with --employees FILE; the survey answers need supplier, customer "
                "and perception columns",
            )
        )
        return True
    for col in missing:
        problems.append(
            table.problem(None, col, f"no {col} column", f"add a {col} column to the answers")
        )
    return True
