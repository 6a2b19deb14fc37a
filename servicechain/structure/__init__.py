"""Structure analyses that need no scores: trace, roles, gateways, loops, roll-up.

Every function takes a :class:`~servicechain.chain.Chain` or a networkx DiGraph shaped like
``chain.graph`` (node attribute ``kind``: department, partner or segment), so they also run on a
graph rolled up by :func:`rollup`.

Examples
--------
>>> import servicechain
>>> chain = servicechain.load(servicechain.example_path("sapataria"))
>>> from servicechain.structure import upstream, disconnected
>>> upstream(chain, "baixa", depth=1)["armazem"]
1
>>> "arquivo" in disconnected(chain)
True
"""

from .analysis import Analysis, analyze
from .dominance import Gateway, Gateways, gateways, single_front_line
from .loops import Cluster, mutual_dependencies
from .reach import Role, disconnected, roles
from .tracing import (
    Paths,
    Trace,
    TracedNode,
    distance_to_segment,
    downstream,
    paths,
    trace,
    upstream,
)

__all__ = [
    "Analysis",
    "Cluster",
    "Gateway",
    "Gateways",
    "Paths",
    "Role",
    "Trace",
    "TracedNode",
    "analyze",
    "disconnected",
    "distance_to_segment",
    "downstream",
    "gateways",
    "mutual_dependencies",
    "paths",
    "roles",
    "rollup",
    "single_front_line",
    "trace",
    "upstream",
]


def __getattr__(name: str):
    # the roll-up needs the model's graph layer (networkx): imported when first asked for
    if name == "rollup":
        from .grouping import rollup

        return rollup
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
