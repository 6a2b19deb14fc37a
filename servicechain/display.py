"""Rich display in Jupyter: escaped HTML tables from plain result data, and mime bundles.

Result objects give their ``to_dict()`` data to :func:`html_from_data`; their
``_repr_mimebundle_`` calls :func:`mimebundle`, so each mime type appears once per object and
nothing is displayed twice.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from html import escape
from typing import Any

__all__ = ["html_from_data", "html_table", "mimebundle", "result_bundle"]

_STYLE = (
    "<style>.sc-result table{border-collapse:collapse;margin:4px 0 10px}"
    ".sc-result th,.sc-result td{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}"
    ".sc-result td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".sc-result caption{text-align:left;font-weight:600}</style>"
)
MAX_ROWS = 60


def _cell(value: Any) -> tuple[str, bool]:
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, int):
        return f"{value:,}", True
    if isinstance(value, float):
        return ("" if math.isnan(value) else f"{value:.4g}"), True
    if isinstance(value, Mapping):
        return escape(", ".join(f"{k}: {_cell(v)[0]}" for k, v in value.items())), False
    if isinstance(value, list | tuple):
        return escape(", ".join(_cell(v)[0] if not isinstance(v, str) else v for v in value)), False
    return escape(str(value)), False


def html_table(
    rows: Iterable[Mapping[str, Any]],
    *,
    columns: list[str] | None = None,
    caption: str = "",
    max_rows: int = MAX_ROWS,
) -> str:
    """An escaped HTML table of records; columns default to the keys of the first record.

    Examples
    --------
    >>> page = html_table([{"id": "<a>", "quality": 0.5}], caption="Q")
    >>> print(page.replace("<tr>", "\\n<tr>"))
    <table><caption>Q</caption><thead>
    <tr><th>id</th><th>quality</th></tr></thead><tbody>
    <tr><td>&lt;a&gt;</td><td class="num">0.5</td></tr></tbody></table>
    """
    rows = list(rows)
    if columns is None:
        columns = list(rows[0]) if rows else []
    out = ["<table>"]
    if caption:
        out.append(f"<caption>{escape(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{escape(str(c))}</th>" for c in columns))
    out.append("</tr></thead><tbody>")
    for row in rows[:max_rows]:
        cells = []
        for col in columns:
            text, num = _cell(row.get(col))
            cells.append(f'<td class="num">{text}</td>' if num else f"<td>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    if len(rows) > max_rows:
        more = f"… {len(rows) - max_rows:,} more rows"
        out.append(f'<tr><td colspan="{len(columns)}">{escape(more)}</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _is_records(value: Any) -> bool:
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(v, Mapping) for v in value)
    )


def html_from_data(data: Mapping[str, Any], *, title: str = "") -> str:
    """HTML for a result's ``to_dict()`` data: its scalars in one table, each list of records
    as a table of its own, nested mappings as sub-tables.

    Examples
    --------
    >>> page = html_from_data({"company": 0.8, "segments": [{"id": "s", "quality": 0.7}]},
    ...                       title="Scores")
    >>> page.count("<table>"), "&lt;" in html_from_data({"name": "<b>"})
    (2, True)
    """
    scalars = {k: v for k, v in data.items() if not (_is_records(v) or isinstance(v, Mapping))}
    parts = ['<div class="sc-result">', _STYLE]
    if title:
        parts.append(f"<strong>{escape(title)}</strong>")
    if scalars:
        parts.append(html_table([{"": k, "value": v} for k, v in scalars.items()]))
    for key, value in data.items():
        if _is_records(value):
            parts.append(html_table(value, caption=str(key)))
        elif isinstance(value, Mapping) and value:
            if all(isinstance(v, Mapping) for v in value.values()):
                rows = [{"": k, **v} for k, v in value.items()]
                cols = ["", *sorted({c for v in value.values() for c in v}, key=str)]
                parts.append(html_table(rows, columns=cols, caption=str(key)))
            else:
                rows = [{"": k, "value": v} for k, v in value.items()]
                parts.append(html_table(rows, caption=str(key)))
    parts.append("</div>")
    return "".join(parts)


def mimebundle(
    text: str,
    *,
    html: str | Callable[[], str] | None = None,
    svg: str | Callable[[], str] | None = None,
    include: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
) -> dict[str, str]:
    """A Jupyter mime bundle: plain text always, HTML and SVG when given (callables are only
    called when their type is wanted), filtered by IPython's ``include``/``exclude``.

    Examples
    --------
    >>> sorted(mimebundle("x", html="<b>x</b>", exclude=["text/html"]))
    ['text/plain']
    """
    makers: dict[str, Any] = {"text/plain": text}
    if svg is not None:
        makers["image/svg+xml"] = svg
    if html is not None:
        makers["text/html"] = html
    include = set(include) if include is not None else None
    exclude = set(exclude or ())
    out = {}
    for mime, maker in makers.items():
        if (include is not None and mime not in include) or mime in exclude:
            continue
        out[mime] = maker() if callable(maker) else maker
    return out


def result_bundle(
    result: Any,
    title: str,
    *,
    include: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
) -> dict[str, str]:
    """The mime bundle of a result object: ``str(result)`` as text, its ``to_dict()`` as HTML.

    Examples
    --------
    >>> class Result:
    ...     def __str__(self): return "2 things"
    ...     def to_dict(self): return {"count": 2}
    >>> bundle = result_bundle(Result(), "Things")
    >>> bundle["text/plain"], '<td class="num">2</td>' in bundle["text/html"]
    ('2 things', True)
    """
    return mimebundle(
        str(result),
        html=lambda: html_from_data(result.to_dict(), title=title),
        include=include,
        exclude=exclude,
    )
