"""A :class:`~servicechain.report.document.Document` as one self-contained HTML page.

Inline CSS, inline SVG, plain JavaScript and the page's data as an inert JSON block: nothing is
fetched from the network. Every piece of user text passes through :func:`escape` (or
:func:`script_json` inside the script block), so a name such as ``<script>`` is shown, not run.
"""

from __future__ import annotations

import json
import re
from html import escape as _escape

from ..text import BIDI_CONTROLS, plain_text
from .assets import CSS, SCRIPT
from .document import Bullets, Document, Figure, Findings, Section, Table, Text

__all__ = ["escape", "render_html", "scope_svg", "script_json"]


def escape(text: object) -> str:
    """Text made safe for HTML content and attribute values (control characters and bidi
    overrides dropped, markup escaped).

    Examples
    --------
    >>> escape('<script>alert("1")</script> & co')
    '&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt; &amp; co'
    """
    return _escape(plain_text(str(text)), quote=True)


def script_json(data: object) -> str:
    """JSON safe to place inside a ``<script type="application/json">`` element.

    ``<``, ``>`` and ``&`` are written as ``\\u`` escapes, so no ``</script>`` can end the block.

    Examples
    --------
    >>> script_json({"name": "</script><b>"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _INERT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


#: Written as escapes in JSON: DEL, C1 controls, bidi overrides, line and paragraph separators.
_INERT = re.compile(f"[\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}]")


_ID = re.compile(r'\bid="([^"]+)"')
_COMMENT = re.compile(r"<!--.*?-->|<metadata>.*?</metadata>", re.S)


def scope_svg(svg: str, prefix: str) -> str:
    """Prefix every ``id`` of an SVG (and the references to it) so that several SVGs can
    share one page without clashing; comments (which may quote user text) and metadata are
    dropped.

    Examples
    --------
    >>> scope_svg('<svg><clipPath id="p1"/><g clip-path="url(#p1)"/><use xlink:href="#p1"/></svg>',
    ...           "f-")
    '<svg><clipPath id="f-p1"/><g clip-path="url(#f-p1)"/><use xlink:href="#f-p1"/></svg>'
    """
    svg = _COMMENT.sub("", svg)
    ids = set(_ID.findall(svg))
    if not ids:
        return svg

    def ref(match: re.Match) -> str:
        name = match.group(2)
        return f"{match.group(1)}{prefix}{name}" if name in ids else match.group(0)

    svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
    return re.sub(r'((?:url\(|href=")#)([^)"\s]+)', ref, svg)


def _table(table: Table) -> str:
    numeric = table.numeric
    cls = ' class="sortable"' if table.sortable and len(table.rows) > 1 else ""
    out = [f'<div class="table-wrap"><table{cls}>']
    if table.caption:
        out.append(f"<caption>{escape(table.caption)}</caption>")
    num_cls = ' class="num"'
    head = "".join(
        f'<th scope="col"{num_cls if num else ""}>{escape(col)}</th>'
        for col, num in zip(table.columns, numeric, strict=True)
    )
    out.append(f"<thead><tr>{head}</tr></thead><tbody>")
    for r, row in enumerate(table.rows):
        cells = []
        for c, value in enumerate(row):
            text = escape(table.text(r, c))
            if numeric[c] and value is not None:
                cells.append(f'<td class="num" data-value="{float(value)!r}">{text}</td>')
            else:
                cells.append(f"<td{num_cls if numeric[c] else ''}>{text}</td>")
        out.append(f"<tr>{''.join(cells)}</tr>")
    out.append("</tbody>")
    if table.rest:  # in the foot: it stays last when the body is sorted
        cells = [
            f"<td{num_cls if numeric[c] else ''}>{escape(table.rest_text(c))}</td>"
            for c in range(len(table.columns))
        ]
        out.append(f'<tfoot><tr class="rest">{"".join(cells)}</tr></tfoot>')
    out.append("</table></div>")
    return "".join(out)


def _figure(fig: Figure) -> str:
    svg = scope_svg(fig.svg_text(), f"{fig.name}-")
    if fig.interactive:
        return (
            f'<figure id="chain-diagram" class="chart">'
            '<p class="hint">Hover over or click a box to highlight the chain it depends on '
            '(<span class="up">upstream</span>) and the chain it serves '
            '(<span class="down">downstream</span>); <span class="loop">both</span> means a '
            "loop.</p>"
            f'<div class="svg-wrap">{svg}</div>'
            '<p class="chain-status" aria-live="polite"></p>'
            f"<figcaption>{escape(fig.caption)}</figcaption></figure>"
        )
    said = escape("; ".join(fig.texts()))
    return (
        f'<figure id="fig-{escape(fig.name)}" class="chart">'
        f'<div class="svg-wrap" role="img" aria-label="{escape(fig.caption)}" '
        f'aria-describedby="text-{escape(fig.name)}">{svg}</div>'
        f'<p class="chart-text" id="text-{escape(fig.name)}">{said}</p>'
        f"<figcaption>{escape(fig.caption)}</figcaption></figure>"
    )


def _block(block: object) -> str:
    if isinstance(block, Text):
        return (
            f'<p class="note">{escape(block.text)}</p>'
            if block.note
            else (f"<p>{escape(block.text)}</p>")
        )
    if isinstance(block, Bullets):
        items = "".join(f"<li>{escape(item)}</li>" for item in block.items)
        return f'<ul class="bullets">{items}</ul>'
    if isinstance(block, Findings):
        items = "".join(
            f'<li><strong class="finding">{escape(title)}.</strong> {escape(text)}'
            + (
                "<ol>" + "".join(f"<li>{escape(p)}</li>" for p in points) + "</ol>"
                if points
                else ""
            )
            + "</li>"
            for title, text, points in block.items
        )
        return f'<ul class="findings">{items}</ul>'
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        return _figure(block)
    if isinstance(block, Section):
        return _section(block, level=3)
    raise TypeError(f"cannot render {type(block).__name__} as HTML")


def _section(section: Section, *, level: int = 2) -> str:
    parts = [f'<section id="{escape(section.anchor)}">']
    parts.append(f"<h{level}>{escape(section.title)}</h{level}>")
    if section.intro:
        parts.append(f"<p>{escape(section.intro)}</p>")
    parts.extend(_block(b) for b in section.blocks)
    parts.append("</section>")
    return "\n".join(parts)


def render_html(doc: Document, *, generator: str = "servicechain") -> str:
    """The whole report page as text.

    Examples
    --------
    >>> doc = Document("Shop <b>", "A test", [Section("a", "Part", [Text("x < y")])])
    >>> page = render_html(doc)
    >>> "<title>Shop &lt;b&gt;</title>" in page, "<p>x &lt; y</p>" in page
    (True, True)
    """
    facts = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in doc.facts)
    toc = "".join(
        f'<li><a href="#{escape(s.anchor)}">{escape(s.title)}</a></li>' for s in doc.sections
    )
    body = "\n".join(_section(s) for s in doc.sections)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="{escape(generator)}">
<title>{escape(doc.title)}</title>
<style>
{CSS}</style>
</head>
<body>
<header>
<h1>{escape(doc.title)}</h1>
<p class="subtitle">{escape(doc.subtitle)}</p>
<dl class="facts">{facts}</dl>
</header>
<nav class="toc" aria-label="Contents"><ol>{toc}</ol></nav>
<main>
{body}
</main>
<footer>{escape(doc.data.get("footer", ""))}</footer>
<script type="application/json" id="sc-data">{script_json(doc.data)}</script>
<script>
{SCRIPT}</script>
</body>
</html>
"""
