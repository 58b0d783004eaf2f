"""calamine's side of storage.import_speed: the archive of our own it is handed (the checked
parts, unchanged, with a workbook that names one sheet or several), and its values as text.

Nothing here checks anything: storage.import_speed hands over only parts it has proven harmless.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, cast

from storage.xlsx_stream import cell_text

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
STYLES = "xl/styles.xml"
_NS = "http://schemas.openxmlformats.org/"
_REL = _NS + "officeDocument/2006/relationships"


def sheet_name(number: int) -> str:
    return f"xl/worksheets/sheet{number}.xml"


def packed(parts: dict[str, bytes], *, date1904: bool, sheets: int = 1) -> bytes:
    """The checked parts with a workbook of our own around them, stored without compression:
    ``sheets`` sheets, named by sheet_name from 1, in that order (one: SHEET)."""
    numbers = range(1, sheets + 1)
    types = [f'<Override PartName="/{sheet_name(n)}" ContentType="{_NS_SHEET}"/>' for n in numbers]
    relations = [
        f'<Relationship Id="rIdS{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in numbers
    ]
    if STRINGS in parts:
        types.append(f'<Override PartName="/{STRINGS}" ContentType="{_NS_STRINGS}"/>')
        relations.append(
            f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    if STYLES in parts:
        types.append(f'<Override PartName="/{STYLES}" ContentType="{_NS_STYLES}"/>')
        relations.append(f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/>')
    listed = [f'<sheet name="S{n}" sheetId="{n}" r:id="rIdS{n}"/>' for n in numbers]
    book = (
        f'<workbook xmlns="{_NS}spreadsheetml/2006/main" xmlns:r="{_REL}">'
        f'<workbookPr date1904="{1 if date1904 else 0}"/>'
        f"<sheets>{''.join(listed)}</sheets></workbook>"
    )
    content_types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_NS_BOOK}"/>{"".join(types)}</Types>'
    )
    root = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    book_relations = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{''.join(relations)}</Relationships>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", root)
        archive.writestr("xl/workbook.xml", book)
        archive.writestr("xl/_rels/workbook.xml.rels", book_relations)
        for name in list(parts):
            archive.writestr(name, parts.pop(name))  # each part let go once it is packed
    return buffer.getvalue()


_OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml."
_NS_BOOK = _OFFICE + "sheet.main+xml"
_NS_SHEET = _OFFICE + "worksheet+xml"
_NS_STRINGS = _OFFICE + "sharedStrings+xml"
_NS_STYLES = _OFFICE + "styles+xml"


def read_whole(packed: bytes) -> list[list[str]] | None:
    book = open_book(packed)
    del packed
    if book is None:
        return None
    try:
        values = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:
        return None  # whatever calamine dislikes, the streaming reader reads and explains
    rows = _as_text(values)
    # As the streaming reader gives them: no blank rows below the last value, no blank columns
    # right of the widest (calamine counts a formatted empty cell as used).
    while rows and not any(rows[-1]):
        rows.pop()
    width = len(rows[0]) if rows else 0
    while width and not any(map(itemgetter(width - 1), rows)):
        width -= 1
    if rows and width < len(rows[0]):
        rows = [row[:width] for row in rows]
    return rows


@dataclass
class Piece:
    """One piece as calamine read it: its rows from the first row with a value, each from
    column A, and where they lie in the sheet (counted from 0)."""

    values: list[list[str]]
    first_row: int
    last_row: int


def open_book(packed: bytes) -> CalamineWorkbook | None:
    """calamine's workbook of an archive of packed(), None if it refuses it."""
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(packed))
    except Exception:
        return None


def read_piece(book: CalamineWorkbook | None, index: int) -> Piece | None:
    """The piece that is sheet ``index`` (from 0) of ``book``; None if there is no book or
    calamine refuses the sheet."""
    if book is None:
        return None
    try:
        sheet = book.get_sheet_by_index(index)
        start, end = sheet.start, sheet.end
        values = sheet.to_python(skip_empty_area=True)
    except Exception:
        return None
    if start is None or end is None or not values:
        return Piece([], 2**62, -1)  # nothing in it: before no row, names no row
    rows = _as_text(values)
    if start[1]:
        rows = [[""] * start[1] + row for row in rows]
    return Piece(rows, start[0], end[0])


def _as_text(values: Sequence[Sequence[object]]) -> list[list[str]]:
    """calamine's values as text, row by row, in place."""
    rows = cast("list[list[str]]", values)  # made so below, row by row
    only_text = {str}
    for index, row in enumerate(rows):
        if set(map(type, row)) != only_text:  # numbers, booleans, dates: as the person typed
            rows[index] = [value if type(value) is str else _text(value) for value in row]
    return rows


def _text(value: object) -> str:
    return "" if value is None else cell_text(value)
