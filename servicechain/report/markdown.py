"""A :class:`~servicechain.report.document.Document` as Markdown, with its charts as PNG files.

The text links the images through a folder next to the Markdown file (``<stem>_files/``), so the
pair can be committed to a git repository or pasted into a wiki. User text passes through
:func:`md_escape`: Markdown and HTML in names are shown literally.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ..text import plain_text
from .document import Bullets, Document, Figure, Findings, Section, Table, Text

__all__ = ["md_escape", "md_link", "render_markdown"]

_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_LEADING = re.compile(r"^([#+\-=]|\d+(?=[.)]))")


def md_escape(text: object, *, line_start: bool = False) -> str:
    """Text made literal in Markdown (and in the HTML that Markdown may hold); one line.

    With ``line_start``, a leading ``#``, ``-``, ``+``, ``=`` or ``1.`` is escaped too, so the
    text cannot turn into a heading or a list.

    Examples
    --------
    >>> print(md_escape("<b>A|B</b> *x*"))
    &lt;b&gt;A\\|B&lt;/b&gt; \\*x\\*
    >>> print(md_escape("1. # not a list", line_start=True))
    1\\. # not a list
    """
    text = " ".join(plain_text(str(text)).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    if not line_start:
        return text
    return _LEADING.sub(
        lambda m: m.group(1) + "\\" if m.group(1)[0].isdigit() else "\\" + m.group(1), text
    )


def md_link(target: str) -> str:
    """A relative file name as a Markdown link destination: spaces, brackets and other
    characters that would end the link are percent-encoded, so CommonMark keeps the link.

    Examples
    --------
    >>> md_link("my report_files/chain (1).png")
    'my%20report_files/chain%20%281%29.png'
    """
    return quote(target, safe="/!$&'*+,;=:@-._~")


def _table(table: Table) -> list[str]:
    numeric = table.numeric
    lines = []
    if table.caption:
        lines += [f"*{md_escape(table.caption)}*", ""]
    lines.append("| " + " | ".join(md_escape(c) for c in table.columns) + " |")
    lines.append("|" + "|".join("---:" if num else "---" for num in numeric) + "|")
    for r in range(len(table.rows)):
        cells = (md_escape(table.text(r, c)) for c in range(len(table.columns)))
        lines.append("| " + " | ".join(cells) + " |")
    if table.rest:
        cells = (md_escape(table.rest_text(c)) for c in range(len(table.columns)))
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def _section(section: Section, folder: str, images: dict[str, bytes], level: int) -> list[str]:
    lines = ["#" * level + " " + md_escape(section.title), ""]
    if section.intro:
        lines += [md_escape(section.intro, line_start=True), ""]
    for block in section.blocks:
        if isinstance(block, Text):
            text = md_escape(block.text, line_start=not block.note)
            lines += [f"*{text}*" if block.note else text, ""]
        elif isinstance(block, Bullets):
            lines += [f"- {md_escape(item)}" for item in block.items] + [""]
        elif isinstance(block, Findings):
            for title, text, points in block.items:
                lines.append(f"- **{md_escape(title)}.** {md_escape(text)}")
                lines += [f"  {n}. {md_escape(p)}" for n, p in enumerate(points, 1)]
            lines.append("")
        elif isinstance(block, Table):
            lines += _table(block)
        elif isinstance(block, Figure):
            name = f"{block.name}.png"
            images[name] = block.png()
            alt = md_escape(block.caption)
            lines += [f"![{alt}]({md_link(f'{folder}/{name}')})", "", f"*{alt}*", ""]
        elif isinstance(block, Section):
            lines += _section(block, folder, images, level + 1)
        else:
            raise TypeError(f"cannot render {type(block).__name__} as Markdown")
    return lines


def render_markdown(doc: Document, *, folder: str) -> tuple[str, dict[str, bytes]]:
    """The report as Markdown text and the images it links, by file name inside ``folder``.

    Examples
    --------
    >>> doc = Document("Shop", "A test", [Section("a", "Part", [Text("1 < 2")])])
    >>> text, images = render_markdown(doc, folder="shop_files")
    >>> print(text)
    # Shop
    <BLANKLINE>
    A test
    <BLANKLINE>
    ## Part
    <BLANKLINE>
    1 &lt; 2
    <BLANKLINE>
    """
    images: dict[str, bytes] = {}
    lines = [f"# {md_escape(doc.title)}", "", md_escape(doc.subtitle, line_start=True), ""]
    if doc.facts:
        lines += [" · ".join(f"**{md_escape(v)}** {md_escape(k)}" for k, v in doc.facts), ""]
    for section in doc.sections:
        lines += _section(section, folder, images, 2)
    footer = doc.data.get("footer")
    if footer:
        lines += ["---", "", f"*{md_escape(footer)}*", ""]
    return "\n".join(lines).rstrip("\n") + "\n", images
