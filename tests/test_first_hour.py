"""A new user's first hour: every hint the tool prints works when followed, file formats follow
file names, and a model the user wrote keeps its comments when a command rewrites it."""

from __future__ import annotations

import json
import re
import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicechain.cli import main
from servicechain.io.load import parse_model
from servicechain.io.rewrite import set_values
from servicechain.model.spec import json_schema_text

from .conftest import DATA

IO = DATA / "io"
COMMENTED = IO / "commented.yaml"
HINT = re.compile(r"(?:Next|then): (servicechain .+)$")


def _hints(output: str) -> list[str]:
    return [m.group(1) for line in output.splitlines() if (m := HINT.search(line))]


@pytest.mark.parametrize(
    "first",
    [
        "init model.yaml",
        "init model.json",
        "init shoes.yaml --example sapataria",
        "init planes.json --example airline",
        "template -o sheet.xlsx",
        "template -o sheet.csv",
        "template xlsx -o sheet.xlsx",
        "generate -n 40 -o org.json",
    ],
)
def test_every_hint_the_tool_prints_works_when_followed(runner, tmp_path, monkeypatch, first):
    """Follows each "Next:" / "then:" hint, and the hints those print, to the end."""
    monkeypatch.chdir(tmp_path)
    todo, followed = [first], []
    while todo:
        command = todo.pop(0)
        result = runner.invoke(main, shlex.split(command), catch_exceptions=False)
        assert result.exit_code == 0, f"`{command}` failed: {result.output}"
        followed.append(command)
        todo += [h.removeprefix("servicechain ") for h in _hints(result.stdout)]
    assert len(followed) >= 2, f"`{first}` prints no hint to follow"


def test_init_writes_the_schema_its_model_names(runner, tmp_path):
    target = tmp_path / "sub" / "m.yaml"
    target.parent.mkdir()
    result = runner.invoke(main, ["init", str(target)], catch_exceptions=False)
    assert result.exit_code == 0
    named = re.search(r"\$schema=(\S+)", target.read_text(encoding="utf-8")).group(1)
    assert (target.parent / named).read_text(encoding="utf-8") == json_schema_text()
    # a second model in the same folder finds the schema current and says nothing of it
    again = runner.invoke(main, ["init", str(target.parent / "n.json")], catch_exceptions=False)
    assert again.stdout == (
        f"Wrote {target.parent / 'n.json'}.\nNext: servicechain validate {target.parent / 'n.json'}\n"
    )
    data = json.loads((target.parent / "n.json").read_text(encoding="utf-8"))
    assert data["$schema"] == named and data["name"] == "My company"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["init", "m.txt"], "Invalid value for 'PATH': m.txt: model files are written as YAML or "
         "JSON; use a .yaml, .yml or .json file name"),
        (["template", "csv", "-o", "t.xlsx"], "Invalid value for '-o' / '--output': t.xlsx: the "
         "format follows the file name (name it t.csv)"),
        (["template", "-o", "t.ods"], "Invalid value for '-o' / '--output': t.ods: the format "
         "follows the file name (name it .xlsx (a workbook) or .csv)"),
        (["import", str(IO / "departments.csv"), "-o", "m.txt"], "Invalid value for '-o' / "
         "'--output': m.txt: model files are written as YAML or JSON; use a .yaml, .yml or .json "
         "file name"),
        (["export", str(IO / "shop.yaml"), "-f", "dot", "-o", "x.svg"], "Invalid value for '-o' / "
         "'--output': x.svg: the format follows the file name (name it x.dot)"),
        (["export", str(IO / "shop.yaml"), "-o", "x.xml"], "Invalid value for '-o' / '--output': "
         "x.xml: the format follows the file name (give -f FORMAT)"),
        (["survey", str(IO / "shop.yaml"), str(IO / "responses.csv"), "-o", "new.csv"],
         "Invalid value for '-o' / '--output': new.csv: model files are written as YAML or JSON; "
         "use a .yaml, .yml or .json file name"),
    ],
)  # fmt: skip
def test_a_file_name_that_does_not_fit_the_format_is_refused(
    runner, tmp_path, monkeypatch, args, message
):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {message}"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "fmt"), [("c.drawio", "drawio"), ("c.gv", "dot"), ("c.mmd", "mermaid"),
                      ("c.xml", "graphml"), ("c.csv", "csv")]
)  # fmt: skip
def test_export_format_follows_the_file_name(runner, tmp_path, name, fmt):
    out = tmp_path / name
    args = ["export", str(IO / "shop.yaml"), "-o", str(out)]
    if name.endswith(".xml"):
        args += ["-f", fmt]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.stdout == f"Wrote {out} ({fmt}).\n"


