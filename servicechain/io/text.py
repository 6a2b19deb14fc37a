"""Bytes of a text file turned into text: by its byte-order mark (UTF-8, -16, -32), else UTF-8.

One decoder for every reader (models, scenario files, spreadsheets as CSV); each reader words
its own message for bytes that do not decode.
"""

from __future__ import annotations

import codecs

__all__ = ["bom_codec", "decode_text"]

#: Byte-order marks and their codecs; UTF-32 first, as its little-endian mark starts with
#: UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def bom_codec(raw: bytes) -> str | None:
    """The codec named by the byte-order mark ``raw`` starts with, or ``None``.

    Examples
    --------
    >>> bom_codec(b"\\xef\\xbb\\xbfname: x"), bom_codec(b"name: x")
    ('utf-8-sig', None)
    """
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return codec
    return None


def decode_text(raw: bytes) -> str:
    """The text of ``raw``, decoded by its byte-order mark or else as UTF-8.

    Raises ``UnicodeDecodeError`` where the bytes do not decode.

    Examples
    --------
    >>> decode_text("Operações".encode("utf-16"))
    'Operações'
    """
    return raw.decode(bom_codec(raw) or "utf-8")
