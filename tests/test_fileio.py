"""Atomic output: a failed write never truncates the target; new files get ordinary modes."""

from __future__ import annotations

import os

import pytest

from servicechain.io.atomic import atomic_output, write_atomic


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_output(target) as handle:
        handle.write("half")
        raise RuntimeError("renderer failed")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_new_file_gets_the_umask_mode_and_existing_keeps_its_own(tmp_path):
    umask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.txt"
        write_atomic(fresh, b"bytes")
        assert fresh.stat().st_mode & 0o777 == 0o644
        kept = tmp_path / "kept.txt"
        kept.write_text("x")
        kept.chmod(0o600)
        write_atomic(kept, "y")
        assert kept.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(umask)
