"""Streamed JSON of results: the text of ``json.dumps(data, indent=2, ensure_ascii=False)``,
written piece by piece, with :class:`~servicechain.model.records.Records` written from their
columns (a block of rows at a time, no dict per row).

Text is kept exactly: besides the escapes JSON requires, C1 control characters, bidirectional
controls and the Unicode line separators are written as ``\\uXXXX`` escapes, so the JSON reads
back to the model's own text while the output itself holds nothing a terminal would act on.
"""

from __future__ import annotations

import json
import math
import re
from collections import deque
from collections.abc import Callable
from json.encoder import encode_basestring  # the C encoder when available
from typing import Any

import msgspec
import numpy as np

from ..model.records import Coded, Ends, Records
from ..text import BIDI_CONTROLS

__all__ = ["dumps", "write_json"]

#: Rows encoded and written at a time.
BLOCK = 32_768
#: Characters JSON allows raw in a string but a terminal acts on (C1 controls, bidirectional
#: controls, line and paragraph separators): written escaped. JSON's own rules already escape
#: the C0 controls.
_ESCAPED = re.compile(f"[\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}]")


def _escape(text: str) -> str:
    """``text`` (a piece of JSON) with every character of ``_ESCAPED`` as a ``\\uXXXX`` escape;
    these can only stand inside strings, so the JSON means the same."""
    if _inert(text):
        return text
    return _ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _inert(text: str) -> bool:
    """Whether ``text`` holds no character of ``_ESCAPED``."""
    return "\x7f" not in text if text.isascii() else not _ESCAPED.search(text)


def _strings(values: list) -> list[str]:
    """Each of ``values`` (strings) as a JSON string, escaped; looked at once as a whole."""
    encoded = list(map(encode_basestring, values))
    if _inert("".join(encoded)):
        return encoded
    return list(map(_escape, encoded))


def write_json(data: Any, write: Callable[[str], Any], *, indent: int = 2) -> None:
    """Write ``data`` as indented JSON through ``write``; a :class:`Records` is written as the
    list of its rows. Plain data comes out exactly as ``json.dumps(data, indent=indent,
    ensure_ascii=False, allow_nan=False)`` would write it, except that DEL, C1 and bidirectional
    controls are escaped (``\\u0085``) rather than written raw; NaN in a Records column is null.

    Examples
    --------
    >>> out = []
    >>> write_json({"rows": Records({"id": ["é"], "q": np.array([0.5])}), "n": 1}, out.append)
    >>> print("".join(out))
    {
      "rows": [
        {
          "id": "é",
          "q": 0.5
        }
      ],
      "n": 1
    }
    """
    _write(data, write, 0, indent)


def dumps(data: Any, *, indent: int = 2) -> str:
    """The text :func:`write_json` writes, as one string.

    Examples
    --------
    >>> dumps(Records({"a": [1, 2]}), indent=1)
    '[\\n {\\n  "a": 1\\n },\\n {\\n  "a": 2\\n }\\n]'
    """
    parts: list[str] = []
    write_json(data, parts.append, indent=indent)
    return "".join(parts)


def _holds_records(value: Any) -> bool:
    if isinstance(value, Records):
        return True
    if isinstance(value, dict):
        return any(_holds_records(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_records(v) for v in value)
    return False


def _plain(value: Any, level: int, indent: int) -> str:
    text = _escape(json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False))
    return text.replace("\n", "\n" + " " * (level * indent)) if level else text


def _write(value: Any, write: Callable[[str], Any], level: int, indent: int) -> None:
    if isinstance(value, Records):
        _write_records(value, write, level, indent)
    elif not _holds_records(value):
        write(_plain(value, level, indent))
    elif isinstance(value, dict):
        pad = " " * ((level + 1) * indent)
        write("{")
        for n, (key, item) in enumerate(value.items()):
            write(("," if n else "") + "\n" + pad + _escape(encode_basestring(str(key))) + ": ")
            _write(item, write, level + 1, indent)
        write("\n" + " " * (level * indent) + "}")
    else:
        pad = " " * ((level + 1) * indent)
        write("[")
        for n, item in enumerate(value):
            write(("," if n else "") + "\n" + pad)
            _write(item, write, level + 1, indent)
        write("\n" + " " * (level * indent) + "]")


