"""Exact sensitivities of external quality to every own quality and service rating, and the
department × segment influence matrix."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ServiceChainError
from ..model.network import DEPARTMENT, SEGMENT
from .state import state_of

__all__ = ["INFLUENCE_MAX_CELLS", "Sensitivities", "influence", "segment_index", "sensitivities"]

#: :func:`influence` refuses models whose department × segment matrix has more cells than this.
INFLUENCE_MAX_CELLS = 200_000


@dataclass
class Sensitivities:
    """``dQ/db_i`` per node (``own``) and ``dQ/dP_ji`` per service (``service``), for one
    segment or value-weighted over the segments (``segment`` None); arrays on the 0..1 scale."""

    segment: str | None
    own: np.ndarray
    service: np.ndarray

    def __repr__(self) -> str:
        where = f"for {self.segment}" if self.segment else "value-weighted over the segments"
        own = f"{self.own.max():.3g}" if self.own.size else "-"
        service = f"{self.service.max():.3g}" if self.service.size else "-"
        return (
            f"<Sensitivities {where}: {self.own.size:,} nodes (largest {own}), "
            f"{self.service.size:,} services (largest {service}), per unit on 0..1>"
        )

    def to_dict(self, ids: list[str] | None = None) -> dict:
        """Plain data (lists aligned with nodes and services)."""
        return {
            "segment": self.segment,
            "own": self.own.tolist(),
            "service": self.service.tolist(),
            **({"ids": list(ids)} if ids is not None else {}),
        }


def segment_index(net, segment: str) -> int:
    """Position of a segment id; ``UnknownNodeError`` (with a hint) for anything else (found
    among the segments alone: no index of every node is made for one look-up)."""
    positions = np.flatnonzero(net.kind == SEGMENT)
    segments = [net.ids[i] for i in positions.tolist()]
    if segment not in segments:
        from ..errors import UnknownNodeError, did_you_mean

        hint = did_you_mean(segment, segments, what="segment")
        what = "is not a segment" if segment in net.index else "names no segment"
        raise UnknownNodeError(segment, f"{segment!r} {what}" + (f"; {hint}" if hint else ""))
    return int(positions[segments.index(segment)])


def sensitivities(chain, *, segment: str | None = None) -> Sensitivities:
    """``dQ_k/db_i = L[k,i] a_i`` and ``dQ_k/dP_ji = L[k,i] r_ji``, value-weighted over the
    segments (one adjoint solve) or for one ``segment`` (one row of ``L``).

    Examples
    --------
    >>> s = sensitivities(shop)
    >>> s.own.round(6).tolist(), s.service.round(6).tolist()
    ([0.416667, 0.5, 0.0], [0.5, 1.0])
    """
    state = state_of(chain)
    net = state.net
    k = None if segment is None else segment_index(net, segment)
    y = state.weights_for(k)
    return Sensitivities(segment, y * net.own_share, y[net.target] * net.reliance)


def influence(chain) -> tuple[np.ndarray, list[str], list[str]]:
    """Dense department × segment matrix of ``L[k,i] a_i``: how much one point of a
    department's own quality moves each segment.

    Raises
    ------
    ServiceChainError
        When the matrix would have more than ``INFLUENCE_MAX_CELLS`` cells.

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop",
    ...     "departments": [{"id": "a", "name": "A", "dependence": 0}],
    ...     "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "client"}],
    ...     "services": [{"from": "a", "to": "s"}]})
    >>> influence(chain)
    (array([[1.]]), ['a'], ['s'])
    """
    state = state_of(chain)
    net = state.net
    deps = np.flatnonzero(net.kind == DEPARTMENT)
    segs = np.flatnonzero(net.kind == SEGMENT)
    cells = len(deps) * len(segs)
    if cells > INFLUENCE_MAX_CELLS:
        raise ServiceChainError(
            f"the influence matrix of {len(deps):,} departments × {len(segs):,} segments is too "
            f"large to show ({cells:,} cells, limit {INFLUENCE_MAX_CELLS:,}); use "
            "`servicechain rank --segment SEGMENT` or group the departments"
        )
    if len(segs) == 0:
        return np.zeros((len(deps), 0)), [net.ids[i] for i in deps], []
    units = np.zeros((net.n, len(segs)))
    units[segs, np.arange(len(segs))] = 1.0
    rows = state.operator.solve(units, transpose=True)  # column j = row L[segs[j], :]
    matrix = rows[deps, :] * net.own_share[deps, None]
    return matrix, [net.ids[i] for i in deps], [net.ids[i] for i in segs]
