"""GraphML and GEXF (Gephi, yEd) and node-link JSON: the chain graph with every attribute.

networkx is imported by the writers that build a graph, not with the module: the draw.io
export only needs :func:`xml_safe`.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

    from ..chain import Chain

from ..text import visible

__all__ = ["plain_graph", "to_gexf", "to_graphml", "to_json", "xml_safe"]

# Characters XML 1.0 cannot hold at all, even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with the characters XML 1.0 forbids (control characters) replaced by U+FFFD.

    ``<``, ``&`` and quotes are escaped by the XML writer itself; this only removes what no
    escape can carry.

    Examples
    --------
    >>> xml_safe("a\\x07b <c> & ]]>")
    'a\\ufffdb <c> & ]]>'
    """
    return _XML_INVALID.sub("\ufffd", text)


def _clean(attrs: dict) -> dict:
    return {
        key: xml_safe(value) if isinstance(value, str) else value
        for key, value in attrs.items()
        if value is not None
    }


def plain_graph(chain: Chain, *, xml: bool = True) -> nx.DiGraph:
    """``chain.graph`` with ``None`` values left out and the scale as ``scale_min``/``scale_max``.

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop", "departments": [{"id": "a", "name": "A"}]})
    >>> plain_graph(chain).nodes["a"]
    {'kind': 'department', 'name': 'A', 'dependence': 0.5, 'own_share': 1.0}
    """
    import networkx as nx

    source = chain.graph
    clean = _clean if xml else (lambda d: {k: v for k, v in d.items() if v is not None})
    lo, hi = source.graph.get("scale", (0.0, 1.0))
    graph = nx.DiGraph(
        **clean({"name": source.graph.get("name"), "description": source.graph.get("description")}),
        scale_min=float(lo),
        scale_max=float(hi),
    )
    # ids keep apart in XML: a control character is written out as an escape (\\u001b), kept
    key = visible if xml else str
    graph.add_nodes_from((key(n), clean(d)) for n, d in source.nodes(data=True))
    graph.add_edges_from((key(u), key(v), clean(d)) for u, v, d in source.edges(data=True))
    return graph


def to_graphml(chain: Chain) -> str:
    """The chain as GraphML text (``networkx.read_graphml`` reads it back unchanged): what
    ``networkx.write_graphml_xml`` writes of :func:`plain_graph`, written straight from the
    arrays (see :mod:`servicechain.export.graphml`)."""
    from .graphml import graphml_text

    return graphml_text(chain)


def to_gexf(chain: Chain) -> str:
    """The chain as GEXF 1.2 text, with each node labelled by its name (for Gephi)."""
    import networkx as nx

    graph = plain_graph(chain)
    for _, attrs in graph.nodes(data=True):
        attrs["label"] = attrs["name"]
    return "\n".join(nx.generate_gexf(graph)) + "\n"


def to_json(chain: Chain) -> str:
    """The chain as node-link JSON (``networkx.node_link_graph`` reads it back)."""
    import networkx as nx

    data = nx.node_link_data(plain_graph(chain, xml=False), edges="edges")
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
