"""Chain diagrams and charts: ``layout`` (positions only), ``render`` and ``charts`` (matplotlib).

The names below are imported on first use, so importing a module of this package (the draw.io
export's ``bulk`` placement, say) loads neither networkx nor matplotlib.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = ["Layout", "columns", "label_lines", "layered_layout"]

if TYPE_CHECKING:
    from .layout import Layout, columns, label_lines, layered_layout


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(".layout", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
