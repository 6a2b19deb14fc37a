"""Reports rendered once per test run and shared by the tests that only read them.

A report takes seconds to draw; several tests look at the same one. Under pytest-xdist the
file is shared between workers through the run's common temporary folder (written to a
temporary name and renamed, so a reader never sees half a file; two workers racing both draw
it, and either copy is the same).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

import servicechain
from servicechain.report import html_report

__all__ = ["DAY", "shared_file", "shared_report"]

#: The date printed on every report the tests render.
DAY = date(2025, 1, 31)


def _folder(factory: pytest.TempPathFactory) -> Path:
    base = factory.getbasetemp()
    # under xdist each worker's base is <run>/popen-gwN; <run> is common to the workers
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = root / "shared-reports"
    folder.mkdir(exist_ok=True)
    return folder


def shared_file(factory: pytest.TempPathFactory, name: str, write: Callable[[Path], None]) -> Path:
    """The file (or folder) ``name`` of this test run, made by ``write(path)`` if no test has
    made it yet."""
    path = _folder(factory) / name
    if not path.exists():
        partial = path.with_name(f".{name}.{os.getpid()}")
        write(partial)
        try:
            os.replace(partial, path)
        except OSError:  # a folder another worker made meanwhile; keep theirs
            if not path.is_dir():
                raise
            shutil.rmtree(partial)
    return path


def shared_report(factory: pytest.TempPathFactory, model: Path) -> Path:
    """The HTML report of the model file ``model``, dated :data:`DAY`."""

    def write(path: Path) -> None:
        page = html_report(servicechain.load(model), today=DAY)
        path.write_text(page, encoding="utf-8")

    return shared_file(factory, f"{model.stem}-report.html", write)
