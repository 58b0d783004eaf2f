"""The checks a sheet passes before calamine reads it (storage.import_speed) give exactly the
answers of their plain definitions, found with fewer passes over a large sheet: the last row
and column from the last cells and one search, the longest cell without cutting the sheet up.
Compared here on sheets made at random: cells out of order, a cell not named as its place, the
widest column far from either end, long cells anywhere."""

from __future__ import annotations

import string
from dataclasses import dataclass
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from storage import import_speed
from storage.xlsx_stream import parse_reference


@dataclass
class Limits:
    max_rows: int
    max_columns: int
    max_cell_chars: int


def plainly(reader: Limits, sheet: bytes) -> int | None:
    """The checks as first written: every cell's name found and compared, the sheet split at
    every cell."""
    declared = import_speed._DIMENSION.search(sheet)
    if declared is not None:
        corner = parse_reference(declared.group(1).decode("ascii", "replace").rpartition(":")[2])
        if corner is not None and (corner[0] > reader.max_rows or corner[1] > reader.max_columns):
            return None
    if any(mark in sheet for mark in import_speed._UNUSUAL_CELLS):
        return None
    if import_speed._UNNAMED.search(sheet):
        return None
    cells = sheet.count(b'<c r="')
    if not cells:
        return None
    names = import_speed._PLACE.findall(sheet)
    last_row = max(int(row) for _, row in names)
    last_column = max(import_speed._column(column) for column, _ in names)
    if last_row > reader.max_rows or last_column > reader.max_columns:
        return None
    area = last_row * last_column
    if area > import_speed.MAX_CELLS or area > import_speed.MAX_SPREAD * cells + (
        import_speed.SPREAD_ALLOWANCE
    ):
        return None
    return last_row if max(map(len, sheet.split(b"<c "))) <= reader.max_cell_chars else None


def column_name(number: int) -> str:
    name = ""
    while number:
        number, rest = divmod(number - 1, 26)
        name = string.ascii_uppercase[rest] + name
    return name


NAMES = st.one_of(
    st.tuples(st.integers(1, 30).map(column_name), st.integers(1, 400).map(str)),
    st.sampled_from([("A", "01"), ("", "7"), ("AAAA", "1"), ("B", "12345678"), ("XFD", "9")]),
)


@st.composite
def sheets(draw: st.DrawFn) -> bytes:
    cells = []
    for _ in range(draw(st.integers(0, 40))):
        text = "x" * draw(st.sampled_from([0, 1, 5, 30, 90, 300]))
        if draw(st.integers(0, 30)) == 0:
            cells.append(f'<c t="inlineStr"><is><t>{text}</t></is></c>')  # not named
        else:
            column, row = draw(NAMES)
            cells.append(f'<c r="{column}{row}" t="inlineStr"><is><t>{text}</t></is></c>')
    head = draw(st.sampled_from(["", '<dimension ref="A1:H9"/>', '<cols><col min="1"/></cols>']))
    tail = draw(st.sampled_from(["", '<mergeCells count="1"><mergeCell ref="A1:B1"/>']))
    rows = "".join(f"<row>{cell}</row>" for cell in cells)
    return f"<worksheet>{head}<sheetData>{rows}</sheetData>{tail}</worksheet>".encode()


@settings(max_examples=400, deadline=None)
@given(
    sheets(),
    st.integers(50, 500),
    st.integers(5, 40),
    st.integers(20, 400),
    st.integers(16, 400),
)
def test_the_sheets_checks_answer_as_their_plain_definitions(
    sheet, max_rows, max_columns, max_cell_chars, edge
):
    limits = Limits(max_rows, max_columns, max_cell_chars)
    # Near the ends is a few cells here, not 64 KB: the widest column is often elsewhere.
    with patch.object(import_speed, "_EDGE_BYTES", edge):
        assert import_speed._sheet_is_plain(limits, sheet) == plainly(limits, sheet)  # type: ignore[arg-type]


@given(
    st.lists(st.sampled_from([b"<c ", b"x", b"<c", b" ", b"xxxxxxx"]), max_size=60),
    st.integers(0, 30),
)
def test_the_longest_run_between_marks_is_found_without_splitting(parts, limit):
    data = b"".join(parts)
    expected = max(map(len, data.split(b"<c "))) <= limit
    assert import_speed._runs_at_most(data, b"<c ", limit) is expected


def test_the_widest_column_far_from_both_ends_is_found():
    """A note in column J in the middle of a sheet written A to H: the last cells say H; the
    search finds J beyond them, and the long way gives J: ten columns make the rectangle."""
    row = "".join(f'<c r="{column}{{n}}"><v>1</v></c>' for column in "ABCDEFGH")
    rows = [f"<row>{row.format(n=n)}</row>" for n in range(1, 3000)]
    rows[1500] = '<row><c r="J1501"><v>3</v></c></row>'
    sheet = f"<worksheet><sheetData>{''.join(rows)}</sheetData></worksheet>".encode()
    assert len(sheet) > 2 * import_speed._EDGE_BYTES
    assert import_speed._last_corner(sheet) is None

    wide_enough = Limits(200_000, 10, 32_767)
    assert import_speed._sheet_is_plain(wide_enough, sheet) == 2999  # type: ignore[arg-type]
    too_narrow = Limits(200_000, 9, 32_767)  # J is column 10
    assert import_speed._sheet_is_plain(too_narrow, sheet) is None  # type: ignore[arg-type]
    assert plainly(too_narrow, sheet) is None and plainly(wide_enough, sheet) == 2999
