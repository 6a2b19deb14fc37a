"""The assumptions the quality flow makes, found on the arrays of a model (no per-record work).

:func:`assumptions_of` gives the same list as :func:`servicechain.model.rules.list_assumptions` does
from the pydantic model, as positions into the :class:`~servicechain.model.network.Network`; the
:class:`~servicechain.model.rules.Assumption` objects and their text are made only when looked at.
"""

from __future__ import annotations

import numpy as np

from .lazy import LazyList
from .network import DEPARTMENT, PARTNER, SEGMENT, Network
from .rules import Assumption

__all__ = ["Assumptions", "assumptions_of"]


class Assumptions(LazyList):
    """Every missing score the quality flow fills in, in file order, made lazily.

    ``nodes`` holds the positions of the nodes without an own quality (or baseline),
    ``services`` those of the unrated services; ``len()`` counts both.
    """

    __slots__ = ("net", "nodes", "services")

    def __init__(self, net: Network, nodes: np.ndarray, services: np.ndarray):
        self.net, self.nodes, self.services = net, nodes, services
        super().__init__(len(nodes) + len(services), self._assumption)

    def _assumption(self, i: int) -> Assumption:
        net = self.net
        top = f"{net.scale.max:g}"
        if i < len(self.nodes):
            node = int(self.nodes[i])
            ident, name, kind = net.ids[node], net.names[node], int(net.kind[node])
            if kind == DEPARTMENT:
                loc = ("departments", node, "quality")
                text = f"department {ident!r} ({name}) has no quality: counted as perfect ({top})"
            elif kind == PARTNER:
                first = int(np.count_nonzero(net.kind == DEPARTMENT))
                loc = ("partners", node - first, "quality")
                text = f"partner {ident!r} ({name}) has no quality: counted as perfect ({top})"
            else:
                first = int(np.count_nonzero(net.kind != SEGMENT))
                loc = ("segments", node - first, "baseline")
                text = (
                    f"segment {ident!r} ({name}) has no baseline: "
                    f"satisfaction from outside the chain counted as perfect ({top})"
                )
            return Assumption(loc, ident, text)
        j = int(self.services[i - len(self.nodes)])
        source, target = net.ids[net.source[j]], net.ids[net.target[j]]
        name = net.service_names[j] if net.service_names else ""
        label = f" ({name})" if name else ""
        text = (
            f"service {source} → {target}{label} has no quality: taken as what {source!r} delivers"
        )
        return Assumption(("services", j, "quality"), target, text)


def assumptions_of(net: Network) -> Assumptions:
    """The assumptions of a model, from its arrays (same as ``list_assumptions(model)``).

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "x", "departments": [{"id": "a", "name": "A"}]})
    >>> found = assumptions_of(chain.network)
    >>> len(found), found[0].text
    (1, "department 'a' (A) has no quality: counted as perfect (1)")
    """
    missing = np.isnan(net.own)
    segment = net.kind == SEGMENT
    has_suppliers = np.bincount(net.target, minlength=net.n) > 0
    # A segment depending wholly on its suppliers never uses its baseline.
    missing &= ~segment | (net.dependence < 1) | ~has_suppliers
    return Assumptions(net, np.flatnonzero(missing), np.flatnonzero(np.isnan(net.rating)))
