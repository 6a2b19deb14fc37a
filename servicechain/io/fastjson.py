"""The fast path for models: parse, validate and build the arrays in one sweep.

A JSON file is decoded and validated in one pass by ``msgspec`` into Structs mirroring
:mod:`servicechain.model.spec` (same fields, types, constraints and aliases; small objects the
garbage collector does not track), the rules of :mod:`servicechain.model.rules` are checked on
numpy arrays, and the :class:`~servicechain.model.network.Network` is built straight from them.
A YAML file is read into plain data with the position of every value, and that data is
validated into the same Structs. The pydantic :class:`~servicechain.model.spec.Model` is built
only when asked for (so a command on a small YAML model does not even load pydantic).

The fast path never reports problems itself: when a file breaks any rule (or uses anything it
does not handle, such as field names instead of aliases), it steps aside and the ordinary
loader reads the file, so every message and position is exactly the one ``validate`` gives.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache, cached_property
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec
import numpy as np
from msgspec import UNSET, Meta, Struct, UnsetType

from ..model.costs import Costs, cost_findings, costs_of
from ..model.limits import MAX_NUMBER
from ..model.links import SCORES, Columns, closed_loop_groups, cross_record_findings
from ..model.loops import self_sustaining_groups
from ..model.network import Bounds, Network, build_network, field_floats
from ..model.numbering import number_ends
from ..progress import ProgressCallback, gc_paused, report
from .load import (
    DEFAULT_MAX_BYTES,
    Loaded,
    ReadError,
    decode_model_bytes,
    format_of,
    parse_model,
    read_model_bytes,
    read_model_data,
    validate_data,
)

if TYPE_CHECKING:
    from ..model.spec import Model

__all__ = ["STRUCTS", "FastLoaded", "decode", "parse_data", "parse_fast", "read_model"]


@dataclass
class FastLoaded:
    """A JSON model read by the fast path: its validated document and its arrays.

    ``document`` holds the file's records as Structs; :attr:`data` is the same as plain data
    shaped like the file (aliases as keys, optional fields left out where absent), and
    :meth:`model` builds the pydantic model from it.
    """

    document: Any
    network: Network
    file: str = ""
    positions: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The model's name."""
        return self.document.name

    @cached_property
    def data(self) -> dict:
        """The document as plain data shaped like the file."""
        with gc_paused():
            return msgspec.to_builtins(self.document)

    @cached_property
    def costs(self) -> Costs:
        """The cost arrays of the document (see :class:`~servicechain.model.costs.Costs`)."""
        doc = self.document
        return costs_of(
            self.network,
            doc.departments,
            doc.services or [],
            segments=doc.segments or [],
            currency=None if doc.currency is UNSET else doc.currency,
            missing=UNSET,
        )

    def model(self) -> Model:
        """The :class:`~servicechain.model.spec.Model` of the data (about 3 s a million records)."""
        from ..model.spec import Model

        with gc_paused():
            return Model.model_validate(msgspec.to_builtins(self.document))


# --- Structs mirroring the spec --------------------------------------------------------------

#: The spec's bounds (``MAX_NUMBER``) also refuse infinities, as ``allow_inf_nan=False`` does.
_BIG = MAX_NUMBER
_Id = Annotated[str, Meta(min_length=1, max_length=100, pattern=r"^[^\s]+\Z")]
#: The ends of a service: an id without the pattern, which costs more than the rest of the
#: decoding at 1.4 million ends; an end must name a node, whose id is checked.
_Ref = Annotated[str, Meta(min_length=1, max_length=100)]
_Name = Annotated[str, Meta(min_length=1, max_length=500)]
_Score = Annotated[float, Meta(ge=-_BIG, le=_BIG)]
_Share = Annotated[float, Meta(ge=0, le=1)]
_Amount = Annotated[float, Meta(ge=0, le=_BIG)]
_Count = Annotated[int, Meta(ge=0, le=int(MAX_NUMBER))]
_Se = Annotated[float, Meta(ge=0, le=_BIG)]


class _Record(Struct, forbid_unknown_fields=True, omit_defaults=True, gc=False):
    """Every optional field defaults to ``UNSET``, so a field written as ``null`` stays apart
    from one left out, and encoding a record gives back exactly the pairs of the file."""


class _Scale(_Record):
    min: _Score | UnsetType = UNSET
    max: _Score | UnsetType = UNSET


