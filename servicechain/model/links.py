"""The rules that span records (ids, references, scores against the scale, closed loops), on
arrays: one implementation for every reader of a model.

The YAML/JSON loader gives the raw data's columns (:func:`columns_of_data`, which tolerates
malformed records), the fast JSON path the columns of its decoded records; both get the same
findings, each ``(loc, message, fix)`` as in :mod:`servicechain.model.rules`. Detection runs on
numpy arrays; messages are made only for the records that break a rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import did_you_mean
from .components import strong_labels
from .limits import MAX_NUMBER
from .network import DEPARTMENT, PARTNER, SEGMENT
from .numbering import number_ends

__all__ = ["Columns", "closed_loop_groups", "columns_of_data", "cross_record_findings"]

Loc = tuple
Finding = tuple[Loc, str, str]

#: Sections in the order their ids are checked for duplicates (the first one keeps the id).
_ID_SECTIONS = ("departments", "segments", "partners")
_SINGULAR = {"departments": "department", "segments": "segment", "partners": "partner"}
_KIND = {"departments": DEPARTMENT, "segments": SEGMENT, "partners": PARTNER}
#: The scores checked against the scale: (section, field).
SCORES = (
    ("departments", "quality"),
    ("partners", "quality"),
    ("services", "quality"),
    ("segments", "baseline"),
)


@dataclass
class Columns:
    """What the rules spanning records need of a model, one list or array per field.

    ``ids`` maps each of departments, segments and partners to its records' ids (``None`` for a
    record without a text id); ``source``/``target`` are the ends of each service (``None`` where
    not text); ``scores`` maps ``(section, field)`` to the values (``nan`` where not a number);
    ``scale`` is ``(min, max)``, or ``None`` where the scale itself is broken.
    """

    ids: dict[str, list]
    source: list
    target: list
    scores: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    scale: tuple[float, float] | None = (0.0, 1.0)
    #: The node numbers of ``[*source, *target]`` in the order departments, partners,
    #: segments, when the reader has them already (see :func:`node_ids`).
    ends: np.ndarray | None = None

    def node_ids(self) -> list:
        """Every id in node order: departments, partners, then segments."""
        return [*self.ids["departments"], *self.ids["partners"], *self.ids["segments"]]


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    # beyond MAX_NUMBER the value is refused as too large; no second message about the scale
    return float(value) if abs(value) <= MAX_NUMBER else math.nan


def _items(data: dict, section: str) -> list:
    items = data.get(section)
    return items if isinstance(items, list) else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def columns_of_data(data: dict, scale: tuple[float, float] | None) -> Columns:
    """The columns of a model's raw data (as read from a file, maybe malformed)."""
    ids = {
        section: [_text(item.get("id")) if isinstance(item, dict) else None for item in items]
        for section in _ID_SECTIONS
        for items in [_items(data, section)]
    }
    services = [s if isinstance(s, dict) else {} for s in _items(data, "services")]
    scores = {}
    for section, name in SCORES:
        items = _items(data, section)
        scores[section, name] = np.array(
            [_number(item.get(name)) if isinstance(item, dict) else math.nan for item in items],
            dtype=float,
        )
    return Columns(
        ids=ids,
        source=[_text(s.get("from")) for s in services],
        target=[_text(s.get("to")) for s in services],
        scores=scores,
        scale=scale,
    )


def cross_record_findings(columns: Columns) -> list[Finding]:
    """Findings for the rules that span records: ids, references, scores against the scale.

    Examples
    --------
    >>> c = Columns(ids={"departments": ["it", "it"], "segments": ["shop"], "partners": []},
    ...             source=["it", "shop"], target=["shop", "itt"])
    >>> for loc, message, fix in cross_record_findings(c):
    ...     print(loc, message)
    ('departments', 1, 'id') the id 'it' is used twice (first by departments[0])
    ('services', 1, 'from') segment 'shop' cannot supply a service
    ('services', 1, 'to') unknown id 'itt'
    """
    out: list[Finding] = []
    out += _duplicate_ids(columns)
    out += _service_findings(columns)
    out += _scale_findings(columns)
    return out


def _duplicate_ids(columns: Columns) -> list[Finding]:
    ids = columns.node_ids()
    if len(set(ids)) == len(ids):  # every id once (and at most one None): nothing to report
        return []
    out: list[Finding] = []
    where: dict[str, str] = {}
    for section in _ID_SECTIONS:
        for i, ident in enumerate(columns.ids[section]):
            if ident is None:
                continue
            if ident in where:
                out.append(
                    (
                        (section, i, "id"),
                        f"the id {ident!r} is used twice (first by {where[ident]})",
                        "give every department, segment and partner an id of its own",
                    )
                )
            else:
                where[ident] = f"{section}[{i}]"
    return out