def _write_records(rows: Records, write: Callable[[str], Any], level: int, indent: int) -> None:
    count, names = len(rows), list(rows.columns)
    if count == 0:
        write("[]")
        return
    if not names:
        raise ValueError("records without fields")
    outer, row, field = (" " * ((level + k) * indent) for k in (0, 1, 2))
    keys = [key + ": " for key in _strings(names)]
    literals = [",\n" + row + "{\n" + field + keys[0]]
    literals += [",\n" + field + key for key in keys[1:]]
    literals.append("\n" + row + "}")
    stride = 2 * len(names) + 1
    coded: dict[str, np.ndarray] = {}  # the encoded values or ids of each Coded or Ends column
    write("[")
    for start in range(0, count, BLOCK):
        stop = min(count, start + BLOCK)
        size = stop - start
        parts: list[str] = [""] * (size * stride)
        for k, name in enumerate(names):
            parts[2 * k :: stride] = [literals[k]] * size
            parts[2 * k + 1 :: stride] = _encoded(rows, name, start, stop, level + 2, indent, coded)
        parts[stride - 1 :: stride] = [literals[-1]] * size
        text = "".join(parts)
        write(text[1:] if start == 0 else text)
    write("\n" + outer + "]")


def _encoded(
    rows: Records, name: str, start: int, stop: int, level: int, indent: int, coded: dict
) -> list:
    held = rows.slice(name, start, stop)
    if isinstance(held, Coded):
        if name not in coded:
            distinct = Records({name: held.values})
            text = _encoded(distinct, name, 0, len(held.values), level, indent, {})
            coded[name] = np.array(text, dtype=object)
        return coded[name][held.codes].tolist()
    if isinstance(held, Ends):
        if name not in coded:
            coded[name] = np.array(_strings(list(held.ids)) or [""], dtype=object)
        return _ends(held, coded[name], level, indent)
    values = held.tolist() if isinstance(held, np.ndarray) else list(held)
    if isinstance(held, np.ndarray) and held.dtype.kind == "f":
        return _floats(held, values, name)
    try:
        return _strings(values)
    except TypeError:
        return [_scalar(v, level, indent) for v in values]


def _ends(held: Ends, ids: np.ndarray, level: int, indent: int) -> list[str]:
    """Each id as a JSON string, each pair as the indented list ``json.dumps`` writes
    (``ids``: the ids of ``held`` encoded)."""
    single = held.first < 0
    inner, outer = " " * ((level + 1) * indent), " " * (level * indent)
    out = ids[held.second]
    pairs = np.flatnonzero(~single)
    if len(pairs):
        out[pairs] = (
            "[\n" + inner + ids[held.first[pairs]] + ",\n" + inner + ids[held.second[pairs]]
        ) + ("\n" + outer + "]")
    return out.tolist()


def _floats(held: np.ndarray, values: list[float], name: str) -> list[str]:
    """Each float as ``float.__repr__`` writes it (what ``json.dumps`` writes), NaN as null.

    msgspec writes the same shortest digits in C but spells some numbers its own way; plain
    substitutions of the block's text respell them as ``repr`` does: exponents (``1.5e-7``,
    ``1e16`` become ``1.5e-07``, ``1e+16``), and numbers from 1e-5 to 1e-4, which msgspec writes
    without one (``0.000015`` becomes ``1.5e-05``).
    """
    finite = np.isfinite(held)
    if not finite.all():
        bad = held[~finite & ~np.isnan(held)]
        if len(bad):
            raise ValueError(f"{name}: {bad[0]} is not a finite number")
    text = msgspec.json.encode(values)[1:-1].decode()
    if "e" in text:
        text = _POSITIVE_EXPONENT.sub("e+", _ONE_DIGIT_EXPONENT.sub("e-0", text))
    out = text.split(",")
    size = np.abs(held)
    fixed = np.flatnonzero((size >= 1e-5) & (size < 1e-4))
    if len(fixed):
        at = fixed.tolist()
        digits = "," + ",".join(map(out.__getitem__, at)).replace("0.0000", "")  # ,15,-1
        digits = _AFTER_FIRST_DIGIT.sub(".", digits).replace(",", "e-05,")  # e-05,1.5e-05,-1
        deque(map(out.__setitem__, at, (digits[5:] + "e-05").split(",")), maxlen=0)
    return out


#: Where msgspec's exponents differ from ``repr``'s: one digit after a minus sign, no plus.
_ONE_DIGIT_EXPONENT = re.compile(r"e-(?=\d(?!\d))")
_POSITIVE_EXPONENT = re.compile(r"e(?=\d)")
#: Between the first digit of a number (after a comma or a minus) and a second one.
_AFTER_FIRST_DIGIT = re.compile(r"(?<=[,-]\d)(?=\d)")


def _scalar(value: Any, level: int, indent: int) -> str:
    kind = type(value)
    if kind is str:
        return _escape(encode_basestring(value))
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
    return _plain(value, level, indent)
