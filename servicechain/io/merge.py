"""A drawing (:class:`~servicechain.io.sketch.Sketch`) matched with a model: the changes it makes
(boxes moved, added, renamed, regrouped or deleted; arrows added, deleted or re-attached), or a
new model built from it.

Boxes are matched by the model id they carry (``sc_id`` in draw.io, the node id in Mermaid),
else by the name of a node no other box stands for; any other box is a new node, whose id is
derived from its label. Arrows are matched by the service they were drawn for
(``sc_from``/``sc_to``), else by the service that joins their two boxes; any other arrow is a
new service. The result keeps a list of edits by record, so the model file can be rewritten with
its comments.
"""

from __future__ import annotations

import math
import re
from pathlib import PurePath
from typing import Any

from ..model.spec import Model
from .changes import Change, Edits, Merged
from .load import validate_data
from .sketch import Arrow, Box, DrawingError, Sketch, plain_label

__all__ = ["NEW_SEGMENT", "derived_id", "merge_sketch", "model_from_sketch"]

_SECTION = {"department": "departments", "partner": "partners", "segment": "segments"}
#: The kind and relationship a segment drawn as a new box gets (listed with the changes).
NEW_SEGMENT = {"kind": "consumer", "relationship": "customer"}
#: Boxes whose centre moved by less than this many pixels count as not moved.
MOVE_TOLERANCE = 1.0
_ID = re.compile(r"^[^\s]{1,100}$")


def derived_id(label: str) -> str:
    """An id made from a label: lower case, letters and digits (any script) kept, every run of
    anything else one ``_``.

    Examples
    --------
    >>> derived_id("People &\\nculture"), derived_id("R&D (Lab)"), derived_id("客服中心")
    ('people_culture', 'r_d_lab', '客服中心')
    """
    return re.sub(r"[\W_]+", "_", plain_label(label).lower()).strip("_")[:60]


def _new_id(label: str, kind: str, taken: set[str]) -> str:
    base = derived_id(label) or kind
    ident, n = base, 2
    while ident in taken:
        ident, n = f"{base}_{n}", n + 1
    taken.add(ident)
    return ident


def _same_name(label: str, name: str) -> bool:
    """Whether a box's label still reads as ``name`` (a wrapped label breaks lines at spaces, or
    between characters of a name without spaces)."""
    return plain_label(label) == plain_label(name) or "".join(label.split("\n")) == name


def _position(box: Box) -> dict | None:
    if box.centre is None or not all(math.isfinite(v) for v in box.centre):
        return None
    return {"x": round(box.centre[0], 1), "y": round(box.centre[1], 1)}


def _arrow_problems(sketch: Sketch, kind_of: dict[str, str], ident: dict[str, str]) -> list[str]:
    """Arrows the model cannot hold: from a segment, into a partner, a box to itself, two
    arrows between the same boxes."""
    problems, seen = [], {}
    for arrow in sketch.arrows:
        src, dst = ident[arrow.source], ident[arrow.target]
        if src == dst:
            problems.append(f"{arrow.describe()} goes from a box to itself (delete it)")
        elif kind_of[src] == "segment":
            problems.append(
                f"{arrow.describe()} starts at the segment {src!r}: a segment supplies nothing "
                "(turn the arrow round, or make the box a department)"
            )
        elif kind_of[dst] == "partner":
            problems.append(
                f"{arrow.describe()} ends at the partner {dst!r}: a partner receives nothing "
                "(turn the arrow round, or make the box a department)"
            )
        elif (src, dst) in seen:
            problems.append(
                f"{arrow.describe()} and {seen[src, dst].describe()} both run from {src!r} to "
                f"{dst!r} (keep one: a service is one arrow)"
            )
        else:
            seen[src, dst] = arrow
    return problems


def _segment_note(node: str) -> str:
    kind, relationship = NEW_SEGMENT["kind"], NEW_SEGMENT["relationship"]
    return f"segment {node!r} set to kind {kind}, relationship {relationship}: check them"


def _record(box: Box, ident: str, kind: str) -> dict:
    rec: dict[str, Any] = {"id": ident, "name": plain_label(box.label)}
    if kind == "department" and box.group:
        rec["group"] = box.group
    if kind == "segment":
        rec.update(NEW_SEGMENT)
    return rec


