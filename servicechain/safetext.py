"""Text from a model made inert for a display: control characters, escape sequences and
bidirectional overrides removed.

A name may hold anything a file can hold. Before it reaches a terminal, a diagram label or a
Markdown line, :func:`plain_text` removes what would act instead of show: terminal escape
sequences (colours, clearing the screen, OSC-8 hyperlinks, window titles), the other C0 and C1
control characters (BEL, backspace, carriage return, NUL), DEL, and the Unicode controls that
reorder text on screen (right-to-left override and friends, as in "Trojan Source" attacks).
Tabs and line breaks are kept.
"""

from __future__ import annotations

import re

__all__ = ["BIDI_CONTROLS", "has_controls", "plain_text"]

#: Embeddings, overrides and isolates: they reorder the text shown around them.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

_SEQUENCE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                 # CSI: colours, cursor moves, clear screen
  | \x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?  # OSC (hyperlinks, titles), DCS, PM, APC
  | \x9b[0-?]*[ -/]*[@-~]                   # CSI as a single C1 character
  | [\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?  # OSC, DCS... as C1
  | \x1b[ -/]*[0-~]?                        # any other escape
    """,
    re.VERBOSE,
)
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


def plain_text(text: str) -> str:
    """``text`` without terminal escape sequences, control characters or bidi overrides.

    Examples
    --------
    >>> plain_text("\\x1b[2J\\x1b[31mIT\\x1b[0m support\\a")
    'IT support'
    >>> plain_text("\\x1b]8;;https://example.com\\x1b\\\\click\\x1b]8;;\\x1b\\\\ me")
    'click me'
    >>> plain_text("Loja \\u202eadmin\\u202c\\tok\\n")
    'Loja admin\\tok\\n'
    """
    if text.isprintable():
        return text
    return _CONTROL.sub("", _SEQUENCE.sub("", text))


def has_controls(text: str) -> bool:
    """Whether :func:`plain_text` would change ``text`` (tabs and line breaks aside).

    Examples
    --------
    >>> has_controls("Loja Central\\n"), has_controls("Loja\\x1b[2J")
    (False, True)
    """
    return bool(_CONTROL.search(text))
