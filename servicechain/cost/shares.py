"""What the allocation methods share: suppliers' volumes as shares, and the error they raise."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..errors import ServiceChainError
from ..model.costs import Costs
from ..model.network import DEPARTMENT, SEGMENT, Network

__all__ = ["CostError", "Inputs"]


class CostError(ServiceChainError):
    """Costs cannot be allocated as asked (a method that does not apply, a bad step-down order)."""


@dataclass(frozen=True, eq=False)
class Inputs:
    """A model's arrays and cost arrays, with the derived quantities every method uses.

    Examples
    --------
    >>> import servicechain
    >>> chain = servicechain.Chain.from_dict({"name": "x",
    ...     "departments": [{"id": "it", "name": "IT", "cost": 90}, {"id": "shop", "name": "Shop"}],
    ...     "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "customer"}],
    ...     "services": [{"from": "it", "to": "shop", "volume": 3},
    ...                  {"from": "shop", "to": "s"}]})
    >>> inputs = Inputs(chain.network, chain.costs)
    >>> inputs.share.tolist(), inputs.front.tolist()
    ([1.0, 1.0], [1])
    """

    net: Network
    costs: Costs

    @cached_property
    def out_volume(self) -> np.ndarray:
        """Total volume each node supplies."""
        return np.bincount(self.net.source, weights=self.costs.volume, minlength=self.net.n)

    @cached_property
    def share(self) -> np.ndarray:
        """``S[j, i]`` per service ``j -> i``: the share of ``j``'s output that ``i`` takes."""
        total = self.out_volume[self.net.source]
        safe = np.where(total > 0, total, 1.0)
        return np.where(total > 0, self.costs.volume / safe, 0.0)

    @cached_property
    def departments(self) -> np.ndarray:
        """Node numbers of the departments."""
        return np.flatnonzero(self.net.kind == DEPARTMENT)

    @cached_property
    def passing(self) -> np.ndarray:
        """Departments that pass costs on: they supply some volume."""
        dep = self.net.kind == DEPARTMENT
        return np.flatnonzero(dep & (self.out_volume > 0))

    @cached_property
    def front(self) -> np.ndarray:
        """The front line: departments that supply a segment some volume."""
        net = self.net
        to_segment = (net.kind[net.target] == SEGMENT) & (self.costs.volume > 0)
        return np.unique(net.source[to_segment])

    @cached_property
    def by_supplier(self) -> tuple[np.ndarray, np.ndarray]:
        """``(order, start)``: the services sorted by supplier, and where each supplier's start
        (services of node ``j`` are ``order[start[j]:start[j + 1]]``)."""
        order = np.argsort(self.net.source, kind="stable")
        counts = np.bincount(self.net.source, minlength=self.net.n)
        start = np.concatenate([[0], np.cumsum(counts)])
        return order, start

    def services_of(self, node: int) -> np.ndarray:
        """The services ``node`` supplies, in file order."""
        order, start = self.by_supplier
        return order[start[node] : start[node + 1]]