def _service(arrow: Arrow, src: str, dst: str) -> dict:
    rec: dict[str, Any] = {"from": src, "to": dst}
    if arrow.label.strip():
        rec["name"] = plain_label(arrow.label)
    return rec


def _validated(data: dict, sketch: Sketch) -> Model:
    return validate_data(data, {}, file=f"{sketch.file} (as a model)").model


def model_from_sketch(sketch: Sketch, *, name: str | None = None) -> Merged:
    """A new model from a drawing of boxes and arrows: each box a department (an ellipse a
    segment; a box carrying ``sc_kind`` that kind), named by its label, with the id it carries
    or one derived from its label; each arrow a service named by its label; the boxes pinned
    where they stand.

    Examples
    --------
    >>> from servicechain.io.sketch import Arrow, Box, Sketch
    >>> sketch = Sketch("f.drawio", [Box("1", "IT Support", centre=(50, 20)),
    ...                              Box("2", "Walk-in shoppers", kind="segment")],
    ...                 [Arrow("3", "Advice", "1", "2")])
    >>> made = model_from_sketch(sketch, name="Shop")
    >>> [(d.id, d.name) for d in made.model.departments], made.model.services[0].target
    ([('it_support', 'IT Support')], 'walk_in_shoppers')
    >>> made.derived
    {'it_support': 'IT Support', 'walk_in_shoppers': 'Walk-in shoppers'}
    """
    taken: set[str] = set()
    ident: dict[str, str] = {}
    derived: dict[str, str] = {}
    for box in sketch.boxes:
        if box.model_id and _ID.match(box.model_id) and box.model_id not in taken:
            ident[box.ref] = box.model_id
            taken.add(box.model_id)
    kind_of: dict[str, str] = {}
    stem = PurePath(sketch.file).stem.split(".")[0] if sketch.file else ""
    data: dict[str, Any] = {"name": name or sketch.name or sketch.page or stem or "Drawing"}
    layout = {}
    for box in sketch.boxes:
        kind = box.kind or "department"
        if box.ref not in ident:
            ident[box.ref] = _new_id(box.label, kind, taken)
            derived[ident[box.ref]] = plain_label(box.label)
        kind_of[ident[box.ref]] = kind
        data.setdefault(_SECTION[kind], []).append(_record(box, ident[box.ref], kind))
        if (pos := _position(box)) is not None:
            layout[ident[box.ref]] = pos
    if "departments" not in data:
        raise DrawingError(sketch.file, ["the drawing has no department (draw a box)"])
    problems = _arrow_problems(sketch, kind_of, ident)
    if problems:
        raise DrawingError(sketch.file, problems)
    data["services"] = [_service(a, ident[a.source], ident[a.target]) for a in sketch.arrows]
    if layout:
        data["layout"] = layout
    model = _validated(data, sketch)
    changes = [
        Change("added", ident[b.ref], f"added {kind_of[ident[b.ref]]} {ident[b.ref]!r}")
        for b in sketch.boxes
    ]
    changes += [
        Change("assumed", ident[b.ref], _segment_note(ident[b.ref]))
        for b in sketch.boxes
        if kind_of[ident[b.ref]] == "segment"
    ]
    return Merged(model, changes, derived, list(sketch.ignored), Edits())


