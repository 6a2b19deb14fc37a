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

__all__ = ["VIEWS", "compact_html", "html_from_data", "html_table", "mimebundle", "result_bundle"]

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
    view = VIEWS.get(type(result).__name__)

    def html() -> str:
        data = result.to_dict()
        if view is None:
            return html_from_data(data, title=title)
        return compact_html(data, view, title=title, result=result)

    return mimebundle(str(result), html=html, include=include, exclude=exclude)


# --- compact views: a few columns on the model's scale, read from the same to_dict() data --------


def _fmt(data: Mapping[str, Any]) -> str:
    scale = data.get("scale") or {}
    span = float(scale.get("max", 1.0)) - float(scale.get("min", 0.0))
    return ".2f" if span <= 10 else ".1f"


def _num(value: Any, spec: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = format(value, spec)
    return text.lstrip("+-") if text.strip("+-0.,") == "" else text


def _grid(columns: list[str], rows: list[list[str]], *, caption: str = "", right=()) -> str:
    out = ["<table>"]
    if caption:
        out.append(f"<caption>{escape(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in columns))
    out.append("</tr></thead><tbody>")
    for row in rows[:MAX_ROWS]:
        cells = (
            f'<td class="num">{escape(v)}</td>' if c in right else f"<td>{escape(v)}</td>"
            for c, v in enumerate(row)
        )
        out.append("<tr>" + "".join(cells) + "</tr>")
    if len(rows) > MAX_ROWS:
        more = f"… {len(rows) - MAX_ROWS:,} more rows"
        out.append(f'<tr><td colspan="{len(columns)}">{escape(more)}</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _scale_note(data: Mapping[str, Any]) -> str:
    scale = data.get("scale") or {}
    return f"scale {scale.get('min', 0):g}..{scale.get('max', 1):g}"


def _score_view(data: Mapping[str, Any], result: Any = None) -> list[str]:
    f = _fmt(data)
    company = (data.get("company") or {}).get("score")
    nodes = data.get("nodes") or []
    segments = [n for n in nodes if n.get("kind") == "segment"]
    others = [n for n in nodes if n.get("kind") != "segment"]
    parts = []
    if company is not None:
        parts.append(
            f"<p>Company (value-weighted): <strong>{escape(_num(company, f))}</strong> "
            f"on the {escape(_scale_note(data))}</p>"
        )
    if segments:
        rows = [[n["name"], _num(n["score"], f)] for n in segments]
        parts.append(_grid(["Segment", "Satisfaction"], rows, right=(1,)))
    if others:
        rows = [[n["name"], n["kind"], _num(n["score"], f)] for n in others]
        parts.append(_grid(["Department or partner", "Kind", "Delivered"], rows, right=(2,)))
    return parts


def _ranking_view(data: Mapping[str, Any], result: Any = None) -> list[str]:
    f = _fmt(data)
    parts = [f"<p>By {escape(str(data.get('by', 'gain')))}, points on the {_scale_note(data)}</p>"]
    marked = False
    for key, title in (("departments", "Department or partner"), ("services", "Service")):
        rows = []
        marks = [r.mark for r in result.shown(getattr(result, key))] if result is not None else []
        for n, r in enumerate(data.get(key) or [], 1):
            quadrant = r.get("quadrant") or "no effect"
            mark = marks[n - 1] if n <= len(marks) else ""
            marked |= bool(mark)
            quadrant += mark
            rows.append(
                [
                    f"{n}.",
                    r["label"],
                    _num(r["importance"], ".3f"),
                    _num(r["score"], f),
                    _num(r.get("gain_points"), f),
                    _num(r.get("failure_points"), f),
                    quadrant,
                ]
            )
        if rows:
            columns = ["", title, "Importance", "Score", "Gain", "If failed", "Quadrant"]
            parts.append(_grid(columns, rows, right=(0, 2, 3, 4, 5)))
    split = (data.get("quadrant_split") or {}).get("departments")
    if split:
        parts.append(
            f"<p><small>Quadrants split at importance {split['importance']:.3f} and score "
            f"{_num(split['score'], f)} (their means).</small></p>"
        )
    if marked:
        parts.append(
            "<p><small>* Ranked above a row to 'concentrate here' (or first) yet in a lower "
            "quadrant: the ranking is by the exact gain if perfect, which grows with the "
            "distance of the score from perfect, while the quadrant compares importance and "
            "score with their means; a weak unit can gain much even where it matters little "
            "per point.</small></p>"
        )
    return parts


def _breakdown_view(data: Mapping[str, Any], result: Any = None) -> list[str]:
    f = _fmt(data)
    parts = [
        f"<p>{escape(str(data.get('name', '')))}: <strong>{escape(_num(data['score'], f))}"
        f"</strong>, gap {escape(_num(data['gap_points'], f))} points on the "
        f"{escape(_scale_note(data))}</p>"
    ]
    terms = data.get("terms") or []
    rows = [
        [t["kind"], t["label"], _num(-t["points"], f), _num(t["share_of_gap"], ".0%")]
        for t in terms
    ]
    hidden = int(data.get("terms_total", len(terms))) - len(terms)
    if hidden > 0:
        rest = float(data["gap_points"]) - sum(t["points"] for t in terms)
        share = rest / data["gap_points"] if data["gap_points"] else 0.0
        label = f"{hidden:,} smaller term{'s' if hidden != 1 else ''}"
        rows.append(["", label, _num(-rest, f), _num(share, ".0%")])
    parts.append(_grid(["", "Where", "Points lost", "Share"], rows, right=(2, 3)))
    return parts


def _impact_view(data: Mapping[str, Any], result: Any = None) -> list[str]:
    f = _fmt(data)
    company = data.get("company") or {}
    segments = data.get("segments") or []
    money = any(s.get("revenue_change") is not None for s in segments)
    rows = []
    for s in [*segments, {"name": "Company (value-weighted)", **company}]:
        row = [
            s["name"],
            _num(s.get("score_before"), f),
            _num(s.get("score_after"), f),
            _num(s.get("score_change"), "+" + f),
        ]
        if money:
            row.append(_num(s.get("revenue_change"), "+,.0f"))
        rows.append(row)
    columns = ["Segment", "Before", "After", "Change"] + (["Revenue"] if money else [])
    changes = "; ".join(data.get("changes") or []) or "no change"
    return [
        f"<p>{escape(changes)} (on the {escape(_scale_note(data))})</p>",
        _grid(columns, rows, right=tuple(range(1, len(columns)))),
    ]


def _comparison_view(data: Mapping[str, Any], result: Any = None) -> list[str]:
    scenarios = data.get("scenarios") or []
    if not scenarios:
        return ["<p>No scenarios.</p>"]
    f = _fmt(scenarios[0])
    first = scenarios[0]
    columns = ["Segment", "Now"]
    for sc in scenarios:
        columns += [str(sc["scenario"]), "change"]
    rows = []
    names = [s["name"] for s in first["segments"]] + ["Company (value-weighted)"]
    for i, name in enumerate(names):

        def pick(sc: Mapping[str, Any], i: int = i) -> Mapping[str, Any]:
            return sc["segments"][i] if i < len(sc["segments"]) else sc["company"]

        row = [name, _num(pick(first).get("score_before"), f)]
        for sc in scenarios:
            row += [
                _num(pick(sc).get("score_after"), f),
                _num(pick(sc).get("score_change"), "+" + f),
            ]
        rows.append(row)
    return [
        f"<p>Satisfaction now and in each scenario, on the {escape(_scale_note(first))}</p>",
        _grid(columns, rows, right=tuple(range(1, len(columns)))),
    ]


#: Compact HTML views of result objects by class name: a few columns on the model's scale.
VIEWS: dict[str, Callable[..., list[str]]] = {
    "Score": _score_view,
    "Ranking": _ranking_view,
    "Breakdown": _breakdown_view,
    "Impact": _impact_view,
    "Comparison": _comparison_view,
}


def compact_html(
    data: Mapping[str, Any],
    view: Callable[..., list[str]],
    *,
    title: str = "",
    result: Any = None,
) -> str:
    """A result's ``to_dict()`` data shown by one of :data:`VIEWS`, in a ``sc-result`` block
    (``result``, the object itself, adds what its data leaves out, such as a ranking's marks).

    Examples
    --------
    >>> data = {"scale": {"min": 1, "max": 5}, "company": {"score": 4.0744},
    ...         "nodes": [{"name": "Walk-in", "kind": "segment", "score": 4.36}]}
    >>> page = compact_html(data, VIEWS["Score"], title="Scores")
    >>> "<strong>4.07</strong>" in page, '<td class="num">4.36</td>' in page
    (True, True)
    """
    parts = ['<div class="sc-result">', _STYLE]
    if title:
        parts.append(f"<strong>{escape(title)}</strong>")
    parts += view(data, result)
    parts.append("</div>")
    return "".join(parts)
