"""Spreadsheet tables (CSV and XLSX) read as text, with file, sheet, row and column of each cell.

A CSV file holds either one table (the service list) or several sections, each started by a row
whose first cell is ``[departments]``, ``[segments]``, ``[partners]``, ``[services]`` or
``[model]``; an XLSX workbook holds one sheet per section. Headers are trimmed and matched
case-insensitively against the field names and their common aliases (``supplier`` for ``from``).
Every cell is read as text first, so a code such as ``007`` keeps its zeros.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, did_you_mean
from .text import decode_text

__all__ = [
    "FIELDS",
    "SECTIONS",
    "Row",
    "Table",
    "canonical_header",
    "read_tables",
]

#: The sections a workbook may hold, in the order they are written.
SECTIONS = ("model", "departments", "segments", "partners", "services")

#: For each section, its fields (as in the model file) and the other headers accepted for them.
FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "model": {
        "name": ("model", "company", "organisation", "organization"),
        "description": ("about",),
        "scale_min": ("min", "scale min", "minimum"),
        "scale_max": ("max", "scale max", "maximum"),
        "currency": ("currency code",),
    },
    "departments": {
        "id": ("code", "department id", "key"),
        "name": ("department", "department name", "unit", "team"),
        "group": ("division", "area", "function"),
        "quality": ("own quality", "score", "rating"),
        "quality_se": ("standard error", "se", "quality standard error"),
        "answers": ("n", "number of answers"),
        "dependence": ("dependency", "reliance"),
        "headcount": ("staff", "people", "employees", "fte"),
        "cost": ("budget", "yearly cost"),
        "notes": ("note", "comment", "comments", "remarks"),
    },
    "segments": {
        "id": ("code", "segment id", "key"),
        "name": ("segment", "segment name"),
        "kind": ("type", "segment kind", "segment type"),
        "relationship": ("relation",),
        "customers": ("customer count", "clients", "number of customers"),
        "revenue": ("sales", "turnover"),
        "revenue_elasticity": ("elasticity",),
        "dependence": ("dependency", "reliance"),
        "baseline": ("base", "outside satisfaction"),
        "quality_se": ("standard error", "se", "baseline standard error"),
        "answers": ("n", "number of answers"),
        "notes": ("note", "comment", "comments", "remarks"),
    },
    "partners": {
        "id": ("code", "partner id", "key"),
        "name": ("partner", "partner name", "vendor", "supplier"),
        "quality": ("score", "rating"),
        "quality_se": ("standard error", "se", "quality standard error"),
        "answers": ("n", "number of answers"),
        "notes": ("note", "comment", "comments", "remarks"),
    },
    "services": {
        "from": ("supplier", "source", "provider", "from department", "supplier department"),
        "to": ("customer", "target", "receiver", "to department", "customer department"),
        "name": ("service", "service name", "what"),
        "quality": ("score", "rating", "service quality"),
        "quality_se": ("standard error", "se", "quality standard error"),
        "answers": ("n", "number of answers"),
        "weight": ("importance",),
        "volume": ("amount",),
        "unit": ("units", "volume unit", "unit of volume"),
        "cost": ("price",),
        "sla": ("service level", "service level agreement"),
        "notes": ("note", "comment", "comments", "remarks"),
    },
    "responses": {
        "customer": (
            "respondent",
            "respondent department",
            "department",
            "internal customer",
            "to",
        ),
        "supplier": ("supplier department", "provider", "from", "internal supplier"),
        "service": ("service name",),
        "item": ("question", "aspect", "statement"),
        "dimension": ("servqual dimension", "construct", "scale"),
        "perception": ("score", "rating", "p", "perceived"),
        "expectation": ("e", "expected"),
        "respondent_id": ("person", "person id", "rater", "respondent code", "answered by"),
    },
    "employees": {
        "department": ("team", "unit", "respondent department"),
        "item": ("question", "dimension", "aspect"),
        "score": ("rating", "answer"),
    },
}

_SECTION_ALIASES = {
    "model": ("model", "company", "about"),
    "departments": ("departments", "department", "units", "teams"),
    "segments": ("segments", "segment", "customers", "customer segments"),
    "partners": ("partners", "partner", "vendors", "external suppliers"),
    "services": ("services", "service", "service list", "hand-offs", "handoffs", "links"),
}

_MARKER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*$")
_FORMULA_START = "=+-@\t\r"


@dataclass(frozen=True)
class Row:
    """One data row: its 1-based row number and its non-empty cells by field name."""

    number: int
    values: dict[str, str]
    columns: dict[str, int] = field(default_factory=dict)


@dataclass
class Table:
    """One section read from a file: where it came from and its rows."""

    source: str
    section: str
    header_row: int
    columns: dict[str, int]
    rows: list[Row]
    decimal_comma: bool = False

    def problem(self, row: int | None, field: str, message: str, fix: str = "") -> Problem:
        """A problem located at ``field`` of data row number ``row`` (the header if ``None``)."""
        column = self.columns.get(field)
        line = self.header_row if row is None else row
        return Problem(self.source, line, column, field, message, fix)


def canonical_header(text: str) -> str:
    """A header in the form used for matching: trimmed, lower case, single spaces.

    Examples
    --------
    >>> canonical_header("  Revenue_Elasticity ")
    'revenue elasticity'
    """
    return " ".join(re.sub(r"[_\-]+", " ", text.strip().lower()).split())


def _header_index(section: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for name, aliases in FIELDS[section].items():
        for text in (name, *aliases):
            index.setdefault(canonical_header(text), name)
    return index


def _section_of(text: str) -> str | None:
    key = canonical_header(text)
    for section, aliases in _SECTION_ALIASES.items():
        if key in {canonical_header(a) for a in aliases}:
            return section
    return None


def read_tables(
    path: str | os.PathLike, *, section: str | None = None
) -> tuple[list[Table], list[Problem]]:
    """Read the tables of a CSV or XLSX file, with every problem found on the way.

    Parameters
    ----------
    path : path-like
        A ``.csv`` (or ``.txt``/``.tsv``) or ``.xlsx`` file.
    section : str, keyword-only
        The section a file without section markers or named sheets holds (default services).

    Returns
    -------
    tables, problems
        The tables in file order, and the problems (unknown headers, unreadable file, ...).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = p.write_bytes("\\ufeffSupplier ; Customer;Quality\\nit;store;4,5\\n".encode())
    >>> tables, problems = read_tables(p)
    >>> tables[0].rows[0].values, tables[0].decimal_comma, problems
    ({'from': 'it', 'to': 'store', 'quality': '4,5'}, True, [])
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, section)
    try:
        raw = path.read_bytes()
    except OSError as err:
        return [], [Problem(str(path), None, None, "", f"cannot read the file: {err.strerror}")]
    try:
        text = decode_text(raw)
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return [], [
            Problem(
                str(path),
                line,
                None,
                "",
                f"not UTF-8 text: byte 0x{raw[err.start]:02X} cannot be decoded",
                "save the sheet as 'CSV UTF-8' (in Excel: Save as › CSV UTF-8)",
            )
        ]
    return _read_csv_text(text, str(path), section)


