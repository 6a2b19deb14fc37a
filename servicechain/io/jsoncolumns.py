"""The rows of :class:`~servicechain.model.records.Records` as the JSON text ``json.dumps``
writes of their dicts, made from the columns a block of rows at a time: no dict, and for the
columns of ids, names and labels no string, made per row.

A row's text is constant text (keys, commas, indentation) and slots its fields fill. A block is
written by filling every ``stride``-th piece of one list with the text of one slot for each row
of the block and joining the list once. A :class:`~servicechain.model.records.Coded`,
:class:`~servicechain.model.records.Ends`, :class:`~servicechain.model.records.Joined` or
:class:`~servicechain.model.records.Lists` field fills its slots from tables of encoded text
(each id, name or value it uses encoded once), which may also take in the constant text after
them.

The text is joined as UTF-8 held in a one-byte string (each character a byte: ``"é"`` is held
as ``"Ã©"``), so that joining copies bytes and the block becomes the bytes to write without
being encoded again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..model.records import Coded, Ends, Joined, Lists, Records
from .jsontext import bare, floats, scalar, strings

__all__ = ["write_records"]


def write_records(
    rows: Records,
    write: Callable[[Any], Any],
    level: int,
    indent: int,
    *,
    block: int = 4_096,
    binary: bool = False,
) -> None:
    """Write ``rows`` as the indented JSON list of their dicts, at ``level`` levels of
    ``indent``, through ``write``, ``block`` rows at a time: as text, or with ``binary`` as
    its UTF-8 bytes (a lone surrogate written as its backslash escape, as a terminal stream
    writes it).

    Examples
    --------
    >>> out = []
    >>> write_records(Records({"id": ["a", "é"]}), out.append, 0, 1)
    >>> print("".join(out))
    [
     {
      "id": "a"
     },
     {
      "id": "é"
     }
    ]
    """
    count, names = len(rows), list(rows.columns)
    utf8 = _Utf8(binary)
    if count == 0:
        write(utf8.out("[]"))
        return
    if not names:
        raise ValueError("records without fields")
    outer, row, pad = (" " * ((level + k) * indent) for k in (0, 1, 2))
    fields = [_field(rows, name, level + 2, indent, utf8) for name in names]
    template: list[str | tuple[int, int]] = []
    for k, (key, field) in enumerate(zip(strings(names), fields, strict=True)):
        template.append((",\n" + row + "{\n" if k == 0 else ",\n") + pad + key + ": ")
        template += [(k, piece) if isinstance(piece, int) else piece for piece in field.pieces]
    template.append("\n" + row + "}")
    template = _absorbed(_merged(template), fields)
    template = [utf8.held([piece])[0] if isinstance(piece, str) else piece for piece in template]
    stride = len(template)
    write(utf8.out("["))
    for start in range(0, count, block):
        stop = min(count, start + block)
        size = stop - start
        filled = [field.slots(start, stop) for field in fields]
        parts: list[str] = [""] * (size * stride)
        for at, piece in enumerate(template):
            if isinstance(piece, str):
                parts[at::stride] = [piece] * size
            else:
                parts[at::stride] = filled[piece[0]][piece[1]]
        text = "".join(parts)
        write(utf8.out(text[1:] if start == 0 else text))
    write(utf8.out("\n" + outer + "]"))


class _Utf8:
    """UTF-8 held in one-byte strings: :meth:`held` makes text so, :meth:`out` makes it the
    text or the bytes to write."""

    def __init__(self, binary: bool):
        self.binary = binary
        # Text keeps a lone surrogate as it is; bytes get its escape, as a terminal writes it.
        self.errors = "backslashreplace" if binary else "surrogatepass"

    def held(self, texts: list[str]) -> list[str]:
        """``texts`` (JSON, so without a raw NUL) as UTF-8 held in one-byte strings."""
        joined = "\x00".join(texts)
        if joined.isascii():
            return texts
        return joined.encode("utf-8", self.errors).decode("latin-1").split("\x00")

    def out(self, text: str) -> str | bytes:
        """The text or the bytes that ``text`` (held as UTF-8) stands for."""
        data = text.encode("latin-1")
        return data if self.binary else data.decode("utf-8", self.errors)


def _merged(template: list) -> list:
    """``template`` with each run of constant texts made one text."""
    out: list = []
    for piece in template:
        if isinstance(piece, str) and out and isinstance(out[-1], str):
            out[-1] += piece
        else:
            out.append(piece)
    return out


def _absorbed(template: list, fields: list[_Field]) -> list:
    """``template`` without each constant text that the table of the slot before it took in."""
    out: list = []
    for piece in template:
        before = out[-1] if out else None
        taken = isinstance(piece, str) and isinstance(before, tuple)
        if not (taken and fields[before[0]].absorb(before[1], piece)):
            out.append(piece)
    return out


class _Field:
    """How one field of some records is written: ``pieces``, constant texts and slot numbers
    (``0, 1, ...``) in the order they make the field's text, and :meth:`slots`, the text of
    each slot for some rows."""

    def __init__(self, rows: Records, name: str, level: int, indent: int, utf8: _Utf8):
        self.rows, self.name, self.level, self.indent = rows, name, level, indent
        self.utf8 = utf8
        self.pieces: list[str | int] = [0]

    def slots(self, start: int, stop: int) -> list[list[str]]:
        """The text of each slot for the rows ``start:stop``, held as UTF-8."""
        held = self.rows.slice(self.name, start, stop)
        if isinstance(held, np.ndarray) and held.dtype.kind in "fbiu":
            kind = held.dtype.kind
            if kind == "f":
                return [floats(held, self.name)]
            if kind == "b":
                return [list(map(("false", "true").__getitem__, held.tolist()))]
            return [list(map(int.__repr__, held.tolist()))]
        values = held.tolist() if isinstance(held, np.ndarray) else list(held)
        try:
            return [self.utf8.held(strings(values))]
        except TypeError:
            return [self.utf8.held([scalar(v, self.level, self.indent) for v in values])]

    def absorb(self, slot: int, text: str) -> bool:
        """Take ``text`` in at the end of ``slot``, if this field can."""
        return False


class _Tabled(_Field):
    """A field whose slots are filled from ``tables``, an object array of text per slot, by
    the positions :meth:`positions` gives."""

    tables: list[np.ndarray]

    def positions(self, held: Any) -> list[np.ndarray]:
        """Per slot, the position in its table of each row of ``held``."""
        raise NotImplementedError

    def slots(self, start: int, stop: int) -> list[list[str]]:
        at = self.positions(self.rows.slice(self.name, start, stop))
        return [table[where].tolist() for table, where in zip(self.tables, at, strict=True)]

    def absorb(self, slot: int, text: str) -> bool:
        self.tables[slot] = self.tables[slot] + self.utf8.held([text])[0]
        return True


class _CodedField(_Tabled):
    """A :class:`Coded` field: each value it uses encoded once."""

    def __init__(self, rows: Records, name: str, level: int, indent: int, utf8: _Utf8):
        super().__init__(rows, name, level, indent, utf8)
        held = rows.slice(name)
        self.remap, used = _used(held.codes, len(held.values))
        distinct = Records({name: [held.values[i] for i in used.tolist()]})
        text = _Field(distinct, name, level, indent, utf8).slots(0, len(used))[0]
        self.tables = [_table(text)]

    def positions(self, held: Coded) -> list[np.ndarray]:
        return [self.remap[held.codes]]


class _EndsField(_Tabled):
    """An :class:`Ends` field in two slots: before the second id (``[``, the first id and
    ``,`` of a pair; nothing for a single id) and from it on."""

    def __init__(self, rows: Records, name: str, level: int, indent: int, utf8: _Utf8):
        super().__init__(rows, name, level, indent, utf8)
        self.pieces = [0, 1]
        held = rows.slice(name)
        self.remap, used = _used(np.concatenate([held.first, held.second]), len(held.ids))
        ids = _table(utf8.held(bare([held.ids[i] for i in used.tolist()])))
        inner, outer = " " * ((level + 1) * indent), " " * (level * indent)
        self.size = len(ids)
        self.tables = [
            np.append(("[\n" + inner + '"') + ids + ('",\n' + inner), ""),
            np.concatenate(['"' + ids + '"', '"' + ids + ('"\n' + outer + "]")]),
        ]

    def positions(self, held: Ends) -> list[np.ndarray]:
        single = held.first < 0
        first = np.where(single, self.size, self.remap[held.first])
        return [first, self.remap[held.second] + np.where(single, 0, self.size)]


class _JoinedField(_Tabled):
    """A :class:`Joined` field: the quotes and each part with one value are constant text,
    the other parts a slot each (parts that share one list of values share its text)."""

    def __init__(self, rows: Records, name: str, level: int, indent: int, utf8: _Utf8):
        super().__init__(rows, name, level, indent, utf8)
        self.pieces, self.tables, self.parts, self.remaps = ['"'], [], [], []
        parts = rows.slice(name).parts
        encoded: dict[int, tuple] = {}
        for k, part in enumerate(parts):
            if len(part.values) == 1:
                self.pieces.append(bare(list(part.values))[0])
                continue
            if id(part.values) not in encoded:
                sharing = [p.codes for p in parts if p.values is part.values]
                remap, used = _used(np.concatenate(sharing), len(part.values))
                text = _table(utf8.held(bare([part.values[i] for i in used.tolist()])))
                encoded[id(part.values)] = remap, text
            remap, text = encoded[id(part.values)]
            self.pieces.append(len(self.tables))
            self.tables.append(text)
            self.parts.append(k)
            self.remaps.append(remap)
        self.pieces.append('"')

    def positions(self, held: Joined) -> list[np.ndarray]:
        return [
            remap[held.parts[k].codes] for k, remap in zip(self.parts, self.remaps, strict=True)
        ]


class _ListsField(_Field):
    """A :class:`Lists` field, each row's list in one slot: ``[]``, or its opening and its ids
    one a line, from one table of text with each id it uses encoded twice (followed by the
    comma and indentation before the next id, and closing its list), joined for a block of
    rows at once and split at the NUL that starts each list (JSON text holds no raw NUL)."""

    def __init__(self, rows: Records, name: str, level: int, indent: int, utf8: _Utf8):
        super().__init__(rows, name, level, indent, utf8)
        held = rows.slice(name)
        self.remap, used = _used(held.items[held.positions()[0]], len(held.ids))
        quoted = utf8.held(bare([held.ids[i] for i in used.tolist()]))
        inner, outer = " " * ((level + 1) * indent), " " * (level * indent)
        self.size = len(quoted)
        # a NUL starts each list (numpy would drop it at the end of a text)
        self.table = _table(
            _wrapped(quoted, '"', '",\n' + inner)
            + _wrapped(quoted, '"', '"\n' + outer + "]")
            + ["\x00[\n" + inner, "\x00[]"]
        )

    def slots(self, start: int, stop: int) -> list[list[str]]:
        held: Lists = self.rows.slice(self.name, start, stop)
        at, ptr = held.positions()
        counts = np.diff(ptr)
        # each row: its opening (or "[]"), then its ids
        opening = np.arange(len(counts)) + ptr[:-1]
        code = np.empty(len(at) + len(counts), dtype=np.intp)
        code[opening] = np.where(counts > 0, 2 * self.size, 2 * self.size + 1)
        listed = np.ones(len(code), dtype=bool)
        listed[opening] = False
        closing = np.zeros(len(at), dtype=np.intp)
        closing[ptr[1:][counts > 0] - 1] = self.size
        code[listed] = self.remap[held.items[at]] + closing
        return ["".join(self.table[code].tolist()).split("\x00")[1:]]


def _field(rows: Records, name: str, level: int, indent: int, utf8: _Utf8) -> _Field:
    kind = {Coded: _CodedField, Ends: _EndsField, Joined: _JoinedField, Lists: _ListsField}
    return kind.get(type(rows.columns[name]), _Field)(rows, name, level, indent, utf8)


def _used(codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``(remap, used)``: the entries of a table of ``size`` that ``codes`` use, in order, and
    each entry's position among them (only those are encoded: a few rows of a large model
    encode a few ids)."""
    mask = np.zeros(size, dtype=bool)
    mask[codes[codes >= 0]] = True
    used = np.flatnonzero(mask)
    remap = np.zeros(size, dtype=np.intp)
    remap[used] = np.arange(len(used))
    return remap, used


def _wrapped(texts: list[str], before: str, after: str) -> list[str]:
    """``before + text + after`` for each of ``texts`` (JSON, without a raw NUL), made by one
    join and one split.

    Examples
    --------
    >>> _wrapped(["a", "b"], '"', '",')
    ['"a",', '"b",']
    """
    if not texts:
        return []
    return (before + (after + "\x00" + before).join(texts) + after).split("\x00")


def _table(text: list[str]) -> np.ndarray:
    """``text`` as an object array (one empty text when there is none)."""
    table = np.empty(max(1, len(text)), dtype=object)
    table[: len(text)] = text
    if not text:
        table[0] = ""
    return table
