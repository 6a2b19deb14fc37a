"""The one builder of a model's arrays: what the quality flow and the fast structure code work on.

Nodes are numbered departments first, then partners, then segments, each in file order. Scores
are normalised from the model's scale to 0..1; a missing score is ``nan`` in the ``given`` arrays
and filled in (perfect own quality, service "as good as its supplier") in the working arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..errors import unknown_node
from .spec import Department, Model, Partner, Scale, Segment

__all__ = [
    "DEPARTMENT",
    "KIND_NAMES",
    "PARTNER",
    "SEGMENT",
    "Network",
    "network",
]

DEPARTMENT, PARTNER, SEGMENT = 0, 1, 2
KIND_NAMES = ("department", "partner", "segment")


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
    scale: Scale = field(default_factory=Scale)
    service_names: list[str] | None = None
    revenue_slope: np.ndarray | None = None

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


def _norm(value: float | None, scale: Scale) -> float:
    if value is None:
        return np.nan
    return (value - scale.min) / (scale.max - scale.min)


def _segment_value(seg: Segment) -> float:
    if seg.revenue is not None:
        return float(seg.revenue)
    if seg.customers is not None:
        return float(seg.customers)
    return 1.0


def network(model: Model) -> Network:
    """The arrays of a validated model.

    Examples
    --------
    >>> m = Model.model_validate({"name": "x", "scale": {"min": 1, "max": 5},
    ...     "departments": [{"id": "a", "name": "A", "quality": 4}],
    ...     "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "customer"}],
    ...     "services": [{"from": "a", "to": "s", "quality": 3}]})
    >>> net = network(m)
    >>> net.ids, net.own.tolist(), net.rating.tolist(), net.reliance.tolist()
    (['a', 's'], [0.75, nan], [0.5], [1.0])
    """
    scale = model.scale
    nodes: list[Department | Partner | Segment] = [*model.departments, *model.partners]
    nodes += model.segments
    n_dep, n_par = len(model.departments), len(model.partners)
    kind = np.full(len(nodes), SEGMENT, dtype=np.int8)
    kind[:n_dep] = DEPARTMENT
    kind[n_dep : n_dep + n_par] = PARTNER
    own = np.array(
        [_norm(d.quality, scale) for d in model.departments]
        + [_norm(p.quality, scale) for p in model.partners]
        + [_norm(s.baseline, scale) for s in model.segments],
        dtype=float,
    )
    dependence = np.array(
        [d.dependence for d in model.departments]
        + [0.0] * n_par
        + [s.dependence for s in model.segments],
        dtype=float,
    )
    value = np.zeros(len(nodes))
    value[n_dep + n_par :] = [_segment_value(s) for s in model.segments]
    revenue_slope = np.full(len(nodes), np.nan)
    revenue_slope[n_dep + n_par :] = [
        np.nan
        if s.revenue is None or s.revenue_elasticity is None
        else s.revenue * s.revenue_elasticity
        for s in model.segments
    ]
    index = {node.id: i for i, node in enumerate(nodes)}
    services = model.services
    return Network(
        ids=[node.id for node in nodes],
        names=[node.name for node in nodes],
        kind=kind,
        own=own,
        dependence=dependence,
        source=np.array([index[s.source] for s in services], dtype=np.int32),
        target=np.array([index[s.target] for s in services], dtype=np.int32),
        rating=np.array([_norm(s.quality, scale) for s in services], dtype=float),
        weight=np.array([s.weight for s in services], dtype=float),
        value=value,
        scale=scale,
        service_names=[s.name or "" for s in services],
        revenue_slope=revenue_slope,
    )
