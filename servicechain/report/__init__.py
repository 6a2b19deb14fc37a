"""The consultant's deliverable: a self-contained HTML report or a Markdown report with images.

Examples
--------
>>> import servicechain
>>> from servicechain.report import html_report
>>> page = html_report(servicechain.load(servicechain.example_path("flowershop")))
>>> page.startswith("<!DOCTYPE html>"), 'src="http' in page, 'href="http' in page
(True, False, False)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ServiceChainError
from ..io.atomic import ensure_folder, write_atomic, write_many
from .document import Document
from .html import render_html
from .markdown import render_markdown
from .pdf import PdfError, html_to_pdf
from .sections import build_document

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = [
    "FORMATS",
    "PdfError",
    "ReportError",
    "build_document",
    "html_report",
    "markdown_report",
    "report_format",
    "write_report",
]

#: File suffixes and the report format each one means.
FORMATS = {
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".pdf": "pdf",
}


class ReportError(ServiceChainError):
    """A report cannot be written as asked (for example an unknown file suffix)."""


def report_format(path: str | os.PathLike) -> str:
    """``"html"`` or ``"markdown"``, from the suffix of ``path``.

    Examples
    --------
    >>> report_format("deck/report.MD")
    'markdown'
    >>> report_format("report.docx")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    servicechain.report.ReportError: cannot write a report as .docx; use a .html, .md or .pdf ...
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        shown = suffix or "a file without a suffix"
        raise ReportError(f"cannot write a report as {shown}; use a .html, .md or .pdf file name")
    return FORMATS[suffix]


def _document(chain: Chain, scenarios: Any, source: str, today: date | None) -> Document:
    return build_document(chain, scenarios=scenarios, source=source, today=today)


def html_report(
    chain: Chain,
    *,
    scenarios: str | os.PathLike | Sequence[Any] | None = None,
    source: str = "",
    today: date | None = None,
) -> str:
    """The report of ``chain`` as one self-contained HTML page (inline CSS, SVG and script).

    Parameters
    ----------
    chain : Chain
        A loaded model.
    scenarios : path or list of scenarios, optional
        What-if scenarios (a scenario file or what :func:`servicechain.flow.read_scenarios`
        returns), shown side by side.
    source : str
        Where the model came from, named in the footer.
    today : datetime.date, optional
        Date printed under the title (default today).
    """
    return render_html(_document(chain, scenarios, source, today))


def markdown_report(
    chain: Chain,
    *,
    folder: str,
    scenarios: str | os.PathLike | Sequence[Any] | None = None,
    source: str = "",
    today: date | None = None,
) -> tuple[str, dict[str, bytes]]:
    """The report as Markdown text and its PNG images by file name, linked as ``folder/NAME``.

    Parameters are those of :func:`html_report`, plus the ``folder`` the images will be in,
    relative to the Markdown file.
    """
    return render_markdown(_document(chain, scenarios, source, today), folder=folder)


def write_report(
    chain: Chain,
    path: str | os.PathLike,
    *,
    scenarios: str | os.PathLike | Sequence[Any] | None = None,
    source: str = "",
    today: date | None = None,
) -> list[Path]:
    """Write the report to ``path``: HTML for ``.html``, Markdown for ``.md`` (its images go
    to the folder ``<stem>_files`` next to it), PDF for ``.pdf`` (the HTML report printed by
    headless Chromium). Everything is computed before anything is written, and each file is
    written atomically.

    Returns
    -------
    list of Path
        The files written, the report first.

    Raises
    ------
    ReportError
        When the suffix of ``path`` is not ``.html``, ``.md`` or ``.pdf``.
    PdfError
        For a PDF, when no Chromium is installed or it fails.
    """
    path = Path(path)
    fmt = report_format(path)
    if fmt in ("html", "pdf"):
        page = html_report(chain, scenarios=scenarios, source=source, today=today)
        write_atomic(path, page if fmt == "html" else html_to_pdf(page))
        return [path]
    folder = path.parent / f"{path.stem}_files"
    text, images = markdown_report(
        chain, folder=folder.name, scenarios=scenarios, source=source, today=today
    )
    # a missing folder for the report itself is reported as such, by write_many
    made = ensure_folder(folder) if images and folder.parent.is_dir() else False
    files: dict[Path, str | bytes] = {folder / name: data for name, data in images.items()}
    try:
        write_many({path: text, **files})
    except BaseException:
        if made:
            folder.rmdir()
        raise
    written = [path, *files]
    return written
