"""What a model holds, at a glance: counts, groups, front line, segments, assumptions."""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..text import listed, text_repr
from .assumptions import Assumption, list_assumptions
from .network import DEPARTMENT, SEGMENT, Bounds, Network
from .records import Records, plain

if TYPE_CHECKING:
    from .spec import Model

__all__ = ["RELATIONSHIP_WORDS", "Summary", "summarize"]

#: How a segment's relationship reads in text (the words of the report's segment table):
#: "2 transactional, 1 long-term" counts segments, where "2 customers" would read as people.
RELATIONSHIP_WORDS = {"customer": "transactional", "client": "long-term"}


@dataclass(frozen=True)
class Summary:
    """Counts and lists describing a model (see :func:`summarize`)."""

    name: str
    scale: tuple[float, float]
    counts: dict[str, int]
    groups: dict[str, int]
    front_line: list[str]
    segments: dict[str, dict[str, int]]
    assumptions: list[Assumption] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return plain(self.json_data())

    def json_data(self) -> dict:
        """:meth:`to_dict` with the assumptions as :class:`~.records.Records` (what ``--json``
        streams)."""
        return {
            "name": self.name,
            "scale": {"min": self.scale[0], "max": self.scale[1]},
            "counts": self.counts,
            "groups": self.groups,
            "front_line": self.front_line,
            "segments": self.segments,
            "assumptions": Records.from_rows(self.assumptions),
        }

    __repr__ = text_repr

    def __str__(self) -> str:
        c = self.counts
        lines = [
            f"{self.name}",
            f"  scale {self.scale[0]:g}..{self.scale[1]:g}; "
            + ", ".join(f"{n:,} {k if n != 1 else k[:-1]}" for k, n in c.items()),
        ]
        if self.groups:
            groups = _few([f"{g} ({n})" for g, n in self.groups.items()])
            head = "  groups: " if len(self.groups) <= 12 else f"  groups ({len(self.groups):,}): "
            lines.append(textwrap.fill(groups, 100, initial_indent=head, subsequent_indent="    "))
        front = _few([f"{self.names.get(d, d)} ({d})" for d in self.front_line])
        head = f"  front line ({len(self.front_line):,}): "
        lines.append(
            textwrap.fill(front or "-", 100, initial_indent=head, subsequent_indent="    ")
        )
        for kind, rels in self.segments.items():
            order = sorted(rels, key=list(RELATIONSHIP_WORDS).index)
            rel = ", ".join(f"{rels[r]} {RELATIONSHIP_WORDS[r]}" for r in order)
            lines.append(f"  {kind} segments: {rel}")
        if self.assumptions:
            lines.append(f"  assumptions ({len(self.assumptions):,}):")
            lines += listed(self.assumptions, indent="    ")
        return "\n".join(lines)


def _few(items: list[str], limit: int = 12) -> str:
    """``a, b, c``, or the first ``limit`` items and ``and N more``: a summary is a glance."""
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit:,} more"


def summarize(
    model: Model,
    *,
    assumptions: Sequence[Assumption] | None = None,
    network: Network | None = None,
) -> Summary:
    """Counts by kind, departments per group, front-line departments, segments by kind and
    relationship, and the assumptions the quality flow will make.

    ``model`` may be any records with the attributes of the spec's (the fast JSON reader's
    Structs too); ``assumptions``, when given, are used instead of listing them again, and
    the model's ``network``, when given, finds the front line on its arrays (no look-up of
    every service's ends by id).

    Examples
    --------
    >>> from servicechain.model.spec import Model
    >>> m = Model.model_validate({"name": "Shop",
    ...     "departments": [{"id": "a", "name": "A", "group": "Ops", "quality": 0.9}],
    ...     "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "customer"}],
    ...     "services": [{"from": "a", "to": "s", "quality": 0.8}]})
    >>> s = summarize(m)
    >>> s.counts["departments"], s.front_line, s.segments
    (1, ['a'], {'consumer': {'customer': 1}})
    """
    if network is not None:
        front = _front_line(network)
        front_line, names = (
            [network.ids[i] for i in front],
            {network.ids[i]: network.names[i] for i in front},
        )
    else:
        segment_ids = {s.id for s in model.segments}
        serving = {s.source for s in model.services if s.target in segment_ids}
        front_line = [d.id for d in model.departments if d.id in serving]
        names = {d.id: d.name for d in model.departments if d.id in serving}
    groups = Counter(d.group for d in model.departments if d.group)
    segments: dict[str, dict[str, int]] = {}
    for s in model.segments:
        by_rel = segments.setdefault(s.kind, {})
        by_rel[s.relationship] = by_rel.get(s.relationship, 0) + 1
    return Summary(
        name=model.name,
        scale=_scale(model.scale),
        counts={
            "departments": len(model.departments),
            "segments": len(model.segments),
            "partners": len(model.partners),
            "services": len(model.services),
        },
        groups=dict(sorted(groups.items())),
        front_line=front_line,
        segments=segments,
        assumptions=list_assumptions(model) if assumptions is None else assumptions,
        names=names,
    )


def _front_line(net: Network) -> list[int]:
    """The departments (node numbers, in file order) that serve a segment directly."""
    serving = np.unique(net.source[net.kind[net.target] == SEGMENT])
    return serving[net.kind[serving] == DEPARTMENT].tolist()


def _scale(scale) -> tuple[float, float]:
    """``(min, max)`` of a model's scale; the spec's defaults where the file leaves a bound (or
    the whole scale) out, as the fast JSON reader's records do."""
    default = Bounds()
    lo, hi = getattr(scale, "min", None), getattr(scale, "max", None)
    lo = lo if isinstance(lo, int | float) else default.min
    hi = hi if isinstance(hi, int | float) else default.max
    return float(lo), float(hi)
