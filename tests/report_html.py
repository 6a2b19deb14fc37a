"""A report page read back with a real HTML parser: header facts, each section's text and every
table (with the section it sits in), for the tests that compare the report with the command
line's JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["Page", "PageTable", "read_page"]


@dataclass
class PageTable:
    """One table: the innermost section holding it, its caption, header and rows of cell text;
    ``numeric`` says which columns are marked as numbers."""

    section: str
    caption: str = ""
    head: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    numeric: set[int] = field(default_factory=set)

    def column(self, name: str) -> list[str]:
        """The cells of the column headed ``name``."""
        c = self.head.index(name)
        return [row[c] for row in self.rows]


@dataclass
class Page:
    """What a reader sees: the header's facts, the text of each section by id (nested sections
    included in their parents), and every table."""

    facts: dict[str, str]
    text: dict[str, str]
    tables: list[PageTable]

    def tables_in(self, section: str) -> list[PageTable]:
        """The tables whose innermost section is ``section``."""
        return [t for t in self.tables if t.section == section]

    def table(self, *head: str) -> PageTable:
        """The one table whose header starts with ``head``."""
        found = [t for t in self.tables if tuple(t.head[: len(head)]) == head]
        assert len(found) == 1, (head, [t.head for t in self.tables])
        return found[0]


class _Reader(HTMLParser):
    SKIP = frozenset({"script", "style", "svg"})
    INLINE = frozenset(
        {"a", "abbr", "b", "code", "em", "i", "small", "span", "strong", "sub", "sup"}
    )

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page({}, {}, [])
        self._sections: list[str] = []
        self._skip = 0
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._caption: list[str] | None = None
        self._dt: list[str] | None = None
        self._dd: list[str] | None = None
        self._term = ""
        self._in_head = False

    def _gap(self, tag: str) -> None:
        if tag not in self.INLINE and not self._skip:
            for section in self._sections:
                self.page.text[section] += " "

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._gap(tag)
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "section":
            self._sections.append(attrs.get("id", ""))
            self.page.text.setdefault(self._sections[-1], "")
        elif tag == "table":
            self.page.tables.append(PageTable(self._sections[-1] if self._sections else ""))
        elif tag == "caption":
            self._caption = []
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
            if "num" in (attrs.get("class") or "").split() and self._row is not None:
                self.page.tables[-1].numeric.add(len(self._row))
        elif tag == "dt":
            self._dt = []
        elif tag == "dd":
            self._dd = []

    def handle_endtag(self, tag):
        self._gap(tag)
        if tag in self.SKIP:
            self._skip -= 1
        elif tag == "section":
            self._sections.pop()
        elif tag == "caption" and self._caption is not None:
            self.page.tables[-1].caption = "".join(self._caption).strip()
            self._caption = None
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            table = self.page.tables[-1]
            if self._in_head:
                table.head = self._row
            else:
                table.rows.append(self._row)
            self._row = None
        elif tag == "dt" and self._dt is not None:
            self._term = "".join(self._dt).strip()
            self._dt = None
        elif tag == "dd" and self._dd is not None:
            self.page.facts[self._term] = "".join(self._dd).strip()
            self._dd = None

    def handle_data(self, data):
        if self._skip:
            return
        for part in (self._cell, self._caption, self._dt, self._dd):
            if part is not None:
                part.append(data)
        for section in self._sections:
            self.page.text[section] += data


def read_page(html: str) -> Page:
    """The page as a reader sees it."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    # text runs of several elements are joined by single spaces, as a reader reads them
    reader.page.text = {k: " ".join(v.split()) for k, v in reader.page.text.items()}
    return reader.page
