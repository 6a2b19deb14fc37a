"""Every command writes its files the same way: atomically, with one clean error when it cannot,
a usage error for a file name it cannot write, symbolic links followed, nothing touched on
failure."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from servicechain.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHOP = str(ROOT / "models" / "flowershop.yaml")
RESPONSES = str(Path(__file__).resolve().parent / "data" / "io" / "responses.csv")
SHOP_IO = str(Path(__file__).resolve().parent / "data" / "io" / "shop.yaml")
BOM_CSV = str(Path(__file__).resolve().parent / "data" / "io" / "bom_semicolon.csv")

#: Every command that writes a file: its arguments before ``-o``, and a good output name.
WRITERS = {
    "draw": (["draw", SHOP], "chain.svg"),
    "plot": (["plot", SHOP, "ipa"], "ipa.png"),
    "report-html": (["report", SHOP], "report.html"),
    "report-md": (["report", SHOP], "report.md"),
    "export": (["export", SHOP, "-f", "dot"], "chain.dot"),
    "import": (["import", BOM_CSV, "--create-missing"], "m.yaml"),
    "survey": (["survey", SHOP_IO, RESPONSES, "--scale", "1:7"], "new.yaml"),
    "template": (["template", "csv"], "t.csv"),
    "generate": (["generate", "-n", "20", "-k", "2"], "org.json"),
}
#: ``init`` takes its file as an argument, not with ``-o``.
BAD_SUFFIX = {
    "draw": "chain.gif",
    "plot": "ipa.jpg",
    "report-html": "report.png",
    "export": "chain.svg",
    "import": "m.csv",
    "survey": "new.txt",
    "template": "t.xlsx",
    "generate": "org.yaml",
}


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_missing_folder_is_a_clean_error(runner, tmp_path, command):
    args, name = WRITERS[command]
    out = tmp_path / "nowhere" / name
    result = runner.invoke(main, [*args, "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert result.stderr.endswith(
        f"Error: cannot write {out}: the folder {out.parent} does not exist (create it first)\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_file_in_place_of_the_folder_is_a_clean_error(runner, tmp_path, command):
    args, name = WRITERS[command]
    blocker = tmp_path / "notes.txt"
    blocker.write_text("keep me", encoding="utf-8")
    out = blocker / name
    result = runner.invoke(main, [*args, "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert f"Error: cannot write {out}: " in result.stderr
    assert "Traceback" not in result.output
    assert blocker.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("command", sorted(BAD_SUFFIX))
def test_an_output_name_of_the_wrong_kind_is_a_usage_error(runner, tmp_path, command):
    args, _ = WRITERS[command]
    out = tmp_path / BAD_SUFFIX[command]
    result = runner.invoke(main, [*args, "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "Error: Invalid value for '-o' / '--output': " in result.stderr
    assert not out.exists()


def test_init_into_a_missing_folder_is_a_clean_error(runner, tmp_path):
    out = tmp_path / "nowhere" / "m.yaml"
    result = runner.invoke(main, ["init", str(out)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: cannot write {out}: the folder {out.parent} does not exist (create it first)\n"
    )


def _deny(monkeypatch, folder: Path) -> None:
    """Make ``folder`` read-only; for the superuser, whom permissions do not bind, make the
    system calls answer as they would for anyone else."""
    folder.chmod(0o555)
    if os.geteuid() != 0:
        return
    real_mkstemp, real_access = tempfile.mkstemp, os.access

    def mkstemp(*args, dir=None, **kwargs):
        if Path(dir) == folder:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_mkstemp(*args, dir=dir, **kwargs)

    def access(path, mode, *args, **kwargs):
        if Path(path).parent == folder and mode & os.W_OK:
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(os, "access", access)


def test_read_only_folder_is_a_clean_error(runner, tmp_path, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir()
    _deny(monkeypatch, folder)
    try:
        result = runner.invoke(main, ["draw", SHOP, "-o", str(folder / "x.svg")])
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 1
    assert result.stderr.endswith(
        f"cannot write {folder / 'x.svg'}: permission denied in {folder} "
        "(choose a folder you can write to)\n"
    )
    assert list(folder.iterdir()) == []


def test_read_only_file_is_not_replaced(runner, tmp_path, monkeypatch):
    out = tmp_path / "chain.svg"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o444)
    if os.geteuid() == 0:
        real_access = os.access
        monkeypatch.setattr(
            os, "access", lambda p, m, *a, **k: False if Path(p) == out else real_access(p, m)
        )
    result = runner.invoke(main, ["draw", SHOP, "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: cannot write {out}: the file is read-only "
        "(make it writable or choose another name)\n"
    )
    assert out.read_text(encoding="utf-8") == "old"


def test_a_file_where_the_markdown_images_go_is_a_clean_error(runner, tmp_path):
    blocker = tmp_path / "board_files"
    blocker.write_text("not a folder", encoding="utf-8")
    out = tmp_path / "board.md"
    result = runner.invoke(main, ["report", SHOP, "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: cannot write {blocker}{os.sep}: a file of that name is in the way "
        "(remove or rename it, or name the output differently)\n"
    )
    assert not out.exists()
    assert blocker.read_text(encoding="utf-8") == "not a folder"


@pytest.mark.parametrize("args", [["draw", SHOP], ["report", SHOP], ["export", SHOP, "-f", "dot"]])
def test_a_symbolic_link_is_followed_and_kept(runner, tmp_path, args):
    suffix = {"draw": ".svg", "report": ".html", "export": ".dot"}[args[0]]
    target = tmp_path / "dated" / f"2026-12{suffix}"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    link = tmp_path / f"latest{suffix}"
    link.symlink_to(target)
    result = runner.invoke(main, [*args, "-o", str(link)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text(encoding="utf-8") != "old"
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


def test_markdown_report_with_a_space_in_its_name_links_its_images(runner, tmp_path):
    out = tmp_path / "my report.md"
    result = runner.invoke(main, ["report", SHOP, "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0
    tokens = MarkdownIt("commonmark").parse(out.read_text(encoding="utf-8"))
    images = [
        child.attrs["src"]
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type == "image"
    ]
    assert images, "the report shows no image"
    for src in images:
        assert src.startswith("my%20report_files/")
        assert (tmp_path / src.replace("%20", " ")).is_file()
