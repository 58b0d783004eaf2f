"""Tables as files for Excel: CSV in UTF-8 with a BOM (what Chinese Excel opens cleanly) and
XLSX with a title, a few lines of notes and a frozen header. Every cell is written as text,
so ID fragments, codes and dates keep their leading zeros and their form.

Cells come from people (a complaint's unit, a post title, a name): Excel and WPS evaluate a
CSV cell that starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return,
or their full-width forms), so such a cell is written behind a single quote (OWASP's CSV
injection advice); a plain number, negative ones too, is left as it is. XLSX cells are string
cells, never formulas.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

import xlsxwriter

Lines = Sequence[Sequence[str]]

FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def safe_cell(value: str) -> str:
    """The cell as a spreadsheet will show it and never evaluate it."""
    if value[:1] in FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_bytes(lines: Lines) -> bytes:
    """The table alone (header first), UTF-8 with a BOM, CRLF line ends."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([safe_cell(str(value)) for value in line] for line in lines)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(
    lines: Lines,
    *,
    sheet: str,
    title: str,
    notes: Sequence[str] = (),
    widths: Sequence[float] = (),
) -> bytes:
    """A bold title, the notes below it, an empty row, then the table (header frozen)."""
    buffer = io.BytesIO()
    # write_string never makes a formula; the option keeps it so should a write() slip in.
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    worksheet = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True})
    worksheet.write_string(0, 0, title, bold)
    for row, note in enumerate(notes, start=1):
        worksheet.write_string(row, 0, note)
    header_row = len(notes) + 2
    for offset, line in enumerate(lines):
        style = bold if offset == 0 else None
        for column, value in enumerate(line):
            worksheet.write_string(header_row + offset, column, value, style)
    for column, width in enumerate(widths):
        worksheet.set_column(column, column, width)
    worksheet.freeze_panes(header_row + 1, 0)
    book.close()
    return buffer.getvalue()
