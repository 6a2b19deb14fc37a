"""A version of a model file read from git: ``REV:PATH`` as ``git show`` understands it."""

from __future__ import annotations

import os
import subprocess

from ..errors import ServiceChainError

__all__ = ["RevisionError", "is_revision", "read_revision"]

#: Longest wait for ``git show``, in seconds.
TIMEOUT = 30


class RevisionError(ServiceChainError):
    """A ``REV:PATH`` could not be read from git."""


def is_revision(text: str) -> bool:
    """Whether ``text`` names a file in a git revision (``REV:PATH``) rather than a file.

    Examples
    --------
    >>> is_revision("HEAD~1:models/x.yaml"), is_revision("models/x.yaml")
    (True, False)
    """
    rev, sep, path = text.partition(":")
    return bool(sep and rev and path) and not os.path.exists(text) and len(rev) > 1


def read_revision(spec: str, *, max_bytes: int, cwd: str | os.PathLike | None = None) -> bytes:
    """The bytes of ``REV:PATH`` from the git repository around ``cwd`` (``git show``).

    ``PATH`` is relative to the repository's top folder, or to ``cwd`` when it starts with
    ``./``, as in git. Nothing from ``spec`` reaches a shell.

    Raises
    ------
    RevisionError
        If git is missing, the folder is not in a repository, the revision or the file does not
        exist, or the file is larger than ``max_bytes``.
    """
    if spec.startswith("-"):
        raise RevisionError(f"{spec!r} is not a revision (REV:PATH, e.g. HEAD~1:models/x.yaml)")
    try:
        done = subprocess.run(
            ["git", "show", "--no-textconv", spec, "--"],
            cwd=cwd,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except FileNotFoundError as err:
        raise RevisionError(f"cannot read {spec}: git is not installed") from err
    except subprocess.TimeoutExpired as err:
        raise RevisionError(f"cannot read {spec}: git did not answer in {TIMEOUT} s") from err
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = message[0].removeprefix("fatal: ") if message else "git show failed"
        raise RevisionError(f"cannot read {spec} from git: {reason}")
    if len(done.stdout) > max_bytes:
        raise RevisionError(
            f"{spec} is larger than {max_bytes / 2**20:g} MB (raise --max-size to read it)"
        )
    return done.stdout
