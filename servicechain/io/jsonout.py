"""Streamed JSON of results: the text of ``json.dumps(data, indent=2, ensure_ascii=False)``,
written piece by piece, with :class:`~servicechain.model.records.Records` written from their
columns (a block of rows at a time, no dict per row: :mod:`~servicechain.io.jsoncolumns`).

Text is kept exactly: besides the escapes JSON requires, C1 control characters, bidirectional
controls and the Unicode line separators are written as ``\\uXXXX`` escapes, so the JSON reads
back to the model's own text while the output itself holds nothing a terminal would act on.
"""

from __future__ import annotations

from collections.abc import Callable
from json.encoder import encode_basestring  # the C encoder when available
from typing import Any

from ..model.records import Records
from .jsoncolumns import write_records
from .jsontext import escape, nested

__all__ = ["BLOCK", "dumps", "write_json"]

#: Rows of a :class:`Records` encoded and written at a time.
BLOCK = 4_096


def write_json(
    data: Any, write: Callable[[Any], Any], *, indent: int = 2, binary: bool = False
) -> None:
    """Write ``data`` as indented JSON through ``write``; a :class:`Records` is written as the
    list of its rows. Plain data comes out exactly as ``json.dumps(data, indent=indent,
    ensure_ascii=False, allow_nan=False)`` would write it, except that DEL, C1 and bidirectional
    controls are escaped (``\\u0085``) rather than written raw; NaN in a Records column is null.
    With ``binary``, ``write`` gets the UTF-8 bytes of that text (a lone surrogate, which UTF-8
    cannot hold, as its backslash escape ``\\ud800``, as a terminal stream writes it).

    Examples
    --------
    >>> import numpy as np
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
    text = (lambda piece: write(piece.encode("utf-8", "backslashreplace"))) if binary else write
    _write(data, _Sink(text, write, binary), 0, indent)


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


#: Types that hold no Records.
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _holds_records(value: Any) -> bool:
    if isinstance(value, Records):
        return True
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, list | tuple):
        return False
    if _SCALARS.issuperset(map(type, value)):  # a list of ids, say: looked at in C
        return False
    return any(_holds_records(v) for v in value if type(v) not in _SCALARS)


class _Sink:
    """Where the JSON goes: ``text`` takes plain text, ``records`` rows (as text or bytes)."""

    def __init__(self, text: Callable[[str], Any], raw: Callable[[Any], Any], binary: bool):
        self.text, self.raw, self.binary = text, raw, binary

    def records(self, rows: Records, level: int, indent: int) -> None:
        write_records(rows, self.raw, level, indent, block=BLOCK, binary=self.binary)


def _write(value: Any, sink: _Sink, level: int, indent: int) -> None:
    write = sink.text
    if isinstance(value, Records):
        sink.records(value, level, indent)
    elif not _holds_records(value):
        write(nested(value, level, indent))
    elif isinstance(value, dict):
        pad = " " * ((level + 1) * indent)
        write("{")
        for n, (key, item) in enumerate(value.items()):
            write(("," if n else "") + "\n" + pad + escape(encode_basestring(str(key))) + ": ")
            _write(item, sink, level + 1, indent)
        write("\n" + " " * (level * indent) + "}")
    else:
        pad = " " * ((level + 1) * indent)
        write("[")
        for n, item in enumerate(value):
            write(("," if n else "") + "\n" + pad)
            _write(item, sink, level + 1, indent)
        write("\n" + " " * (level * indent) + "]")
