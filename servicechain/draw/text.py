"""Text measures for diagram boxes: a generous width estimate and line wrapping that works
for Latin and CJK names alike (no font is loaded: the estimate is in ems)."""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache

__all__ = ["EM_PER_UNIT", "LINE_EM", "label_lines", "text_width"]

#: Font ems in one layout unit: a renderer that sets text at ``s`` points maps one layout unit
#: to ``EM_PER_UNIT * s`` points.
EM_PER_UNIT = 10.5
_MAX_LINE_EM = 7.8
LINE_EM = 1.16
_MAX_LINES = 4
#: A word up to this many times a line's width is kept whole (its box gets wider).
_WORD_STRETCH = 1.4


@cache
def _char_em(char: str) -> float:
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char in "mwMW@%":
        return 0.92
    if char.isupper():
        return 0.74
    if char in "iljtf.,;:'|!() ":
        return 0.34
    return 0.62


@lru_cache(maxsize=65536)
def text_width(text: str) -> float:
    """Generous estimate of the width of ``text`` in ems of a sans-serif font.

    Examples
    --------
    >>> text_width("IT") < text_width("客户服务")
    True
    """
    return sum(_char_em(c) for c in text)


@lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[tuple[str, bool], ...]:
    """Split into breakable pieces: words, and single wide (CJK) characters.

    Each piece carries whether a space preceded it.
    """
    pieces: list[tuple[str, bool]] = []
    word, space = "", False
    for char in text:
        if char.isspace():
            if word:
                pieces.append((word, space))
                word = ""
            space = True
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            if word:
                pieces.append((word, space))
                word, space = "", False
            pieces.append((char, space))
            space = False
        else:
            word += char
    if word:
        pieces.append((word, space))
    return tuple(pieces)


def label_lines(
    text: str, *, max_em: float = _MAX_LINE_EM, max_lines: int = _MAX_LINES, balanced: bool = False
) -> list[str]:
    """Wrap a name into lines at most ``max_em`` wide; text with no spaces (Chinese) wraps too.

    A word a little longer than a line widens the line; a much longer one is cut; past
    ``max_lines`` the last line ends with an ellipsis.

    Examples
    --------
    >>> label_lines("Armazém central (Alverca)")
    ['Armazém', 'central', '(Alverca)']
    >>> label_lines("Transportadora expresso")  # a long word widens its line
    ['Transportadora', 'expresso']
    >>> label_lines("旅客服务与地面保障中心值机柜台")
    ['旅客服务与', '地面保障中', '心值机柜台']
    """
    if not balanced:  # a word a little wider than a line widens the line instead of breaking
        widest = max((text_width(p) for p, _ in _tokens(text)), default=0.0)
        if max_em < widest <= max_em * _WORD_STRETCH:
            max_em = widest
    lines: list[str] = []
    line = ""
    for piece, space in _tokens(" ".join(text.split())):
        joined = f"{line} {piece}" if line and space else line + piece
        if text_width(joined) <= max_em:
            line = joined
            continue
        if line:
            lines.append(line)
        line = ""
        for char in piece:  # a piece wider than a line is cut
            if line and text_width(line + char) > max_em:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    if 1 < len(lines) <= max_lines and not balanced:
        # the narrowest width that needs no more lines: no lone word on the last line
        pieces = [text_width(p) for p, _ in _tokens(text)]
        lo = max([max_em / len(lines), *(w for w in pieces if w <= max_em)])
        hi = max_em
        best = lines
        for _ in range(12):
            mid = (lo + hi) / 2
            trial = label_lines(text, max_em=mid, max_lines=len(lines), balanced=True)
            if len(trial) <= len(lines) and not trial[-1].endswith("…"):
                best, hi = trial, mid
            else:
                lo = mid
        lines = best
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…") > max_em:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return lines or [""]
