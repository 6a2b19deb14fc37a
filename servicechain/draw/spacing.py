"""Sizes and spacings of a chain diagram's layout, in layout units (one unit is
:data:`~servicechain.draw.text.EM_PER_UNIT` ems of the label font): boxes, gaps, lanes, margins."""

from __future__ import annotations

from dataclasses import dataclass

from .text import EM_PER_UNIT, LINE_EM, text_width

__all__ = [
    "BOLD",
    "COLUMN_GAP",
    "COMPACT",
    "HEAD",
    "LANE",
    "LANE_CLEAR",
    "LINE_MAX_EM",
    "MARGIN",
    "PULL",
    "REGULAR",
    "ROW_GAP",
    "STRIP",
    "SUB_GAP",
    "Spacing",
    "box_size",
]

_PAD_W_EM = 1.0
#: Widest line of a label, in ems, and how much wider bold text is.
LINE_MAX_EM = 7.8
BOLD = 1.15
_PAD_H_EM = 0.5
#: Gaps between columns, between the sub-columns (layers) of one column, and between boxes.
COLUMN_GAP = 0.38
SUB_GAP = 0.3
ROW_GAP = 0.1
#: Height of one arrow lane through a layer, and the room between a lane and a box.
LANE = 0.055
LANE_CLEAR = 0.035
#: How strongly boxes and lanes are drawn towards the middle (a compact drawing).
PULL = 0.3
#: Length of an arrowhead, in layout units.
HEAD = 0.085
#: Room around everything drawn.
MARGIN = 0.05
#: Room inside the company boundary above and below its boxes, for its captions.
STRIP = 0.12


@dataclass(frozen=True)
class Spacing:
    """The gaps of a layout that may be drawn tighter on a crowded page: between columns,
    between the sub-columns of one column, between boxes, the height of an arrow lane and its
    room beside a box, and the strips for the company's captions.

    Examples
    --------
    >>> COMPACT.lane < REGULAR.lane == LANE
    True
    """

    column_gap: float = COLUMN_GAP
    sub_gap: float = SUB_GAP
    row_gap: float = ROW_GAP
    lane: float = LANE
    lane_clear: float = LANE_CLEAR
    strip: float = STRIP


#: The spacing of every diagram whose labels reach the slide's least size with it.
REGULAR = Spacing()
#: The spacing of a crowded diagram: lanes 4.2 pt apart at 10 pt labels, narrower gaps.
COMPACT = Spacing(
    column_gap=0.28, sub_gap=0.2, row_gap=0.06, lane=0.04, lane_clear=0.025, strip=0.09
)


def box_size(lines: list[str], *, note: str | None = None, em: float = 1.0) -> tuple[float, float]:
    """Width and height of a box holding ``lines`` and, under them, a ``note`` (a score, in
    bold), its text ``em`` times as wide as the regular font (bold is wider).

    Examples
    --------
    >>> w, h = box_size(["Store staff"])
    >>> w < 1 and h < box_size(["Store staff"], note="4.2")[1]
    True
    """
    width = max(text_width(line) for line in lines) * em
    if note is not None:
        width = max(width, text_width(note) * BOLD)
    width += _PAD_W_EM
    height = (len(lines) + (note is not None)) * LINE_EM + _PAD_H_EM
    return max(width, 4.5) / EM_PER_UNIT, max(height, 1.9) / EM_PER_UNIT
