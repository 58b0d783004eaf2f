"""Tables as files for Excel: CSV in UTF-8 with a BOM (what Chinese Excel opens cleanly) and
XLSX with a title, a few lines of notes and a frozen header. Every cell is written as text,
so ID fragments, codes and dates keep their leading zeros and their form."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import xlsxwriter

Lines = Sequence[Sequence[str]]


def csv_bytes(lines: Lines) -> bytes:
    """The table alone (header first), UTF-8 with a BOM, CRLF line ends."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
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
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
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
