"""What a survey folded into a model: each service's and department's score with its statistics,
the reliability of each multi-item dimension, and the rule that decided what was used."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..model.spec import Model
from ..text import number, text_repr
from .stats import ALPHA_FLAG, Alpha

__all__ = ["DepartmentScore", "ServiceScore", "SurveyResult"]


def _plain(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass
class ServiceScore:
    """What the survey says about one service (``quality``, ``se``, ``low``, ``high`` on the
    model's scale; ``mean`` and ``gap`` on the survey's)."""

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
    #: Standard error of ``quality`` on the model's scale (None when it cannot be told).
    se: float | None = None
    #: Number of distinct respondents (None without a respondent column).
    respondents: int | None = None
    #: How ``se`` was found: "t" (answers independent), "cluster" or "bootstrap".
    method: str = "t"

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json``."""
        return {k: _plain(v) for k, v in self.__dict__.items()}


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
    se: float | None = None

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json``."""
        return {k: _plain(v) for k, v in self.__dict__.items()}


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
    reliability: list[Alpha] = field(default_factory=list)
    #: Whether the answers carried a respondent column.
    by_respondent: bool = False
    #: "cluster" or "bootstrap" (with its resamples and seed in ``bootstrap``).
    method: str = "t"
    bootstrap: dict | None = None
    level: float = 0.95

    @property
    def rule(self) -> str:
        """The minimum-answers rule, in words."""
        rule = f"a score is used when it rests on at least {self.min_answers} answers"
        if self.by_respondent:
            rule += " from at least 2 respondents (a standard error by respondent needs two)"
        return rule

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json``."""
        return {
            "survey_scale": {"min": self.scale[0], "max": self.scale[1]},
            "min_answers": self.min_answers,
            "rule": self.rule,
            "level": self.level,
            "standard_error": self._method_words(),
            "bootstrap": self.bootstrap,
            "services": [s.to_dict() for s in self.services],
            "departments": [d.to_dict() for d in self.departments],
            "reliability": [a.to_dict() for a in self.reliability],
        }

    def _method_words(self) -> str:
        if self.method == "bootstrap":
            who = "respondents" if self.by_respondent else "answers"
            return f"bootstrap of the {who} ({self.bootstrap['resamples']:,} resamples)"
        if self.by_respondent:
            return "cluster-robust by respondent"
        return "answers taken as independent"

    __repr__ = text_repr

    def __str__(self) -> str:
        lo, hi = self.scale
        m = self.model.scale
        used = [s for s in self.services if s.used]
        pct = f"{self.level * 100:g}%"
        lines = [
            f"Folded in {len(used)} of {len(self.services)} surveyed services "
            f"(survey scale {lo:g}..{hi:g}, model scale {m.min:g}..{m.max:g}):"
        ]
        short = f"fewer than {self.min_answers}"
        if self.by_respondent:
            short = f"the rule asks for {self.min_answers} answers from 2 respondents"
        for s in self.services:
            label = f"{s.source} → {s.target}" + (f" ({s.name})" if s.name else "")
            before = "unrated" if s.quality_before is None else f"{s.quality_before:g}"
            who = "" if s.respondents is None else f" from {s.respondents} respondents"
            if not s.used:
                lines.append(
                    f"  NOT USED {label}: only {s.answers} answer{'s' if s.answers != 1 else ''}"
                    f"{who} ({short}); quality stays {before}"
                )
                continue
            se = "" if s.se is None else f" (se {s.se:.2f})"
            ci = "" if s.low is None else f", {pct} CI {s.low:.2f}..{s.high:.2f}"
            gap = "" if s.gap is None else f", SERVQUAL gap {number(s.gap, '+.2f')}"
            lines.append(
                f"  {label}: {s.answers} answers{who}, mean {s.mean:.2f}, "
                f"quality {before} → {s.quality:.2f}{se}{ci}{gap}"
            )
        for d in self.departments:
            before = "not given" if d.quality_before is None else f"{d.quality_before:g}"
            parts = []
            if d.mean is not None and d.used:
                se = "" if d.se is None else f", se {d.se:.2f}"
                parts.append(f"own quality {before} → {d.quality:.2f} ({d.answers} answers{se})")
            elif d.answers:
                parts.append(f"NOT USED: only {d.answers} answers; own quality stays {before}")
            if d.enps is not None:
                n = d.enps_answers
                parts.append(f"eNPS {number(d.enps, '+.0f')} ({n} answer{'s' if n != 1 else ''})")
            lines.append(f"  department {d.id}: " + "; ".join(parts))
        if self.reliability:
            lines.append(f"Reliability of each multi-item dimension (Cronbach's alpha, {pct} CI):")
            for a in self.reliability:
                if math.isnan(a.alpha):
                    lines.append(f"  {a.dimension}: cannot be told ({a.respondents} complete sets)")
                    continue
                flag = f"  LOW: below {ALPHA_FLAG:g}" if a.flagged else ""
                lines.append(
                    f"  {a.dimension}: {a.alpha:.2f} ({a.low:.2f}..{a.high:.2f}), "
                    f"{a.items} items, {a.respondents} complete sets of answers{flag}"
                )
        lines.append(f"Rule: {self.rule}.")
        lines.append(f"Standard errors: {self._method_words()}; written as quality_se.")
        return "\n".join(lines)