def _service_findings(columns: Columns) -> list[Finding]:
    ids = columns.node_ids()
    sections = ("departments", "partners", "segments")
    kind = np.concatenate(
        [np.full(len(columns.ids[s]), _KIND[s], dtype=np.int8) for s in sections]
        + [np.array([-1], dtype=np.int8)]  # kind[-1]: an end that names no node
    )
    m = len(columns.source)
    ends = columns.ends
    if ends is None:
        ends = number_ends(ids, [*columns.source, *columns.target])
    source, target = ends[:m], ends[m:]
    has_source, has_target = _given(columns.source), _given(columns.target)
    unknown = (has_source & (source < 0)) | (has_target & (target < 0))
    known = has_source & has_target & (source >= 0) & (target >= 0)
    self_service = known & (source == target)
    bad = unknown | (kind[source] == SEGMENT) | (kind[target] == PARTNER) | self_service
    # A second service between the same two nodes: the first one keeps the pair.
    pairs = np.flatnonzero(known & ~self_service)
    second = np.zeros(m, dtype=bool)
    first_of = np.full(m, -1)
    key = source[pairs] * (len(ids) + 1) + target[pairs]
    ordered = np.sort(key)  # a plain sort tells whether any pair repeats, in a tenth the time
    if (ordered[1:] == ordered[:-1]).any():
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        first_of[pairs] = pairs[first[inverse]]
        second[pairs] = first_of[pairs] != pairs
    flagged = np.flatnonzero(bad | second).tolist()
    names = [i for i in ids if i is not None] if flagged else []
    out: list[Finding] = []
    for i in flagged:
        out += _service_problems(columns, i, source[i], target[i], kind, names, first_of[i])
    return out


def _given(values: list) -> np.ndarray:
    """Whether each value is not ``None`` (one scan in C where none is, as in a decoded file
    whose records require the field).

    Examples
    --------
    >>> _given(["a", None]).tolist(), _given(["a", "b"]).tolist()
    ([True, False], [True, True])
    """
    if None not in values:
        return np.ones(len(values), dtype=bool)
    return np.fromiter((v is not None for v in values), bool, len(values))


def _service_problems(
    columns: Columns, i: int, src: int, tgt: int, kind: np.ndarray, names: list, first: int
) -> list[Finding]:
    out: list[Finding] = []
    source, target = columns.source[i], columns.target[i]
    for end, ident, number in (("from", source, src), ("to", target, tgt)):
        if ident is None:
            continue
        if number < 0:
            hint = did_you_mean(ident, names)
            out.append(
                (
                    ("services", i, end),
                    f"unknown id {ident!r}",
                    hint or "declare it under departments, segments or partners",
                )
            )
        elif end == "from" and kind[number] == SEGMENT:
            out.append(
                (
                    ("services", i, end),
                    f"segment {ident!r} cannot supply a service",
                    "segments are customers: reverse the service or make it a department",
                )
            )
        elif end == "to" and kind[number] == PARTNER:
            out.append(
                (
                    ("services", i, end),
                    f"partner {ident!r} cannot receive a service",
                    "partners are external suppliers with no inputs: "
                    "make it a department if the company serves it",
                )
            )
    if source is not None and source == target:
        out.append(
            (
                ("services", i, "to"),
                f"{source!r} serves itself",
                "remove the service: a department's own work is its `quality`",
            )
        )
    elif first >= 0 and first != i:
        out.append(
            (
                ("services", i),
                f"a second service from {source!r} to {target!r} "
                f"(services[{first}] links them already)",
                "merge them into one service: its quality and weight describe the "
                "hand-off as a whole",
            )
        )
    return out


def _scale_findings(columns: Columns) -> list[Finding]:
    if columns.scale is None:
        return []
    lo, hi = columns.scale
    out: list[Finding] = []
    for (section, name), values in columns.scores.items():
        with np.errstate(invalid="ignore"):
            outside = np.isfinite(values) & ((values < lo) | (values > hi))
        for i in np.flatnonzero(outside).tolist():
            out.append(
                (
                    (section, i, name),
                    f"{values[i]:g} is outside the scale {lo:g}..{hi:g}",
                    f"use a score from {lo:g} to {hi:g}, or change `scale`",
                )
            )
    return out


def closed_loop_groups(
    own: np.ndarray, dependence: np.ndarray, source: np.ndarray, target: np.ndarray, n_dep: int
) -> list[np.ndarray]:
    """Groups of departments (positions, sorted) that serve each other in a cycle and get
    nothing from outside it: no member has an own contribution (dependence 1, or own quality
    0 on 0..1) and none has a supplier outside the group. Departments are the first ``n_dep``
    nodes; ``own`` is ``nan`` where not given. Groups come in the order of their first member.

    Examples
    --------
    >>> nan = float("nan")
    >>> groups = closed_loop_groups(np.array([nan, nan]), np.array([1.0, 1.0]),
    ...                             np.array([0, 1]), np.array([1, 0]), 2)
    >>> [g.tolist() for g in groups]
    [[0, 1]]
    """
    quality = own[:n_dep]
    with np.errstate(invalid="ignore"):
        without_own = (dependence[:n_dep] >= 1) | (~np.isnan(quality) & (quality <= 0))
    if not without_own.any():
        return []
    internal = (source < n_dep) & (target < n_dep)
    label = strong_labels(n_dep, source[internal], target[internal])
    size = np.bincount(label, minlength=n_dep)
    members_without_own = np.bincount(label, weights=without_own, minlength=n_dep)
    # A supplier from outside the component (a partner, or another component) opens it.
    into = target < n_dep
    src_label = np.where(source[into] < n_dep, label[np.minimum(source[into], n_dep - 1)], -1)
    tgt_label = label[target[into]]
    opened = np.zeros(n_dep, dtype=bool)
    opened[tgt_label[src_label != tgt_label]] = True
    closed = np.flatnonzero((size >= 2) & (members_without_own == size) & ~opened)
    groups = [np.flatnonzero(label == c) for c in closed.tolist()]
    return sorted(groups, key=lambda g: int(g[0]))
