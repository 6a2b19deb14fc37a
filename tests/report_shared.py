"""Reports rendered once per test run and shared by the tests that only read them.

A report takes seconds to draw; several tests look at the same one. Under pytest-xdist the
file is shared between workers through the run's common temporary folder: one worker draws
it (holding a lock file) to a temporary name and renames it, so a reader never sees half a
file; the others wait for it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

import servicechain
from servicechain.report import html_report

__all__ = ["DAY", "shared_file", "shared_report"]

#: The date printed on every report the tests render.
DAY = date(2025, 1, 31)
#: Seconds to wait for another worker to finish a shared file.
WAIT = 600


def _folder(factory: pytest.TempPathFactory) -> Path:
    base = factory.getbasetemp()
    # under xdist each worker's base is <run>/popen-gwN; <run> is common to the workers
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = root / "shared-reports"
    folder.mkdir(exist_ok=True)
    return folder


def shared_file(factory: pytest.TempPathFactory, name: str, write: Callable[[Path], None]) -> Path:
    """The file (or folder) ``name`` of this test run, made by ``write(path)`` if no test has
    made it yet. While one worker makes it, the others wait rather than draw it again."""
    folder = _folder(factory)
    path, lock = folder / name, folder / f".{name}.lock"
    deadline = time.monotonic() + WAIT
    while not path.exists():
        try:
            os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:  # another worker is making it
            if time.monotonic() > deadline:
                raise TimeoutError(f"{lock} held for over {WAIT} s") from None
            time.sleep(0.05)
            continue
        try:
            partial = folder / f".{name}.{os.getpid()}"
            write(partial)
            os.replace(partial, path)
        finally:  # if writing failed, the next one to ask tries (and fails) in its own test
            lock.unlink()
    return path


def shared_report(factory: pytest.TempPathFactory, model: Path) -> Path:
    """The HTML report of the model file ``model``, dated :data:`DAY`."""

    def write(path: Path) -> None:
        page = html_report(servicechain.load(model), today=DAY)
        path.write_text(page, encoding="utf-8")

    return shared_file(factory, f"{model.stem}-report.html", write)
