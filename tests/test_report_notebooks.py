"""The tutorial notebooks: committed with their outputs (pictures included, so they read on a code
host), and executed again from a clean copy, top to bottom, without an error.

To refresh the committed outputs after a change (from the repository's root)::

    python3 -m tests.test_report_notebooks
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
IMAGES = ("image/png", "image/svg+xml")

nbformat = pytest.importorskip("nbformat")


def clean(notebook):
    """The notebook without outputs or execution counts (what a reader starts from)."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    return notebook


def execute(path: Path, folder: Path):
    """Run a clean copy of the notebook ``path`` in a copy of its folder made in ``folder``;
    return the executed notebook (outputs in it)."""
    import nbclient

    here = folder / "notebooks"
    shutil.copytree(FOLDER, here, ignore=shutil.ignore_patterns("*.ipynb", "notebook-output"))
    notebook = clean(nbformat.read(path, as_version=4))
    env = {"MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # inherited by the kernel
    try:
        client = nbclient.NotebookClient(
            notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": here}}
        )
        client.execute()  # raises CellExecutionError naming the failing cell
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    return notebook


def _outputs(notebook):
    return [out for c in notebook.cells if c.cell_type == "code" for out in c.outputs]


def test_there_are_three_tutorials_at_least():
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_with_its_outputs_and_pictures(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    # run once, top to bottom, in order
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    outputs = _outputs(notebook)
    assert not [o for o in outputs if o.output_type == "error"]
    shown = {mime for o in outputs for mime in o.get("data", {})}
    assert shown & set(IMAGES), "no picture in the committed outputs"
    # results show as compact tables, never a dump of 0..1 values
    for out in outputs:
        page = out.get("data", {}).get("text/html", "")
        assert "<td>quality</td>" not in page and "performance" not in page


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom_from_a_clean_copy(path, tmp_path):
    pytest.importorskip("nbclient")
    notebook = execute(path, tmp_path)
    outputs = _outputs(notebook)
    assert [o for o in outputs if o.output_type == "error"] == []
    shown = {
        mime
        for o in outputs
        if o.output_type in ("display_data", "execute_result")
        for mime in o.get("data", {})
    }
    assert shown & set(IMAGES) and "text/html" in shown
    # the committed outputs are this run's: the same cells show the same kinds of output
    committed = nbformat.read(path, as_version=4)
    kinds = [
        sorted({o.output_type for o in c.outputs}) for c in committed.cells if c.cell_type == "code"
    ]
    assert kinds == [
        sorted({o.output_type for o in c.outputs}) for c in notebook.cells if c.cell_type == "code"
    ]


def main() -> None:
    """Execute every notebook from a clean copy and write it back with its outputs."""
    for path in NOTEBOOKS:
        with tempfile.TemporaryDirectory() as tmp:
            notebook = execute(path, Path(tmp))
        nbformat.write(notebook, path)
        print(f"wrote {path.relative_to(FOLDER.parent)}", file=sys.stderr)


if __name__ == "__main__":
    main()
