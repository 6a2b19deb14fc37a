"""Read a model file (YAML or JSON) safely, validate it, and report every problem at once.

Nothing in a file is executed: YAML is composed into nodes and turned into plain data here, with
YAML 1.2 scalars (``no`` stays a string), duplicate keys refused, alias expansion and nesting
bounded, and files over a size limit refused.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ModelError, Problem, field_path
from ..progress import gc_paused
from .text import bom_codec
from .yamlread import MAX_DEPTH, ReadError, read_yaml, whole_number

if TYPE_CHECKING:
    from ..model.spec import Model

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Loaded",
    "ReadError",
    "decode_model_bytes",
    "format_of",
    "json_positions",
    "load_model",
    "parse_model",
    "read_data",
    "read_model_bytes",
    "read_model_data",
    "validate_data",
]

#: Files larger than this are refused unless the caller raises ``max_bytes``
#: (the CLI: ``--max-size`` or the ``SERVICECHAIN_MAX_SIZE`` environment variable, in MB).
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
#: JSON files up to this size are read a second time, for positions, when they have problems.
JSON_POSITIONS_MAX_CHARS = 20_000_000

Position = tuple[int, int]
Loc = tuple[str | int, ...]


@dataclass
class Loaded:
    """A validated model with where it came from.

    ``positions`` maps a location such as ``("services", 3, "to")`` to its 1-based
    ``(line, column)`` in the file (empty for JSON read by the fast path).
    """

    model: Model
    file: str = ""
    positions: dict[Loc, Position] = field(default_factory=dict)


def load_model(path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Loaded:
    """Read, validate and return the model in ``path``.

    Parameters
    ----------
    path : path-like
        A ``.yaml``/``.yml`` or ``.json`` model file.
    max_bytes : int, keyword-only
        Files larger than this are refused (default 200 MB).

    Returns
    -------
    Loaded
        The validated :class:`~servicechain.model.spec.Model` and the positions of its values.

    Raises
    ------
    ModelError
        With every problem of the file, each naming its line, field and fix.
    """
    path = Path(path)
    raw = read_model_bytes(path, max_bytes=max_bytes)
    return parse_model(raw, file=str(path), fmt=format_of(path, raw))


def read_model_bytes(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a model file; a :class:`ModelError` when it is over ``max_bytes`` or
    cannot be read."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ReadError(
                f"the file is {_megabytes(size)}, over the limit of {_megabytes(max_bytes)}",
                "raise the limit with --max-size MB or the SERVICECHAIN_MAX_SIZE variable",
            )
        raw = path.read_bytes()
    except ReadError as err:
        raise ModelError([Problem(name, None, None, "", err.message, err.fix)]) from None
    except OSError as err:
        raise ModelError(
            [Problem(name, None, None, "", f"cannot read the file: {err.strerror}", "")]
        ) from err
    return raw


def parse_model(raw: bytes | str, *, file: str = "<model>", fmt: str | None = None) -> Loaded:
    """Validate a model given as YAML or JSON text (``fmt`` ``"yaml"`` or ``"json"``).

    Examples
    --------
    >>> loaded = parse_model("name: Demo\\ndepartments: [{id: a, name: A}]\\n")
    >>> loaded.model.departments[0].name, loaded.positions[("departments", 0, "id")]
    ('A', (2, 16))
    """
    data, positions, fmt, text = read_model_data(raw, file=file, fmt=fmt)
    if fmt == "json" and len(text) <= JSON_POSITIONS_MAX_CHARS:
        return validate_data(data, positions, file=file, locate=lambda: json_positions(text))
    return validate_data(data, positions, file=file)


def read_model_data(
    raw: bytes | str, *, file: str = "<model>", fmt: str | None = None
) -> tuple[Any, dict[Loc, Position], str, str]:
    """The plain data of a model file's text (not validated yet), the position of every value,
    the format read (``fmt``, else ``"json"`` for text starting with ``{``, else ``"yaml"``)
    and the decoded text; a :class:`ModelError` when the text cannot be read.

    Examples
    --------
    >>> data, positions, fmt, _ = read_model_data("name: Demo\\nscale: {max: 5}")
    >>> data, positions[("scale", "max")], fmt
    ({'name': 'Demo', 'scale': {'max': 5}}, (2, 9), 'yaml')
    """
    try:
        text = decode_model_bytes(raw) if isinstance(raw, bytes) else raw
        if not text.strip():
            raise ReadError("the file is empty", "start from `servicechain init model.yaml`")
        fmt = fmt or ("json" if text.lstrip().startswith("{") else "yaml")
        data, positions = read_data(text, fmt=fmt)
    except ReadError as err:
        raise ModelError([Problem(file, err.line, err.col, "", err.message, err.fix)]) from None
    return data, positions, fmt, text


#: Characters JSON allows that the YAML reader refuses or reads otherwise: tab and carriage
#: return as white space (YAML: no tab before a value, CR a line break; JSON counts lines by LF
#: alone), and raw inside strings DEL, C1 controls, two noncharacters, NEL and the line and
#: paragraph separators (YAML: line breaks). Each is read as a space when a JSON file is read
#: again as YAML for positions, so every position stays where it was.
_NOT_YAML = re.compile("[\t\r\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def json_positions(text: str) -> dict[Loc, Position]:
    """Positions of the values of a JSON file, read again by the YAML reader (JSON is YAML);
    empty when that reader cannot read it. Characters the two read differently (``_NOT_YAML``)
    are read as spaces.

    Examples
    --------
    >>> json_positions('{"a": [1,\\n  "b\x7f"]}')[("a", 1)]
    (2, 3)
    """
    try:
        return read_yaml(_NOT_YAML.sub(" ", text), depth_limit=False)[1]
    except ReadError:
        return {}


def validate_data(
    data: Any,
    positions: dict[Loc, Position],
    *,
    file: str = "<model>",
    locate: Callable[[], dict[Loc, Position]] | None = None,
) -> Loaded:
    """Validate plain data (as read from a file) against the model format and its rules.

    ``locate``, if given, is called for the positions only when there are problems to report
    (JSON is read without positions, for speed).
    """
    if not isinstance(data, dict):
        found = type(data).__name__ if data is not None else "nothing"
        raise ModelError(
            [
                Problem(
                    file,
                    *positions.get((), (1, 1)),
                    "",
                    f"the top level holds {_kind(data) or found}, not a mapping of fields",
                    "start the file with `name:`, `departments:` and `services:`",
                )
            ]
        )
    from pydantic import ValidationError

    from ..model.rules import check_model, pydantic_problems
    from ..model.spec import Model

    found: list[tuple[Loc, str, str]] = []
    model = None
    with gc_paused():
        try:
            model = Model.model_validate(data)
        except ValidationError as err:
            found.extend(pydantic_problems(err, data))
    found.extend(check_model(data, model=model, shape_ok=model is not None))
    if found:
        if locate is not None:
            positions = locate()
        problems = [_place(file, positions, loc, msg, fix) for loc, msg, fix in found]
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise ModelError(_unique(problems))
    return Loaded(model=model, file=file, positions=positions)


def read_data(text: str, *, fmt: str = "yaml") -> tuple[Any, dict[Loc, Position]]:
    """Turn YAML or JSON text into plain data and the position of every value.

    Raises ``ReadError`` (turned into a :class:`ModelError` by the callers) on syntax errors.
    """
    if fmt == "json":
        try:
            return json.loads(text, object_pairs_hook=_no_duplicates, parse_int=whole_number), {}
        except _DuplicateKey as dup:
            line, col = _find_key(text, dup.key)
            raise ReadError(
                f"duplicate key {dup.key!r}", "keep one of them and remove the other", line, col
            ) from None
        except RecursionError:
            read_yaml(text)  # JSON is YAML: this names the place that is nested too deep
            raise ReadError(
                f"values are nested deeper than {MAX_DEPTH} levels",
                "flatten the structure; a model needs only three levels",
            ) from None
        except json.JSONDecodeError as err:
            raise ReadError(
                f"not valid JSON: {err.msg}", "fix the JSON syntax", err.lineno, err.colno
            ) from None
    return read_yaml(text)


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 2**20:.3g} MB"


# --- decoding --------------------------------------------------------------------------------


def format_of(path: Path, raw: bytes) -> str | None:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    return None


def decode_model_bytes(raw: bytes) -> str:
    """The text of a model file's bytes; raises :class:`ReadError` for binary files and bytes
    that are not UTF-8 (with their line and column)."""
    codec = bom_codec(raw)
    if codec is not None:
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw[:8192]:
        raise ReadError(
            "this is a binary file, not a model (it holds NUL bytes)",
            "give a YAML or JSON model file; spreadsheets go through `servicechain import`",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n") + 1
        col = err.start - (before.rfind(b"\n") + 1) + 1
        byte = raw[err.start]
        raise ReadError(
            f"not UTF-8 text: byte 0x{byte:02X} cannot be decoded",
            "save the file with the UTF-8 encoding",
            line,
            col,
        ) from None
    return text


# --- YAML ------------------------------------------------------------------------------------


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _find_key(text: str, key: str) -> tuple[int | None, int | None]:
    """Position of the second occurrence of a JSON key (for a duplicate-key message)."""
    needle = json.dumps(key) + ":"
    compact = text.replace('" :', '":')
    first = compact.find(needle)
    second = compact.find(needle, first + 1) if first >= 0 else -1
    if second < 0:
        return None, None
    line = compact.count("\n", 0, second) + 1
    return line, second - (compact.rfind("\n", 0, second) + 1) + 1


# --- problems --------------------------------------------------------------------------------


def _place(file: str, positions: dict[Loc, Position], loc: Loc, msg: str, fix: str) -> Problem:
    probe = loc
    while probe not in positions and probe:
        probe = probe[:-1]
    line, col = positions.get(probe, (None, None))
    return Problem(file, line, col, field_path(loc), msg, fix)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def _kind(data: Any) -> str:
    return {list: "a list", str: "a single text", int: "a number", float: "a number"}.get(
        type(data), ""
    )
