"""A model as a networkx ``DiGraph`` (``supplier -> customer``) and back, built on its arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from msgspec import UNSET

from .network import KIND_NAMES, Network, network

if TYPE_CHECKING:  # networkx and pydantic load only when a graph is made or read back
    import networkx as nx

    from .spec import Model, Scale

__all__ = ["from_networkx", "given", "given_values", "node_attributes", "to_networkx"]


_NODE_FIELDS = {
    "department": ("group", "headcount", "cost", "notes"),
    "partner": ("notes",),
    "segment": ("kind", "relationship", "customers", "revenue", "revenue_elasticity", "notes"),
}
_EDGE_FIELDS = ("name", "volume", "unit", "cost", "sla", "notes")


def to_networkx(model: Model, *, net: Network | None = None) -> nx.DiGraph:
    """The model as a directed graph ``supplier → customer``.

    Node attributes: ``kind`` (department, partner, segment), ``name``, ``quality`` (own quality,
    0..1, ``None`` where not given), ``dependence``, ``own_share``, and the optional fields of the
    record (``group``, ``headcount``, ``segment_kind``, ``relationship``, ...). Edge attributes:
    ``name``, ``quality`` (0..1 or ``None``), ``weight``, ``reliance`` and the optional fields.
    Graph attributes: ``name``, ``description``, ``scale`` as ``(min, max)``, ``currency``
    where given, and ``layout`` (node → pinned ``(x, y)`` in draw.io pixels) where the model
    pins positions.

    Examples
    --------
    >>> from servicechain.model.spec import Model
    >>> m = Model.model_validate({"name": "x",
    ...     "departments": [{"id": "a", "name": "A", "dependence": 0.4},
    ...                     {"id": "b", "name": "B", "dependence": 0.4}],
    ...     "services": [{"from": "a", "to": "b", "weight": 3}]})
    >>> G = to_networkx(m)
    >>> G.nodes["b"]["kind"], round(G.edges["a", "b"]["reliance"], 12)
    ('department', 0.4)
    """
    import networkx as nx

    net = network(model) if net is None else net
    graph = nx.DiGraph(
        name=model.name,
        description=model.description,
        scale=(model.scale.min, model.scale.max),
    )
    if model.currency is not None:
        graph.graph["currency"] = model.currency
    if model.layout:
        graph.graph["layout"] = {node: (p.x, p.y) for node, p in model.layout.items()}
    records = [*model.departments, *model.partners, *model.segments]
    for i, rec in enumerate(records):
        graph.add_node(rec.id, **node_attributes(net, i, rec))
    for j, svc in enumerate(model.services):
        attrs = {
            "quality": None if np.isnan(net.rating[j]) else float(net.rating[j]),
            "weight": svc.weight,
            "reliance": float(net.reliance[j]),
        }
        for name in _EDGE_FIELDS:
            value = getattr(svc, name)
            if value is not None:
                attrs[name] = value
        graph.add_edge(svc.source, svc.target, **attrs)
    return graph


def node_attributes(net, i: int, rec) -> dict:
    """The attributes of node ``i`` in the graph of :func:`to_networkx`, from the arrays and its
    record (the spec's, or the fast reader's Struct: absent fields are ``None`` or unset).

    Examples
    --------
    >>> from servicechain.model.spec import Model
    >>> m = Model.model_validate({"name": "x", "departments": [{"id": "a", "name": "A"}]})
    >>> node_attributes(network(m), 0, m.departments[0])["kind"]
    'department'
    """
    kind = KIND_NAMES[net.kind[i]]
    attrs = {
        "kind": kind,
        "name": rec.name,
        "quality": None if np.isnan(net.own[i]) else float(net.own[i]),
        "dependence": float(net.dependence[i]),
        "own_share": float(net.own_share[i]),
    }
    for name in _NODE_FIELDS[kind]:
        value = given(rec, name)
        if value is not None:
            attrs["segment_kind" if name == "kind" else name] = value
    return attrs


def given(rec, name: str):
    """A field of a record, ``None`` when absent (the fast reader leaves absent fields unset).

    Examples
    --------
    >>> from servicechain.model.spec import Model
    >>> m = Model.model_validate({"name": "x", "departments": [{"id": "a", "name": "A"}]})
    >>> given(m.departments[0], "group") is None
    True
    """
    value = getattr(rec, name, None)
    return None if value is UNSET else value


def given_values(records, name: str) -> list:
    """A field of each record, ``None`` where absent (see :func:`given`).

    Examples
    --------
    >>> from servicechain.model.spec import Model
    >>> m = Model.model_validate({"name": "x", "departments": [
    ...     {"id": "a", "name": "A", "group": "G"}, {"id": "b", "name": "B"}]})
    >>> given_values(m.departments, "group")
    ['G', None]
    """
    values = [getattr(rec, name, None) for rec in records]
    return [None if value is UNSET else value for value in values]


def _denorm(value: float | None, scale: Scale) -> float | None:
    if value is None:
        return None
    return round(scale.min + value * (scale.max - scale.min), 12)


def from_networkx(graph: nx.DiGraph) -> Model:
    """Rebuild a model from a graph made by :func:`to_networkx` (or shaped like one).

    Examples
    --------
    >>> from servicechain.model.spec import Model
    >>> m = Model.model_validate({"name": "x", "departments": [{"id": "a", "name": "A"}]})
    >>> from_networkx(to_networkx(m)) == m
    True
    """
    from .spec import Model, Scale

    lo, hi = graph.graph.get("scale", (0.0, 1.0))
    scale = Scale(min=lo, max=hi)
    parts: dict[str, list] = {"departments": [], "partners": [], "segments": []}
    for ident, attrs in graph.nodes(data=True):
        kind = attrs.get("kind", "department")
        rec = {"id": ident, "name": attrs.get("name", ident)}
        if kind == "segment":
            rec["kind"] = attrs.get("segment_kind")
            rec["baseline"] = _denorm(attrs.get("quality"), scale)
            rec["dependence"] = attrs.get("dependence", 1.0)
        else:
            rec["quality"] = _denorm(attrs.get("quality"), scale)
            if kind == "department":
                rec["dependence"] = attrs.get("dependence", 0.5)
        for name in _NODE_FIELDS[kind]:
            if name != "kind" and name in attrs:
                rec[name] = attrs[name]
        parts[kind + "s"].append({k: v for k, v in rec.items() if v is not None})
    services = []
    for source, target, attrs in graph.edges(data=True):
        rec = {"from": source, "to": target, "quality": _denorm(attrs.get("quality"), scale)}
        rec["weight"] = attrs.get("weight", 1.0)
        rec.update({name: attrs[name] for name in _EDGE_FIELDS if name in attrs})
        services.append({k: v for k, v in rec.items() if v is not None})
    data = {
        "name": graph.graph.get("name") or "Model",
        "description": graph.graph.get("description"),
        "scale": {"min": lo, "max": hi},
        "currency": graph.graph.get("currency"),
        **parts,
        "services": services,
    }
    return Model.model_validate({k: v for k, v in data.items() if v is not None})
