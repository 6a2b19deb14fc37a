"""The JSON text of single values and of lists of them, as ``json.dumps(...,
ensure_ascii=False)`` writes it, with the characters a terminal acts on escaped.

Besides the escapes JSON requires, C1 control characters, bidirectional controls and the Unicode
line separators are written as ``\\uXXXX`` escapes, so the JSON reads back to the model's own
text while the text itself holds nothing a terminal would act on.
"""

from __future__ import annotations

import json
import math
import re
from collections import deque
from json.encoder import encode_basestring  # the C encoder when available
from typing import Any

import msgspec
import numpy as np

from ..text import BIDI_CONTROLS

__all__ = ["bare", "escape", "floats", "nested", "scalar", "strings"]

#: Characters JSON allows raw in a string but a terminal acts on (C1 controls, bidirectional
#: controls, line and paragraph separators): written escaped. JSON's own rules already escape
#: the C0 controls.
_ESCAPED = re.compile(f"[\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}]")


def escape(text: str) -> str:
    """``text`` (a piece of JSON) with every character a terminal acts on as a ``\\uXXXX``
    escape; these can only stand inside strings, so the JSON means the same.

    Examples
    --------
    >>> escape('"a\\u202eb"')
    '"a\\\\u202eb"'
    """
    if _inert(text):
        return text
    return _ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _inert(text: str) -> bool:
    """Whether ``text`` holds no character of ``_ESCAPED``."""
    return "\x7f" not in text if text.isascii() else not _ESCAPED.search(text)


def strings(values: list) -> list[str]:
    """Each of ``values`` (strings) as a JSON string, escaped; looked at once as a whole.

    Examples
    --------
    >>> strings(["é", 'say "hi"'])
    ['"é"', '"say \\\\"hi\\\\""']
    """
    encoded = list(map(encode_basestring, values))
    if _inert("".join(encoded)):
        return encoded
    return list(map(escape, encoded))


def bare(values: list[str]) -> list[str]:
    """Each of ``values`` as the inside of a JSON string: escaped, without its quotes.

    All are encoded as one text, joined by NUL (written ``\\u0000``) and split there, unless a
    value holds a NUL or a backslash (whose escapes could read the same): then one by one.

    Examples
    --------
    >>> bare(["é", "a\\tb", ""])
    ['é', 'a\\\\tb', '']
    """
    if not values:
        return []
    joined = "\x00".join(values)
    if "\\" in joined or joined.count("\x00") != len(values) - 1:
        return [text[1:-1] for text in strings(values)]
    return escape(encode_basestring(joined))[1:-1].split("\\u0000")