class _Department(_Record):
    id: _Id
    name: _Name
    group: str | UnsetType | None = UNSET
    quality: _Score | UnsetType | None = UNSET
    quality_se: _Se | UnsetType | None = UNSET
    answers: _Count | UnsetType | None = UNSET
    dependence: _Share | UnsetType = UNSET
    headcount: _Count | UnsetType | None = UNSET
    cost: _Amount | UnsetType | None = UNSET
    notes: str | UnsetType | None = UNSET


class _Segment(_Record):
    id: _Id
    name: _Name
    kind: Literal["consumer", "business", "government", "nonprofit", "staff"]
    relationship: Literal["customer", "client"]
    customers: _Count | UnsetType | None = UNSET
    revenue: _Amount | UnsetType | None = UNSET
    revenue_elasticity: _Amount | UnsetType | None = UNSET
    dependence: _Share | UnsetType = UNSET
    baseline: _Score | UnsetType | None = UNSET
    quality_se: _Se | UnsetType | None = UNSET
    answers: _Count | UnsetType | None = UNSET
    notes: str | UnsetType | None = UNSET


class _Partner(_Record):
    id: _Id
    name: _Name
    quality: _Score | UnsetType | None = UNSET
    quality_se: _Se | UnsetType | None = UNSET
    answers: _Count | UnsetType | None = UNSET
    notes: str | UnsetType | None = UNSET


class _Service(_Record):
    source: _Ref = msgspec.field(name="from")
    target: _Ref = msgspec.field(name="to")
    name: str | UnsetType | None = UNSET
    quality: _Score | UnsetType | None = UNSET
    quality_se: _Se | UnsetType | None = UNSET
    answers: _Count | UnsetType | None = UNSET
    weight: Annotated[float, Meta(gt=0, le=_BIG)] | UnsetType = UNSET
    volume: _Amount | UnsetType | None = UNSET
    unit: Annotated[str, Meta(min_length=1, max_length=100)] | UnsetType | None = UNSET
    cost: _Amount | UnsetType | None = UNSET
    sla: str | UnsetType | None = UNSET
    notes: str | UnsetType | None = UNSET


class _Position(_Record):
    x: _Score
    y: _Score


class _Model(_Record):
    name: _Name
    departments: Annotated[list[_Department], Meta(min_length=1)]
    schema_ref: str | UnsetType | None = msgspec.field(default=UNSET, name="$schema")
    description: str | UnsetType | None = UNSET
    scale: _Scale | UnsetType = UNSET
    currency: Annotated[str, Meta(pattern=r"^[A-Z]{3}\Z")] | UnsetType | None = UNSET
    # Sections left out are empty lists, as in the spec (and, being defaults, left out again
    # when the document is encoded).
    segments: list[_Segment] = msgspec.field(default_factory=list)
    partners: list[_Partner] = msgspec.field(default_factory=list)
    services: list[_Service] = msgspec.field(default_factory=list)
    layout: dict[_Id, _Position] | UnsetType = UNSET


#: The names of the spec's models and the Structs that mirror them (a test compares them field
#: by field).
STRUCTS = {
    "Model": _Model,
    "Scale": _Scale,
    "Department": _Department,
    "Segment": _Segment,
    "Partner": _Partner,
    "Service": _Service,
    "Position": _Position,
}


@cache
def _decoder() -> msgspec.json.Decoder:
    return msgspec.json.Decoder(_Model)


@cache
def _encoder() -> msgspec.json.Encoder:
    return msgspec.json.Encoder()


def decode(text: str | bytes) -> Any:
    """The JSON text decoded into Structs mirroring :class:`~servicechain.model.spec.Model`.

    It accepts exactly the documents the pydantic models accept, written with the file's field
    names (``from``, ``to``, ``$schema``), and raises ``msgspec.ValidationError`` or
    ``msgspec.DecodeError`` for every other document, except for two checks
    :func:`parse_fast` makes itself: the order of the scale (``scale.max > scale.min``, a model
    validator) and the pattern of the ends of a service (no white space), as every end must
    name a node. Where a key is written twice, the last one wins: :func:`parse_fast` checks for
    that too.

    Examples
    --------
    >>> decode('{"name": "x", "departments": [{"id": "a", "name": "A"}]}').departments[0].name
    'A'
    """
    return _decoder().decode(text)


# --- reading -------------------------------------------------------------------------------


