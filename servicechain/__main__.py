"""``python -m servicechain``: the command line, as the ``servicechain`` command."""

from __future__ import annotations

from .cli import run

if __name__ == "__main__":
    run()
