"""One entry point for every method: ``allocate(chain, method=...)`` and the three side by side."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..model.costs import cost_findings
from ..model.network import DEPARTMENT, SEGMENT
from .compare import CostComparison
from .direct import direct
from .reciprocal import reciprocal
from .result import METHOD_NAMES, CostResult
from .shares import CostError, Inputs
from .stepdown import resolve_order, step_down

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = ["METHODS", "allocate", "compare_methods"]

#: The allocation methods, by the name ``allocate`` and the CLI take.
METHODS = tuple(METHOD_NAMES)
_LISTED = 8


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:_LISTED])
    return shown + (f" and {len(names) - _LISTED:,} more" if len(names) > _LISTED else "")


def _inputs(chain: Chain) -> Inputs:
    inputs = Inputs(chain.network, chain.costs)
    if not inputs.costs.any_given:
        raise CostError(
            "no department has a cost: add `cost: AMOUNT` (direct cost per period, in the "
            "model's currency) to the departments"
        )
    findings = cost_findings(inputs.net, inputs.costs)
    if findings:
        raise CostError(
            "\n".join(f"{_where(loc)}: {message} ({fix})" for loc, message, fix in findings)
        )
    return inputs


def _where(loc: tuple) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")


def _notes(inputs: Inputs, method: str, amount: np.ndarray) -> list[str]:
    net, costs = inputs.net, inputs.costs
    dep = net.kind == DEPARTMENT
    notes = []
    missing = np.flatnonzero(dep & ~costs.given)
    if len(missing):
        names = [net.names[j] for j in missing]
        notes.append(f"no cost given for {_listed(names)}: counted as 0")
    supplied = net.kind[net.source] == DEPARTMENT
    no_volume = int((supplied & ~costs.volume_given).sum())
    if no_volume:
        some = (
            "no service gives" if no_volume == supplied.sum() else f"{no_volume:,} services give no"
        )
        notes.append(f"{some} volume: each supplier's cost is shared by their weights")
    passed = np.bincount(net.source, weights=amount, minlength=net.n)
    ignored = int(((costs.volume > 0) & (amount == 0) & (passed[net.source] > 0)).sum())
    if method == "step-down" and ignored:
        notes.append(
            f"{ignored:,} services to departments allocated earlier carry no cost "
            "(a department once allocated receives nothing more)"
        )
    if method == "direct" and ignored:
        notes.append(
            f"{ignored:,} services between support departments, or from the front line to "
            "departments, carry no cost (the direct method ignores them)"
        )
    return notes


def allocate(chain: Chain, *, method: str = "reciprocal", order: list[str] | None = None):
    """Allocate the departments' costs along the chain to the segments (DESIGN section 3c).

    Parameters
    ----------
    chain : Chain
        A loaded model whose departments carry ``cost``.
    method : {"reciprocal", "step-down", "direct"}, keyword-only
        ``reciprocal`` solves ``T = c + S^T T`` at once; ``step-down`` allocates departments
        one at a time in ``order``; ``direct`` ignores service between support departments.
    order : list of str, optional, keyword-only
        For ``step-down``: department ids allocated first, in this order; the others follow
        in the default order (the one serving the most other departments first, ties by id).

    Returns
    -------
    CostResult
        Per department its direct, received, passed-on and total cost; per segment its cost
        to serve beside satisfaction and revenue; per service the cost it carries.

    Raises
    ------
    CostError
        When no department has a cost, or the method cannot allocate this model.

    Examples
    --------
    >>> import servicechain
    >>> chain = servicechain.Chain.from_dict({"name": "Shop", "currency": "EUR",
    ...     "departments": [{"id": "it", "name": "IT", "cost": 90},
    ...                     {"id": "shop", "name": "Shop floor", "cost": 10}],
    ...     "segments": [{"id": "walkin", "name": "Walk-in", "kind": "consumer",
    ...                   "relationship": "customer", "customers": 4}],
    ...     "services": [{"from": "it", "to": "shop"}, {"from": "shop", "to": "walkin"}]})
    >>> result = allocate(chain)
    >>> result.cost_to_serve("walkin"), result.to_dict()["segments"][0]["per_customer"]
    (100.0, 25.0)
    """
    if method not in METHOD_NAMES:
        raise CostError(f"unknown method {method!r}; use one of {', '.join(METHOD_NAMES)}")
    if order is not None and method != "step-down":
        raise CostError("an order applies to the step-down method only")
    inputs = _inputs(chain)
    net, costs = inputs.net, inputs.costs
    sequence = None
    if method == "reciprocal":
        amount = reciprocal(inputs)
    elif method == "step-down":
        steps = resolve_order(inputs, order)
        amount = step_down(inputs, steps)
        sequence = [net.ids[j] for j in steps]
    else:
        amount = direct(inputs)
    from ..flow.state import state_of

    lo, hi = net.scale.min, net.scale.max
    quality = state_of(chain).quality
    satisfaction = np.where(net.kind == SEGMENT, lo + quality * (hi - lo), np.nan)
    return CostResult(
        name=chain.name,
        method=method,
        ids=net.ids,
        names=net.names,
        kind=net.kind,
        direct=costs.direct,
        received=np.bincount(net.target, weights=amount, minlength=net.n),
        passed=np.bincount(net.source, weights=amount, minlength=net.n),
        source=net.source,
        target=net.target,
        amount=amount,
        volume=costs.volume,
        units=costs.units,
        service_names=net.service_names or [""] * net.m,
        satisfaction=satisfaction,
        revenue=costs.revenue,
        customers=costs.customers,
        scale=(lo, hi),
        currency=costs.currency,
        order=sequence,
        notes=_notes(inputs, method, amount),
    )


def compare_methods(chain: Chain, *, order: list[str] | None = None) -> CostComparison:
    """The three methods side by side: each department's total cost and each segment's cost
    to serve. A method that cannot allocate the model is left out, with the reason.

    Examples
    --------
    >>> import servicechain
    >>> chain = servicechain.load(servicechain.example_path("consulting"))
    >>> both = compare_methods(chain)
    >>> [r.method for r in both.results], sorted(both.unavailable)
    (['reciprocal', 'step-down'], ['direct'])
    """
    results, unavailable = [], {}
    for method in METHOD_NAMES:
        try:
            results.append(
                allocate(chain, method=method, order=order if method == "step-down" else None)
            )
        except CostError as err:
            if not results and method == "reciprocal":
                raise
            unavailable[method] = str(err)
    return CostComparison(results=results, unavailable=unavailable)
