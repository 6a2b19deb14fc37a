"""The one builder of a model's arrays: what the quality flow and the fast structure code work on.

Nodes are numbered departments first, then partners, then segments, each in file order. Scores
are normalised from the model's scale to 0..1; a missing score is ``nan`` in the ``given`` arrays
and filled in (perfect own quality, service "as good as its supplier") in the working arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import unknown_node
from .numbering import number_ends

if TYPE_CHECKING:
    from .spec import Model

__all__ = [
    "DEPARTMENT",
    "KIND_NAMES",
    "PARTNER",
    "SEGMENT",
    "Bounds",
    "Network",
    "build_network",
    "field_floats",
    "network",
]

DEPARTMENT, PARTNER, SEGMENT = 0, 1, 2
KIND_NAMES = ("department", "partner", "segment")


@dataclass(frozen=True)
class Bounds:
    """The model's scale as the arrays keep it: its worst and its best score.

    Examples
    --------
    >>> Bounds(1.0, 5.0).max
    5.0
    """

    min: float = 0.0
    max: float = 1.0


@dataclass(frozen=True, eq=False)
class Network:
    """A model as flat arrays: what the quality flow and fast structure code work on.

    Attributes
    ----------
    ids, names : list of str
        Node ids and display names, departments then partners then segments.
    kind : int8 array
        ``DEPARTMENT``, ``PARTNER`` or ``SEGMENT`` per node.
    own : float array
        Own quality ``b_i`` on 0..1 (a segment's baseline); ``nan`` where not given.
    dependence : float array
        ``dependence_i`` (0 for partners, who have no inputs).
    source, target : int32 arrays
        Supplier and customer node of each service, in file order.
    rating : float array
        Service quality ``P_ji`` on 0..1, ``nan`` where unrated.
    weight : float array
        Service weight.
    value : float array
        Segment value ``v_k`` (revenue, else customers, else 1); 0 for other nodes.
    revenue_slope : float array or None
        ``revenue * revenue_elasticity`` of each segment (revenue change per unit of delivered
        quality); ``nan`` where either is not given and for other nodes.
    own_se, rating_se : float arrays or None
        Standard errors of ``own`` and ``rating`` on 0..1 (``quality_se`` of the file, a
        segment's the one of its baseline); 0 where not given.
    """

    ids: list[str]
    names: list[str]
    kind: np.ndarray
    own: np.ndarray
    dependence: np.ndarray
    source: np.ndarray
    target: np.ndarray
    rating: np.ndarray
    weight: np.ndarray
    value: np.ndarray
    scale: Bounds = field(default_factory=Bounds)
    service_names: list[str] | None = None
    revenue_slope: np.ndarray | None = None
    own_se: np.ndarray | None = None
    rating_se: np.ndarray | None = None

    def __repr__(self) -> str:
        counts = np.bincount(self.kind, minlength=3).tolist()
        words = [
            f"{k:,} {w}{'' if k == 1 else 's'}"
            for k, w in zip(counts, ("department", "partner", "segment"), strict=True)
        ]
        return (
            f"<Network: {', '.join(words)}, {self.m:,} service{'' if self.m == 1 else 's'}, "
            f"scale {self.scale.min:g}..{self.scale.max:g}>"
        )

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.ids)

    @property
    def m(self) -> int:
        """Number of services."""
        return len(self.source)

    @cached_property
    def index(self) -> dict[str, int]:
        """Node id → position."""
        return {ident: i for i, ident in enumerate(self.ids)}

    @cached_property
    def weight_in(self) -> np.ndarray:
        """Sum of the weights of the services each node receives."""
        return np.bincount(self.target, weights=self.weight, minlength=self.n)

    @cached_property
    def reliance(self) -> np.ndarray:
        """``r_ji = dependence_i * weight_ji / sum_j' weight_j'i`` per service."""
        return self.dependence[self.target] * self.weight / self.weight_in[self.target]

    @cached_property
    def own_share(self) -> np.ndarray:
        """``a_i = 1 - sum_j r_ji`` (1 for a node with no suppliers)."""
        share = 1.0 - np.bincount(self.target, weights=self.reliance, minlength=self.n)
        share[self.weight_in == 0] = 1.0
        return np.clip(share, 0.0, 1.0)

    @cached_property
    def own_filled(self) -> np.ndarray:
        """Own quality with missing values counted as perfect (1)."""
        return np.where(np.isnan(self.own), 1.0, self.own)

    def to_scale(self, x: np.ndarray | float) -> np.ndarray | float:
        """Map 0..1 values back to the model's scale."""
        return self.scale.min + x * (self.scale.max - self.scale.min)

    def node(self, ident: str) -> int:
        """Position of a node id; raises :class:`~servicechain.errors.UnknownNodeError`."""
        try:
            return self.index[ident]
        except KeyError:
            raise unknown_node(ident, self.ids) from None


def field_floats(
    records: list, key: str, default: float = np.nan, missing: Any = None
) -> np.ndarray:
    """The ``key`` field of every record as floats, ``default`` where it is ``None`` or
    ``missing`` (the fast JSON path's marker of a field left out).

    Examples
    --------
    >>> from types import SimpleNamespace as Record
    >>> field_floats([Record(weight=2), Record(weight=None)], "weight", 1.0).tolist()
    [2.0, 1.0]
    """
    # map() over attrgetter keeps the loop in C: a third of the time of a comprehension;
    # numpy reads a column of plain numbers at once, and a column nobody gives is one count.
    values = list(map(attrgetter(key), records))
    n = len(values)
    if n and (values[0] is None or values[0] is missing) and values.count(values[0]) == n:
        return np.full(n, default, dtype=float)
    try:
        floats = np.fromiter(values, float, n)  # numpy reads None as nan; missing raises
    except TypeError:
        floats = None
    if floats is not None and (np.isnan(default) or not np.isnan(floats).any()):
        return floats
    fill = {None: default, missing: default}
    return np.fromiter(map(fill.get, values, values), float, n)


def build_network(
    departments: list,
    partners: list,
    segments: list,
    services: list,
    *,
    scale: Any,
    source: np.ndarray,
    target: np.ndarray,
    missing: Any = None,
    scores: dict[tuple[str, str], np.ndarray] | None = None,
) -> Network:
    """The arrays of a model's records: the one builder, for every reader.

    The records are any objects with the fields of :mod:`servicechain.model.spec` as
    attributes (the pydantic records, or the fast path's Structs, which mark a field left
    out with ``missing``); ``scale`` is any object with ``min`` and ``max``. ``source`` and
    ``target`` are the node numbers of each service's ends (see
    :func:`~servicechain.model.numbering.number_ends`). The records must have passed the
    rules: this builds, it does not check. ``scores`` may hold score columns read already,
    by ``(section, field)`` as :attr:`~servicechain.model.links.Columns.scores` keeps them
    (``nan`` where not given), so that they are not read twice.
    """
    scores = scores or {}

    def given(section: str, records: list, name: str) -> np.ndarray:
        if (section, name) in scores:
            return scores[section, name]
        return field_floats(records, name, missing=missing)

    lo, hi = float(scale.min), float(scale.max)
    n_dep, n_par = len(departments), len(partners)
    nodes = [*departments, *partners, *segments]
    n = len(nodes)
    kind = np.full(n, SEGMENT, dtype=np.int8)
    kind[:n_dep] = DEPARTMENT
    kind[n_dep : n_dep + n_par] = PARTNER
    own_given = np.concatenate(
        [
            given("departments", departments, "quality"),
            given("partners", partners, "quality"),
            given("segments", segments, "baseline"),
        ]
    )
    dependence = np.concatenate(
        [
            field_floats(departments, "dependence", 0.5, missing),
            np.zeros(n_par),
            field_floats(segments, "dependence", 1.0, missing),
        ]
    )
    revenue = field_floats(segments, "revenue", missing=missing)
    customers = field_floats(segments, "customers", missing=missing)
    value = np.zeros(n)
    value[n_dep + n_par :] = np.where(
        ~np.isnan(revenue), revenue, np.where(~np.isnan(customers), customers, 1.0)
    )
    own_se = np.concatenate(
        [
            field_floats(records, "quality_se", 0.0, missing)
            for records in (departments, partners, segments)
        ]
    )
    revenue_slope = np.full(n, np.nan)
    revenue_slope[n_dep + n_par :] = revenue * field_floats(
        segments, "revenue_elasticity", missing=missing
    )
    return Network(
        ids=list(map(attrgetter("id"), nodes)),
        names=list(map(attrgetter("name"), nodes)),
        kind=kind,
        own=(own_given - lo) / (hi - lo),
        dependence=dependence,
        source=np.asarray(source, dtype=np.int32),
        target=np.asarray(target, dtype=np.int32),
        rating=(given("services", services, "quality") - lo) / (hi - lo),
        weight=field_floats(services, "weight", 1.0, missing),
        value=value,
        scale=Bounds(lo, hi),
        service_names=_texts(services, "name"),
        revenue_slope=revenue_slope,
        own_se=own_se / (hi - lo),
        rating_se=field_floats(services, "quality_se", 0.0, missing) / (hi - lo),
    )


def _texts(records: list, key: str) -> list[str]:
    """The ``key`` field of every record, ``""`` where not given (``None`` or missing)."""
    values = list(map(attrgetter(key), records))
    if set(map(type, values)) <= {str}:  # one pass in C where every record gives it
        return values
    return [value or "" for value in values]


def network(model: Model) -> Network:
    """The arrays of a validated model.

    Examples
    --------
    >>> from servicechain.model.spec import Model
    >>> m = Model.model_validate({"name": "x", "scale": {"min": 1, "max": 5},
    ...     "departments": [{"id": "a", "name": "A", "quality": 4}],
    ...     "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "customer"}],
    ...     "services": [{"from": "a", "to": "s", "quality": 3}]})
    >>> net = network(m)
    >>> net.ids, net.own.tolist(), net.rating.tolist(), net.reliance.tolist()
    (['a', 's'], [0.75, nan], [0.5], [1.0])
    """
    nodes = [*model.departments, *model.partners, *model.segments]
    services = model.services
    m = len(services)
    ends = number_ends(
        [node.id for node in nodes],
        [*map(attrgetter("source"), services), *map(attrgetter("target"), services)],
    )
    return build_network(
        model.departments,
        model.partners,
        model.segments,
        services,
        scale=model.scale,
        source=ends[:m],
        target=ends[m:],
    )
