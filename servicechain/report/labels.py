"""Names, anchors and number formats shared by the report's sections."""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .rows import most_important

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = [
    "SegmentRecord",
    "ServiceNames",
    "anchor",
    "chart",
    "currency_of",
    "fine_format",
    "gain_format",
    "given",
    "importance_format",
    "label",
    "lo_hi",
    "money",
    "node_name",
    "score_format",
    "segments_of",
    "service_names",
]


@dataclass(frozen=True)
class SegmentRecord:
    """What the report reads of a segment, with ``None`` for what the file leaves out."""

    id: str
    name: str
    kind: str
    relationship: str
    customers: int | None
    revenue: float | None
    revenue_elasticity: float | None


def given(value: Any) -> Any:
    """``value``, or ``None`` where the file leaves it out (the JSON fast path's ``UNSET``).

    Examples
    --------
    >>> from msgspec import UNSET
    >>> given(UNSET), given(0), given("EUR")
    (None, 0, 'EUR')
    """
    from msgspec import UNSET

    return None if value is UNSET else value


def segments_of(chain: Chain) -> list[SegmentRecord]:
    """The segments of the model file, read from its records as loaded (a large JSON model
    is read without building the validated model, which takes seconds at 100,000 records).

    Examples
    --------
    >>> import servicechain
    >>> segments_of(servicechain.load(servicechain.example_path("flowershop")))[0].revenue
    140000.0
    """
    return [
        SegmentRecord(
            s.id,
            s.name,
            s.kind,
            s.relationship,
            given(s.customers),
            given(s.revenue),
            given(s.revenue_elasticity),
        )
        for s in chain.records.segments or []
    ]


def currency_of(chain: Chain) -> str | None:
    """The model's currency code, or ``None``."""
    return given(chain.records.currency)


def fine_format(values: Any, base: str) -> str:
    """``base`` (a format such as ``.2f``), with more decimals where the largest of ``values``
    would show as zero: it keeps two significant digits (gains of a model of 100,000
    departments are thousandths of a point).

    Examples
    --------
    >>> fine_format([0.0123, 0.004], ".2f"), fine_format([1.5, 0.001], ".2f")
    ('.3f', '.2f')
    >>> fine_format([], ".3f")
    '.3f'
    """
    import math

    finite = [abs(v) for v in values if v is not None and math.isfinite(v)]
    top = max(finite, default=0.0)
    decimals = int(base[1:-1])
    if top > 0:
        decimals = max(decimals, min(6, 1 - math.floor(math.log10(top))))
    return f".{decimals}{base[-1]}"


def gain_format(chain: Chain, ranking: Any) -> str:
    """The format of gains and losses in points wherever the priorities are quoted: the
    score format, finer when even the largest gain would show as zero."""
    span = chain.network.scale.max - chain.network.scale.min
    first = [rows[0].gain * span for rows in (ranking.departments, ranking.services) if rows]
    return fine_format(first, score_format(chain))


def importance_format(ranking: Any, rows: Any = None) -> str:
    """The format of importances: three decimals, finer when the largest would show as
    zero (of ``rows``; default the departments')."""
    if rows is None:
        rows = [ranking.departments[p] for p in most_important(ranking, 1)]
    return fine_format([r.importance for r in rows], ".3f")


def score_format(chain: Chain) -> str:
    """Number format of scores on the model's scale: two decimals, one on scales wider than 20
    (as the command line rounds them, :func:`servicechain.text.fmt_score`)."""
    span = chain.network.scale.max - chain.network.scale.min
    return ".1f" if span > 20 else ".2f"


def label(names: dict[str, str], ident: str) -> str:
    """The name of ``ident`` (a client reads names, never ids); the id when it has no name."""
    return names.get(ident, ident)


def money(amount: float, currency: str | None = None, *, sign: bool = False) -> str:
    """An amount of money with the model's currency code when it has one: whole units below a
    million, millions with one decimal from there.

    Examples
    --------
    >>> money(1234567.8, "EUR"), money(-2500, None, sign=True), money(0.4, "CNY", sign=True)
    ('EUR 1.2 million', '-2,500', 'CNY 0')
    >>> money(12_373_333, "EUR", sign=True)
    '+EUR 12.4 million'
    """
    size = abs(amount)
    text = f"{size / 1e6:,.1f} million" if size >= 999_950 else f"{size:,.0f}"
    if text == "0":
        return f"{currency} 0" if currency else "0"
    mark = "-" if amount < 0 else ("+" if sign else "")
    return f"{mark}{currency} {text}" if currency else f"{mark}{text}"


def node_name(net: Any, node: Any) -> str:
    """Display name of a node id or of a ``(supplier, customer)`` service."""
    if isinstance(node, tuple | list):
        a, b = node
        return f"{net.names[net.index[a]]} → {net.names[net.index[b]]}"
    return net.names[net.index[node]]


class ServiceNames(Mapping):
    """Each service's name by its ``(supplier, customer)`` ids (``""`` when unnamed), looked up
    among the supplier's services when asked (no dict of every service of a large model).

    Examples
    --------
    >>> import servicechain
    >>> net = servicechain.load(servicechain.example_path("flowershop")).network
    >>> names = service_names(net)
    >>> names[("phone_web", "van")], names.get(("van", "phone_web")), len(names) == net.m
    ('Delivery route list', None, True)
    """

    def __init__(self, net: Any):
        import numpy as np

        self._net = net
        self._order = np.argsort(net.source, kind="stable")
        self._start = np.searchsorted(net.source[self._order], np.arange(net.n + 1))

    def __getitem__(self, pair: tuple[str, str]) -> str:
        net = self._net
        try:
            a, b = pair
            i, j = net.index[a], net.index[b]
        except (KeyError, TypeError, ValueError):
            raise KeyError(pair) from None
        out = self._order[self._start[i] : self._start[i + 1]]
        hits = out[net.target[out] == j]
        if not len(hits):
            raise KeyError(pair)
        return net.service_names[int(hits[-1])] if net.service_names else ""

    def __iter__(self) -> Iterator[tuple[str, str]]:
        ids = self._net.ids
        seen = set()
        for s, t in zip(self._net.source.tolist(), self._net.target.tolist(), strict=True):
            if (s, t) not in seen:
                seen.add((s, t))
                yield ids[s], ids[t]

    def __len__(self) -> int:
        return len(set(zip(self._net.source.tolist(), self._net.target.tolist(), strict=True)))


_NAMES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def service_names(net: Any) -> ServiceNames:
    """Each service's name by its ``(supplier, customer)`` ids (``""`` when unnamed); made
    once per network."""
    names = _NAMES.get(net)
    if names is None:
        names = _NAMES[net] = ServiceNames(net)
    return names


def chart(chain: Chain, kind: str, **options: Any) -> Any:
    """A maker of one chart of :func:`servicechain.draw.charts.plot`, called when needed."""

    def make() -> Any:
        from ..draw.charts import plot

        return plot(chain, kind, **options)

    return make


def lo_hi(chain: Chain, quality: float, fmt: str) -> str:
    """A 0..1 quality on the model's scale, with the scale: ``4.06 on 1..5``."""
    lo, hi = chain.network.scale.min, chain.network.scale.max
    return f"{lo + quality * (hi - lo):{fmt}} on {lo:g}..{hi:g}"


def anchor(ident: str) -> str:
    """An ASCII-safe anchor for an id (ids may hold any text)."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in ident)
    return f"{safe}-{sum(map(ord, ident)) % 9973}" if safe != ident else safe
