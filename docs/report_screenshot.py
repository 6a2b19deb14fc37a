"""Make the README's picture of a report's executive summary: the hospital example's report,
shown by headless Chromium, cut to its header and summary.

Run from the repository's root (needs Debian's ``chromium`` package)::

    python3 docs/report_screenshot.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import servicechain  # noqa: E402
from servicechain.report import html_report  # noqa: E402
from servicechain.report.pdf import find_browser  # noqa: E402

TARGET = ROOT / "docs" / "images" / "report-summary.png"
#: The model shown, and the date printed on it (fixed, so the picture only changes with the code).
MODEL = ROOT / "models" / "hospital.yaml"
DAY = date(2025, 1, 31)
WIDTH, HEIGHT = 1150, 1400


def main() -> None:
    """Write :data:`TARGET`."""
    from PIL import Image

    browser = find_browser()
    if browser is None:
        sys.exit("no Chromium found: install Debian's chromium package")
    page = html_report(servicechain.load(MODEL), source=MODEL.name, today=DAY)
    # the page without its script: the screenshot shows what every reader sees first
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        html, shot = folder / "report.html", folder / "shot.png"
        html.write_text(page, encoding="utf-8")
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={folder / 'profile'}",
                f"--window-size={WIDTH},{HEIGHT}",
                f"--screenshot={shot}",
                html.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        image = Image.open(shot).convert("RGB")
    # cut below the summary (a tinted box): the first row under it that is white across
    pixels = image.load()
    bottom = image.height
    for y in range(300, image.height):
        if all(pixels[x, y] == (255, 255, 255) for x in range(60, image.width - 60, 7)):
            bottom = y
            break
    image = image.crop((0, 0, image.width, min(image.height, bottom + 16)))
    image.save(TARGET, optimize=True)
    print(f"wrote {TARGET.relative_to(ROOT)} ({image.width}x{image.height})")


if __name__ == "__main__":
    main()
