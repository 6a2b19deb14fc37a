"""The HTML report printed to PDF by headless Chromium (the report's print styles apply: the
chain diagram on a landscape page of its own, headings kept with what follows them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import ServiceChainError

__all__ = ["BROWSERS", "PdfError", "find_browser", "html_to_pdf"]

#: Names of the Chromium binaries looked for on the PATH, in order.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Seconds Chromium may take to print one report.
TIMEOUT = 180


class PdfError(ServiceChainError):
    """The report cannot be printed to PDF (no Chromium, or Chromium failed)."""


def find_browser() -> str | None:
    """Path of a Chromium binary on the PATH (``SERVICECHAIN_CHROMIUM`` first), or ``None``.

    Examples
    --------
    >>> find_browser() is None or Path(find_browser()).name.startswith(("chrom", "google"))
    True
    """
    chosen = os.environ.get("SERVICECHAIN_CHROMIUM")
    if chosen:
        return shutil.which(chosen)
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def html_to_pdf(page: str, *, timeout: float = TIMEOUT) -> bytes:
    """Print an HTML page (text) to PDF with headless Chromium and return the PDF's bytes.

    Raises
    ------
    PdfError
        When no Chromium is installed (the message names the package to install), or when it
        fails or times out.
    """
    browser = find_browser()
    if browser is None:
        raise PdfError(
            "cannot write a PDF: no Chromium browser found (install the 'chromium' package, "
            "e.g. apt-get install chromium), or write the report as .html and print it from a "
            "browser"
        )
    with tempfile.TemporaryDirectory(prefix="servicechain-pdf-") as tmp:
        folder = Path(tmp)
        source, target = folder / "report.html", folder / "report.pdf"
        source.write_text(page, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--user-data-dir={folder / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired:
            raise PdfError(f"Chromium did not print the report within {timeout:g} s") from None
        except OSError as err:
            raise PdfError(f"cannot run {browser}: {err.strerror or err}") from err
        if not target.is_file() or target.stat().st_size == 0:
            lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
            detail = f": {lines[-1]}" if lines else ""
            raise PdfError(f"Chromium could not print the report (exit {done.returncode}){detail}")
        return target.read_bytes()
