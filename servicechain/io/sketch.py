"""A drawing read back from another tool (draw.io, Mermaid): its boxes and arrows, before they
are matched with a model.

The readers (:mod:`servicechain.io.drawio`, :mod:`servicechain.io.mermaid`) turn a file into a
:class:`Sketch`; :mod:`servicechain.io.merge` turns a sketch into a model, or into the changes
it makes to one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ServiceChainError

__all__ = ["Arrow", "Box", "DrawingError", "Sketch", "plain_label"]

KINDS = ("department", "partner", "segment")


def plain_label(text: str) -> str:
    """A label as one line of text: white space (line breaks of a wrapped label) collapsed.

    Examples
    --------
    >>> plain_label("  IT\\nSupport ")
    'IT Support'
    """
    return " ".join(text.split())


@dataclass(frozen=True)
class Box:
    """A box of the drawing.

    ``ref`` is the shape's own id in the drawing (a draw.io cell id, a Mermaid node id);
    ``model_id`` the model id it carries, if any; ``kind`` department, partner or segment where
    the drawing says; ``group`` the label of the container it stands in (``None``: none);
    ``centre`` its centre in the drawing's pixels (``None`` where the format has no positions).
    """

    ref: str
    label: str
    model_id: str | None = None
    kind: str | None = None
    group: str | None = None
    centre: tuple[float, float] | None = None

    def describe(self) -> str:
        """How a message names the box: its id and its label.

        Examples
        --------
        >>> Box("node-3", "IT Support").describe()
        "box 'node-3' ('IT Support')"
        """
        return f"box {self.ref!r} ({plain_label(self.label)!r})"


@dataclass(frozen=True)
class Arrow:
    """An arrow from the box ``source`` to the box ``target`` (their ``ref``); ``service`` is the
    ``(from, to)`` of the model's service it was drawn for, where the drawing carries it."""

    ref: str
    label: str
    source: str
    target: str
    service: tuple[str, str] | None = None

    def describe(self) -> str:
        """How a message names the arrow: its id and its label.

        Examples
        --------
        >>> Arrow("service-0", "", "a", "b").describe()
        "arrow 'service-0' (no label)"
        """
        label = repr(plain_label(self.label)) if self.label.strip() else "no label"
        return f"arrow {self.ref!r} ({label})"


@dataclass
class Sketch:
    """The boxes and arrows of one page of a drawing.

    ``name`` is the drawing's title where it has one (the company boundary's label, a
    subgraph's); ``groups`` says whether containers mean groups (so a box outside every
    container has no group); ``ignored`` describes each shape that is neither a box nor an
    arrow (free text, images, lines).
    """

    file: str
    boxes: list[Box]
    arrows: list[Arrow]
    page: str = ""
    name: str | None = None
    groups: bool = True
    ignored: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"<Sketch {self.file!r}: {len(self.boxes)} boxes, {len(self.arrows)} arrows, "
            f"{len(self.ignored)} shapes ignored>"
        )


class DrawingError(ServiceChainError):
    """A drawing that cannot be read as a chain; ``problems`` lists every reason, each naming
    the shape (its id and label) and how to fix it."""

    def __init__(self, file: str, problems: list[str]):
        self.file = file
        self.problems = list(problems)
        lines = [f"{file}: {p}" for p in self.problems]
        count = len(lines)
        head = f"{count} problem{'s' if count != 1 else ''} in the drawing"
        super().__init__("\n".join([head, *lines]))
