"""The cost side of a model as arrays, and the rules costs must satisfy (DESIGN section 3c).

A department's ``cost`` is its direct cost per period; a service's ``volume`` is how much of its
supplier's output the customer takes (default: the service's weight), so each supplier's cost is
shared among its customers in proportion to their volumes. The arrays are built from the records
of either reader (pydantic models or the fast path's Structs), so both share one builder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import numpy as np

from .components import strong_labels
from .network import DEPARTMENT, Network, field_floats

__all__ = ["Costs", "closed_cost_loops", "cost_findings", "costs_of", "stranded_costs"]


@dataclass(frozen=True, eq=False)
class Costs:
    """The cost inputs of a model, aligned with its :class:`~servicechain.model.network.Network`.

    Attributes
    ----------
    direct : float array
        Direct cost of each node (0 where not given, and for partners and segments).
    given : bool array
        Whether each node's cost is given (departments only).
    volume : float array
        Volume of each service (its weight where not given).
    volume_given : bool array
        Whether each service's volume is given.
    units : list of str or None
        The ``unit`` of each service, ``None`` where not given.
    revenue, customers : float arrays
        Each segment's ``revenue`` and ``customers`` (``nan`` where not given, and for other
        nodes).
    currency : str or None
        The model's ``currency``.
    """

    direct: np.ndarray
    given: np.ndarray
    volume: np.ndarray
    volume_given: np.ndarray
    units: list[str | None]
    revenue: np.ndarray
    customers: np.ndarray
    currency: str | None = None

    @property
    def any_given(self) -> bool:
        """Whether the model gives any department a cost."""
        return bool(self.given.any())


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _units(services: Sequence[Any], missing: Any) -> list[str | None]:
    """The ``unit`` of each service, ``None`` where not text; a model that gives no unit at
    all (the usual case) is told by a count in C rather than a test per service."""
    units = list(map(attrgetter("unit"), services))
    for absent in (missing, None):
        if units.count(absent) == len(units):
            return [None] * len(units)
    return [_text(u) for u in units]


def costs_of(
    net: Network,
    departments: Sequence[Any],
    services: Sequence[Any],
    *,
    segments: Sequence[Any] = (),
    currency: Any = None,
    missing: Any = None,
) -> Costs:
    """The cost arrays of a model from its records (departments with a ``cost``, services with
    ``volume`` and ``unit``, segments with ``revenue`` and ``customers``; a field that is
    ``None`` or ``missing`` counts as not given), as read by either reader.

    Examples
    --------
    >>> from servicechain.model.spec import Model
    >>> from servicechain.model.network import network
    >>> m = Model.model_validate({"name": "x", "currency": "EUR",
    ...     "departments": [{"id": "a", "name": "A", "cost": 100}, {"id": "b", "name": "B"}],
    ...     "services": [{"from": "a", "to": "b", "weight": 2},
    ...                  {"from": "b", "to": "a", "volume": 5, "unit": "hours"}]})
    >>> c = costs_of(network(m), m.departments, m.services, currency=m.currency)
    >>> c.direct.tolist(), c.volume.tolist(), c.units, c.currency
    ([100.0, 0.0], [2.0, 5.0], [None, 'hours'], 'EUR')
    """
    direct = np.zeros(net.n)
    given = np.zeros(net.n, dtype=bool)
    dep_cost = field_floats(list(departments), "cost", missing=missing)
    given[: len(dep_cost)] = ~np.isnan(dep_cost)
    direct[: len(dep_cost)] = np.nan_to_num(dep_cost, nan=0.0)
    volume = field_floats(list(services), "volume", missing=missing)
    volume_given = ~np.isnan(volume)
    volume = np.where(volume_given, volume, net.weight)
    units = _units(services, missing)
    revenue = np.full(net.n, np.nan)
    customers = np.full(net.n, np.nan)
    if segments:
        first = net.n - len(segments)
        revenue[first:] = field_floats(list(segments), "revenue", missing=missing)
        customers[first:] = field_floats(list(segments), "customers", missing=missing)
    return Costs(
        direct=direct,
        given=given,
        volume=volume,
        volume_given=volume_given,
        units=units,
        revenue=revenue,
        customers=customers,
        currency=_text(currency),
    )


def _out_volume(net: Network, costs: Costs) -> np.ndarray:
    return np.bincount(net.source, weights=costs.volume, minlength=net.n)


def stranded_costs(net: Network, costs: Costs) -> list[int]:
    """Departments with a direct cost above 0 whose services all have volume 0: they serve
    someone, yet their cost would reach no one.

    Examples
    --------
    >>> from servicechain.model.spec import Model
    >>> from servicechain.model.network import network
    >>> m = Model.model_validate({"name": "x",
    ...     "departments": [{"id": "a", "name": "A", "cost": 100}, {"id": "b", "name": "B"}],
    ...     "services": [{"from": "a", "to": "b", "volume": 0}]})
    >>> net = network(m)
    >>> stranded_costs(net, costs_of(net, m.departments, m.services))
    [0]
    """
    serves = np.bincount(net.source, minlength=net.n) > 0
    stranded = (net.kind == DEPARTMENT) & serves & (_out_volume(net, costs) <= 0)
    return np.flatnonzero(stranded & (costs.direct > 0)).tolist()


def closed_cost_loops(net: Network, costs: Costs) -> list[list[int]]:
    """Groups of departments that pass their costs only to each other, with no way out.

    Along the services with a volume above 0, each group is a strongly connected set of two or
    more departments from which no volume reaches a segment or a department outside it: costs
    would go round the group for ever and the reciprocal system ``T = c + S^T T`` is singular.

    Examples
    --------
    >>> from servicechain.model.spec import Model
    >>> from servicechain.model.network import network
    >>> m = Model.model_validate({"name": "x",
    ...     "departments": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"},
    ...                     {"id": "c", "name": "C"}],
    ...     "services": [{"from": "a", "to": "b"}, {"from": "b", "to": "a"},
    ...                  {"from": "c", "to": "a"}]})
    >>> net = network(m)
    >>> closed_cost_loops(net, costs_of(net, m.departments, m.services))
    [[0, 1]]
    """
    n = net.n
    flowing = costs.volume > 0
    src, tgt = net.source[flowing], net.target[flowing]
    if _all_drain(n, src, tgt):
        return []
    label = strong_labels(n, src, tgt)
    size = np.bincount(label, minlength=n)
    leaves = np.zeros(n, dtype=bool)
    leaves[label[src][label[src] != label[tgt]]] = True
    dep = net.kind == DEPARTMENT
    closed = dep & (size[label] >= 2) & ~leaves[label]
    groups: dict[int, list[int]] = {}
    for node in np.flatnonzero(closed).tolist():
        groups.setdefault(int(label[node]), []).append(node)
    return sorted(groups.values())


#: Sweeps :func:`_all_drain` makes before it leaves the question to the graph algorithm.
_DRAIN_SWEEPS = 30


def _all_drain(n: int, src: np.ndarray, tgt: np.ndarray) -> bool:
    """Whether every node is shown, within ``_DRAIN_SWEEPS`` sweeps back along the edges
    ``src -> tgt``, to reach a node with no outgoing edge; ``False`` when that is not shown.

    Every node reaches a last strongly connected group, one with no edge leaving it; when every
    node reaches a node without outgoing edges, each last group is such a node alone, so no
    group of two or more can be closed. On the usual model (a few steps from any department to
    a segment) this settles the question without building a graph.
    """
    drains = np.bincount(src, minlength=n) == 0
    for _ in range(_DRAIN_SWEEPS):
        if drains.all():
            return True
        more = drains.copy()
        more[src[drains[tgt]]] = True
        if np.array_equal(more, drains):
            return False
        drains = more
    return bool(drains.all())


def _mixed_units(net: Network, costs: Costs) -> list[tuple[int, list[str]]]:
    seen: dict[int, dict[str, int]] = {}
    if costs.units.count(None) == len(costs.units):
        return []
    for s, unit in enumerate(costs.units):
        if unit is not None:
            seen.setdefault(int(net.source[s]), {}).setdefault(unit, s)
    return [(min(units.values()), sorted(units)) for node, units in seen.items() if len(units) > 1]


def _partial_volumes(net: Network, costs: Costs) -> list[tuple[int, int]]:
    """``(first service without a volume, count)`` of each supplier whose services give a
    volume on some and not on others."""
    with_volume = np.bincount(net.source, weights=costs.volume_given, minlength=net.n)
    count = np.bincount(net.source, minlength=net.n)
    partial = (with_volume > 0) & (with_volume < count)
    out = []
    for s in np.flatnonzero(partial[net.source] & ~costs.volume_given).tolist():
        j = int(net.source[s])
        if partial[j]:
            out.append((s, int(count[j] - with_volume[j])))
            partial[j] = False
    return out


def cost_findings(net: Network, costs: Costs) -> list[tuple[tuple, str, str]]:
    """The findings of the cost rules, as ``(loc, message, fix)`` like
    :mod:`servicechain.model.rules`, checked when the model gives any department a cost:
    a supplier whose services are counted in two units or give a volume on some services
    and not on others, stranded costs and closed cost loops.

    Examples
    --------
    >>> from servicechain.model.spec import Model
    >>> from servicechain.model.network import network
    >>> m = Model.model_validate({"name": "x",
    ...     "departments": [{"id": "a", "name": "A", "cost": 5}, {"id": "b", "name": "B"}],
    ...     "services": [{"from": "a", "to": "b"}, {"from": "b", "to": "a"}]})
    >>> net = network(m)
    >>> [f[1] for f in cost_findings(net, costs_of(net, m.departments, m.services))]
    ["closed cost loop: departments 'a', 'b' pass their costs only to each other"]
    """
    out: list[tuple[tuple, str, str]] = []
    if not costs.any_given:
        return out
    for s, units in _mixed_units(net, costs):
        supplier = net.ids[net.source[s]]
        shown = ", ".join(repr(u) for u in units)
        out.append(
            (
                ("services", s, "unit"),
                f"the services of {supplier!r} count their volumes in different units ({shown})",
                f"{supplier!r}'s cost is shared by volume: give all its services one unit",
            )
        )
    for s, missing in _partial_volumes(net, costs):
        supplier = net.ids[net.source[s]]
        others = f" (and {missing - 1} more of its services)" if missing > 1 else ""
        out.append(
            (
                ("services", s, "volume"),
                f"no volume, while other services of {supplier!r} give one{others}",
                f"give every service of {supplier!r} a volume in the same unit: "
                "its cost is shared by volume",
            )
        )
    for node in stranded_costs(net, costs):
        out.append(
            (
                ("departments", node, "cost"),
                f"{net.ids[node]!r} has a cost but every service it supplies has volume 0, "
                "so its cost would reach no one",
                "give at least one of its services a volume above 0",
            )
        )
    for group in closed_cost_loops(net, costs):
        members = ", ".join(repr(net.ids[m]) for m in group)
        out.append(
            (
                ("departments", group[0]),
                f"closed cost loop: departments {members} pass their costs only to each other",
                "give one of them a service with a volume above 0 to a segment or to a "
                "department outside the loop",
            )
        )
    return out