def merge_sketch(
    model: Model,
    sketch: Sketch,
    *,
    placed: dict[str, tuple[float, float]] | None = None,
    allow_delete: bool = False,
) -> Merged:
    """The changes a drawing of ``model`` makes to it, and the changed model.

    Parameters
    ----------
    model : Model
        The model the drawing was exported from.
    sketch : Sketch
        The drawing, as edited.
    placed : dict, keyword-only
        Where the export put each box (node id → centre, in the drawing's pixels): a box now
        elsewhere has been moved. When any box moved or was added, every box of the drawing is
        pinned where it stands (the model's ``layout``).
    allow_delete : bool, keyword-only
        Remove the departments, partners and segments whose box was deleted, with their
        services; without it, a deleted box is an error.

    Returns
    -------
    Merged

    Raises
    ------
    DrawingError
        For deleted boxes without ``allow_delete``, and arrows the model cannot hold.

    Examples
    --------
    >>> from servicechain.io.sketch import Arrow, Box, Sketch
    >>> m = Model.model_validate({"name": "Shop", "departments": [
    ...     {"id": "it", "name": "IT"}, {"id": "store", "name": "Store"}],
    ...     "services": [{"from": "it", "to": "store"}]})
    >>> sketch = Sketch("f.drawio", [Box("a", "IT Services", "it"), Box("b", "Store", "store"),
    ...                              Box("c", "HR")], [Arrow("e", "", "a", "b", ("it", "store")),
    ...                                                Arrow("f", "Payroll", "c", "b")])
    >>> for change in merge_sketch(m, sketch).changes:
    ...     print(change)
    renamed 'it': 'IT' → 'IT Services'
    added department 'hr' (HR), its id derived from the label
    added service 'hr' → 'store' (Payroll)
    """
    data = model.model_dump(by_alias=True, exclude_unset=True, mode="json")
    where: dict[str, tuple[str, int]] = {}
    kind_of: dict[str, str] = {}
    for kind, section in _SECTION.items():
        for i, rec in enumerate(getattr(model, section)):
            where[rec.id] = (section, i)
            kind_of[rec.id] = kind
    names = {rec.id: rec.name for s in _SECTION.values() for rec in getattr(model, s)}
    edits, changes, derived = Edits(), [], {}
    problems: list[str] = []
    ident: dict[str, str] = {}
    taken = set(where)
    new_boxes = []
    for box in sketch.boxes:
        if box.model_id in where:
            ident[box.ref] = box.model_id
        else:
            new_boxes.append(box)
    # a box without a known id, labelled with the name of exactly one node no box stands for
    # (of its kind), is that node: drawn again, or from a format that lost the id
    matched = set(ident.values())
    by_name: dict[str, list[str]] = {}
    for node, name in names.items():
        if node not in matched:
            by_name.setdefault(plain_label(name), []).append(node)
    for box in list(new_boxes):
        nodes = by_name.get(plain_label(box.label), [])
        if len(nodes) == 1 and (box.kind or "department") == kind_of[nodes[0]]:
            ident[box.ref] = nodes[0]
            by_name[plain_label(box.label)] = []
            new_boxes.remove(box)
    for box in new_boxes:
        kind = box.kind or "department"
        if box.model_id and _ID.match(box.model_id) and box.model_id not in taken:
            ident[box.ref] = box.model_id
            taken.add(box.model_id)
        else:
            ident[box.ref] = _new_id(box.label, kind, taken)
            derived[ident[box.ref]] = plain_label(box.label)
        kind_of[ident[box.ref]] = kind
    drawn = {ident[b.ref]: b for b in sketch.boxes}
    gone = [n for n in where if n not in drawn]
    if gone and not allow_delete:
        listed = ", ".join(f"{n!r} ({names[n]})" for n in gone)
        problems.append(
            f"{len(gone)} box{'es' if len(gone) != 1 else ''} of the model "
            f"{'are' if len(gone) != 1 else 'is'} not in the drawing: {listed} (to remove "
            f"{'them' if len(gone) != 1 else 'it'} and {'their' if len(gone) != 1 else 'its'} "
            "services from the model, import again with --allow-delete)"
        )
    problems += _arrow_problems(sketch, kind_of, ident)
    if problems:
        raise DrawingError(sketch.file, problems)
    # boxes: renamed, regrouped, added
    for box in sketch.boxes:
        node = ident[box.ref]
        if node not in where:
            kind = kind_of[node]
            edits.appended.setdefault(_SECTION[kind], []).append(_record(box, node, kind))
            how = ", its id derived from the label" if node in derived else ""
            label = plain_label(box.label)
            changes.append(Change("added", node, f"added {kind} {node!r} ({label}){how}"))
            if kind == "segment":
                changes.append(Change("assumed", node, _segment_note(node)))
            continue
        section, index = where[node]
        if not plain_label(box.label):
            problems.append(f"{box.describe()} has no label (type the name of {node!r})")
        elif not _same_name(box.label, names[node]):
            edits.values[section, index, "name"] = plain_label(box.label)
            text = f"renamed {node!r}: {names[node]!r} → {plain_label(box.label)!r}"
            changes.append(Change("renamed", node, text))
        if kind_of[node] == "department" and sketch.groups:
            old = model.departments[index].group or None
            same = old == box.group or (old and box.group and _same_name(box.group, old))
            if not same:
                edits.values[section, index, "group"] = box.group
                text = f"regrouped {node!r}: {old or 'no group'} → {box.group or 'no group'}"
                changes.append(Change("regrouped", node, text))
    if problems:
        raise DrawingError(sketch.file, problems)
    # boxes deleted, with their services
    for node in gone:
        edits.deleted.add(where[node])
        count = sum(1 for s in model.services if node in (s.source, s.target))
        also = f" and its {count} service{'s' if count != 1 else ''}" if count else ""
        text = f"deleted {kind_of[node]} {node!r} ({names[node]}){also}"
        changes.append(Change("deleted", node, text))
    # arrows: those drawn for a service keep it; then an arrow between two boxes a service
    # still joins (drawn again, or from a format without service ids) takes that service
    services = {(s.source, s.target): i for i, s in enumerate(model.services)}
    claimed: dict[int, int] = {}  # arrow -> service
    kept: set[int] = set()  # services claimed (a set: a drawing holds thousands of arrows)
    for tagged in (True, False):
        for n, arrow in enumerate(sketch.arrows):
            if n in claimed or (arrow.service is not None) != tagged:
                continue
            ends = arrow.service if tagged else (ident[arrow.source], ident[arrow.target])
            index = services.get(ends)
            if index is None and tagged:
                index = services.get((ident[arrow.source], ident[arrow.target]))
            if index is not None and index not in kept:
                claimed[n] = index
                kept.add(index)
    for n, arrow in enumerate(sketch.arrows):
        src, dst = ident[arrow.source], ident[arrow.target]
        if n not in claimed:
            edits.appended.setdefault("services", []).append(_service(arrow, src, dst))
            label = f" ({plain_label(arrow.label)})" if arrow.label.strip() else ""
            changes.append(
                Change("added", f"{src} -> {dst}", f"added service {src!r} → {dst!r}{label}")
            )
            continue
        index = claimed[n]
        old = model.services[index]
        if (src, dst) != (old.source, old.target):
            edits.values["services", index, "from"] = src
            edits.values["services", index, "to"] = dst
            what = f" {old.name!r}" if old.name else ""
            text = (
                f"re-attached service{what}: {old.source!r} → {old.target!r} is now "
                f"{src!r} → {dst!r}"
            )
            changes.append(Change("re-attached", f"{src} -> {dst}", text))
        label = plain_label(arrow.label)
        if label and label != plain_label(old.name or ""):
            edits.values["services", index, "name"] = label
            text = f"renamed service {src!r} → {dst!r}: {old.name or 'no name'!r} → {label!r}"
            changes.append(Change("renamed", f"{src} -> {dst}", text))
    for index, svc in enumerate(model.services):
        if index in kept:
            continue
        edits.deleted.add(("services", index))
        if svc.source in gone or svc.target in gone:
            continue
        label = f" ({svc.name})" if svc.name else ""
        subject = f"{svc.source} -> {svc.target}"
        changes.append(
            Change("deleted", subject, f"deleted service {svc.source!r} → {svc.target!r}{label}")
        )
    # positions
    layout = {n: p.model_dump() for n, p in model.layout.items() if n in drawn}
    before = {n: (p["x"], p["y"]) for n, p in layout.items()}
    for node, centre in (placed or {}).items():
        before.setdefault(node, centre)
    now = {n: pos for n, b in drawn.items() if (pos := _position(b)) is not None}
    moved = [
        n
        for n, pos in now.items()
        if n in before
        and max(abs(pos["x"] - before[n][0]), abs(pos["y"] - before[n][1])) > MOVE_TOLERANCE
    ]
    for node in moved:
        changes.append(Change("moved", node, f"moved {node!r} ({plain_label(drawn[node].label)})"))
    if moved or any(n not in where for n in now) or set(layout) != set(model.layout):
        if moved or any(n not in where for n in now):
            layout = now
        edits.layout = layout
    new = _validated(edits.apply(data), sketch)
    return Merged(new, changes, derived, list(sketch.ignored), edits)