def read_model(
    path: str | os.PathLike,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ProgressCallback | None = None,
) -> FastLoaded | Loaded:
    """Read a model file, through the fast path when it is JSON and clean.

    Parameters
    ----------
    path : path-like
        A ``.json`` model (fast path) or any file :func:`~servicechain.io.load.load_model` reads.
    max_bytes : int, keyword-only
        Files larger than this are refused.
    progress : callable, keyword-only
        Called with the name of each stage as it starts.

    Returns
    -------
    FastLoaded or Loaded
        :class:`FastLoaded` from the fast path, else the :class:`~servicechain.io.load.Loaded` of
        the ordinary loader.

    Raises
    ------
    ModelError
        With every problem of the file, exactly as ``servicechain validate`` reports them.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "m.json"
    >>> _ = target.write_text(json.dumps({"name": "x", "departments": [{"id": "a", "name": "A"}]}))
    >>> read_model(target).network.ids
    ['a']
    """
    from .load import load_model

    path = Path(path)
    name = str(path)
    fmt = format_of(path, b"")
    if fmt == "yaml":
        report(progress, "reading YAML")
        data, positions, _, _ = read_model_data(
            read_model_bytes(path, max_bytes=max_bytes), file=name, fmt=fmt
        )
        report(progress, "checking the rules")
        fast = parse_data(data, file=name, positions=positions)
        return fast if fast is not None else validate_data(data, positions, file=name)
    try:
        if path.stat().st_size > max_bytes:
            return load_model(path, max_bytes=max_bytes)
        report(progress, "reading")
        raw = path.read_bytes()
        # Plain UTF-8 goes to the parser as bytes: a decoded copy of a file with non-ASCII
        # names takes two to four times its size.
        text = raw if raw[:1] == b"{" else decode_model_bytes(raw)
    except (OSError, ReadError):
        return load_model(path, max_bytes=max_bytes)
    if not text.lstrip().startswith("{" if isinstance(text, str) else b"{"):
        return parse_model(raw, file=name, fmt=fmt)
    fast = parse_fast(text, file=name, progress=progress)
    del text
    if fast is not None:
        return fast
    report(progress, "finding the problems")
    return parse_model(raw, file=name, fmt="json")


def parse_fast(
    text: str | bytes, *, file: str = "<model>", progress: ProgressCallback | None = None
) -> FastLoaded | None:
    """Validate a JSON model (text, or UTF-8 bytes) and build its arrays, or ``None`` if it
    breaks any rule (or is not valid UTF-8).

    ``None`` means: read it with :func:`~servicechain.io.load.parse_model` for the messages.

    Examples
    --------
    >>> parse_fast('{"name": "x", "departments": [{"id": "a", "name": "A", "quality": 0.5}]}'
    ...            ).network.own.tolist()
    [0.5]
    >>> parse_fast('{"name": "x", "departments": [{"id": "a", "name": "A", "quality": 2}]}')
    """
    report(progress, "parsing and validating")
    with gc_paused():
        try:
            document = decode(text)
        except (msgspec.ValidationError, msgspec.DecodeError):
            return None
        # Escapes (a colon or a NUL character written as ``\\u...``) are looked for only in
        # a text with a backslash: one quick search, rather than two slow ones.
        escaped = _has_backslash(text)
        if not _no_duplicate_keys(text, document, escaped=escaped):
            return None
        report(progress, "checking the rules")
        # A NUL character can only be written as an escape; numpy's bytes would drop it.
        nul = "\\u0000" if isinstance(text, str) else b"\\u0000"
        net = _network(document, nul_free=not escaped or nul not in text)
    return _checked(document, net, file, {})


def parse_data(
    data: Any, *, file: str = "<model>", positions: dict | None = None
) -> FastLoaded | None:
    """Validate plain data shaped like a model file (as the YAML reader gives it, with the
    ``positions`` of its values) into the Structs and build its arrays, or ``None`` if it
    breaks any rule: then :func:`~servicechain.io.load.validate_data` gives the messages.

    Examples
    --------
    >>> parse_data({"name": "x", "departments": [{"id": "a", "name": "A", "quality": 0.5}]}
    ...            ).network.own.tolist()
    [0.5]
    >>> parse_data({"name": "x", "departments": [{"id": "a", "name": "A", "quality": "high"}]})
    """
    with gc_paused():
        try:
            document = msgspec.convert(data, _Model)
        except msgspec.ValidationError:
            return None
        net = _network(document)
    return _checked(document, net, file, positions or {})


def _checked(document: Any, net: Network | None, file: str, positions: dict) -> FastLoaded | None:
    """The loaded model, or ``None`` when the arrays broke a rule or the costs break one."""
    if net is None:
        return None
    fast = FastLoaded(document=document, network=net, file=file, positions=positions)
    if cost_findings(net, fast.costs):
        return None
    return fast