def floats(held: np.ndarray, name: str) -> list[str]:
    """Each float of ``held`` as ``float.__repr__`` writes it (what ``json.dumps`` writes),
    NaN as null; ``name`` names the field in the error for an infinity.

    msgspec writes the same shortest digits in C but spells some numbers its own way; the
    numbers it spells otherwise are found by their size and respelled as ``repr`` does, all at
    once: exponents of one digit (``1.5e-7`` becomes ``1.5e-07``), positive exponents (``1e16``
    becomes ``1e+16``), and numbers from 1e-5 to 1e-4, which msgspec writes without one
    (``0.000015`` becomes ``1.5e-05``).

    Examples
    --------
    >>> floats(np.array([0.5, 1.5e-7, 1e16, 1.5e-5, np.nan]), "q")
    ['0.5', '1.5e-07', '1e+16', '1.5e-05', 'null']
    """
    finite = np.isfinite(held)
    if not finite.all():
        bad = held[~finite & ~np.isnan(held)]
        if len(bad):
            raise ValueError(f"{name}: {bad[0]} is not a finite number")
    text = msgspec.json.encode(held.tolist())[1:-1]
    size = np.abs(held)
    # Shortest digits keep a number's decimal exponent: below 1e-5 (and from 1e-9 on) it has
    # one digit, from 1e16 on it is positive. Where the numbers with one digit are many (more
    # than those with more digits, below 1e-9, by a sixteenth of all), every exponent of the
    # text takes a zero at once, and those below 1e-9 give it back.
    short = np.flatnonzero((size >= 1e-9) & (size < 1e-5))
    many = len(short) > len(held) // 16
    tiny = np.flatnonzero((size < 1e-9) & (size > 0)) if many else short
    if many and len(short) - len(tiny) > len(held) // 16:
        out = text.replace(b"e-", b"e-0").decode().split(",")
        _respell(out, tiny, lambda t: t.replace("e-0", "e-"))
    else:
        out = text.decode().split(",")
        _respell(out, short, lambda t: t.replace("e-", "e-0"))
    _respell(out, np.flatnonzero(size >= 1e16), lambda t: _POSITIVE_EXPONENT.sub("e+", t))
    fixed = np.flatnonzero((size >= 1e-5) & (size < 1e-4))
    if len(fixed):
        at = fixed.tolist()
        digits = "," + ",".join(map(out.__getitem__, at)).replace("0.0000", "")  # ,15,-1
        digits = _AFTER_FIRST_DIGIT.sub(".", digits).replace(",", "e-05,")  # e-05,1.5e-05,-1
        deque(map(out.__setitem__, at, (digits[5:] + "e-05").split(",")), maxlen=0)
    return out


def _respell(out: list[str], where: np.ndarray, respell) -> None:
    """Replace the texts ``out[where]`` by ``respell`` of them, taken as one text."""
    if len(where):
        at = where.tolist()
        new = respell(",".join(map(out.__getitem__, at))).split(",")
        deque(map(out.__setitem__, at, new), maxlen=0)


#: Where msgspec's exponents differ from ``repr``'s: no plus.
_POSITIVE_EXPONENT = re.compile(r"e(?=\d)")
#: Between the first digit of a number (after a comma or a minus) and a second one.
_AFTER_FIRST_DIGIT = re.compile(r"(?<=[,-]\d)(?=\d)")


def scalar(value: Any, level: int, indent: int) -> str:
    """One value as JSON, as :func:`nested` writes it (a float or an int without a call to
    ``json.dumps``).

    Examples
    --------
    >>> scalar(0.1, 0, 2), scalar(None, 0, 2), scalar([1], 1, 2)
    ('0.1', 'null', '[\\n    1\\n  ]')
    """
    kind = type(value)
    if kind is str:
        return escape(encode_basestring(value))
    if kind is float:
        if value != value:
            return "null"
        if value in (math.inf, -math.inf):
            raise ValueError(f"{value} is not a finite number")
        return float.__repr__(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    return nested(value, level, indent)


def nested(value: Any, level: int, indent: int) -> str:
    """``value`` (plain data) as indented JSON that starts at ``level`` levels of ``indent``:
    the text of ``json.dumps(value, indent=indent, ensure_ascii=False)``, escaped.

    Examples
    --------
    >>> print("{" + nested({"a": [1]}, 1, 2) + "}")
    {{
        "a": [
          1
        ]
      }}
    """
    text = _indented(value, indent)
    if text is None:
        text = json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)
    text = escape(text)
    return text.replace("\n", "\n" + " " * (level * indent)) if level else text


def _indented(value: Any, indent: int) -> str | None:
    """The text of ``json.dumps(value, indent=indent, ensure_ascii=False)`` made in C: encoded
    flat by ``json.dumps`` and indented by msgspec (ten times faster than ``json.dumps``
    indents); None for an indent it does not write so, or a lone surrogate, which it cannot
    hold."""
    if indent <= 0:
        return None
    flat = json.dumps(value, ensure_ascii=False, allow_nan=False)
    try:
        return msgspec.json.format(flat, indent=indent)
    except UnicodeEncodeError:
        return None
