"""Writing output files safely: to a temporary file beside the target, then renamed over it.

Every file the tool writes goes through :func:`atomic_output`, so a failed command never leaves
a truncated or half-written file, and a file that cannot be written (a missing or read-only
folder, a folder or a file in the way) gives one clean :class:`~servicechain.errors.OutputError`.

An output path that is a symbolic link is followed: the file the link points to is replaced and
the link itself stays, so a link such as ``latest.html -> reports/2026-12.html`` keeps working.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import IO

from ..errors import OutputError

__all__ = ["atomic_output", "ensure_folder", "output_target", "write_atomic", "write_many"]


def output_target(path: str | os.PathLike) -> Path:
    """The file that writing to ``path`` replaces: ``path`` itself, or the file a symbolic link
    there points to (followed to the end, even when it does not exist yet).

    Examples
    --------
    >>> output_target("report.html").name
    'report.html'
    """
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _reason(err: OSError, path: Path) -> OutputError:
    folder = path.parent if str(path.parent) else Path(".")
    if err.errno == errno.ENOENT:
        return OutputError(path, f"the folder {folder} does not exist", "create it first")
    if err.errno == errno.ENOTDIR:
        return OutputError(
            path, f"{folder} is a file, not a folder", "choose another place or remove that file"
        )
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(
            path, f"permission denied in {folder}", "choose a folder you can write to"
        )
    if err.errno == errno.EISDIR:
        return OutputError(path, "a folder of that name is in the way", "choose another name")
    if err.errno == errno.ENOSPC:
        return OutputError(path, "the disk is full", "free some space")
    return OutputError(path, (err.strerror or str(err)).lower())


@contextmanager
def atomic_output(path: str | os.PathLike, *, binary: bool = False) -> Iterator[IO]:
    """Open a temporary file next to ``path``; on success it replaces ``path`` in one step.

    If the block raises, the temporary file is removed and ``path`` is left as it was (an
    existing file is never truncated by a failed write).

    Raises
    ------
    OutputError
        When the file cannot be written there (missing or read-only folder, a folder of that
        name, a file where a folder should be, a full disk).
    """
    shown = Path(path)
    path = output_target(path)
    if path.is_dir():
        raise _reason(OSError(errno.EISDIR, "is a folder"), shown)
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(shown, "the file is read-only", "make it writable or choose another name")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    except OSError as err:
        raise _reason(err, shown) from None
    try:
        mode = "wb" if binary else "w"
        kwargs = {} if binary else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
        try:
            os.chmod(tmp, _new_file_mode(path))
            os.replace(tmp, path)
        except OSError as err:
            raise _reason(err, shown) from None
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _new_file_mode(path: Path) -> int:
    """The mode an ordinary ``open(path, "w")`` would give: the existing file's, else 0o666
    less the umask (``mkstemp`` alone would leave 0o600)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: str | os.PathLike, data: str | bytes | Callable[[IO], None]) -> None:
    """Write text, bytes, or whatever ``data(handle)`` writes, to ``path`` atomically.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> write_atomic(target, "hello\\n")
    >>> target.read_text()
    'hello\\n'
    """
    write_many({path: data})


def write_many(files: dict[str | os.PathLike, str | bytes | Callable[[IO], None]]) -> None:
    """Write several files, each atomically, and only once every one of them can be written:
    all temporary files are made and filled first, then renamed; on any failure none of the
    targets is touched.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_many({folder / "a.txt": "A", folder / "missing" / "b.txt": "B"})
    Traceback (most recent call last):
    ...
    servicechain.errors.OutputError: cannot write .../b.txt: the folder ... (create it first)
    >>> sorted(p.name for p in folder.iterdir())
    []
    """
    with ExitStack() as stack:
        for path, data in files.items():
            handle = stack.enter_context(atomic_output(path, binary=isinstance(data, bytes)))
            if callable(data):
                data(handle)
            else:
                handle.write(data)


def ensure_folder(folder: str | os.PathLike) -> bool:
    """Make ``folder`` if it is missing; ``True`` when it was made (for clean-up on failure).

    Raises
    ------
    OutputError
        When a file is in the way or the folder cannot be made.
    """
    folder = Path(folder)
    if folder.is_dir():
        return False
    if folder.exists():
        raise OutputError(
            f"{folder}{os.sep}",
            "a file of that name is in the way",
            "remove or rename it, or name the output differently",
        )
    try:
        folder.mkdir()
    except OSError as err:
        raise _reason(err, folder) from None
    return True
