"""Internal customer satisfaction surveys → service qualities (with SERVQUAL gaps and confidence
intervals), and employee surveys → departments' own quality and eNPS.

Arithmetic, per service (the pair supplier → customer):

* quality = mean perception, normalised from the survey scale to the model's scale;
* confidence interval = mean ± t(n-1) · sd / √n, normalised the same way;
* SERVQUAL gap = mean of (perception − expectation) per dimension, then averaged over the
  dimensions answered (the five: tangibles, reliability, responsiveness, assurance, empathy);
* eNPS = % promoters (9-10) − % detractors (0-6) of the answers to the ``enps`` item (0-10).

Services and departments with fewer answers than the threshold are reported, never used.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ModelError, Problem, did_you_mean
from ..io.load import validate_data
from ..io.rewrite import model_text
from ..io.tabular import Row, Table, read_tables
from ..model.spec import Model
from ..text import number, text_repr

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

SERVQUAL = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
ENPS_ITEMS = ("enps", "nps", "recommend")


def enps(scores: list[float]) -> float:
    """Employee net promoter score: % of 9-10 answers minus % of 0-6 answers.

    Examples
    --------
    >>> enps([10, 9, 8, 7, 6, 0, 10, 3])
    0.0
    >>> enps([10, 9, 9, 8])
    75.0
    """
    if not scores:
        return math.nan
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    return 100.0 * (promoters - detractors) / len(scores)


def servqual_gap(answers: list[tuple[str, float, float]]) -> tuple[float, dict[str, float]]:
    """Mean of perception − expectation per dimension, then averaged over the dimensions.

    ``answers`` holds ``(dimension, perception, expectation)``.

    Examples
    --------
    >>> gap, per = servqual_gap([("reliability", 4, 5), ("reliability", 3, 5),
    ...                          ("empathy", 5, 4)])
    >>> per, gap
    ({'reliability': -1.5, 'empathy': 1.0}, -0.25)
    """
    sums: dict[str, list[float]] = {}
    for dim, p, e in answers:
        sums.setdefault(dim, []).append(p - e)
    per = {dim: sum(v) / len(v) for dim, v in sums.items()}
    return (sum(per.values()) / len(per) if per else math.nan), per


def _t_quantile(confidence: float, df: int) -> float:
    from scipy.stats import t

    return float(t.ppf(0.5 + confidence / 2, df))


@dataclass
class ServiceScore:
    """What the survey says about one service (scores on the model's scale)."""

    source: str
    target: str
    name: str
    answers: int
    mean: float  # on the survey scale
    quality_before: float | None
    quality: float  # on the model's scale
    low: float | None
    high: float | None
    gap: float | None = None  # SERVQUAL, on the survey scale
    gaps: dict[str, float] = field(default_factory=dict)
    used: bool = True

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in self.__dict__.items()
        }


@dataclass
class DepartmentScore:
    """What the employee survey says about one department (own quality on the model's scale)."""

    id: str
    answers: int
    mean: float | None
    quality_before: float | None
    quality: float | None
    enps: float | None
    enps_answers: int
    used: bool = True

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return dict(self.__dict__)