def _delimiter(line: str) -> str:
    counts = {d: 0 for d in (",", ";", "\t")}
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _unquote_formula(text: str) -> str:
    """Undo the ``'`` with which exports neutralise a cell that starts like a formula."""
    if len(text) >= 2 and text[0] == "'" and text[1] in _FORMULA_START + "'":
        return text[1:]
    return text


def _read_csv_text(
    text: str, source: str, section: str | None
) -> tuple[list[Table], list[Problem]]:
    lines = text.splitlines()
    first = next(
        (ln for ln in lines if ln.strip() and not _MARKER.match(ln.strip().rstrip(",;\t"))), ""
    )
    delimiter = _delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    numbered = []
    last = 0
    for cells in reader:  # a record starts on the line after the previous one ended
        numbered.append((last + 1, [_unquote_formula(c) for c in cells]))
        last = reader.line_num
    problems: list[Problem] = []
    blocks: list[tuple[str, int, list[tuple[int, list[str]]]]] = []
    current: tuple[str, int, list] | None = None
    for number, cells in numbered:
        head = cells[0].strip() if cells else ""
        marker = _MARKER.match(head) if head and not any(c.strip() for c in cells[1:]) else None
        if marker:
            found = _section_of(marker.group(1))
            if found is None:
                problems.append(
                    Problem(
                        source,
                        number,
                        1,
                        "",
                        f"unknown section {head!r}",
                        did_you_mean(marker.group(1), [f"[{s}]" for s in SECTIONS])
                        or "use [departments], [segments], [partners], [services] or [model]",
                    )
                )
                current = None
                continue
            current = (found, number, [])
            blocks.append(current)
            continue
        if current is None:
            if not any(c.strip() for c in cells):
                continue
            current = (section or "services", number, [])
            blocks.append(current)
        current[2].append((number, cells))
    tables = []
    for name, _, rows in blocks:
        table, found = _table(source, name, rows, decimal_comma=delimiter == ";")
        problems.extend(found)
        if table is not None:
            tables.append(table)
    return tables, problems


