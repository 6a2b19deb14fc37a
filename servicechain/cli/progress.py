"""The progress display of the command line: a one-line status with a spinner on stderr.

It stays silent for work that ends within half a second, when stderr is not a terminal, and with
``--quiet`` or ``--json``.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import IO

from ..text import plain_text

__all__ = ["Progress"]

_FRAMES = "|/-\\"


class Progress:
    """A status line ``label: stage (1.2 s)`` with a spinner, redrawn while work goes on.

    Use it as a context manager and call it with each stage; the line is cleared at the end.
    It shows only after ``delay`` seconds, and only when ``enabled`` (default: when ``stream``
    is a terminal).

    Examples
    --------
    >>> import io
    >>> with Progress("Loading big.json", stream=io.StringIO()) as progress:
    ...     progress("parsing")
    >>> progress.stages
    ['parsing']
    """

    def __init__(
        self,
        label: str,
        *,
        enabled: bool | None = None,
        stream: IO[str] | None = None,
        delay: float = 0.5,
        interval: float = 0.2,
    ):
        stream = stream if stream is not None else sys.stderr
        # the status line is the tool's own: it moves the cursor past the terminal sanitiser
        self.stream = getattr(stream, "unsanitised", stream)
        label = plain_text(label)
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.label, self.enabled, self.delay, self.interval = label, enabled, delay, interval
        self.stages: list[str] = []
        self._start = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown = False

    def __call__(self, stage: str) -> None:
        self.stages.append(stage)

    def __enter__(self) -> Progress:
        self._start = time.monotonic()
        if self.enabled:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def _run(self) -> None:
        if self._stop.wait(self.delay):
            return
        frame = 0
        while True:
            stage = self.stages[-1] if self.stages else "working"
            elapsed = time.monotonic() - self._start
            text = f"{_FRAMES[frame % len(_FRAMES)]} {self.label}: {stage} ({elapsed:.1f} s)"
            self.stream.write(f"\r\x1b[K{text}")
            self.stream.flush()
            self._shown = True
            frame += 1
            if self._stop.wait(self.interval):
                return
