"""Gather the report from the library: each section of the document, in order.

Only plain data and lazily drawn charts come out of here; no format is known (see
:mod:`~servicechain.report.document`). The sections themselves live in
:mod:`~servicechain.report.overview` (the organisation and its diagram),
:mod:`~servicechain.report.scores` (segments, priorities, what-if),
:mod:`~servicechain.report.uncertainty` (how sure the numbers are, when scores carry standard
errors) and
:mod:`~servicechain.report.weak_points` (gateways, loops, disconnected work).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from .. import __version__
from .costs import cost_section
from .document import Document
from .labels import score_format
from .overview import DIAGRAM, chain_section, departments_section, glance_section
from .robust import robust_summary
from .rows import REPORT_ROWS
from .scores import (
    TOP_SERVICES,
    detailed_segments,
    priorities_section,
    scenarios_section,
    segments_section,
)
from .summary import summarize
from .uncertainty import uncertainty_results, uncertainty_section
from .weak_points import disconnected_section, gateway_failures, structure_section

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = [
    "DIAGRAM",
    "build_document",
    "chain_section",
    "cost_section",
    "departments_section",
    "disconnected_section",
    "glance_section",
    "priorities_section",
    "scenarios_section",
    "segments_section",
    "structure_section",
    "uncertainty_section",
]


def _facts(chain: Chain, result: Any) -> list[tuple[str, str]]:
    c = chain.summary().counts
    facts = [(k.capitalize(), f"{v:,}") for k, v in c.items()]
    if not math.isnan(result.company):
        facts.append(
            ("Customer quality", f"{result.to_scale(result.company):{score_format(chain)}}")
        )
    return facts


def _costs(chain: Chain) -> Any:
    """The reciprocal cost allocation, the reason it cannot be made (text), or ``None``."""
    from ..cost import CostError, allocate

    if not chain.costs.any_given:
        return None
    try:
        return allocate(chain)
    except CostError as err:
        return str(err)


def build_document(
    chain: Chain,
    *,
    scenarios: Sequence[Any] | None = None,
    source: str = "",
    today: date | None = None,
) -> Document:
    """The whole report of ``chain`` (and of its what-if ``scenarios``) as a document."""
    from ..flow import compare, explain, rank, score
    from ..io.scenario import read_scenarios
    from ..structure import analyze

    result = score(chain)
    analysis = analyze(chain)
    # the diagram first: a model too large to draw is refused before the long computations
    diagram, chain_data = chain_section(chain)
    has_segments = bool(chain.records.segments)
    # One set of results for every section and for the summary: one story.
    # exact gains and failures for the rows the tables list (a large model's are cut there)
    ranking = rank(chain, top=None, exact=max(TOP_SERVICES, REPORT_ROWS)) if has_segments else None
    # the gap traced for the segments shown in detail (the weakest among them)
    breakdowns = {ident: explain(chain, ident) for ident in detailed_segments(chain, result)}
    comparison = None
    if scenarios is not None:
        if isinstance(scenarios, str | os.PathLike):
            scenarios = read_scenarios(scenarios)
        if not isinstance(scenarios, dict):  # a file's scenarios keep their positions
            scenarios = dict(scenarios)
        comparison = compare(chain, scenarios) if scenarios else None
    costs = _costs(chain)
    failures = gateway_failures(chain, ranking, analysis)
    sure_results = uncertainty_results(chain)
    sections = []
    if has_segments:
        found = summarize(
            chain,
            result=result,
            ranking=ranking,
            breakdowns=breakdowns,
            analysis=analysis,
            comparison=comparison,
            costs=costs if not isinstance(costs, str) else None,
            failures=failures,
        )
        if sure_results is not None:  # the survey's noise: which findings are robust
            found = robust_summary(chain, found, result=sure_results[0], ranked=sure_results[1])
        sections.append(found.section())
    sections += [glance_section(chain), diagram]
    if has_segments:
        sections += [
            segments_section(chain, result, breakdowns),
            priorities_section(chain, ranking),
        ]
    sure = uncertainty_section(chain, results=sure_results)
    if sure is not None:
        sections.append(sure)
    cost = cost_section(chain, result, costs)
    if cost is not None:
        sections.append(cost)
    if scenarios is not None:
        sections.append(scenarios_section(chain, scenarios, comparison))
    sections += [
        structure_section(chain, analysis, ranking, failures),
        disconnected_section(chain, analysis),
        departments_section(chain, result, ranking),
    ]
    when = (today or date.today()).isoformat()
    footer = f"Made with servicechain {__version__}" + (f" from {source}" if source else "")
    return Document(
        title=chain.name,
        subtitle=f"Internal service chain report · {when}",
        sections=sections,
        facts=_facts(chain, result),
        data={"footer": footer + ".", "chain": chain_data},
    )
