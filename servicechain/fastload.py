"""The fast path for large JSON models: parse, validate and build the arrays in one sweep.

A JSON file is parsed and validated in one pass by TypedDicts generated from
:mod:`servicechain.spec` (same fields, types, constraints and aliases, no Python object per
record), the rules of :mod:`servicechain.rules` are checked on numpy arrays, and the
:class:`~servicechain.graph.Network` is built straight from them. The pydantic
:class:`~servicechain.spec.Model` is built only when asked for.

The fast path never reports problems itself: when a file breaks any rule (or uses anything it
does not handle, such as field names instead of aliases), it steps aside and the ordinary
loader reads the file, so every message and position is exactly the one ``validate`` gives.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

import numpy as np
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components
from typing_extensions import NotRequired, TypedDict

from .graph import DEPARTMENT, PARTNER, SEGMENT, Network
from .load import DEFAULT_MAX_BYTES, Loaded, _decode, _Fail, _format_of, _gc_paused, parse_model
from .progress import ProgressCallback, report
from .spec import Model, Scale

__all__ = ["FastLoaded", "model_adapter", "parse_fast", "read_model"]


@dataclass
class FastLoaded:
    """A JSON model read by the fast path: its validated plain data and its arrays.

    ``data`` is shaped like the file (aliases as keys, optional fields left out where absent);
    :meth:`model` builds the pydantic model from it.
    """

    data: dict
    network: Network
    file: str = ""
    positions: dict = field(default_factory=dict)

    def model(self) -> Model:
        """The :class:`~servicechain.spec.Model` of the data (about 3 s per million records)."""
        with _gc_paused():
            return Model.model_validate(self.data)


# --- TypedDicts generated from the spec ----------------------------------------------------


def _typed_dict(model: type[BaseModel], made: dict[type, Any]) -> Any:
    if model not in made:
        fields: dict[str, Any] = {}
        for name, info in model.model_fields.items():
            annotation = _translate(info.annotation, made)
            if info.metadata:
                annotation = Annotated[(annotation, *info.metadata)]
            fields[info.alias or name] = (
                annotation if info.is_required() else NotRequired[annotation]
            )
        typed = TypedDict(model.__name__, fields)  # type: ignore[misc]
        config = model.model_config
        typed.__pydantic_config__ = ConfigDict(
            extra=config.get("extra"),
            strict=config.get("strict"),
            str_strip_whitespace=config.get("str_strip_whitespace"),
        )
        made[model] = typed
    return made[model]


def _translate(annotation: Any, made: dict[type, Any]) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _typed_dict(annotation, made)
    if get_origin(annotation) is list:
        return list[_translate(get_args(annotation)[0], made)]
    return annotation


@cache
def model_adapter() -> TypeAdapter:
    """A ``TypeAdapter`` of TypedDicts mirroring :class:`~servicechain.spec.Model` field by field.

    It accepts exactly the documents the pydantic models accept, written with the file's field
    names (``from``, ``to``, ``$schema``), except for the checks a model validator makes
    (``scale.max > scale.min``), which :func:`parse_fast` makes itself.

    Examples
    --------
    >>> model_adapter().validate_json('{"name": "x", "departments": [{"id": "a", "name": "A"}]}')
    {'name': 'x', 'departments': [{'id': 'a', 'name': 'A'}]}
    """
    return TypeAdapter(_typed_dict(Model, {}))


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
        A ``.json`` model (fast path) or any file :func:`~servicechain.load.load_model` reads.
    max_bytes : int, keyword-only
        Files larger than this are refused.
    progress : callable, keyword-only
        Called with the name of each stage as it starts.

    Returns
    -------
    FastLoaded or Loaded
        :class:`FastLoaded` from the fast path, else the :class:`~servicechain.load.Loaded` of
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
    fmt = _format_of(path, b"")
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
        text = raw if raw[:1] == b"{" else _decode(raw)
    except (OSError, _Fail):
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

    ``None`` means: read it with :func:`~servicechain.load.parse_model` for the messages.

    Examples
    --------
    >>> parse_fast('{"name": "x", "departments": [{"id": "a", "name": "A", "quality": 0.5}]}'
    ...            ).network.own.tolist()
    [0.5]
    >>> parse_fast('{"name": "x", "departments": [{"id": "a", "name": "A", "quality": 2}]}')
    """
    report(progress, "parsing and validating")
    with _gc_paused():
        try:
            data = model_adapter().validate_json(text)
        except ValidationError:
            return None
        if not _no_duplicate_keys(text, data):
            return None
        report(progress, "checking the rules")
        net = _network(data)
    if net is None:
        return None
    return FastLoaded(data=data, network=net, file=file)


