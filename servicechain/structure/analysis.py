"""Who depends on whom: roles, gateways, mutual dependencies and work that reaches no one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ._base import as_graph, clip, kind_of, node_order, pad, resolve_segment, short_list, width
from .tracing import distance_to_segment

__all__ = [
    "Analysis",
    "Cluster",
    "Gateway",
    "Gateways",
    "Role",
    "analyze",
    "disconnected",
    "gateways",
    "mutual_dependencies",
    "roles",
    "single_front_line",
]

#: gateways are computed for every segment only up to this many segments
MAX_SEGMENTS = 50


def _name(graph: nx.DiGraph, node: str) -> str:
    return graph.nodes[node].get("name") or node


# --- roles --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    """What one department does in the chain (see :func:`roles`).

    ``customers`` are the departments it serves (internal customers), ``suppliers`` the
    departments and partners serving it, ``segments_direct`` the segments it serves itself,
    ``segments_indirect`` how many more segments its work reaches through others, and
    ``distance`` the hand-offs to its nearest segment (1 = front line, ``None`` = none).
    """

    id: str
    name: str
    customers: list[str]
    suppliers: list[str]
    segments_direct: list[str]
    segments_indirect: int
    distance: int | None

    @property
    def front_line(self) -> bool:
        """Whether it serves a segment itself (on the line of visibility)."""
        return self.distance == 1

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {
            "id": self.id,
            "name": self.name,
            "customers": self.customers,
            "suppliers": self.suppliers,
            "segments_direct": self.segments_direct,
            "segments_indirect": self.segments_indirect,
            "distance": self.distance,
            "front_line": self.front_line,
        }


def _segment_reach(graph: nx.DiGraph) -> dict[str, int]:
    """Per node, the set of segments it reaches as a bit mask (one pass over the condensation)."""
    bit = {}
    for n in graph:
        if kind_of(graph, n) == "segment":
            bit[n] = 1 << len(bit)
    dag = nx.condensation(graph)
    mask = {}
    for comp in reversed(list(nx.topological_sort(dag))):
        m = 0
        for n in dag.nodes[comp]["members"]:
            m |= bit.get(n, 0)
        for succ in dag.successors(comp):
            m |= mask[succ]
        mask[comp] = m
    return {n: mask[c] for n, c in dag.graph["mapping"].items()}


def roles(chain_or_graph: Any) -> list[Role]:
    """The role of every department, in file order.

    Segments reached are counted in one pass over the condensation of the graph (bit masks),
    so this stays linear in the size of the model.

    Examples
    --------
    >>> G = nx.DiGraph([("hr", "it"), ("it", "store"), ("store", "shoppers"), ("it", "web")])
    >>> G.add_node("shoppers", kind="segment")
    >>> [(r.id, r.customers, r.suppliers, r.segments_direct, r.segments_indirect, r.distance)
    ...  for r in roles(G)]  # doctest: +NORMALIZE_WHITESPACE
    [('hr', ['it'], [], [], 1, 3), ('it', ['store', 'web'], ['hr'], [], 1, 2),
     ('store', [], ['it'], ['shoppers'], 0, 1), ('web', [], ['it'], [], 0, None)]
    """
    graph = as_graph(chain_or_graph)
    dist = distance_to_segment(graph)
    reach = _segment_reach(graph)
    result = []
    for n in graph:
        if kind_of(graph, n) != "department":
            continue
        out = list(graph.successors(n))
        direct = [s for s in out if kind_of(graph, s) == "segment"]
        result.append(
            Role(
                id=n,
                name=_name(graph, n),
                customers=[c for c in out if kind_of(graph, c) != "segment"],
                suppliers=list(graph.predecessors(n)),
                segments_direct=direct,
                segments_indirect=reach[n].bit_count() - len(direct),
                distance=dist[n],
            )
        )
    return result


# --- gateways -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Gateway:
    """A department through which every path of ``gates`` to a segment passes."""

    id: str
    name: str
    gates: list[str]

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {"id": self.id, "name": self.name, "gates": self.gates}


@dataclass(frozen=True)
class Gateways:
    """The gateways of one segment, those gating most first (see :func:`gateways`).

    ``tree`` is the immediate-dominator tree in the reversed graph: for every node upstream of
    the segment, the node its every path to the segment passes through last-but-nearest
    (the segment itself when no single department does).
    """

    segment: str
    name: str
    gateways: list[Gateway]
    tree: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {
            "segment": self.segment,
            "name": self.name,
            "upstream": len(self.tree),
            "gateways": [g.to_dict() for g in self.gateways],
            "tree": self.tree,
        }

    def __str__(self) -> str:
        head = f"{self.segment} ({self.name})" if self.name != self.segment else self.segment
        if not self.gateways:
            return f"{head}: no gateway (every department reaches it by more than one route)"
        lines = [f"{head}:"]
        for g in self.gateways:
            who = f"{g.id} ({g.name})" if g.name != g.id else g.id
            lines.append(f"  {who} gates {len(g.gates)}: {short_list(g.gates)}")
        return "\n".join(lines)


def gateways(chain_or_graph: Any, segment: str) -> Gateways:
    """The gateways of ``segment``: departments every path of some others to it passes through.

    Computed from the immediate-dominator tree of the reversed graph rooted at the segment;
    a department gates everything below it in that tree. One linear-time pass per segment,
    only for the segment asked.

    Raises
    ------
    UnknownNodeError
        When ``segment`` is unknown or not a segment.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "g"), ("b", "g"), ("c", "g"), ("g", "s"), ("d", "s")])
    >>> G.add_node("s", kind="segment")
    >>> [(g.id, g.gates) for g in gateways(G, "s").gateways]
    [('g', ['a', 'b', 'c'])]
    """
    graph = as_graph(chain_or_graph)
    seg = resolve_segment(chain_or_graph, graph, segment)
    idom = nx.immediate_dominators(graph.reverse(copy=False), seg)
    idom.pop(seg, None)  # networkx before 3.5 included the start node
    children: dict[str, list[str]] = {}
    for node, parent in idom.items():
        children.setdefault(parent, []).append(node)
    order = node_order(graph)
    found = []
    for node in children:
        if node == seg or kind_of(graph, node) != "department":
            continue
        gated, stack = [], list(children[node])
        while stack:  # everything below node in the dominator tree
            child = stack.pop()
            gated.append(child)
            stack.extend(children.get(child, ()))
        gated.sort(key=order.__getitem__)
        found.append(Gateway(node, _name(graph, node), gated))
    found.sort(key=lambda g: (-len(g.gates), order[g.id]))
    tree = {n: idom[n] for n in sorted(idom, key=order.__getitem__)}
    return Gateways(seg, _name(graph, seg), found, tree)


# --- mutual dependencies ------------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    """Departments that depend on each other in a loop (a strongly connected component).

    ``cycles`` lists the shortest loops found (``[a, b, c]`` means a → b → c → a), shortest
    first; ``complete`` is False when the cluster was too large to look at every member.
    """

    members: list[str]
    cycles: list[list[str]]
    complete: bool = True

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {"members": self.members, "cycles": self.cycles, "complete": self.complete}


def _shortest_cycle(graph: nx.DiGraph, node: str) -> list[str] | None:
    """The shortest loop through ``node``: a breadth-first search that stops at its first
    supplier reached."""
    preds = set(graph.predecessors(node))
    if not preds:
        return None
    parent = {node: None}
    for child, par in nx.bfs_predecessors(graph, node):
        parent[child] = par
        if child in preds:
            cycle = [child]
            while parent[cycle[-1]] is not None:
                cycle.append(parent[cycle[-1]])
            return cycle[::-1]
    return None


def mutual_dependencies(
    chain_or_graph: Any, *, max_cycles: int = 5, max_starts: int = 200
) -> list[Cluster]:
    """Groups of departments that serve each other in a loop, with their shortest loops.

    Parameters
    ----------
    max_cycles : int
        List at most this many loops per cluster.
    max_starts : int
        Look for the shortest loop through at most this many members of a cluster (all of
        them in a smaller cluster); bounds the work on very large clusters.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c"), ("c", "d"), ("d", "b"), ("x", "a")])
    >>> [(c.members, c.cycles) for c in mutual_dependencies(G)]
    [(['a', 'b', 'c', 'd'], [['a', 'b'], ['b', 'c', 'd']])]
    """
    graph = as_graph(chain_or_graph)
    order = node_order(graph)
    clusters = []
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        members = sorted(component, key=order.__getitem__)
        seen: dict[tuple[str, ...], list[str]] = {}
        for node in members[:max_starts]:
            cycle = _shortest_cycle(graph, node)
            if cycle:
                first = min(range(len(cycle)), key=lambda i: order[cycle[i]])
                cycle = cycle[first:] + cycle[:first]
                seen.setdefault(tuple(cycle), cycle)
        cycles = sorted(seen.values(), key=lambda c: (len(c), [order[n] for n in c]))
        clusters.append(Cluster(members, cycles[:max_cycles], len(members) <= max_starts))
    clusters.sort(key=lambda c: (-len(c.members), order[c.members[0]]))
    return clusters


# --- disconnected work and single front lines ---------------------------------------------


def disconnected(chain_or_graph: Any) -> list[str]:
    """Departments and partners whose work reaches no segment, in file order.

    Examples
    --------
    >>> G = nx.DiGraph([("it", "store"), ("store", "s"), ("archive", "finance")])
    >>> G.add_node("s", kind="segment")
    >>> disconnected(G)
    ['archive', 'finance']
    """
    graph = as_graph(chain_or_graph)
    return [n for n, d in distance_to_segment(graph).items() if d is None]


def single_front_line(chain_or_graph: Any) -> dict[str, str]:
    """Segments served by one front-line department only: ``{segment: department}``.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "s"), ("a", "t"), ("b", "t")])
    >>> G.add_nodes_from(["s", "t"], kind="segment")
    >>> single_front_line(G)
    {'s': 'a'}
    """
    graph = as_graph(chain_or_graph)
    result = {}
    for n in graph:
        if kind_of(graph, n) == "segment" and graph.in_degree(n) == 1:
            result[n] = next(iter(graph.predecessors(n)))
    return result


# --- everything at once -------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    """The structure of a chain, as :func:`analyze` finds it."""

    name: str
    names: dict[str, str]
    kinds: dict[str, str]
    roles: list[Role]
    gateways: list[Gateways]
    clusters: list[Cluster]
    disconnected: list[str]
    single_front_line: dict[str, str]
    group_by: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {
            "name": self.name,
            "group_by": self.group_by,
            "roles": [r.to_dict() for r in self.roles],
            "gateways": [g.to_dict() for g in self.gateways],
            "mutual_dependencies": [c.to_dict() for c in self.clusters],
            "disconnected": [
                {"id": n, "name": self.names[n], "kind": self.kinds[n]} for n in self.disconnected
            ],
            "single_front_line": [
                {"segment": s, "department": d} for s, d in self.single_front_line.items()
            ],
            "notes": self.notes,
        }

    def _label(self, node: str) -> str:
        name = self.names.get(node, node)
        return node if name == node else f"{node} ({name})"

    def __str__(self) -> str:
        head = self.name + (f", rolled up by {self.group_by}" if self.group_by else "")
        lines = [head, "", "Departments (distance 1 = front line, on the line of visibility):"]
        id_w = max([len("id"), *(len(r.id) for r in self.roles)])
        name_w = min(36, max([4, *(width(r.name) for r in self.roles)]))
        lines.append(
            f"  {pad('id', id_w)}  {pad('name', name_w)}  customers  suppliers"
            "  segments direct+indirect  distance"
        )
        for r in self.roles:
            name = clip(r.name, name_w)
            segs = f"{len(r.segments_direct)}+{r.segments_indirect}"
            dist = "-" if r.distance is None else str(r.distance)
            lines.append(
                f"  {pad(r.id, id_w)}  {pad(name, name_w)}  {len(r.customers):>9}"
                f"  {len(r.suppliers):>9}  {segs:>24}  {dist:>8}"
            )
        lines += [
            "",
            "Gateways (every path of the gated departments to the segment passes "
            "through the gateway):",
        ]
        if not self.gateways:
            lines.append("  (none computed)")
        for g in self.gateways:
            lines.extend("  " + line for line in str(g).splitlines())
        lines += ["", "Mutual dependencies (departments serving each other in a loop):"]
        if not self.clusters:
            lines.append("  none")
        for c in self.clusters:
            lines.append(f"  {len(c.members)} departments: {short_list(c.members, limit=12)}")
            for cycle in c.cycles:
                lines.append(f"    {' → '.join([*cycle, cycle[0]])}")
            if not c.complete:
                lines.append("    (shortest loops of the first members only)")
        lines += ["", "Work that reaches no segment:"]
        lines += [f"  {self._label(n)}" for n in self.disconnected] or ["  none"]
        lines += ["", "Segments served by a single front-line department:"]
        lines += [
            f"  {self._label(s)} ← {self._label(d)}" for s, d in self.single_front_line.items()
        ] or ["  none"]
        if self.notes:
            lines += ["", *self.notes]
        return "\n".join(lines)


def analyze(
    chain_or_graph: Any,
    *,
    segment: str | None = None,
    group_by: str | None = None,
    max_cycles: int = 5,
    max_segments: int = MAX_SEGMENTS,
) -> Analysis:
    """Roles, gateways, mutual dependencies, disconnected work and single front lines.

    Parameters
    ----------
    chain_or_graph : Chain or networkx.DiGraph
    segment : str, optional
        Compute gateways for this segment only. Without it they are computed for every
        segment when there are at most ``max_segments`` (one pass per segment), else skipped
        with a note.
    group_by : str, optional
        Analyse the graph rolled up by this department attribute (see :func:`rollup`).
    max_cycles : int
        Loops listed per cluster of mutual dependencies.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "s"), ("z", "a")], name="Toy")
    >>> G.add_node("s", kind="segment"); G.add_node("orphan")
    >>> result = analyze(G)
    >>> result.disconnected, result.single_front_line, [c.members for c in result.clusters]
    (['orphan'], {'s': 'b'}, [['a', 'b']])
    """
    graph = as_graph(chain_or_graph)
    if group_by:
        from .grouping import rollup

        graph = rollup(graph, by=group_by)
    notes = []
    if segment is not None:
        gates = [gateways(graph, resolve_segment(chain_or_graph, graph, segment))]
    else:
        segments = [n for n in graph if kind_of(graph, n) == "segment"]
        if len(segments) <= max_segments:
            gates = [gateways(graph, s) for s in segments]
        else:
            gates = []
            notes.append(
                f"Gateways were not computed: {len(segments):,} segments is more than "
                f"{max_segments}; ask for one segment at a time."
            )
    return Analysis(
        name=graph.graph.get("name") or "Model",
        names={n: _name(graph, n) for n in graph},
        kinds={n: kind_of(graph, n) for n in graph},
        roles=roles(graph),
        gateways=gates,
        clusters=mutual_dependencies(graph, max_cycles=max_cycles),
        disconnected=disconnected(graph),
        single_front_line=single_front_line(graph),
        group_by=group_by,
        notes=notes,
    )
