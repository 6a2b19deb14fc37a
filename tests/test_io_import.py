"""Spreadsheet import and template: headers, BOM, semicolons, codes, positions, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from servicechain import load
from servicechain.cli import main
from servicechain.errors import ModelError
from servicechain.export.table import to_csv, to_xlsx
from servicechain.io.importer import import_tables
from servicechain.io.load import parse_model
from servicechain.io.yamlout import model_yaml, yaml_scalar
from servicechain.model.spec import Model

DATA = Path(__file__).resolve().parent / "data" / "io"


def test_bom_semicolons_stray_spaces_and_mixed_case_headers():
    result = import_tables(
        DATA / "bom_semicolon.csv", extra={"departments": DATA / "departments.csv"}
    )
    services = result.model.services
    assert [(s.source, s.target, s.name, s.quality, s.weight) for s in services] == [
        ("it", "store", "POS support", 3.5, 1.0),
        ("stock", "store", "Replenishment", 4.0, 2.0),
    ]
    depts = {d.id: d for d in result.model.departments}
    assert depts["it"].dependence == 0.3  # "30%"
    assert "007" in depts  # the leading zeros survive
    assert result.text.startswith("# yaml-language-server: $schema=servicechain.schema.json\n")
    assert '{id: "007", name: Agente segreto' in result.text
    assert parse_model(result.text).model == result.model


def test_problems_carry_file_row_column_and_did_you_mean():
    with pytest.raises(ModelError) as info:
        import_tables(DATA / "near_duplicates.csv")
    file = str(DATA / "near_duplicates.csv")
    assert [str(p) for p in info.value.problems] == [
        f"{file}:4:1: id: 'IT' differs from 'it' ({file} row 3) only in case or spaces "
        "(if they are the same, keep one row; otherwise name them apart)",
        f"{file}:4:2: name: 'it support' differs from 'IT Support' ({file} row 3) only in case "
        "or spaces (if they are the same, keep one row; otherwise name them apart)",
        f"{file}:7:2: to: unknown department 'Stokc' (add it to the departments table, or pass "
        "--create-missing)",
    ]


def test_unknown_column_bad_number_and_headerless_values(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("from,to,Qualty,,weight\na,b,4,x,heavy\n", encoding="utf-8")
    with pytest.raises(ModelError) as info:
        import_tables(path, create_missing=True)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:1:3: unknown column 'Qualty' in the services table (did you mean 'quality'?)",
        f"{path}:2:4: column 4 has 1 value but no header (give the column a header, or delete "
        "its values)",
        f"{path}:2:5: weight: expected a number, got 'heavy' (write a number, e.g. 3.5)",
    ]


def test_create_missing_flags_near_duplicate_spellings(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("from,to\nIT,Store\nit,Store\n", encoding="utf-8")
    with pytest.raises(ModelError) as info:
        import_tables(path, create_missing=True)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:3:1: from: 'it' differs from 'IT' only in case or spaces (write it as 'IT')"
    ]
    path.write_text("from,to\nIT,Store\nStore,Walk in\n", encoding="utf-8")
    result = import_tables(path, create_missing=True, scale=(0, 10))
    assert result.created == ["it", "store", "walk_in"]
    assert [(s.source, s.target) for s in result.model.services] == [
        ("it", "store"),
        ("store", "walk_in"),
    ]


def test_score_outside_scale_points_at_the_cell_and_the_option(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("from,to,quality\na,b,7\n", encoding="utf-8")
    with pytest.raises(ModelError) as info:
        import_tables(path, create_missing=True)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:2:3: quality: 7 is outside the scale 1..5 (use a score from 1 to 5, or give "
        "the scale with --scale MIN:MAX)"
    ]


def test_xlsx_cells_are_read_as_text(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    deps = book.active
    deps.title = "Departments"
    deps.append(["Id", "Name "])
    deps.append([7, "Seven"])
    deps["A2"].number_format = "000"
    deps.append(["no", "Norte"])
    services = book.create_sheet("Services")
    services.append(["Source", "Target", "Quality"])
    services.append(["007", "no", 4.25])
    path = tmp_path / "book.xlsx"
    book.save(path)
    result = import_tables(path)
    assert [d.id for d in result.model.departments] == ["007", "no"]
    assert result.model.services[0].quality == 4.25
    assert parse_model(result.text).model == result.model

    services.append(["007", "nope", "x"])
    book.save(path)
    with pytest.raises(ModelError) as info:
        import_tables(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}[Services]:3:2: to: unknown department 'nope' (did you mean 'no'?; add it to "
        "the departments table, or pass --create-missing)",
        f"{path}[Services]:3:3: quality: expected a number, got 'x' (write a number, e.g. 3.5)",
    ]


def test_every_example_round_trips_through_csv_and_xlsx(example, tmp_path):
    model = load(example).model
    csv_path = tmp_path / "model.csv"
    csv_path.write_text(to_csv(model), encoding="utf-8")
    assert import_tables(csv_path).model == model.model_copy(update={"schema_ref": None})
    xlsx_path = tmp_path / "model.xlsx"
    xlsx_path.write_bytes(to_xlsx(model))
    assert import_tables(xlsx_path).model == model.model_copy(update={"schema_ref": None})


HOSTILE = [
    "<script>alert(1)</script>",
    'say "hi"',
    "]]>",
    '=HYPERLINK("http://x","y")',
    "+1 call",
    "-minus",
    "@sum",
    "'=quoted",
    "two\nlines",
    "客服中心",
    "R&D, {x}: #1",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_survive_csv_round_trip(tmp_path, name):
    model = Model.model_validate(
        {
            "name": name,
            "departments": [{"id": "a", "name": name, "notes": name}, {"id": "b", "name": "B"}],
            "services": [{"from": "a", "to": "b", "name": name}],
        }
    )
    text = to_csv(model)
    for line in text.lstrip("\ufeff").splitlines():
        assert not line.startswith(("=", "+", "-", "@"))
        assert ",=" not in line and ",+" not in line and ",@" not in line
    path = tmp_path / "m.csv"
    path.write_text(text, encoding="utf-8")
    assert import_tables(path).model == model


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_yaml_scalar_reads_back_as_the_same_text(text):
    text = text.replace("\r", "")  # a model file's lines end in \n
    assume(text)  # a name is never empty
    model = Model.model_validate({"name": text, "departments": [{"id": "a", "name": "A"}]})
    assert parse_model(model_yaml(model)).model.name == text


def test_yaml_scalar_quotes_what_yaml_would_misread():
    assert [yaml_scalar(v) for v in ("no", "Yes", "007", "1e3", "null", "~", "a #b")] == [
        '"no"',
        '"Yes"',
        '"007"',
        '"1e3"',
        '"null"',
        '"~"',
        '"a #b"',
    ]


def test_cli_template_then_import(runner, tmp_path):
    for fmt in ("csv", "xlsx"):
        sheet = tmp_path / f"t.{fmt}"
        result = runner.invoke(main, ["template", fmt, "-o", str(sheet)], catch_exceptions=False)
        assert result.exit_code == 0
        assert result.stdout == (
            f"Wrote {sheet}. Fill it in, then: servicechain import {sheet} -o model.yaml\n"
        )
        out = tmp_path / f"m-{fmt}.yaml"
        result = runner.invoke(main, ["import", str(sheet), "-o", str(out)], catch_exceptions=False)
        assert result.exit_code == 0
        assert result.stdout == (
            f"Wrote {out}: 3 departments, 1 segment, 1 partner, 4 services (scale 1..5).\n"
            f"Next: servicechain validate {out}\n"
        )
        assert load(out).model.name == "My company"


def test_cli_import_problems_exit_1_and_write_nothing(runner, tmp_path):
    out = tmp_path / "m.yaml"
    result = runner.invoke(main, ["import", str(DATA / "near_duplicates.csv"), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "3 problems found."
    assert not out.exists()


def test_cli_import_refuses_to_overwrite_and_bad_scale(runner, tmp_path):
    out = tmp_path / "m.yaml"
    out.write_text("keep", encoding="utf-8")
    source = str(DATA / "bom_semicolon.csv")
    result = runner.invoke(main, ["import", source, "-o", str(out), "--create-missing"])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {out} exists already; use --force to overwrite it\n"
    assert out.read_text(encoding="utf-8") == "keep"
    result = runner.invoke(main, ["import", source, "-o", str(out), "--scale", "5:1"])
    assert result.exit_code == 2
    assert "'5:1': MAX must be above MIN, e.g. 1:5" in result.stderr


def test_cli_import_create_missing_reports_created(runner, tmp_path):
    out = tmp_path / "m.yaml"
    source = str(DATA / "bom_semicolon.csv")
    result = runner.invoke(
        main,
        ["import", source, "-o", str(out), "--create-missing", "--name", "Loja"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    assert result.stdout == (
        f"Wrote {out}: 3 departments, 0 segments, 0 partners, 2 services "
        "(scale 1..5, the default: set another with --scale).\n"
        "Created 3 departments that no table declares: it, store, stock\n"
        f"Next: servicechain validate {out}\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "\ufeffSupplier ;CUSTOMER; Service\n",
            "{p}:1: the service list has a header but no rows (add one row per service under "
            "the header: supplier, customer, name, quality)",
        ),
        (
            "",
            "{p}: no table holds a department or a service (start from `servicechain template "
            "-o services.xlsx`, or `-o services.csv`)",
        ),
    ],
    ids=["header-only", "empty"],
)
def test_a_service_list_without_rows_says_so(runner, tmp_path, text, message):
    path = tmp_path / "services.csv"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "m.yaml"
    result = runner.invoke(main, ["import", str(path), "--create-missing", "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == message.format(p=path)
    assert not out.exists()
