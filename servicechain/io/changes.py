"""What a drawing changes in a model: each change as a sentence, the edits by record that make
them in the model's file, and the result of an import (:mod:`servicechain.io.merge`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model.spec import Model

__all__ = ["Change", "Edits", "Merged"]


@dataclass(frozen=True)
class Change:
    """One change a drawing makes to a model: ``kind`` (added, renamed, moved, regrouped,
    deleted, re-attached, ...), ``subject`` (a node id or ``from -> to``) and a sentence."""

    kind: str
    subject: str
    text: str

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {"kind": self.kind, "subject": self.subject, "text": self.text}


@dataclass
class Edits:
    """Edits of a model file by record: values set ``(section, index, field) -> value``,
    records deleted ``(section, index)``, records appended per section, and the new ``layout``
    section (``None``: unchanged). Indices count the records of the original file."""

    values: dict[tuple[str, int, str], Any] = field(default_factory=dict)
    deleted: set[tuple[str, int]] = field(default_factory=set)
    appended: dict[str, list[dict]] = field(default_factory=dict)
    layout: dict[str, dict] | None = None

    def apply(self, data: dict) -> dict:
        """``data`` (a model as plain data) with the edits made, as a new dict."""
        out = dict(data)
        for section in ("departments", "partners", "segments", "services"):
            records = [dict(r) for r in data.get(section) or []]
            for (sec, index, name), value in self.values.items():
                if sec == section:
                    records[index][name] = value
            kept = [r for i, r in enumerate(records) if (section, i) not in self.deleted]
            kept += self.appended.get(section, [])
            if kept or section in data:
                out[section] = kept
        if self.layout is not None:
            out["layout"] = self.layout
        return out


@dataclass
class Merged:
    """A model made or changed from a drawing: the new ``model``, the ``changes`` (in order),
    the ids derived from labels (id → label), the shapes ``ignored``, and the ``edits`` that
    turn the original file into the new one."""

    model: Model
    changes: list[Change]
    derived: dict[str, str]
    ignored: list[str]
    edits: Edits

    def __repr__(self) -> str:
        return f"<Merged {self.model.name!r}: {len(self.changes)} changes>"

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {
            "name": self.model.name,
            "changes": [c.to_dict() for c in self.changes],
            "derived": self.derived,
            "ignored": self.ignored,
        }
