"""Survey answers → scores: each service's mean perception and each department's own quality,
with standard errors, intervals and the reliability of each multi-item dimension, written into
the model as ``quality``, ``quality_se`` and ``answers``."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..io.load import validate_data
from ..model.spec import Model
from .result import DepartmentScore, ServiceScore, SurveyResult
from .stats import Alpha, Estimate, bootstrap_mean, cronbach_alpha, mean_estimate

__all__ = [
    "ENPS_ITEMS",
    "SERVQUAL",
    "Answer",
    "enps",
    "fold_scores",
    "reliability",
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


class Answer(NamedTuple):
    """One answer of the internal customer survey (scores on the survey's scale)."""

    item: str
    dimension: str
    perception: float
    expectation: float | None
    respondent: str | None


def _to_model(value: float, lo: float, hi: float, model: Model) -> float:
    return model.scale.min + (value - lo) / (hi - lo) * (model.scale.max - model.scale.min)


def _estimate(values, respondents, *, level, bootstrap, seed) -> Estimate:
    if bootstrap > 0:
        return bootstrap_mean(values, respondents, level=level, resamples=bootstrap, seed=seed)
    return mean_estimate(values, respondents, level=level)


def _who(rows: list[Answer], by_respondent: bool) -> list[str] | None:
    """The respondent of each answer; an answer without one counts as a respondent of its own."""
    if not by_respondent:
        return None
    return [r.respondent if r.respondent else f"\0row{i}" for i, r in enumerate(rows)]


def reliability(answers: dict[int, list[Answer]], *, level: float = 0.95) -> list[Alpha]:
    """Cronbach's alpha of every dimension measured by two items or more.

    The units are the sets of answers one respondent gave about one service; a unit counts
    when it answered every item of the dimension (an item answered twice counts as its mean).

    Examples
    --------
    >>> rows = [Answer(i, "reliability", p, None, who) for who, ps in
    ...         (("ana", (4, 5)), ("rui", (2, 2)), ("eva", (3, 4))) for i, p in zip("ab", ps)]
    >>> a, = reliability({0: rows})
    >>> a.dimension, a.items, a.respondents, round(a.alpha, 3)
    ('reliability', 2, 3, 0.947)
    """
    cells: dict[str, dict[tuple[int, str], dict[str, list[float]]]] = {}
    for index, rows in answers.items():
        for r in rows:
            if r.dimension and r.item and r.respondent:
                unit = cells.setdefault(r.dimension, {}).setdefault((index, r.respondent), {})
                unit.setdefault(r.item, []).append(r.perception)
    out = []
    for dimension in sorted(cells):
        units = cells[dimension]
        items = sorted({item for unit in units.values() for item in unit})
        if len(items) < 2:
            continue
        table = [
            [sum(unit[i]) / len(unit[i]) for i in items]
            for unit in units.values()
            if all(i in unit for i in items)
        ]
        scores = np.array(table, dtype=float).reshape(len(table), len(items))
        out.append(cronbach_alpha(scores, level=level, dimension=dimension))
    return out


def fold_scores(
    model: Model,
    answers: dict[int, list[Answer]],
    dept_answers: dict[str, list[tuple[str, float]]],
    *,
    scale: tuple[float, float],
    employee_scale: tuple[float, float],
    min_answers: int,
    level: float,
    by_respondent: bool,
    bootstrap: int,
    seed: int,
    source: str,
) -> SurveyResult:
    """The model with each surveyed score set (``quality``, ``quality_se``, ``answers``) where
    the minimum-answers rule allows it, and what was found (see
    :func:`~servicechain.survey.fold.fold_survey`)."""
    lo, hi = scale
    span = (model.scale.max - model.scale.min) / (hi - lo)
    data = model.model_dump(by_alias=True, exclude_none=True)
    changes: dict[tuple[str, int, str], float] = {}
    services = []
    for index in sorted(answers):
        rows = answers[index]
        svc = model.services[index]
        est = _estimate(
            [r.perception for r in rows],
            _who(rows, by_respondent),
            level=level,
            bootstrap=bootstrap,
            seed=np.random.SeedSequence([seed, index]),
        )
        ok = not math.isnan(est.se)
        low = _to_model(max(lo, est.low), lo, hi, model) if ok else None
        high = _to_model(min(hi, est.high), lo, hi, model) if ok else None
        gap_rows = [
            (r.dimension or r.item, r.perception, r.expectation)
            for r in rows
            if r.expectation is not None
        ]
        gap, gaps = servqual_gap(gap_rows) if gap_rows else (None, {})
        quality = round(_to_model(est.mean, lo, hi, model), 3)
        used = est.answers >= min_answers and (not by_respondent or (est.respondents or 0) >= 2)
        score = ServiceScore(
            svc.source,
            svc.target,
            svc.name or "",
            est.answers,
            est.mean,
            svc.quality,
            quality,
            low,
            high,
            gap,
            gaps,
            used=used,
            se=est.se * span if ok else None,
            respondents=est.respondents,
            method=est.method,
        )
        if used:
            _set(data, changes, ("services", index), quality, score.se, est.answers)
        services.append(score)
    departments = _departments(model, dept_answers, data, changes, employee_scale, min_answers)
    new = validate_data(data, {}, file=source).model
    return SurveyResult(
        new,
        "",
        services,
        departments,
        min_answers,
        scale,
        changes,
        reliability=reliability(answers, level=level) if by_respondent else [],
        by_respondent=by_respondent,
        method="bootstrap" if bootstrap > 0 else ("cluster" if by_respondent else "t"),
        bootstrap={"resamples": bootstrap, "seed": seed} if bootstrap > 0 else None,
        level=level,
    )


def _set(data, changes, where, quality, se, answers) -> None:
    section, index = where
    record = data[section][index]
    values: dict[str, float | int] = {"quality": quality}
    if se is not None:
        values["quality_se"] = float(f"{se:.3g}") if se > 0 else 0.0
    values["answers"] = answers
    for name, value in values.items():
        record[name] = value
        changes[section, index, name] = value


def _departments(model, dept_answers, data, changes, employee_scale, min_answers):
    out = []
    index_of = {d.id: i for i, d in enumerate(model.departments)}
    e_lo, e_hi = employee_scale
    span = (model.scale.max - model.scale.min) / (e_hi - e_lo)
    for dept in sorted(dept_answers, key=lambda d: index_of.get(d, len(index_of))):
        rows = dept_answers[dept]
        promoters = [v for item, v in rows if item in ENPS_ITEMS]
        own = [v for item, v in rows if item not in ENPS_ITEMS]
        est = mean_estimate(own) if own else None
        mean = est.mean if est else None
        se = est.se * span if est and not math.isnan(est.se) else None
        before = model.departments[index_of[dept]].quality if dept in index_of else None
        quality = round(_to_model(mean, e_lo, e_hi, model), 3) if mean is not None else None
        used = mean is not None and len(own) >= min_answers and dept in index_of
        if used:
            _set(data, changes, ("departments", index_of[dept]), quality, se, len(own))
        out.append(
            DepartmentScore(
                dept,
                len(own),
                mean,
                before,
                quality,
                enps(promoters) if promoters else None,
                len(promoters),
                used,
                se,
            )
        )
    return out
