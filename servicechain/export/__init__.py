"""Export a model to other tools: GraphML, GEXF, node-link JSON, DOT, Mermaid, draw.io, CSV.

Each format lives in its own module with a small pure function that escapes user text for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from typing import TYPE_CHECKING

from ..errors import ServiceChainError

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = ["FORMATS", "export", "export_chunks"]

#: Format name → (module, function, file extension); the function gives the text, or its
#: pieces one after the other (the formats big models are written in).
FORMATS: dict[str, tuple[str, str, str]] = {
    "graphml": ("graphml", "graphml_chunks", ".graphml"),
    "gexf": ("graphs", "to_gexf", ".gexf"),
    "json": ("graphs", "to_json", ".json"),
    "dot": ("dot", "to_dot", ".dot"),
    "mermaid": ("mermaid", "to_mermaid", ".mmd"),
    "drawio": ("drawio", "drawio_chunks", ".drawio"),
    "csv": ("table", "to_csv", ".csv"),
}


def export(chain: Chain, fmt: str) -> str:
    """The model of ``chain`` as text in format ``fmt`` (one of :data:`FORMATS`).

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop", "departments": [{"id": "a", "name": "A"}]})
    >>> export(chain, "mermaid").splitlines()[0]
    'flowchart LR'
    """
    return "".join(export_chunks(chain, fmt))


def export_chunks(chain: Chain, fmt: str) -> Iterator[str]:
    """The text of :func:`export` in pieces, to be written one after the other: GraphML and
    draw.io files of big models are made a block of rows at a time, never held whole.

    Raises
    ------
    ServiceChainError
        At once, for an unknown format.

    Examples
    --------
    >>> from servicechain import Chain
    >>> chain = Chain.from_dict({"name": "Shop", "departments": [{"id": "a", "name": "A"}]})
    >>> "".join(export_chunks(chain, "graphml")) == export(chain, "graphml")
    True
    """
    if fmt not in FORMATS:
        from ..errors import did_you_mean

        hint = did_you_mean(fmt, FORMATS, what="format")
        raise ServiceChainError(f"unknown export format {fmt!r}" + (f"; {hint}" if hint else ""))
    module, function, _ = FORMATS[fmt]
    writer = getattr(import_module(f"{__name__}.{module}"), function)
    text = writer(chain.model if module == "table" else chain)
    return iter((text,)) if isinstance(text, str) else text