def test_import_writes_json_when_asked(runner, tmp_path):
    sheet, out = tmp_path / "s.csv", tmp_path / "m.json"
    runner.invoke(main, ["template", "-o", str(sheet)], catch_exceptions=False)
    result = runner.invoke(main, ["import", str(sheet), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert parse_model(out.read_text(encoding="utf-8"), fmt="json").model.departments


# --- survey keeps the user's file ------------------------------------------------------------


def _survey(runner, model, out):
    args = ["survey", str(model), str(IO / "responses.csv"), "--scale", "1:7"]
    args += ["--employees", str(IO / "employees.csv"), "-o", str(out)]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_survey_changes_only_the_values_it_sets(runner, tmp_path):
    before = COMMENTED.read_text(encoding="utf-8")
    after = _survey(runner, COMMENTED, tmp_path / "new.yaml")
    expected = before.replace(
        "    dependence: 0.6       # own quality not rated yet\n",
        "    dependence: 0.6       # own quality not rated yet\n    quality: 4\n"
        "    quality_se: 0.316\n    answers: 5\n",
    ).replace(
        "{from: it, to: store, name: POS support}",
        "{from: it, to: store, name: POS support, quality: 3.667, quality_se: 0.385, answers: 6}",
    )
    assert after == expected
    model = parse_model(after).model
    assert model.departments[2].quality == 4 and model.services[0].quality == 3.667


def test_survey_of_a_json_model_writes_json_in_its_layout(runner, tmp_path):
    source = tmp_path / "shop.json"
    runner.invoke(main, ["init", str(source)], catch_exceptions=False)
    after = _survey(runner, source, tmp_path / "new.json")
    data = json.loads(after)
    assert data["services"][0]["quality"] == 3.667
    assert after.startswith('{\n  "$schema": "servicechain.schema.json",\n  "name"')


def test_survey_from_yaml_to_a_json_name_writes_json(runner, tmp_path):
    after = _survey(runner, COMMENTED, tmp_path / "new.json")
    assert json.loads(after)["services"][0]["quality"] == 3.667


def test_an_employee_survey_given_as_the_answers_says_so(runner, tmp_path):
    employees = IO / "employees.csv"
    args = ["survey", str(IO / "shop.yaml"), str(employees), "-o", str(tmp_path / "x.yaml")]
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{employees}:1: supplier: this looks like an employee survey (department, item, score): "
        "it has no supplier column (pass it with --employees FILE; the survey answers need "
        "supplier, customer and perception columns)\n1 problem found.\n"
    )
    assert not (tmp_path / "x.yaml").exists()


_RECORDS = [("departments", 0), ("departments", 1), ("departments", 2), ("partners", 0)]
_RECORDS += [("services", i) for i in range(4)]


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(_RECORDS),
        st.floats(min_value=1, max_value=5, allow_nan=False).map(lambda v: round(v, 3)),
        min_size=1,
    )
)
def test_set_values_sets_exactly_those_values_and_keeps_every_comment(values):
    before = COMMENTED.read_text(encoding="utf-8")
    changes = {(section, i, "quality"): v for (section, i), v in values.items()}
    after = set_values(before, changes)
    model = parse_model(after).model
    original = parse_model(before).model
    for section in ("departments", "partners", "services"):
        pairs = zip(getattr(original, section), getattr(model, section), strict=True)
        for i, (old, new) in enumerate(pairs):
            want = changes.get((section, i, "quality"), old.quality)
            assert new.quality == want
            assert new.model_dump(exclude={"quality"}) == old.model_dump(exclude={"quality"})
    comments = [line.partition("#")[2] for line in before.splitlines() if "#" in line]
    assert comments == [line.partition("#")[2] for line in after.splitlines() if "#" in line]


# --- texts and display -----------------------------------------------------------------------

SAPATARIA = DATA.parent.parent / "models" / "sapataria.yaml"
NEGATIVE_ZERO = re.compile(r"(?<![\w.])[-−]0(?:[.,]0+)?(?![\d.,]*[1-9])(?![\d])")


def test_every_result_and_list_reads_at_a_python_prompt():
    import servicechain

    chain = servicechain.load(SAPATARIA)
    summary = chain.summary()
    assert repr(summary) == str(summary)
    assert repr(summary).splitlines()[0] == "Sapataria Central"
    breakdown = chain.explain("compradores_online")
    terms = repr(breakdown.terms).splitlines()
    assert terms[0].startswith("[Term(kind=") and terms[-1] == " ... 22 more (32 items)]"
    assert len(terms) == 11
    for result in (
        chain.score(),
        breakdown,
        chain.rank(),
        chain.impact(set={"it": 4}),
        chain.trace("it", direction="down"),
        chain.paths("it", "compradores_online"),
        chain.analyze(),
    ):
        text = repr(result)
        assert text.splitlines()[0] == str(result).splitlines()[0], type(result).__name__
        assert "=" not in text.splitlines()[0] or "Impact" in type(result).__name__


