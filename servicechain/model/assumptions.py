"""The assumptions the quality flow makes (missing scores it fills in), found on the arrays of
a model with no per-record work: the :class:`Assumption` objects and their text are made only
when looked at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import field_path
from .lazy import LazyList
from .network import DEPARTMENT, PARTNER, SEGMENT, Network, network
from .records import Records

if TYPE_CHECKING:
    from .spec import Model

__all__ = ["Assumption", "Assumptions", "assumptions_of", "list_assumptions"]

Loc = tuple


@dataclass(frozen=True)
class Assumption:
    """A value the model did not give and the flow had to assume, with where it applies."""

    loc: Loc
    node: str
    text: str

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {"field": field_path(self.loc), "node": self.node, "text": self.text}


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

    def records(self) -> Records | list:
        """The ``to_dict()`` of every assumption as columns (``field``, ``node``, ``text``),
        made without an :class:`Assumption` or a dict for each; an empty list when there are
        none.

        Examples
        --------
        >>> from servicechain import Chain
        >>> chain = Chain.from_dict({"name": "x", "departments": [{"id": "a", "name": "A"}]})
        >>> assumptions_of(chain.network).records().columns["field"]
        ['departments[0].quality']
        """
        if not len(self):
            return []
        net = self.net
        top = f"{net.scale.max:g}"
        ids, names = net.ids, net.names
        first = {
            DEPARTMENT: ("departments", 0, "quality", "department", "no quality: counted as"),
            PARTNER: (
                "partners",
                int(np.count_nonzero(net.kind == DEPARTMENT)),
                "quality",
                "partner",
                "no quality: counted as",
            ),
            SEGMENT: (
                "segments",
                int(np.count_nonzero(net.kind != SEGMENT)),
                "baseline",
                "segment",
                "no baseline: satisfaction from outside the chain counted as",
            ),
        }
        fields, nodes, texts = [], [], []
        for node, kind in zip(self.nodes.tolist(), net.kind[self.nodes].tolist(), strict=True):
            section, start, field, noun, what = first[kind]
            fields.append(f"{section}[{node - start}].{field}")
            nodes.append(ids[node])
            texts.append(f"{noun} {ids[node]!r} ({names[node]}) has {what} perfect ({top})")
        service_names = net.service_names
        for j in self.services.tolist():
            source, target = ids[net.source[j]], ids[net.target[j]]
            name = service_names[j] if service_names else ""
            label = f" ({name})" if name else ""
            fields.append(f"services[{j}].quality")
            nodes.append(target)
            texts.append(
                f"service {source} → {target}{label} has no quality: "
                f"taken as what {source!r} delivers"
            )
        return Records({"field": fields, "node": nodes, "text": texts})


def assumptions_of(net: Network) -> Assumptions:
    """The assumptions of a model, from its arrays.

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


def list_assumptions(model: Model) -> list[Assumption]:
    """Every missing score the quality flow fills in, in file order.

    Examples
    --------
    >>> from servicechain.model.spec import Model
    >>> m = Model.model_validate({"name": "x", "departments": [{"id": "a", "name": "A"}]})
    >>> [a.text for a in list_assumptions(m)]
    ["department 'a' (A) has no quality: counted as perfect (1)"]
    """
    return list(assumptions_of(network(model)))