def _no_duplicate_keys(text: str | bytes, document: Any, *, escaped: bool = True) -> bool:
    """Whether the JSON text holds no key twice in a mapping (the decoder keeps the last one).

    Every colon of the text either separates a key from its value or stands inside a string.
    Encoding the decoded document gives back every pair it holds (fields left out stay out,
    see :class:`_Record`) and every string, with no colon escaped; so the text holds no
    duplicate key exactly when both have as many colons. A colon the text writes as an escape
    (``\\u003a``) is counted as one; where that counts a backslash followed by ``u003a``
    instead, the text has more colons than the encoding and the ordinary loader decides.
    ``escaped=False`` tells that the text holds no backslash (so no escape to count).

    Examples
    --------
    >>> text = b'{"name": "b: c", "departments": [{"id": "d", "name": "D"}]}'
    >>> _no_duplicate_keys(text, decode(text))
    True
    >>> twice = b'{"name": "a", ' + text[1:]
    >>> _no_duplicate_keys(twice, decode(twice))
    False
    """
    # Into a buffer the size of the text (it grows if need be, and is cut to the encoding):
    # a fifth faster than letting the encoding grow from nothing.
    encoded = bytearray(len(text))
    _encoder().encode_into(document, encoded)
    if isinstance(text, bytes):
        colons = _count(text, b":")
        if escaped and b"\\u003" in text:
            colons += text.count(b"\\u003a") + text.count(b"\\u003A")
    else:
        colons = text.count(":")
        if escaped and "\\u003" in text:
            colons += text.count("\\u003a") + text.count("\\u003A")
    return colons == _count(encoded, b":")


def _count(data: bytes | bytearray, char: bytes, *, block: int = 1 << 18) -> int:
    """How many times the byte ``char`` occurs in ``data``: numpy compares a block at a time
    (a quarter of the time of ``bytes.count`` on a large text, with no array of its size).

    Examples
    --------
    >>> _count(b'{"a": "b:c"}', b":"), _count(b'{"a": "b:c"}', b":", block=5)
    (2, 2)
    """
    values = np.frombuffer(data, np.uint8)
    found = np.empty(min(block, len(values)), dtype=bool)
    total = 0
    for start in range(0, len(values), block):
        part = values[start : start + block]
        np.equal(part, ord(char), out=found[: len(part)])
        total += int(np.count_nonzero(found[: len(part)]))
    return total


def _has_backslash(text: str | bytes) -> bool:
    """Whether the text holds a backslash (a search for one character is a ``memchr``; one
    for the escapes themselves takes six times as long).

    Examples
    --------
    >>> _has_backslash(b'{"name": "caf\\u00e9"}'), _has_backslash('{"name": "x"}')
    (True, False)
    """
    return ("\\" if isinstance(text, str) else b"\\") in text


# --- arrays and rules ----------------------------------------------------------------------


def _network(document: Any, *, nul_free: bool = False) -> Network | None:
    """The arrays of a decoded document, or ``None`` if a rule of
    :mod:`servicechain.model.links` fails. ``nul_free`` tells that no string of the document
    holds a NUL character (the ends are then numbered with numpy hashes)."""
    scale = document.scale or _Scale()
    lo = 0.0 if scale.min is UNSET else float(scale.min)
    hi = 1.0 if scale.max is UNSET else float(scale.max)
    if not hi > lo:
        return None
    departments = document.departments
    partners = document.partners or []
    segments = document.segments or []
    services = document.services or []
    ids = {
        "departments": list(map(attrgetter("id"), departments)),
        "partners": list(map(attrgetter("id"), partners)),
        "segments": list(map(attrgetter("id"), segments)),
    }
    source = list(map(attrgetter("source"), services))
    target = list(map(attrgetter("target"), services))
    columns = Columns(ids=ids, source=source, target=target, scale=(lo, hi))
    columns.ends = number_ends(columns.node_ids(), [*source, *target], by_hash=nul_free)
    records = {"departments": departments, "partners": partners, "segments": segments}
    records["services"] = services
    columns.scores = {
        (section, name): field_floats(records[section], name, missing=UNSET)
        for section, name in SCORES
    }
    if cross_record_findings(columns):
        return None
    if document.layout and not set(document.layout) <= set(columns.node_ids()):
        return None  # a position of no node: the ordinary loader names it
    m = len(services)
    net = build_network(
        departments,
        partners,
        segments,
        services,
        scale=Bounds(lo, hi),
        source=columns.ends[:m],
        target=columns.ends[m:],
        missing=UNSET,
        scores=columns.scores,
    )
    if closed_loop_groups(net.own, net.dependence, net.source, net.target, len(departments)):
        return None
    if self_sustaining_groups(
        net.own, net.dependence, net.rating, net.source, net.target, len(departments)
    ):
        return None
    return net
