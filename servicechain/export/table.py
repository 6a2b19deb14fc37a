"""The model as spreadsheet tables: a CSV with ``[section]`` rows, or an XLSX workbook.

Both read back through ``servicechain import`` into the same model. A text cell that starts like
a formula (``=``, ``+``, ``-``, ``@``) is prefixed with ``'`` so a spreadsheet never runs it.
"""

from __future__ import annotations

import csv
import io

from ..io.tabular import FIELDS, SECTIONS
from ..model.spec import Model

__all__ = ["csv_cell", "model_tables", "to_csv", "to_xlsx"]

_ALWAYS = {
    "model": ("name", "scale_min", "scale_max"),
    "departments": ("id", "name", "group", "quality", "dependence"),
    "segments": ("id", "name", "kind", "relationship"),
    "partners": ("id", "name", "quality"),
    "services": ("from", "to", "name", "quality", "weight"),
}
_TRIGGERS = "=+-@\t\r"


def _number_text(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def csv_cell(value: object) -> str:
    """A value as a CSV cell that no spreadsheet will run as a formula.

    Numbers are written plainly; text starting with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return (or ``'`` followed by one of those) gets a leading ``'``, which the
    importer takes off again.

    Examples
    --------
    >>> [csv_cell(v) for v in ('=HYPERLINK("x")', "-5 days", -0.5, "Loja", None, "'=x")]
    ['\\'=HYPERLINK("x")', "'-5 days", '-0.5', 'Loja', '', "''=x"]
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number_text(value)
    text = str(value)
    if text[:1] in _TRIGGERS or (text[:1] == "'" and text[1:2] in _TRIGGERS + "'"):
        return "'" + text
    return text


def model_tables(model: Model) -> dict[str, tuple[list[str], list[list[object]]]]:
    """Section → (headers, rows of values) for every section the model uses.

    Examples
    --------
    >>> m = Model.model_validate({"name": "Demo", "departments": [{"id": "a", "name": "A"}]})
    >>> model_tables(m)["departments"]
    (['id', 'name', 'group', 'quality', 'dependence'], [['a', 'A', None, None, 0.5]])
    """
    data = model.model_dump(by_alias=True, mode="python")
    tables: dict[str, tuple[list[str], list[list[object]]]] = {}
    head = {
        "name": model.name,
        "description": model.description,
        "scale_min": model.scale.min,
        "scale_max": model.scale.max,
        "currency": model.currency,
    }
    sources = {"model": [head], **{s: data[s] for s in SECTIONS if s != "model"}}
    for section in SECTIONS:
        fields = FIELDS[section]
        records = sources[section]
        if not records and section != "services":
            continue
        headers = [
            f for f in fields if f in _ALWAYS[section] or any(r.get(f) is not None for r in records)
        ]
        rows = [[r.get(f) for f in headers] for r in records]
        tables[section] = (headers, rows)
    return tables


def to_csv(model: Model) -> str:
    """The model as one CSV file (UTF-8 with a byte-order mark, for Excel), one section a block.

    Examples
    --------
    >>> m = Model.model_validate({"name": "Demo", "departments": [{"id": "a", "name": "=A"}]})
    >>> print(to_csv(m).lstrip("\\ufeff").replace("\\r", ""), end="")
    [model]
    name,scale_min,scale_max
    Demo,0,1
    <BLANKLINE>
    [departments]
    id,name,group,quality,dependence
    a,'=A,,,0.5
    <BLANKLINE>
    [services]
    from,to,name,quality,weight
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for i, (section, (headers, rows)) in enumerate(model_tables(model).items()):
        if i:
            writer.writerow([])
        writer.writerow([f"[{section}]"])
        writer.writerow(headers)
        writer.writerows([csv_cell(v) for v in row] for row in rows)
    return "\ufeff" + out.getvalue()


def to_xlsx(model: Model) -> bytes:
    """The model as an XLSX workbook: a sheet per section, ids and names stored as text."""
    try:
        import openpyxl
        from openpyxl.styles import Font
    except ImportError as err:
        from ..errors import ServiceChainError

        raise ServiceChainError(
            "writing .xlsx files needs the openpyxl package: pip install openpyxl"
        ) from err
    book = openpyxl.Workbook()
    book.remove(book.active)
    for section, (headers, rows) in model_tables(model).items():
        sheet = book.create_sheet(section.capitalize())
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
        for col, name in enumerate(headers, start=1):
            width = max([len(name), *(len(str(r[col - 1] or "")) for r in rows)])
            sheet.column_dimensions[openpyxl.utils.get_column_letter(col)].width = min(
                60, width + 2
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