def _table(
    source: str, section: str, rows: list[tuple[int, list[str]]], *, decimal_comma: bool = False
) -> tuple[Table | None, list[Problem]]:
    """Turn raw rows (the first non-empty one is the header) into a :class:`Table`."""
    problems: list[Problem] = []
    rows = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
    if not rows:
        return Table(source, section, 0, {}, [], decimal_comma), problems
    header_row, header = rows[0]
    index = _header_index(section)
    columns: dict[str, int] = {}
    for col, text in enumerate(header, start=1):
        key = canonical_header(text)
        if not key:
            continue
        name = index.get(key)
        if name is None:
            hint = did_you_mean(key, sorted(FIELDS[section]))
            problems.append(
                Problem(
                    source,
                    header_row,
                    col,
                    "",
                    f"unknown column {text.strip()!r} in the {section} table",
                    hint or f"rename it to one of {', '.join(FIELDS[section])}, or delete it",
                )
            )
            continue
        if name in columns:
            problems.append(
                Problem(
                    source,
                    header_row,
                    col,
                    name,
                    f"column {text.strip()!r} holds {name!r} again "
                    f"(column {columns[name]} holds it already)",
                    "keep one of the two columns",
                )
            )
            continue
        columns[name] = col
    by_col = {col: name for name, col in columns.items()}
    named = {col for col, text in enumerate(header, start=1) if canonical_header(text)}
    orphans: dict[int, tuple[int, int]] = {}  # column → (first row, count) of headerless values
    out = []
    for number, cells in rows[1:]:
        values: dict[str, str] = {}
        for col, text in enumerate(cells, start=1):
            text = text.strip()
            if not text:
                continue
            name = by_col.get(col)
            if name is None:
                if col not in named:  # an unknown header is reported once, above
                    first, count = orphans.get(col, (number, 0))
                    orphans[col] = (first, count + 1)
                continue
            values[name] = text
        out.append(Row(number, values, {name: columns[name] for name in values}))
    for col, (first, count) in sorted(orphans.items()):
        problems.append(
            Problem(
                source,
                first,
                col,
                "",
                f"column {col} has {count} value{'s' if count != 1 else ''} but no header",
                "give the column a header, or delete its values",
            )
        )
    return Table(source, section, header_row, columns, out, decimal_comma), problems


# --- XLSX ------------------------------------------------------------------------------------


def _cell_text(value: object, number_format: str = "General") -> str:
    """The text of a spreadsheet cell, as the sheet shows it for codes such as ``007``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return repr(value)
        text = str(int(value))
        fmt = number_format or ""
        if re.fullmatch(r"0+", fmt) and len(fmt) > len(text):
            text = text.zfill(len(fmt))
        return text
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


#: A workbook whose parts unpack to more than this many MB is refused before it is read (the
#: ``SERVICECHAIN_MAX_UNPACKED`` environment variable raises it).
MAX_UNPACKED_MB = 500


def _unpacked_limit() -> int:
    try:
        return int(float(os.environ.get("SERVICECHAIN_MAX_UNPACKED", MAX_UNPACKED_MB)) * 2**20)
    except ValueError:
        return MAX_UNPACKED_MB * 2**20


def _unpacked_size(path: Path) -> int:
    """What the parts of a workbook (a zip file) declare they unpack to; reading a part never
    gives more than it declares, so this bounds the memory and time openpyxl can take."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile):
        return 0  # not a zip file: openpyxl says what is wrong with it


def _read_xlsx(path: Path, section: str | None) -> tuple[list[Table], list[Problem]]:
    try:
        import openpyxl
    except ImportError:
        return [], [
            Problem(
                str(path),
                None,
                None,
                "",
                "reading .xlsx files needs the openpyxl package",
                "pip install openpyxl, or save the sheet as CSV",
            )
        ]
    unpacked, limit = _unpacked_size(path), _unpacked_limit()
    if unpacked > limit:
        return [], [
            Problem(
                str(path),
                None,
                None,
                "",
                f"the workbook unpacks to {unpacked / 2**20:,.0f} MB, over the limit of "
                f"{limit / 2**20:,.0f} MB (a zip bomb, or a very large workbook)",
                "save the sheets as CSV, or raise the limit with SERVICECHAIN_MAX_UNPACKED (MB)",
            )
        ]
    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a broken or foreign file
        return [], [
            Problem(
                str(path),
                None,
                None,
                "",
                f"cannot read the workbook: {err}",
                "save it again as an .xlsx workbook, or as CSV",
            )
        ]
    problems: list[Problem] = []
    tables: list[Table] = []
    sheets = list(book.worksheets)
    for sheet in sheets:
        name = _section_of(sheet.title)
        if name is None:
            if len(sheets) == 1:
                name = section or "services"
            else:
                problems.append(
                    Problem(
                        f"{path}[{sheet.title}]",
                        None,
                        None,
                        "",
                        f"unknown sheet {sheet.title!r}",
                        did_you_mean(sheet.title, [s.capitalize() for s in SECTIONS])
                        or "name the sheets Departments, Segments, Partners, Services (and Model)",
                    )
                )
                continue
        rows = []
        for row in sheet.iter_rows():
            cells = [_cell_text(c.value, getattr(c, "number_format", "General")) for c in row]
            if row:
                rows.append((row[0].row, cells))
        table, found = _table(f"{path}[{sheet.title}]", name, rows)
        problems.extend(found)
        if table is not None:
            tables.append(table)
    return tables, problems
