"""A large sheet read by calamine a piece at a time, each piece checked just before it is read.

storage.import_speed hands calamine a whole sheet once every check has passed on it. A sheet of
a city's results is tens of megabytes of XML; checking all of it first keeps whoever takes the
rows waiting before the first of them. Here the parts calamine needs are unpacked and checked as
there (the shared strings and styles whole, the sheet's declared used range and the row its last
cell names), and the sheet's rows, cut into pieces between rows, are checked piece by piece,
each piece just before calamine reads it: the same checks, on the bytes calamine gets (no DTD
or prefixed element, no unusual or unnamed cell, the rectangle it lays out within the limits
and not much larger than the cells present, no cell too long). A piece that fails them is never
read by calamine: the rows from it on come from the streaming reader, which gives the precise
answer.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from storage.import_speed import (
    _COLUMN,
    _PREFIXED,
    _SHEET,
    _UNNAMED,
    _UNUSUAL_CELLS,
    MAX_CELLS,
    MAX_SPREAD,
    SPREAD_ALLOWANCE,
    _as_text,
    _Checked,
    _checked,
    _column,
    _declared_within,
    _packed,
    _plain_xml,
    _whole,
    _whole_sheet,
)
from storage.xlsx_stream import XlsxReader

# The sheet's XML per piece when a large sheet is read a piece at a time (about 20,000 rows of
# a results file): small enough that the first rows come soon, large enough that calamine's
# work per piece (the shared strings, read again for each) stays a small part.
PIECE_BYTES = 8 * 2**20

_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}([1-9][0-9]{0,6})"')
_DIMENSION_ELEMENT = re.compile(rb'<dimension ref="[^"]{1,40}"\s*/>')
_ROW_START = re.compile(rb"<row[\s>]")


def fast_pieces(reader: XlsxReader, sheet: str) -> tuple[int, Iterator[list[list[str]]]] | None:
    """The rows of fast_rows in consecutive pieces, a large sheet read a part at a time, so
    that whoever takes them works on the first rows while the rest are read, with the rows to
    expect (the row the sheet's last cell names, a blank row at the end perhaps among them;
    never more than the rows allowed); None when the parts are not plainly safe for calamine.
    The rows' own checks are made piece by piece (see this module's text): should a piece fail
    them, the rows from it on are read by the streaming reader, which gives the precise answer.

    Joined, the pieces are fast_rows's rows, except that a row may carry blank cells to the
    right of the last column fast_rows keeps (every row is at least as wide as the first
    piece's). A sheet of less than two pieces' worth of XML is one piece.

    The sheet's XML is cut between rows, and each piece (the sheet's own XML around one run
    of rows) is read by calamine alone: within a piece calamine places the cells by their
    names, as for the whole sheet. Across pieces the cells must come in order, and a piece is
    handed on only once no cell after it is proven to name a row it covers (one search of the
    rest of the sheet for a row number up to its last); should one, the rows not yet handed on
    come from the whole sheet read at once, and the pieces already handed on stay right.
    """
    checked = _checked(reader, sheet, _rows_to_expect)
    if checked is None:
        return None
    return checked.last_row, _pieces(reader, sheet, checked)


def _pieces(reader: XlsxReader, sheet: str, checked: _Checked) -> Iterator[list[list[str]]]:
    parts = checked.parts
    xml = parts[_SHEET]
    cuts = None if checked.whole else _cuts(xml)
    if cuts is None:
        yield _whole(reader, sheet, checked)
        return
    start, end, bounds = cuts
    # Each piece is the sheet's XML before its rows (without the declared used range, which
    # would stretch every piece to the whole sheet), one run of rows, and what follows them.
    before = _DIMENSION_ELEMENT.sub(b"", xml[:start], count=1)
    after = xml[end:]
    handed = 0  # rows handed on so far: the next row's index in the whole sheet
    width = 0
    if not (_plain_xml(before) and _plain_xml(after)):
        bounds = []  # nothing for calamine: the streaming reader reads the sheet
    for first, last in itertools.pairwise(bounds):
        rows_xml = xml[first:last]
        if not _rows_are_plain(reader, rows_xml):
            break  # never for calamine: the rows from here on come from the streaming reader
        piece = {**parts, _SHEET: before + rows_xml + after}
        del rows_xml
        read = _calamine_piece(_packed(piece, date1904=checked.date1904))
        del piece
        if read is None or read.first_row < handed:
            break  # calamine refused a piece, or its rows come before rows handed on
        if not read.values:
            continue
        if _names_a_row_up_to(xml, last, end, read.last_row + 1):
            break  # a cell further on belongs among these rows
        values = read.values
        while values and not any(values[-1]):
            values.pop()  # blank rows at the end go with the next piece, or nowhere
        if not values:
            continue
        if len(values[0]) < width:  # a piece's rows are all as wide
            padding = [""] * (width - len(values[0]))
            for row in values:
                row.extend(padding)
        width = len(values[0])
        rows = [[""] * width for _ in range(read.first_row - handed)]  # blank rows between
        rows += values
        handed = read.first_row + len(values)
        yield rows
    else:
        if bounds:
            return  # every piece handed on (none at all: the caller says the file is empty)
    yield _whole(reader, sheet, checked)[handed:]


_Cuts = tuple[int, int, list[int]]


def _cuts(xml: bytes) -> _Cuts | None:
    """Where the rows begin and end, and where the pieces begin, the end last; None for a
    sheet of less than two pieces."""
    start = xml.find(b"<sheetData>")
    end = xml.rfind(b"</sheetData>")
    if start < 0 or end < start or end - start < 2 * PIECE_BYTES:
        return None
    start += len(b"<sheetData>")
    bounds = [start]
    while (found := _ROW_START.search(xml, bounds[-1] + PIECE_BYTES, end)) is not None:
        if end - found.start() < PIECE_BYTES // 2:
            break  # a short last piece joins the one before
        bounds.append(found.start())
    if len(bounds) < 2:
        return None
    bounds.append(end)
    return start, end, bounds


def _names_a_row_up_to(xml: bytes, start: int, end: int, row: int) -> bool:
    """Whether a cell between ``start`` and ``end`` names a row numbered ``row`` or less."""
    pattern = re.compile(rb'<c r="[A-Z]{1,3}' + _at_most(row).encode() + rb'"')
    return pattern.search(xml, start, end) is not None


def _at_most(number: int) -> str:
    """A pattern for the numbers 1 to ``number`` as written, without leading zeros."""
    digits = str(number)
    length = len(digits)
    choices = [f"[1-9][0-9]{{0,{length - 2}}}"] if length > 1 else []
    for at, digit in enumerate(map(int, digits)):
        lowest = 1 if at == 0 else 0
        if digit > lowest:  # the same start, a smaller digit here, any digits after
            choices.append(f"{digits[:at]}[{lowest}-{digit - 1}][0-9]{{{length - at - 1}}}")
    choices.append(digits)
    return "(?:" + "|".join(choices) + ")"


def _rows_to_expect(reader: XlsxReader, sheet: bytes) -> tuple[int, bool] | None:
    """A sheet of two pieces or more: the row its last cell names, None when that row or the
    declared used range is beyond the limits (the rows themselves are checked piece by piece).
    A smaller sheet is checked whole."""
    cuts = _cuts(sheet)
    if cuts is None:
        return _whole_sheet(reader, sheet)
    if not _declared_within(reader, sheet):
        return None
    start, end, _ = cuts
    at = sheet.rfind(b'<c r="', start, end)
    last = _CELL_ROW.match(sheet, at) if at >= 0 else None
    if last is None:
        return None  # no cell at all, or not named as the checks want: the streaming reader
    row = int(last.group(1))
    return (row, False) if row <= reader.max_rows else None


def _rows_are_plain(reader: XlsxReader, rows: bytes) -> bool:
    """The checks of _sheet_is_plain on one run of a sheet's rows: no DTD or prefixed element,
    no unusual or unnamed cell, the rectangle calamine lays out for it (from its first named
    row to its last) within the limits and not much larger than its cells, no cell too long."""
    if b"<!" in rows or _PREFIXED.search(rows) is not None:
        return False
    if any(mark in rows for mark in _UNUSUAL_CELLS) or _UNNAMED.search(rows):
        return False
    cells = rows.count(b'<c r="')
    if not cells:
        return True  # nothing for calamine to lay out
    numbers = set(map(int, set(_CELL_ROW.findall(rows))))
    first_row, last_row = min(numbers), max(numbers)
    last_column = max(map(_column, set(_COLUMN.findall(rows))))
    if last_row > reader.max_rows or last_column > reader.max_columns:
        return False
    area = (last_row - first_row + 1) * last_column
    if area > MAX_CELLS or area > MAX_SPREAD * cells + SPREAD_ALLOWANCE:
        return False
    return max(map(len, rows.split(b"<c "))) <= reader.max_cell_chars


@dataclass
class _Piece:
    """One piece as calamine read it: its rows from the first row with a value, each from
    column A, and where they lie in the sheet (counted from 0)."""

    values: list[list[str]]
    first_row: int
    last_row: int


def _calamine_piece(packed: bytes) -> _Piece | None:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(packed))
        del packed
        sheet = book.get_sheet_by_index(0)
        start, end = sheet.start, sheet.end
        values = sheet.to_python(skip_empty_area=True)
    except Exception:
        return None
    if start is None or end is None or not values:
        return _Piece([], 2**62, -1)  # nothing in it: before no row, names no row
    rows = _as_text(values)
    if start[1]:
        rows = [[""] * start[1] + row for row in rows]
    return _Piece(rows, start[0], end[0])