@dataclass
class SurveyResult:
    """The model with the survey folded in, and what was folded in."""

    model: Model
    text: str
    services: list[ServiceScore]
    departments: list[DepartmentScore]
    min_answers: int
    scale: tuple[float, float]
    changes: dict = field(default_factory=dict)  # (section, index, field) -> new value

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {
            "survey_scale": {"min": self.scale[0], "max": self.scale[1]},
            "min_answers": self.min_answers,
            "services": [s.to_dict() for s in self.services],
            "departments": [d.to_dict() for d in self.departments],
        }

    __repr__ = text_repr

    def __str__(self) -> str:
        lo, hi = self.scale
        m = self.model.scale
        used = [s for s in self.services if s.used]
        lines = [
            f"Folded in {len(used)} of {len(self.services)} surveyed services "
            f"(survey scale {lo:g}..{hi:g}, model scale {m.min:g}..{m.max:g}):"
        ]
        for s in self.services:
            label = f"{s.source} → {s.target}" + (f" ({s.name})" if s.name else "")
            before = "unrated" if s.quality_before is None else f"{s.quality_before:g}"
            if not s.used:
                lines.append(
                    f"  NOT USED {label}: only {s.answers} answer{'s' if s.answers != 1 else ''} "
                    f"(fewer than {self.min_answers}); quality stays {before}"
                )
                continue
            ci = "" if s.low is None else f", 95% CI {s.low:.2f}..{s.high:.2f}"
            gap = "" if s.gap is None else f", SERVQUAL gap {number(s.gap, '+.2f')}"
            lines.append(
                f"  {label}: {s.answers} answers, mean {s.mean:.2f}, "
                f"quality {before} → {s.quality:.2f}{ci}{gap}"
            )
        for d in self.departments:
            before = "not given" if d.quality_before is None else f"{d.quality_before:g}"
            parts = []
            if d.mean is not None and d.used:
                parts.append(f"own quality {before} → {d.quality:.2f} ({d.answers} answers)")
            elif d.answers:
                parts.append(f"NOT USED: only {d.answers} answers; own quality stays {before}")
            if d.enps is not None:
                n = d.enps_answers
                parts.append(f"eNPS {number(d.enps, '+.0f')} ({n} answer{'s' if n != 1 else ''})")
            lines.append(f"  department {d.id}: " + "; ".join(parts))
        return "\n".join(lines)


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
        optional service, optional item (a SERVQUAL dimension or any question), perception,
        optional expectation.
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
    answers: dict[int, list[tuple[str, float, float | None]]] = {}
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
        answers.setdefault(index, []).append((item, p, e))
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
    result = _fold(
        model, answers, dept_answers, scale, employee_scale, min_answers, confidence, str(responses)
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
    if "supplier" in missing and "item" in table.columns:
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


def _to_model(value: float, lo: float, hi: float, model: Model) -> float:
    return model.scale.min + (value - lo) / (hi - lo) * (model.scale.max - model.scale.min)


def _fold(model, answers, dept_answers, scale, employee_scale, min_answers, confidence, source):
    lo, hi = scale
    data = model.model_dump(by_alias=True, exclude_none=True)
    changes: dict[tuple[str, int, str], float] = {}
    services = []
    for index in sorted(answers):
        rows = answers[index]
        svc = model.services[index]
        n = len(rows)
        ps = [p for _, p, _ in rows]
        mean = sum(ps) / n
        low = high = None
        if n >= 2:
            sd = math.sqrt(sum((p - mean) ** 2 for p in ps) / (n - 1))
            half = _t_quantile(confidence, n - 1) * sd / math.sqrt(n)
            low = _to_model(max(lo, mean - half), lo, hi, model)
            high = _to_model(min(hi, mean + half), lo, hi, model)
        gap_rows = [(item, p, e) for item, p, e in rows if e is not None]
        gap, gaps = servqual_gap(gap_rows) if gap_rows else (None, {})
        quality = round(_to_model(mean, lo, hi, model), 3)
        score = ServiceScore(
            svc.source,
            svc.target,
            svc.name or "",
            n,
            mean,
            svc.quality,
            quality,
            low,
            high,
            gap,
            gaps,
            used=n >= min_answers,
        )
        if score.used:
            data["services"][index]["quality"] = quality
            changes["services", index, "quality"] = quality
        services.append(score)
    departments = []
    index_of = {d.id: i for i, d in enumerate(model.departments)}
    e_lo, e_hi = employee_scale
    for dept in sorted(dept_answers, key=lambda d: index_of.get(d, len(index_of))):
        rows = dept_answers[dept]
        promoters = [v for item, v in rows if item in ENPS_ITEMS]
        own = [v for item, v in rows if item not in ENPS_ITEMS]
        mean = sum(own) / len(own) if own else None
        before = model.departments[index_of[dept]].quality if dept in index_of else None
        quality = round(_to_model(mean, e_lo, e_hi, model), 3) if mean is not None else None
        used = mean is not None and len(own) >= min_answers and dept in index_of
        if used:
            data["departments"][index_of[dept]]["quality"] = quality
            changes["departments", index_of[dept], "quality"] = quality
        departments.append(
            DepartmentScore(
                dept,
                len(own),
                mean,
                before,
                quality,
                enps(promoters) if promoters else None,
                len(promoters),
                used,
            )
        )
    new = validate_data(data, {}, file=source).model
    return SurveyResult(new, "", services, departments, min_answers, scale, changes)
