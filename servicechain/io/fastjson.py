"""The fast path for large JSON models: parse, validate and build the arrays in one sweep.

A JSON file is decoded and validated in one pass by ``msgspec`` into Structs mirroring
:mod:`servicechain.model.spec` (same fields, types, constraints and aliases; small objects the
garbage collector does not track), the rules of :mod:`servicechain.model.rules` are checked on
numpy arrays, and the :class:`~servicechain.model.network.Network` is built straight from them.
The pydantic :class:`~servicechain.model.spec.Model` is built only when asked for.

The fast path never reports problems itself: when a file breaks any rule (or uses anything it
does not handle, such as field names instead of aliases), it steps aside and the ordinary
loader reads the file, so every message and position is exactly the one ``validate`` gives.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from functools import cache, cached_property
from operator import attrgetter
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import numpy as np
from msgspec import UNSET, Meta, Struct, UnsetType
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from ..model.network import DEPARTMENT, PARTNER, SEGMENT, Network
from ..model.spec import Department, Model, Partner, Scale, Segment, Service
from ..progress import ProgressCallback, gc_paused, report
from .load import DEFAULT_MAX_BYTES, Loaded, ReadError, decode_model_bytes, format_of, parse_model

__all__ = ["STRUCTS", "FastLoaded", "decode", "parse_fast", "read_model"]


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

    def model(self) -> Model:
        """The :class:`~servicechain.model.spec.Model` of the data (about 3 s a million records)."""
        with gc_paused():
            return Model.model_validate(msgspec.to_builtins(self.document))


# --- Structs mirroring the spec --------------------------------------------------------------

#: ``allow_inf_nan=False`` of the spec: JSON has no nan, and bounds at the largest float refuse
#: infinities (a number too large for a float is refused by the parser itself).
_BIG = sys.float_info.max
_Id = Annotated[str, Meta(min_length=1, max_length=100, pattern=r"^[^\s]+\Z")]
#: The ends of a service: an id without the pattern, which costs more than the rest of the
#: decoding at 1.4 million ends; an end must name a node, whose id is checked.
_Ref = Annotated[str, Meta(min_length=1, max_length=100)]
_Name = Annotated[str, Meta(min_length=1, max_length=500)]
_Score = Annotated[float, Meta(ge=-_BIG, le=_BIG)]
_Share = Annotated[float, Meta(ge=0, le=1)]
_Amount = Annotated[float, Meta(ge=0, le=_BIG)]
_Count = Annotated[int, Meta(ge=0)]


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
    revenue_elasticity: _Score | UnsetType | None = UNSET
    dependence: _Share | UnsetType = UNSET
    baseline: _Score | UnsetType | None = UNSET
    notes: str | UnsetType | None = UNSET


class _Partner(_Record):
    id: _Id
    name: _Name
    quality: _Score | UnsetType | None = UNSET
    notes: str | UnsetType | None = UNSET


class _Service(_Record):
    source: _Ref = msgspec.field(name="from")
    target: _Ref = msgspec.field(name="to")
    name: str | UnsetType | None = UNSET
    quality: _Score | UnsetType | None = UNSET
    weight: Annotated[float, Meta(gt=0, le=_BIG)] | UnsetType = UNSET
    volume: _Amount | UnsetType | None = UNSET
    cost: _Amount | UnsetType | None = UNSET
    sla: str | UnsetType | None = UNSET
    notes: str | UnsetType | None = UNSET


class _Model(_Record):
    name: _Name
    departments: Annotated[list[_Department], Meta(min_length=1)]
    schema_ref: str | UnsetType | None = msgspec.field(default=UNSET, name="$schema")
    description: str | UnsetType | None = UNSET
    scale: _Scale | UnsetType = UNSET
    segments: list[_Segment] | UnsetType = UNSET
    partners: list[_Partner] | UnsetType = UNSET
    services: list[_Service] | UnsetType = UNSET


#: The spec's models and the Structs that mirror them (a test compares them field by field).
STRUCTS = {
    Model: _Model,
    Scale: _Scale,
    Department: _Department,
    Segment: _Segment,
    Partner: _Partner,
    Service: _Service,
}


@cache
def _decoder() -> msgspec.json.Decoder:
    return msgspec.json.Decoder(_Model)


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
        return load_model(path, max_bytes=max_bytes)
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
        if not _no_duplicate_keys(text, document):
            return None
        report(progress, "checking the rules")
        # A NUL character can only be written as an escape; numpy's bytes would drop it.
        net = _network(
            document, nul_free=("\\u0000" if isinstance(text, str) else b"\\u0000") not in text
        )
    if net is None:
        return None
    return FastLoaded(document=document, network=net, file=file)


def _no_duplicate_keys(text: str | bytes, document: Any) -> bool:
    """Whether the JSON text holds no key twice in a mapping (the decoder keeps the last one).

    Every colon of the text either separates a key from its value or stands inside a string.
    Encoding the decoded document gives back every pair it holds (fields left out stay out,
    see :class:`_Record`) and every string, with no colon escaped; so the text holds no
    duplicate key exactly when both have as many colons. A colon the text writes as an escape
    (``\\u003a``) is counted as one; where that counts a backslash followed by ``u003a``
    instead, the text has more colons than the encoding and the ordinary loader decides.
    """
    encoded = msgspec.json.encode(document)
    if isinstance(text, bytes):
        colons = text.count(b":")
        if b"\\u003" in text:  # one search where there is none, rather than two counts
            colons += text.count(b"\\u003a") + text.count(b"\\u003A")
    else:
        colons = text.count(":")
        if "\\u003" in text:
            colons += text.count("\\u003a") + text.count("\\u003A")
    return colons == encoded.count(b":")


# --- arrays and rules ----------------------------------------------------------------------


def _floats(records: list, key: str, default: float = np.nan) -> np.ndarray:
    # map() over attrgetter keeps the loop in C: a third of the time of a comprehension.
    values = np.fromiter(map(attrgetter(key), records), object, len(records))
    values[(values == None) | (values == UNSET)] = default  # noqa: E711 (elementwise)
    return values.astype(float)


def _network(document: Any, *, nul_free: bool = False) -> Network | None:
    """The arrays of a decoded document, or ``None`` if a rule of :mod:`servicechain.model.rules`
    fails. ``nul_free`` tells that no string of the document holds a NUL character."""
    scale = document.scale or _Scale()
    lo = 0.0 if scale.min is UNSET else float(scale.min)
    hi = 1.0 if scale.max is UNSET else float(scale.max)
    if not hi > lo:
        return None
    departments = document.departments
    partners = document.partners or []
    segments = document.segments or []
    services = document.services or []
    n_dep, n_par, n_seg = len(departments), len(partners), len(segments)
    n = n_dep + n_par + n_seg
    nodes = [*departments, *partners, *segments]
    ids = list(map(attrgetter("id"), nodes))
    try:
        source, target = _numbers(ids, services, by_hash=nul_free)
    except KeyError:
        return None  # an id used twice, or an unknown id
    kind = np.full(n, SEGMENT, dtype=np.int8)
    kind[:n_dep] = DEPARTMENT
    kind[n_dep : n_dep + n_par] = PARTNER
    if (
        (kind[source] == SEGMENT).any()
        or (kind[target] == PARTNER).any()
        or (source == target).any()
    ):
        return None
    pairs = np.sort(source.astype(np.int64) * n + target)
    if (pairs[1:] == pairs[:-1]).any():
        return None  # a second service between the same two nodes
    del pairs

    own_given = np.concatenate(
        [
            _floats(departments, "quality"),
            _floats(partners, "quality"),
            _floats(segments, "baseline"),
        ]
    )
    rating_given = _floats(services, "quality")
    for scores in (own_given, rating_given):
        given = scores[~np.isnan(scores)]
        if ((given < lo) | (given > hi)).any():
            return None  # a score outside the scale
    dependence = np.concatenate(
        [
            _floats(departments, "dependence", 0.5),
            np.zeros(n_par),
            _floats(segments, "dependence", 1.0),
        ]
    )
    if _has_closed_loop(own_given, dependence, source, target, n_dep, lo):
        return None

    revenue = _floats(segments, "revenue")
    customers = _floats(segments, "customers")
    value = np.zeros(n)
    value[n_dep + n_par :] = np.where(
        ~np.isnan(revenue), revenue, np.where(~np.isnan(customers), customers, 1.0)
    )
    revenue_slope = np.full(n, np.nan)
    revenue_slope[n_dep + n_par :] = revenue * _floats(segments, "revenue_elasticity")
    return Network(
        ids=ids,
        names=list(map(attrgetter("name"), nodes)),
        kind=kind,
        own=(own_given - lo) / (hi - lo),
        dependence=dependence,
        source=source,
        target=target,
        rating=(rating_given - lo) / (hi - lo),
        weight=_floats(services, "weight", 1.0),
        value=value,
        scale=Scale(min=lo, max=hi),
        service_names=[s.name or "" for s in services],
        revenue_slope=revenue_slope,
    )


def _numbers(
    ids: list[str], services: list, *, by_hash: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The node numbers of the suppliers and customers of the services (``by_hash``: try
    :func:`_numbers_by_hash` first, for strings without a NUL character).

    Raises ``KeyError`` for an id used twice or a service naming an unknown id.
    """
    ends = [*map(attrgetter("source"), services), *map(attrgetter("target"), services)]
    numbers = _numbers_by_hash(ids, ends) if by_hash else None
    if numbers is None:
        index = {ident: i for i, ident in enumerate(ids)}
        if len(index) != len(ids):
            raise KeyError("an id used twice")
        numbers = np.array(list(map(index.__getitem__, ends)), dtype=np.int32)
    return numbers[: len(services)], numbers[len(services) :]


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _numbers_by_hash(ids: list[str], ends: list[str]) -> np.ndarray | None:
    """The numbers of ``ends`` in ``ids`` found with numpy, or ``None`` where this cannot
    tell (ids or ends not plain ASCII, two ids with the same hash, an end that is no id): the
    caller then looks every end up in a dict. No string may hold a NUL character (numpy's
    bytes drop trailing NULs).

    A dict lookup hashes each freshly decoded string in Python; here every string becomes a
    row of fixed-width bytes, hashed and found by sorting and binary search, and each found id
    is compared byte for byte with its end: less than half the time at 1.4 million ends.
    """
    # Wider than the longest id, so that an end cut to this width is never equal to an id.
    width = (max(map(len, ids)) // 8 + 1) * 8
    try:
        keys = np.array(ids, dtype=f"S{width}")
        found = np.array(ends, dtype=f"S{width}")
    except UnicodeEncodeError:
        return None
    key_hash, end_hash = _hash(keys, width), _hash(found, width)
    order = np.argsort(key_hash)
    sorted_hash = key_hash[order]
    if (sorted_hash[1:] == sorted_hash[:-1]).any():
        return None  # two ids with the same hash, or an id used twice
    # Buckets by the top bits of the hash (two to four per id): each end starts at the first
    # id of its bucket and steps on while the hash differs; a third of a binary search's time.
    n = len(ids)
    bits = n.bit_length() + 1
    shift = np.uint64(64 - bits)
    starts = np.searchsorted(sorted_hash >> shift, np.arange(2**bits + 1, dtype=np.uint64))
    bucket = end_hash >> shift
    position, stop = starts[bucket], starts[bucket + 1]
    pending = np.flatnonzero(sorted_hash[np.minimum(position, n - 1)] != end_hash)
    while pending.size:
        position[pending] += 1
        pending = pending[position[pending] < stop[pending]]
        pending = pending[sorted_hash[position[pending]] != end_hash[pending]]
    numbers = order[np.minimum(position, n - 1)]
    if not (keys[numbers] == found).all():
        return None
    return numbers.astype(np.int32)


def _hash(rows: np.ndarray, width: int) -> np.ndarray:
    words = rows.view(np.uint64).reshape(len(rows), width // 8)
    hashed = np.zeros(len(rows), dtype=np.uint64)
    for column in words.T:
        hashed ^= column
        hashed *= _MIX
        hashed ^= hashed >> np.uint64(29)
    return hashed


def _has_closed_loop(
    own: np.ndarray,
    dependence: np.ndarray,
    source: np.ndarray,
    target: np.ndarray,
    n_dep: int,
    lo: float,
) -> bool:
    """The closed-loop rule of :func:`servicechain.model.rules.closed_loops`, on arrays."""
    quality = own[:n_dep]
    without_own = (dependence[:n_dep] >= 1) | (~np.isnan(quality) & (quality <= lo))
    if not without_own.any():
        return False
    internal = (source < n_dep) & (target < n_dep)
    graph = coo_array(
        (np.ones(int(internal.sum())), (source[internal], target[internal])), shape=(n_dep, n_dep)
    )
    _, label = connected_components(graph, directed=True, connection="strong")
    size = np.bincount(label, minlength=n_dep)
    members_without_own = np.bincount(label, weights=without_own, minlength=n_dep)
    # A supplier from outside the component (a partner, or another component) opens it.
    into = target < n_dep
    src_label = np.where(source[into] < n_dep, label[np.minimum(source[into], n_dep - 1)], -1)
    tgt_label = label[target[into]]
    opened = np.zeros(n_dep, dtype=bool)
    opened[tgt_label[src_label != tgt_label]] = True
    closed = (size >= 2) & (members_without_own == size) & ~opened
    return bool(closed.any())
