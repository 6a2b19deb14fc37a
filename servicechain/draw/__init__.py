"""Chain diagrams and charts: ``layout`` (positions only), ``render`` and ``charts`` (matplotlib).

Only the layout is imported here, so importing :mod:`servicechain.draw` never loads matplotlib.
"""

from __future__ import annotations

from .layout import Layout, columns, label_lines, layered_layout

__all__ = ["Layout", "columns", "label_lines", "layered_layout"]
