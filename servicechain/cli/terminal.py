"""The edge between the command line and the terminal: everything a command prints passes
through :func:`~servicechain.text.plain_text`, so names from a model cannot move the cursor,
clear the screen, ring the bell, set hyperlinks or reorder the text on screen.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from ..text import plain_text

__all__ = ["SafeStream", "safe_streams"]


class SafeStream:
    """A text stream that writes :func:`~servicechain.text.plain_text` of what it is given
    to ``stream``; ``unsanitised`` is that stream, for the tool's own status line."""

    def __init__(self, stream: IO[str]):
        self.unsanitised = stream

    @property
    def encoding(self) -> str:
        return "utf-8"

    def write(self, text: str) -> int:
        self.write_inert(plain_text(text))
        return len(text)

    def write_inert(self, text: str) -> int:
        """Write ``text`` known to hold nothing :func:`~servicechain.text.plain_text` removes
        (the JSON :mod:`~servicechain.io.jsonout` writes escapes every control character), so
        a large output is not searched a second time."""
        try:
            self.unsanitised.write(text)
        except UnicodeEncodeError:
            encoding = getattr(self.unsanitised, "encoding", None) or "ascii"
            self.unsanitised.write(text.encode(encoding, "backslashreplace").decode(encoding))
        return len(text)

    def inert_bytes(self) -> Callable[[bytes], Any] | None:
        """A writer of UTF-8 bytes known to hold nothing :func:`~servicechain.text.plain_text`
        removes, straight to the stream's binary buffer (what is pending as text written
        first); None where the stream takes no UTF-8 bytes as they are (no buffer, another
        encoding, or line ends translated)."""
        stream = self.unsanitised
        buffer = getattr(stream, "buffer", None)
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if buffer is None or encoding not in ("utf8", "utf_8") or os.linesep != "\n":
            return None
        stream.flush()
        return buffer.write

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":  # writing bytes would go around the sanitiser
            raise AttributeError(name)
        return getattr(self.unsanitised, name)


@contextmanager
def safe_streams() -> Iterator[None]:
    """Route ``sys.stdout`` and ``sys.stderr`` through :class:`SafeStream` for a block."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(sys.stdout), SafeStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
