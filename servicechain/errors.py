"""Exceptions raised by servicechain, the problems they carry, and the "did you mean" hint."""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ModelError",
    "OutputError",
    "Problem",
    "ScenarioError",
    "ServiceChainError",
    "UnknownNodeError",
    "did_you_mean",
    "field_path",
    "number_hint",
    "shown_number",
    "unknown_node",
]


class ServiceChainError(Exception):
    """Base class of every error raised by servicechain."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a model file, with where it is and how to fix it.

    ``field`` is a dotted path such as ``services[3].to``; ``line`` and ``column`` are 1-based
    and ``None`` where the position is not known (for a model built in Python).
    """

    file: str
    line: int | None
    column: int | None
    field: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = self.file or "<model>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )
        return f"{text} ({self.fix})" if self.fix else text

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "fix": self.fix,
        }


class ModelError(ServiceChainError):
    """A model file (or model built in Python) has one or more problems.

    ``problems`` lists all of them, in file order.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the model"
        super().__init__("\n".join([head, *map(str, self.problems)]))


class OutputError(ServiceChainError):
    """An output file cannot be written (a missing or read-only folder, a file in the way).

    The message reads ``cannot write PATH: reason (fix)``; nothing was written or truncated.
    """

    def __init__(self, path: Any, reason: str, fix: str = ""):
        self.path, self.reason, self.fix = str(path), reason, fix
        super().__init__(f"cannot write {path}: {reason}" + (f" ({fix})" if fix else ""))


class UnknownNodeError(ServiceChainError, KeyError):
    """An id given by the caller names no department, segment or partner of the model."""

    def __init__(self, node: str, message: str):
        self.node = node
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


class ScenarioError(ServiceChainError):
    """A what-if scenario (or scenario file) asks for something the model cannot take."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        self.problems = list(problems or [])
        super().__init__(message)

    @classmethod
    def listing(cls, problems: list[Problem]) -> ScenarioError:
        """The error for the problems of a scenario file: a count, then one line per problem.

        Examples
        --------
        >>> print(ScenarioError.listing([Problem("s.yaml", 3, 5, "scenarios.x", "not a mapping")]))
        1 problem in the scenario file
        s.yaml:3:5: scenarios.x: not a mapping
        """
        count = len(problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the scenario file"
        return cls("\n".join([head, *map(str, problems)]), problems)


_DECIMAL_COMMA = re.compile(r"[-+]?\d{1,3}(?:\.\d{3})*,\d+|[-+]?\d+,\d+")
_PERCENT = re.compile(r"[-+]?\d+(?:[.,]\d+)?\s*%")


def number_hint(text: str) -> str:
    """How to write ``text`` as a number when it is one written another way: a decimal comma
    (Portuguese, Italian, German...) or a percentage; ``""`` otherwise.

    Examples
    --------
    >>> number_hint("4,5")
    'use a decimal point: 4.5'
    >>> number_hint("50%")
    'write a share as a decimal: 0.5'
    >>> number_hint("abc")
    ''
    """
    text = text.strip()
    if _DECIMAL_COMMA.fullmatch(text):
        return f"use a decimal point: {text.replace('.', '').replace(',', '.')}"
    if _PERCENT.fullmatch(text):
        share = float(text.rstrip("% ").replace(",", ".")) / 100
        return f"write a share as a decimal: {share:g}"
    return ""


def shown_number(value: int | float) -> str:
    """A number that is out of range, as a message shows it: a huge integer by its count of
    digits, an overflowed float as ``infinity``.

    Examples
    --------
    >>> shown_number(10**400), shown_number(float("inf")), shown_number(2e15), shown_number(10**16)
    ('a number of about 401 digits', 'infinity', '2e+15', '10,000,000,000,000,000')
    """
    if isinstance(value, int):
        digits = int(value.bit_length() * math.log10(2)) + 1
        return f"{value:,}" if digits <= 24 else f"a number of about {digits:,} digits"
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "infinity"
    return f"{value:g}"


def did_you_mean(word: str, choices: Any, *, what: str = "") -> str:
    """A "did you mean ...?" hint for an unknown ``word``, or a list of the valid choices.

    Examples
    --------
    >>> did_you_mean("stokc", ["store", "stock", "it"])
    "did you mean 'stock'?"
    >>> did_you_mean("zzz", ["a", "b"], what="segment kind")
    'valid segment kinds: a, b'
    """
    choices = list(choices)
    lower = {c.lower(): c for c in choices}
    if word.lower() in lower:
        return f"did you mean {lower[word.lower()]!r}? (ids are case-sensitive)"
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    if what and len(choices) <= 12:
        return f"valid {what}s: {', '.join(map(str, choices))}"
    return ""


def unknown_node(ident: str, choices: Any, *, what: str = "department, segment or partner"):
    """The :class:`~servicechain.errors.UnknownNodeError` for an id that names no node, with a
    "did you mean" among ``choices``.

    Examples
    --------
    >>> str(unknown_node("stok", ["stock", "store"]))
    "no department, segment or partner has the id 'stok'; did you mean 'stock'?"
    """
    hint = did_you_mean(str(ident), choices)
    message = f"no {what} has the id {ident!r}"
    return UnknownNodeError(ident, f"{message}; {hint}" if hint else message)


def field_path(loc: tuple) -> str:
    """The field a location names, as a problem shows it.

    Examples
    --------
    >>> field_path(("services", 3, "to"))
    'services[3].to'
    """
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
