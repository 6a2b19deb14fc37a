"""Names, anchors and number formats shared by the report's sections."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = [
    "anchor",
    "chart",
    "label",
    "lo_hi",
    "money",
    "node_name",
    "score_format",
    "service_names",
]


def score_format(chain: Chain) -> str:
    """Number format of scores on the model's scale: two decimals, one on scales wider than 20
    (as the command line rounds them, :func:`servicechain.text.fmt_score`)."""
    span = chain.model.scale.max - chain.model.scale.min
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


def service_names(net: Any) -> dict[tuple[str, str], str]:
    """Each service's name by its ``(supplier, customer)`` ids (``""`` when unnamed)."""
    names = net.service_names or [""] * net.m
    return {
        (net.ids[s], net.ids[t]): names[k]
        for k, (s, t) in enumerate(zip(net.source, net.target, strict=True))
    }


def chart(chain: Chain, kind: str, **options: Any) -> Any:
    """A maker of one chart of :func:`servicechain.draw.charts.plot`, called when needed."""

    def make() -> Any:
        from ..draw.charts import plot

        return plot(chain, kind, **options)

    return make


def lo_hi(chain: Chain, quality: float, fmt: str) -> str:
    """A 0..1 quality on the model's scale, with the scale: ``4.06 on 1..5``."""
    lo, hi = chain.model.scale.min, chain.model.scale.max
    return f"{lo + quality * (hi - lo):{fmt}} on {lo:g}..{hi:g}"


def anchor(ident: str) -> str:
    """An ASCII-safe anchor for an id (ids may hold any text)."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in ident)
    return f"{safe}-{sum(map(ord, ident)) % 9973}" if safe != ident else safe
