"""The ``diff`` command: text, JSON, a single segment, REV:PATH from git, and clean errors."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from servicechain.cli import main

ROOT = Path(__file__).resolve().parent.parent
Q1, Q2 = ROOT / "models" / "sapataria_q1.yaml", ROOT / "models" / "sapataria_q2.yaml"
DATA = Path(__file__).resolve().parent / "data" / "compare"


def test_text_names_the_changes_and_the_contributions(runner) -> None:
    result = runner.invoke(main, ["diff", str(Q1), str(Q2), "--top", "2"], catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"{Q1} → {Q2}: Sapataria Central"
    assert (
        "  renamed           apoio renamed: Apoio ao cliente → Apoio ao cliente e devoluções"
        in lines
    )
    assert "Compradores online: 3.43 → 3.83 (+0.41)" in lines
    at = lines.index("Compradores online: 3.43 → 3.83 (+0.41)")
    assert lines[at + 1] == (
        "  +0.33  Entrega e devoluções (Expedição e devoluções → Compradores online): "
        "rating 2.90 → 3.60"
    )
    assert lines[at + 3] == "  ... 1 more contributing -0.03"


def test_json_adds_up_and_keeps_names(runner) -> None:
    result = runner.invoke(main, ["diff", str(Q1), str(Q2), "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    for move in [data["company"], *data["segments"]]:
        total = sum(c["amount"] for c in move["contributions"])
        assert abs(total - move["change"]) < 1e-9
        points = sum(c["points"] for c in move["contributions"])
        assert abs(points - move["change_points"]) < 1e-9
    assert data["new"]["scale"] == [1, 5] and data["scale_changed"] is False
    assert "Informática: own quality 2.80 → 3.50" in [c["text"] for c in data["changes"]]


def test_one_segment(runner) -> None:
    args = ["diff", str(Q1), str(Q2), "--segment", "clube", "--json", "--top", "1"]
    result = runner.invoke(main, args, catch_exceptions=False)
    data = json.loads(result.stdout)
    assert [s["id"] for s in data["segments"]] == ["clube"]
    assert len(data["segments"][0]["contributions"]) == 1
    text = runner.invoke(main, ["diff", str(Q1), str(Q2), "--segment", "clube"]).stdout
    assert "Clube Central (clientes fiéis): 4.42 → 4.45 (+0.03)" in text
    assert "Compradores online: 3.43 → 3.83" not in text


def test_identical_files(runner) -> None:
    result = runner.invoke(main, ["diff", str(Q1), str(ROOT / "models" / "sapataria.yaml")])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "No differences: the two versions hold the same model."


def test_unknown_segment_is_a_usage_error(runner) -> None:
    result = runner.invoke(main, ["diff", str(Q1), str(Q2), "--segment", "clubee"])
    assert result.exit_code == 2
    assert "Invalid value for --segment" in result.stderr and "'clube'" in result.stderr


def test_missing_file_is_a_usage_error(runner, tmp_path) -> None:
    result = runner.invoke(main, ["diff", str(tmp_path / "none.yaml"), str(Q2)])
    assert result.exit_code == 2
    assert "no such file (give a model file, or REV:PATH" in result.stderr


def test_bad_model_lists_its_problems(runner, tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndepartments:\n  - {id: a, name: A, quality: 9}\n", encoding="utf-8")
    result = runner.invoke(main, ["diff", str(bad), str(Q2)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{bad}:3:")
    assert result.stderr.rstrip().endswith("1 problem found.")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_rev_path_reads_a_version_from_git(runner, tmp_path, monkeypatch) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "test@example.com")
    git("config", "user.name", "Test")
    (tmp_path / "models").mkdir()
    model = tmp_path / "models" / "shop.yaml"
    shutil.copy(DATA / "old.yaml", model)
    git("add", ".")
    git("commit", "-q", "-m", "first")
    shutil.copy(DATA / "new.yaml", model)
    git("commit", "-q", "-am", "second")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        main, ["diff", "HEAD~1:models/shop.yaml", "models/shop.yaml"], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "HEAD~1:models/shop.yaml → models/shop.yaml: Padaria"
    assert "department Entregas (entregas) added" in result.stdout
    missing = runner.invoke(main, ["diff", "HEAD~5:models/shop.yaml", "models/shop.yaml"])
    assert missing.exit_code == 2
    assert "cannot read HEAD~5:models/shop.yaml from git" in missing.stderr


def test_page_shows_changes_waterfalls_and_both_diagrams(runner, tmp_path) -> None:
    from html.parser import HTMLParser

    out = tmp_path / "diff.html"
    result = runner.invoke(main, ["diff", str(Q1), str(Q2), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Wrote {out} (")
    page = out.read_text(encoding="utf-8")

    class Collect(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.figures: list[str] = []
            self.cells: list[str] = []
            self.pairs = 0

        def handle_starttag(self, tag, attrs) -> None:
            attrs = dict(attrs)
            if tag == "figure":
                self.figures.append(attrs.get("id", ""))
            if tag == "div" and attrs.get("class") == "pair":
                self.pairs += 1

        def handle_data(self, data) -> None:
            self.cells.append(data)

    parser = Collect()
    parser.feed(page)
    waterfalls = [f for f in parser.figures if f.startswith("fig-waterfall-")]
    assert len(waterfalls) == 6  # the company and five segments, each with contributions
    assert parser.figures[-2:] == ["fig-diagram-old", "fig-diagram-new"]
    assert parser.pairs == 1
    text = "".join(parser.cells)
    assert "Informática: own quality 2.80 → 3.50" in text
    assert "department Entreposto do Porto (entreposto) added" in text
    assert 'src="http' not in page and 'href="http' not in page
    # The changed arrow is outlined in both diagrams: its colour appears in the inlined SVGs.
    assert page.count("#7b3294") >= 2


def test_page_needs_an_html_name_and_an_existing_folder(runner, tmp_path) -> None:
    result = runner.invoke(main, ["diff", str(Q1), str(Q2), "-o", str(tmp_path / "d.pdf")])
    assert result.exit_code == 2
    assert "the page is HTML; name the file .html" in result.stderr
    missing = tmp_path / "no" / "d.html"
    result = runner.invoke(main, ["diff", str(Q1), str(Q2), "-o", str(missing)])
    assert result.exit_code == 1
    assert f"cannot write {missing}: the folder {missing.parent} does not exist" in result.stderr
    assert not missing.parent.exists()


def test_the_diff_page_never_shows_a_negative_zero(runner, tmp_path):
    out = tmp_path / "diff.html"
    runner.invoke(main, ["diff", str(Q1), str(Q2), "-o", str(out)], catch_exceptions=False)
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"[-−]0\.0+(?![0-9])", page)
