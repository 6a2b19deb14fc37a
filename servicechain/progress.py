"""Progress of long work, as the library reports it: a callback called with each stage's name.

The library never prints: long functions take an optional ``progress`` callback, called with
the name of each stage as it starts. The CLI shows it (:mod:`servicechain.cli.progress`).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["ProgressCallback", "report"]

#: What long library functions accept: called with the name of each stage as it starts.
ProgressCallback = Callable[[str], None]


def report(progress: ProgressCallback | None, stage: str) -> None:
    """Tell ``progress`` (if any) that ``stage`` starts.

    Examples
    --------
    >>> seen = []
    >>> report(seen.append, "parsing")
    >>> report(None, "parsing")
    >>> seen
    ['parsing']
    """
    if progress is not None:
        progress(stage)