def _pairs(data: dict) -> int:
    """Number of ``key: value`` pairs in validated data (records are flat)."""
    count = len(data) + len(data.get("scale", ()))
    for section in ("departments", "segments", "partners", "services"):
        count += sum(map(len, data.get(section, ())))
    return count


def _no_duplicate_keys(text: str | bytes, data: dict) -> bool:
    """Whether the JSON text holds no key twice in a mapping (the parser keeps only one).

    Every colon of the text either separates a key from its value or stands inside a string,
    so the text holds no duplicate key exactly when its colons number the pairs of the parsed
    data plus the colons inside its strings. Strings are looked at only as far as needed: the
    top level first (a ``$schema`` URL), then every record. A colon written as an escape
    (``\\u003a``) makes this answer ``False``, and the ordinary loader decides.
    """
    if isinstance(text, bytes):
        colons = text.count(b":")  # UTF-8 never uses the byte of ":" inside another character
        escaped = b"\\u003a" in text or b"\\u003A" in text
    else:
        colons = text.count(":")
        escaped = "\\u003a" in text or "\\u003A" in text
    pairs = _pairs(data)
    if pairs == colons:
        return True
    if escaped:
        return False
    inside = sum(_colons(key) + _colons(value) for key, value in data.items() if key != "scale")
    if pairs + inside == colons:
        return True
    for section in ("departments", "segments", "partners", "services"):
        for record in data.get(section, ()):
            inside += sum(_colons(key) + _colons(value) for key, value in record.items())
    return pairs + inside == colons


def _colons(value: Any) -> int:
    return value.count(":") if isinstance(value, str) else 0


# --- arrays and rules ----------------------------------------------------------------------


def _floats(records: list[dict], key: str, default: float = np.nan) -> np.ndarray:
    # map() over dict.get keeps the loop in C: a third of the time of a comprehension.
    values = np.fromiter(map(dict.get, records, repeat(key), repeat(None)), object, len(records))
    values[values == None] = default  # noqa: E711 (elementwise comparison)
    return values.astype(float)


def _network(data: dict) -> Network | None:
    """The arrays of validated data, or ``None`` if a rule of :mod:`servicechain.rules` fails."""
    scale_data = data.get("scale", {})
    lo, hi = float(scale_data.get("min", 0.0)), float(scale_data.get("max", 1.0))
    if not hi > lo:
        return None
    departments = data["departments"]
    partners = data.get("partners", [])
    segments = data.get("segments", [])
    services = data.get("services", [])
    n_dep, n_par, n_seg, m = len(departments), len(partners), len(segments), len(services)
    n = n_dep + n_par + n_seg
    nodes = [*departments, *partners, *segments]
    ids = [r["id"] for r in nodes]
    index = {ident: i for i, ident in enumerate(ids)}
    if len(index) != n:
        return None  # an id used twice
    try:
        source = np.fromiter(map(index.__getitem__, map(itemgetter("from"), services)), np.int32, m)
        target = np.fromiter(map(index.__getitem__, map(itemgetter("to"), services)), np.int32, m)
    except KeyError:
        return None  # an unknown id
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
        names=list(map(itemgetter("name"), nodes)),
        kind=kind,
        own=(own_given - lo) / (hi - lo),
        dependence=dependence,
        source=source,
        target=target,
        rating=(rating_given - lo) / (hi - lo),
        weight=_floats(services, "weight", 1.0),
        value=value,
        scale=Scale(min=lo, max=hi),
        service_names=[s.get("name") or "" for s in services],
        revenue_slope=revenue_slope,
    )


def _has_closed_loop(
    own: np.ndarray,
    dependence: np.ndarray,
    source: np.ndarray,
    target: np.ndarray,
    n_dep: int,
    lo: float,
) -> bool:
    """The closed-loop rule of :func:`servicechain.rules.closed_loops`, on arrays."""
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
