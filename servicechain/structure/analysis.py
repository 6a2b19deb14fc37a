"""Everything about a chain's structure at once: :func:`analyze` and its :class:`Analysis`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from ..progress import gc_paused
from ..text import clipped, column_table, text_repr
from ._arrays import view
from ._base import as_graph, locate_segment, short_list
from .dominance import Gateways, gateways_of_view, single_front_line_of_view
from .loops import Cluster, clusters_of_view
from .reach import Role, RoleTable, role_table
from .tracing import segment_distances

__all__ = ["MAX_SEGMENTS", "Analysis", "analyze"]

#: gateways are computed for every segment only up to this many segments
MAX_SEGMENTS = 50


@dataclass(frozen=True)
class Analysis:
    """The structure of a chain, as :func:`analyze` finds it.

    ``table`` holds the role of every department as columns; :attr:`roles` lists them as
    :class:`Role` objects, made when first asked for (the text reads the columns).
    """

    name: str
    table: RoleTable
    gateways: list[Gateways]
    clusters: list[Cluster]
    disconnected: list[str]
    single_front_line: dict[str, str]
    group_by: str | None = None
    notes: list[str] = field(default_factory=list)
    top: int | None = None  # the text's table of departments shows the first ``top`` only

    @cached_property
    def roles(self) -> list[Role]:
        """The role of every department, in file order."""
        return self.table.rows()

    @cached_property
    def names(self) -> dict[str, str]:
        """``{node id: name}`` of every node."""
        nodes_of = self.table.nodes_of
        return dict(zip(nodes_of.ids, nodes_of.names, strict=True))

    @cached_property
    def kinds(self) -> dict[str, str]:
        """``{node id: kind}`` of every node (department, partner or segment)."""
        nodes_of = self.table.nodes_of
        return dict(zip(nodes_of.ids, nodes_of.kinds, strict=True))

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Text and an HTML table in Jupyter."""
        from ..display import result_bundle

        return result_bundle(self, "Structure", include=include, exclude=exclude)

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return self._data([r.to_dict() for r in self.roles])

    def json_data(self) -> dict:
        """:meth:`to_dict` with the roles as :class:`~servicechain.model.records.Records`, read
        from the columns of :attr:`table` (what ``--json`` streams: no dict per department)."""
        return self._data(self.table.records())

    def _data(self, roles: Any) -> dict:
        return {
            "name": self.name,
            "group_by": self.group_by,
            "roles": roles,
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

    def _roles_table(self) -> list[str]:
        """The lines of the table of departments, made column by column."""
        table = self.table
        shown = slice(None, self.top)
        nodes_of = table.nodes_of
        positions = table.departments[shown].tolist()
        ids = list(map(nodes_of.ids.__getitem__, positions))
        names = clipped(list(map(nodes_of.names.__getitem__, positions)), 36)
        direct, indirect = table.direct[shown], table.indirect[shown]
        distance = table.distance[table.departments[shown]]
        columns = [
            ["id", *ids],
            ["name", *names],
            ["customers", *_texts(table.customers[shown], str)],
            ["suppliers", *_texts(table.suppliers[shown], str)],
            ["segments direct+indirect", *_pairs(direct, indirect)],
            ["distance", *_texts(distance, lambda d: "-" if d < 0 else str(d))],
        ]
        return column_table(columns, right=(2, 3, 4, 5))

    __repr__ = text_repr

    def __str__(self) -> str:
        head = self.name + (f", rolled up by {self.group_by}" if self.group_by else "")
        lines = [head, "", "Departments (distance 1 = front line, on the line of visibility):"]
        lines += self._roles_table()
        if self.top is not None and len(self.table) > self.top:
            lines.append(f"  ... and {len(self.table) - self.top:,} more (--json lists them all)")
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


def _texts(values: np.ndarray, write: Callable[[int], str]) -> list[str]:
    """``write`` of each of ``values`` (integers), called once per distinct value."""
    if not len(values):
        return []
    low = int(values.min())
    span = int(values.max()) - low + 1
    if span > 4 * len(values):  # few values spread wide: found by a sort
        distinct, inverse = np.unique(values, return_inverse=True)
        return np.array(list(map(write, distinct.tolist())), dtype=object)[inverse].tolist()
    # values in a short range (counts, distances): looked up in a table of that range
    offsets = values - low
    present = np.flatnonzero(np.bincount(offsets, minlength=span))
    written = np.empty(span, dtype=object)
    written[present] = list(map(write, (present + low).tolist()))
    return written[offsets].tolist()


def _pairs(direct: np.ndarray, indirect: np.ndarray) -> list[str]:
    """``direct+indirect`` of each pair of counts, written once per distinct pair."""
    if not len(direct):
        return []
    span = int(indirect.max()) - int(indirect.min()) + 1
    low = int(indirect.min())
    key = direct.astype(np.int64) * span + (indirect - low)
    return _texts(key, lambda k: f"{k // span}+{k % span + low}")


@gc_paused()
def analyze(
    chain_or_graph: Any,
    *,
    segment: str | None = None,
    group_by: str | None = None,
    max_cycles: int = 5,
    max_segments: int = MAX_SEGMENTS,
    top: int | None = None,
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
    top : int, optional
        The text's table of departments lists the first ``top`` only (the result keeps all).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "s"), ("z", "a")], name="Toy")
    >>> G.add_node("s", kind="segment"); G.add_node("orphan")
    >>> result = analyze(G)
    >>> result.disconnected, result.single_front_line, [c.members for c in result.clusters]
    (['orphan'], {'s': 'b'}, [['a', 'b']])
    """
    target = chain_or_graph
    if group_by:
        from .grouping import rollup

        target = rollup(as_graph(chain_or_graph), by=group_by)
    nodes_of = view(target)
    notes = []
    if segment is not None:
        gates = [gateways_of_view(nodes_of, locate_segment(target, nodes_of, segment))]
    else:
        segments = np.flatnonzero(nodes_of.is_segment).tolist()
        if len(segments) <= max_segments:
            gates = [gateways_of_view(nodes_of, s) for s in segments]
        else:
            gates = []
            notes.append(
                f"Gateways were not computed: {len(segments):,} segments is more than "
                f"{max_segments}; ask for one segment at a time."
            )
    dist = segment_distances(nodes_of)
    ids = nodes_of.ids
    return Analysis(
        name=nodes_of.title,
        table=role_table(nodes_of, dist=dist),
        gateways=gates,
        clusters=clusters_of_view(nodes_of, max_cycles),
        disconnected=[ids[n] for n in np.flatnonzero(dist < 0).tolist()],
        single_front_line=single_front_line_of_view(nodes_of),
        group_by=group_by,
        notes=notes,
        top=top,
    )