def test_summary_counts_segments_in_the_reports_words(runner):
    result = runner.invoke(main, ["summary", str(SAPATARIA)], catch_exceptions=False)
    assert "  consumer segments: 2 transactional, 1 long-term\n" in result.stdout
    assert "  business segments: 1 long-term\n" in result.stdout


@pytest.mark.parametrize(
    ("args", "rows", "more"),
    [
        (["score", str(SAPATARIA), "--top", "4"], 4, "  ... and 23 more (--json lists them all)"),
        (
            ["trace", str(SAPATARIA), "it", "--down", "--top", "2"],
            2,
            "  ... and 21 more (--json lists them all)",
        ),
        (["analyze", str(SAPATARIA), "--top", "3"], 3, "  ... and 16 more (--json lists them all)"),
    ],
)
def test_top_limits_the_rows_of_every_listing(runner, args, rows, more):
    full = runner.invoke(main, args[:-2], catch_exceptions=False).stdout.splitlines()
    cut = runner.invoke(main, args, catch_exceptions=False).stdout.splitlines()
    at = next(i for i, line in enumerate(cut) if line.startswith("  ... and "))
    assert cut[at].startswith(more)
    assert [line.split() for line in cut[:at]] == [line.split() for line in full[:at]]
    hidden = int(cut[at].split()[2].replace(",", ""))
    assert len(full) - len(cut) == hidden - 1  # the hidden rows, less the line that counts them
    assert full[at : at + hidden] and cut[at - rows - 1].split()[0] in ("kind", "id", "Downstream")


def test_no_negative_zero_in_any_text(runner, example):
    import servicechain

    chain = servicechain.load(example)
    commands = [["score"], ["rank"], ["summary"], ["analyze"]]
    commands += [["explain", s.id] for s in chain.model.segments]
    first = chain.model.departments[0].id
    commands += [["impact", "--fail", first], ["impact", "--set", f"{first}=0.999"]]
    for args in commands:
        out = runner.invoke(main, [args[0], str(example), *args[1:]], catch_exceptions=False)
        found = NEGATIVE_ZERO.findall(out.stdout)
        assert not found, f"{' '.join(args)} prints {found}"


def test_summary_and_validate_stay_a_glance_on_a_large_model(runner, tmp_path):
    big = tmp_path / "org.json"
    runner.invoke(main, ["generate", "-n", "1500", "-o", str(big), "-q"], catch_exceptions=False)
    summary = runner.invoke(main, ["summary", str(big)], catch_exceptions=False).stdout
    lines = summary.splitlines()
    assert len(lines) < 45 and max(len(line) for line in lines) < 110
    assert re.search(r"^  front line \([\d,]+\): .* and [\d,]+ more$", summary, re.S | re.M)
    assert lines[-1].endswith("more (--json lists them all)")
    valid = runner.invoke(main, ["validate", str(big)], catch_exceptions=False).stdout
    assert len(valid.splitlines()) <= 23
    assert valid.splitlines()[-1].endswith("more (--json lists them all)")


def test_the_arrays_sensitivities_and_imports_read_as_a_summary_at_a_prompt():
    import servicechain
    from servicechain.flow import sensitivities
    from servicechain.io.importer import import_tables

    chain = servicechain.load(SAPATARIA)
    net = chain.network
    departments = int((net.kind == 0).sum())
    assert repr(net).startswith(f"<Network: {departments} departments, ")
    assert repr(net).endswith(f"{net.m} services, scale 1..5>")
    sens = sensitivities(chain)
    assert repr(sens).startswith(f"<Sensitivities value-weighted over the segments: {net.n} nodes")
    assert "array(" not in repr(sens)
    imported = import_tables(
        IO / "bom_semicolon.csv", extra={"departments": IO / "departments.csv"}
    )
    assert repr(imported).startswith(f"<Imported {imported.model.name!r} from ")
    assert "Model(" not in repr(imported)


def test_drawings_and_charts_read_as_a_summary_at_a_prompt():
    import servicechain

    chain = servicechain.load(SAPATARIA)
    drawing, chart = chain.draw(), chain.plot("tornado")
    assert repr(drawing) == (
        f"<Drawing {chain.model.name!r}, 13.33 x 7.50 in: .save(path) writes SVG, PNG or PDF>"
    )
    assert repr(chart).startswith("<Chart 'Sensitivities, largest first")
    assert "Figure" not in repr(drawing) + repr(chart)
