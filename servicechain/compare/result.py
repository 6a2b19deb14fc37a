"""The result of a diff: what changed, and each segment's and the company's change split into
the contributions of the changed inputs, as text, plain data and a rich display."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..text import fmt_score, table

__all__ = ["Contribution", "Diff", "Item", "Movement"]


@dataclass(frozen=True)
class Item:
    """One listed change: ``kind`` (see :class:`~servicechain.compare.match.Change`), the id and
    name of the record it belongs to, a sentence a manager reads, the old and new values (scores
    on NEW's scale), the services it touches, and ``brief``, the sentence with each service
    named by its supplier only (for charts)."""

    kind: str
    id: str
    name: str
    text: str
    old: object = None
    new: object = None
    services: tuple[tuple[str, str], ...] = ()
    brief: str = ""

    def to_dict(self) -> dict:
        """Plain data (``services``: the ``[from, to]`` ids of the services it touches)."""
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "text": self.text,
            "old": self.old,
            "new": self.new,
            "services": [list(pair) for pair in self.services],
        }


@dataclass(frozen=True)
class Contribution:
    """A share of a change: one linear input (``kind`` ``quality``, ``baseline`` or ``rating``),
    or the structural changes of one department, partner or segment (``kind`` ``structure``,
    their sentences in ``changes``). ``amount`` is on 0..1, ``stderr`` its sampling standard
    error (0 when exact); ``brief`` is a short ``text`` for charts."""

    kind: str
    id: str
    name: str
    text: str
    amount: float
    stderr: float = 0.0
    changes: tuple[str, ...] = ()
    brief: str = ""

    def to_dict(self, span: float) -> dict:
        """Plain data, the amount also on the NEW model's scale (``points``)."""
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "text": self.text,
            "amount": self.amount,
            "points": self.amount * span,
            "stderr": self.stderr,
            "changes": list(self.changes),
        }


@dataclass
class Movement:
    """One segment's (or the company's) delivered quality before and after, on 0..1, and the
    contributions that add up to the change, largest first."""

    id: str | None
    name: str
    before: float
    after: float
    contributions: list[Contribution] = field(default_factory=list)

    @property
    def change(self) -> float:
        """``after - before``."""
        return self.after - self.before

    def to_dict(self, lo: float, span: float) -> dict:
        """Plain data: 0..1 values and the same on the NEW model's scale."""
        return {
            "id": self.id,
            "name": self.name,
            "before": self.before,
            "after": self.after,
            "change": self.change,
            "before_score": lo + self.before * span,
            "after_score": lo + self.after * span,
            "change_points": self.change * span,
            "contributions": [c.to_dict(span) for c in self.contributions],
        }


@dataclass
class Diff:
    """What changed between two versions of a model, and why each segment's and the company's
    delivered quality moved.

    Scores are compared on 0..1 and shown on NEW's scale; ``company`` is ``None`` when either
    version has no segment carrying value.
    """

    old_name: str
    new_name: str
    old_scale: tuple[float, float]
    scale: tuple[float, float]
    items: list[Item]
    segments: list[Movement]
    company: Movement | None
    exact: bool = True
    samples: int = 0
    idle: int = 0
    seed: int = 0
    old_label: str = "OLD"
    new_label: str = "NEW"

    @property
    def span(self) -> float:
        """Width of NEW's scale."""
        return self.scale[1] - self.scale[0]

    @property
    def empty(self) -> bool:
        """Whether nothing changed (renames included)."""
        return not self.items and self.old_scale == self.scale

    def segment(self, ident: str) -> Movement:
        """The movement of one segment; raises ``UnknownNodeError`` for a bad id."""
        for move in self.segments:
            if move.id == ident:
                return move
        from ..errors import unknown_node

        raise unknown_node(ident, [m.id for m in self.segments])

    def to_dict(self) -> dict:
        """Plain data (every number finite; scores on 0..1 and on NEW's scale)."""
        lo, hi = self.scale
        return {
            "old": {"name": self.old_name, "file": self.old_label, "scale": list(self.old_scale)},
            "new": {"name": self.new_name, "file": self.new_label, "scale": list(self.scale)},
            "scale_changed": self.old_scale != self.scale,
            "changes": [i.to_dict() for i in self.items],
            "changes_moving_no_segment": self.idle,
            "company": None if self.company is None else self.company.to_dict(lo, hi - lo),
            "segments": [m.to_dict(lo, hi - lo) for m in self.segments],
            "method": {
                "linear": "exact (own qualities, baselines and ratings)",
                "structure": "Shapley values over departments"
                + (" (exact)" if self.exact else f" ({self.samples} random orders)"),
                "exact": self.exact,
                "samples": self.samples,
                "seed": self.seed,
            },
        }

    def text(self, *, top: int | None = None, segment: str | None = None) -> str:
        """The diff as text; ``top`` limits the contributions shown per movement, ``segment``
        shows that segment only (with the company)."""
        lo, hi = self.scale
        lines = [f"{self.old_label} → {self.new_label}: {self.new_name}"]
        if self.old_name != self.new_name:
            lines[0] += f" (was {self.old_name})"
        if self.old_scale != self.scale:
            lines.append(
                f"The scale changed from {self.old_scale[0]:g}..{self.old_scale[1]:g} to "
                f"{lo:g}..{hi:g}; scores are compared as shares of the scale and shown on "
                f"{lo:g}..{hi:g}."
            )
        if self.empty:
            lines.append("No differences: the two versions hold the same model.")
            return "\n".join(lines)
        lines.append("")
        lines.append(f"What changed ({len(self.items)}):")
        lines += table([[i.kind, i.text] for i in self.items])
        if self.idle:
            lines.append(
                f"  {self.idle} of these move no segment's score directly: they reach the "
                "customers\n  through the ratings of the hand-offs after them, listed above "
                "when the survey measured them."
            )
        moves = [self.company] if self.company is not None else []
        moves += [self.segment(segment)] if segment else self.segments
        for move in moves:
            lines.append("")
            lines += self._movement(move, top)
        if not self.exact:
            lines.append("")
            lines.append(
                f"Structural shares are Shapley values estimated from {self.samples} seeded "
                "random orders (± one standard error shown); each order adds up exactly."
            )
        return "\n".join(lines)

    def _movement(self, move: Movement, top: int | None) -> list[str]:
        lo, span = self.scale[0], self.span
        head = (
            f"{move.name}: {fmt_score(lo + move.before * span, span)} → "
            f"{fmt_score(lo + move.after * span, span)} "
            f"({fmt_score(move.change * span, span, sign=True)})"
        )
        if move.id is None:
            head = "Company (value-weighted over segments): " + head.split(": ", 1)[1]
        shown = move.contributions if top is None else move.contributions[:top]
        if not move.contributions:
            return [head, "  nothing that changed reaches it"]
        rows = []
        for c in shown:
            amount = fmt_score(c.amount * span, span, sign=True)
            if c.stderr > 0:
                amount += f" ±{fmt_score(c.stderr * span, span)}"
            rows.append([amount, c.text])
        out = [head, *table(rows, right=(0,))]
        hidden = len(move.contributions) - len(shown)
        if hidden:
            rest = sum(c.amount for c in move.contributions[len(shown) :])
            out.append(
                f"  ... {hidden} more contributing {fmt_score(rest * span, span, sign=True)}"
            )
        return out

    def __str__(self) -> str:
        return self.text()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Text and HTML tables in Jupyter."""
        from ..display import result_bundle

        return result_bundle(self, "What changed", include=include, exclude=exclude)
