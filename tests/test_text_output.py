"""Text tables and numbers of long results: a column measured and formatted as a whole gives
the same text, byte for byte, as measuring and formatting each cell on its own."""

from __future__ import annotations

import io
import math
from unittest import mock

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from servicechain import text as text_module
from servicechain.cli.terminal import SafeStream
from servicechain.text import (
    clip,
    clipped,
    column_table,
    fmt_score,
    fmt_scores,
    has_controls,
    plain_text,
    table,
    width,
)


def table_cell_by_cell(rows, *, right=(), indent="  "):
    """The table as it was made before columns were measured whole: every cell on its own."""
    if not rows:
        return []
    widths = [[width(cell) for cell in row] for row in rows]
    cols = [max(w[i] for w in widths) for i in range(len(rows[0]))]
    lines = []
    for row, ws in zip(rows, widths, strict=True):
        cells = [
            " " * (cols[i] - w) + cell if i in right else cell + " " * (cols[i] - w)
            for i, (cell, w) in enumerate(zip(row, ws, strict=True))
        ]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


#: Plain letters, accented ones written whole and with combining marks, wide East Asian
#: characters, emoji, controls, escape sequences, bidi overrides, tabs and spaces.
PIECES = [
    "a", "Z", "7", " ", "-", "é", "ç", "o\u0303", "e\u0301", "\u0300", "–", "航", "空", "ｱ",
    "한", "😀", "\t", "\n", "\r", "\x07", "\x00", "\x7f", "\x85", "\x1b[2J", "\x1b[31m",
    "\x1b]8;;https://example.com\x1b\\", "\x9b1m", "\u202e", "\u2066", "\u200d", "\xa0",
]  # fmt: skip
cell = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)


@st.composite
def rows(draw):
    count = draw(st.integers(1, 5))
    body = draw(st.lists(st.lists(cell, min_size=count, max_size=count), max_size=8))
    return [[f"h{i}" for i in range(count)], *body]


@given(rows(), st.sets(st.integers(0, 4)), st.sampled_from(["  ", "", " > "]))
@example([["kind", "name"], ["dept", "Operações"], ["dept", "Operac\u0327o\u0303es"]], set(), "  ")
@example([["name", "n"], ["上海 客户", "1"], ["Loja", "22"]], {1}, "  ")
@example([["id"], ["it\x1b[2Jx"], ["ok"]], {0}, "  ")
def test_table_is_the_table_made_cell_by_cell(rows, right, indent):
    right = tuple(sorted(right))
    assert table(rows, right=right, indent=indent) == table_cell_by_cell(
        rows, right=right, indent=indent
    )


@given(rows(), st.sets(st.integers(0, 4)))
def test_a_table_padded_a_few_rows_at_a_time_is_the_same_table(rows, right):
    right = tuple(sorted(right))
    with mock.patch.object(text_module, "_TABLE_BLOCK", 2):
        assert table(rows, right=right) == table_cell_by_cell(rows, right=right)


@given(rows(), st.sets(st.integers(0, 4)))
@example([["kind", "name"], ["dept", "Operações"], ["dept", "Operac\u0327o\u0303es"]], set())
@example([["name", "n"], ["上海 客户", "1"], ["", "22"], ["😀", ""]], {1})
@example([["n"], ["上"], [""], ["x上"], ["\u0301"], ["é"]], set())
def test_a_column_measured_on_arrays_is_the_column_measured_cell_by_cell(rows, right):
    # every column counts as long: its widths are summed on the array of its code points
    right = tuple(sorted(right))
    with mock.patch.object(text_module, "_LONG_COLUMN", 0):
        assert table(rows, right=right) == table_cell_by_cell(rows, right=right)


@given(rows(), st.sets(st.integers(0, 4)))
def test_a_table_given_by_columns_is_the_table_given_by_rows(rows, right):
    right = tuple(sorted(right))
    columns = [list(column) for column in zip(*rows, strict=True)]
    assert column_table(columns, right=right) == table(rows, right=right)


def clip_char_by_char(text, columns):
    """:func:`clip` as it was: every character measured with :func:`width` on its own."""
    if width(text) <= columns:
        return text
    out, used = "", 0
    for ch in text:
        w = width(ch)
        if used + w > columns - 1:
            break
        out, used = out + ch, used + w
    return out + "…"


@given(cell, st.integers(1, 12))
@example("Operations 1 – 服务台 12", 20)
@example("Operac\u0327o\u0303es de turno", 8)
def test_clip_is_the_clip_measured_char_by_char(text, columns):
    assert clip(text, columns) == clip_char_by_char(text, columns)


def test_a_long_column_of_mixed_names_lines_up_on_screen():
    names = ["Operations – Assistenza", "上海 客户服务中心", "Operac\u0327o\u0303es", "IT"] * 50
    rows = [["name", "score"], *[[n, f"{i / 7:.2f}"] for i, n in enumerate(names)]]
    lines = table(rows, right=(1,))
    assert lines == table_cell_by_cell(rows, right=(1,))
    assert lines[2] == "  上海 客户服务中心         0.14"
    assert {width(line) for line in lines} == {len("  Operations – Assistenza  score")}


def test_rows_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="different lengths"):
        table([["a", "b"], ["c"]])


floats = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -0.0, 0.005, -0.005, 0.015, -0.015, 2.675, 1.005, -0.05, 0.05, 0.25, -0.0049999]
)


@given(st.lists(floats, max_size=20), st.sampled_from([1, 4, 6, 20, 20.5, 100]), st.booleans())
def test_fmt_scores_is_fmt_score_of_each(values, span, sign):
    assert fmt_scores(values, span, sign=sign) == [fmt_score(v, span, sign=sign) for v in values]


@given(st.floats(-1e6, 1e6), st.sampled_from([4, 100]))
def test_fmt_scores_rounds_a_number_half_to_even_as_written(value, span):
    text = fmt_scores([value], span)[0]
    digits = 1 if span > 20 else 2
    assert math.isclose(float(text), value, abs_tol=0.5 * 10**-digits + 1e-9)
    assert text != "-" + "0." + "0" * digits


@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_plain_text_leaves_text_without_controls_alone_and_removes_every_one(text):
    clean = plain_text(text)
    assert not has_controls(clean)
    if not has_controls(text):
        assert clean == text


@given(st.lists(cell, max_size=8), st.integers(1, 12))
@example(["Operations 1 – Assistenza clienti 0", "Operations 1 – 服务台 12", "IT"], 24)
def test_clipped_is_clip_of_each(texts, columns):
    assert clipped(texts, columns) == [clip(text, columns) for text in texts]


def test_json_is_written_past_the_sanitiser_with_its_encoding_fallback():
    raw = io.BytesIO()
    stream = SafeStream(io.TextIOWrapper(raw, encoding="ascii", newline=""))
    stream.write("Loja\x1b[2J é\n")
    stream.write_inert('{"name": "Operações"}')
    stream.flush()
    assert raw.getvalue() == b'Loja \\xe9\n{"name": "Opera\\xe7\\xf5es"}'
