"""A sheet read by calamine (Rust), once the parts it would read are proven harmless.

The streaming reader (storage.xlsx_stream) places cells one at a time in Python: safe for any
file, but a hundred thousand rows cost seconds. calamine reads the same rows several times
faster, but it lays the used range out as a rectangle and trusts the archive, so it is handed
a file only after these checks, and never the person's archive itself:

- each part it needs (the sheet, the shared strings, the styles) is unpacked here by zipfile,
  which stops at the size the directory states, counted against the reader's byte budget;
- no part has a DTD or a namespace prefix on an element, and no string has phonetic runs;
- the sheet's declared used range is within the row and column limits, every cell names its
  own place (``<c r="B7"``), the real last row and column found from those names are within the
  limits, and the rectangle up to them is not much larger than the cells actually present;
- no shared string and no cell's XML is longer than the longest cell allowed, in bytes (a
  character takes at least one).

Those parts are then packed, unchanged, with a workbook of our own that names one sheet (or, for
a large sheet, a few of its pieces as sheets of their own), into an archive in memory that
calamine reads (storage.calamine_pack). Anything unusual, and any error calamine raises, returns
None: the caller reads the file with the streaming reader, which gives the precise answer.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from storage import calamine_pack as calamine
from storage.xlsx_stream import CHUNK, XlsxReader, parse_reference

# The rectangle calamine lays out may be at most this many times the cells present, plus a
# little: a title row or a sparse column is ordinary, a far-away cell is not.
MAX_SPREAD = 2
SPREAD_ALLOWANCE = 10_000
MAX_CELLS = 4_000_000
# The sheet's XML per piece when a large sheet is read a piece at a time (about 20,000 rows of
# a results file): small enough that the first rows come soon, large enough that calamine's
# work per archive (the shared strings, read again for each, see PIECES_PER_BOOK) stays a
# small part.
PIECE_BYTES = 8 * 2**20
# Pieces packed into one archive for calamine, which reads the archive's shared strings (a
# large table in a file saved by Excel) once for all of them: a few, so that the archive and
# calamine's copy of it stay a few tens of megabytes.
PIECES_PER_BOOK = 4

_PREFIXED = re.compile(rb"<[A-Za-z_][\w.\-]*:")
# A cell not named as "<c r="B7"" right away (or another element starting with "c"): unusual.
_UNNAMED = re.compile(rb'<c(?![a-zA-Z]| r="[A-Z]{1,3}[1-9][0-9]{0,6}"[\s/>])')
_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})')
_PLACE = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"')
# How far from a sheet's start and from its last cell the widest column is looked for first:
# the header and the last rows.
_EDGE_BYTES = 64 * 2**10
_ROW_OF_LENGTH = {
    length: re.compile(rb'<c r="[A-Z]{1,3}([1-9][0-9]{%d})"' % (length - 1))
    for length in range(1, 8)
}
_DIMENSION = re.compile(rb'<dimension ref="([^"]{1,40})"')
_DIMENSION_ELEMENT = re.compile(rb'<dimension ref="[^"]{1,40}"\s*/>')
_ROW_START = re.compile(rb"<row[\s>]")
_UNUSUAL_CELLS = (b't="e"', b't="d"')

_SHEET, _STRINGS, _STYLES = calamine.SHEET, calamine.STRINGS, calamine.STYLES


def fast_rows(reader: XlsxReader, sheet: str) -> list[list[str]] | None:
    """The sheet's rows as text, as XlsxReader.read_sheet gives them, or None when the file is
    not plainly safe for calamine (then nothing is counted against the byte budget)."""
    checked = _checked(reader, sheet)
    if checked is None:
        return None
    rows = calamine.read_whole(calamine.packed(checked.parts, date1904=checked.date1904))
    if rows is None:
        reader.unpacked = checked.spent
    return rows


def fast_pieces(reader: XlsxReader, sheet: str) -> tuple[int, Iterator[list[list[str]]]] | None:
    """The rows of fast_rows in consecutive pieces, a large sheet read a part at a time, so
    that whoever takes them works on the first rows while the rest are read, with the last row
    number any cell names (the rows to expect, a blank row at the end perhaps among them);
    None when the file is not plainly safe for calamine, as for fast_rows.

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
    checked = _checked(reader, sheet)
    if checked is None:
        return None
    return checked.last_row, _read_ahead(_pieces(reader, sheet, checked))


def _checked(reader: XlsxReader, sheet: str) -> _Checked | None:
    spent = reader.unpacked
    checked = _check(reader, sheet, spent)
    if checked is None:
        reader.unpacked = spent
    return checked


@dataclass
class _Checked:
    """The parts calamine may read (each proven harmless), by their names in our archive."""

    parts: dict[str, bytes]
    date1904: bool
    spent: int  # the byte budget spent before these parts were unpacked
    last_row: int  # the last row a cell names (a formatted blank one among them)


def _check(reader: XlsxReader, sheet: str, spent: int) -> _Checked | None:
    strings_part = reader.part_of_type("/sharedStrings")
    styles_part = reader.part_of_type("/styles")
    parts: dict[str, bytes] = {}
    for name, part in ((_SHEET, sheet), (_STRINGS, strings_part), (_STYLES, styles_part)):
        if part is None:
            continue
        if part not in reader.names:
            return None
        data = _unpack(reader, part)
        if data is None or not _plain_xml(data):
            return None
        parts[name] = data
    sheet_xml = parts[_SHEET]
    last_row = _sheet_is_plain(reader, sheet_xml)
    if last_row is None:
        return None
    strings = parts.get(_STRINGS)
    if strings is not None:
        longest = _longest_string(strings)
        # calamine and Python keep a copy of a shared string for every cell that shows it.
        if longest > reader.max_cell_chars or longest * sheet_xml.count(b't="s"') > (
            reader.max_bytes
        ):
            return None
    return _Checked(parts, reader.date1904, spent, last_row)


def _pieces(reader: XlsxReader, sheet: str, checked: _Checked) -> Iterator[list[list[str]]]:
    parts = checked.parts
    xml = parts[_SHEET]
    cuts = _cuts(xml)
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
    spans = list(itertools.pairwise(bounds))
    for last, read in _reads(parts, spans, before, after, date1904=checked.date1904):
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
        return  # every piece handed on (none at all: the caller says the file is empty)
    yield _whole(reader, sheet, checked)[handed:]


def _reads(
    parts: dict[str, bytes],
    spans: list[tuple[int, int]],
    before: bytes,
    after: bytes,
    *,
    date1904: bool,
) -> Iterator[tuple[int, calamine.Piece | None]]:
    """Each piece (the rows between a span's ends, with the sheet's XML before and after them)
    as calamine read it, None if it refused it, with where the piece ends in the sheet's XML.
    PIECES_PER_BOOK pieces at a time go into one archive, each as a sheet of its own, so that
    calamine reads the shared strings and the styles once for them all."""
    xml = parts[_SHEET]
    for at in range(0, len(spans), PIECES_PER_BOOK):
        group = spans[at : at + PIECES_PER_BOOK]
        sheets = {
            calamine.sheet_name(number): before + xml[first:last] + after
            for number, (first, last) in enumerate(group, 1)
        }
        packed = calamine.packed({**parts, **sheets}, date1904=date1904, sheets=len(group))
        del sheets
        book = calamine.open_book(packed)
        del packed
        for index, (_, last) in enumerate(group):
            yield last, calamine.read_piece(book, index)
        del book  # let go before the next archive is made


def _read_ahead(pieces: Iterator[list[list[str]]]) -> Iterator[list[list[str]]]:
    """The pieces, each next one read in a thread of its own while the caller works on the one
    before: calamine lets go of the interpreter while it parses, so the two overlap. One piece
    ahead at most; a piece's error is raised where that piece is asked for."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead") as pool:
        coming = pool.submit(next, pieces, None)
        while (piece := coming.result()) is not None:
            coming = pool.submit(next, pieces, None)
            yield piece


def _whole(reader: XlsxReader, sheet: str, checked: _Checked) -> list[list[str]]:
    """The whole sheet read at once: by calamine, else by the streaming reader."""
    rows = calamine.read_whole(calamine.packed(checked.parts, date1904=checked.date1904))
    if rows is not None:
        return rows
    reader.unpacked = checked.spent
    return reader.read_sheet(sheet)


def _cuts(xml: bytes) -> tuple[int, int, list[int]] | None:
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


def _plain_xml(data: bytes) -> bool:
    """UTF-8 (or ASCII) markup from its first byte, so that the checks on bytes below see every
    tag; no DTD, entity, comment or CDATA, no namespace prefix on an element."""
    if not data.removeprefix(b"\xef\xbb\xbf").startswith(b"<"):
        return False
    return b"<!" not in data and _PREFIXED.search(data) is None


def _unpack(reader: XlsxReader, part: str) -> bytes | None:
    pieces: list[bytes] = []
    with reader.archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            reader.unpacked += len(chunk)
            if reader.unpacked > reader.max_bytes:
                return None
            pieces.append(chunk)
    return b"".join(pieces)


def _sheet_is_plain(reader: XlsxReader, sheet: bytes) -> int | None:
    """The last row any cell names, when the sheet is plain; None when it is not."""
    declared = _DIMENSION.search(sheet)
    if declared is not None:
        corner = parse_reference(declared.group(1).decode("ascii", "replace").rpartition(":")[2])
        if corner is not None and (corner[0] > reader.max_rows or corner[1] > reader.max_columns):
            return None
    if any(mark in sheet for mark in _UNUSUAL_CELLS):
        return None
    cells = sheet.count(b'<c r="')
    if not cells:
        return None
    corner = _last_corner(sheet)
    if corner is None:  # a cell not named as its place, or one beyond the last cells
        if _UNNAMED.search(sheet):
            return None
        # Every cell is named ("B7", no leading zeros), so the longest row number is the
        # largest, and among those of that length the largest in text order: found without
        # turning 800,000 names into numbers.
        corner = _largest(sheet, _ROW_OF_LENGTH), max(map(_column, set(_COLUMN.findall(sheet))))
    last_row, last_column = corner
    if last_row > reader.max_rows or last_column > reader.max_columns:
        return None
    area = last_row * last_column
    if area > MAX_CELLS or area > MAX_SPREAD * cells + SPREAD_ALLOWANCE:
        return None
    return last_row if _runs_at_most(sheet, b"<c ", reader.max_cell_chars) else None


def _last_corner(sheet: bytes) -> tuple[int, int] | None:
    """The last row and the last column any cell names, in one search of the sheet: the row of
    its last cell and the widest column near its start and its end, once no cell is found that
    either is not named as its place (_UNNAMED) or lies beyond them. None when one is found (in
    a sheet not written in order, say): the caller then looks the long way."""
    at = sheet.rfind(b'<c r="')
    last = _PLACE.match(sheet, max(0, at))
    if last is None:
        return None
    row = int(last.group(2))
    near = _COLUMN.findall(sheet, 0, _EDGE_BYTES) + _COLUMN.findall(
        sheet, max(0, at - _EDGE_BYTES), at + len(last.group(0))
    )
    column = max(near, key=lambda letters: (len(letters), letters))
    within = _letters_at_most(column.decode("ascii")) + _at_most(row)
    beyond = re.compile(rb'<c(?![a-zA-Z]| r="' + within.encode() + rb'"[\s/>])')
    return None if beyond.search(sheet) else (row, _column(column))


def _letters_at_most(column: str) -> str:
    """A pattern for the column names A to ``column`` (as _at_most for numbers)."""
    length = len(column)
    choices = [f"[A-Z]{{1,{length - 1}}}"] if length > 1 else []
    for at, letter in enumerate(column):
        if letter > "A":
            choices.append(f"{column[:at]}[A-{chr(ord(letter) - 1)}][A-Z]{{{length - at - 1}}}")
    choices.append(column)
    return "(?:" + "|".join(choices) + ")"


def _runs_at_most(data: bytes, mark: bytes, limit: int) -> bool:
    """Whether ``max(map(len, data.split(mark))) <= limit``, without making the pieces: from
    the start of each run, the last mark that begins within ``limit`` bytes is found, and the
    runs before it are shorter still. ``mark`` must not overlap itself (as ``<c `` cannot)."""
    start, end = 0, len(data)
    while end - start > limit:
        found = data.rfind(mark, start, start + limit + len(mark))
        if found < 0:
            return False
        start = found + len(mark)
    return True


def _largest(sheet: bytes, of_length: dict[int, re.Pattern[bytes]]) -> int:
    for length in sorted(of_length, reverse=True):
        found = of_length[length].findall(sheet)
        if found:
            return int(max(found))
    return 0


def _longest_string(strings: bytes) -> int:
    """The longest shared string in bytes (phonetic runs count as too long: the streaming
    reader leaves them out, calamine might not)."""
    if b"<rPh" in strings:
        return 2**62
    return max(map(len, strings.split(b"<si>")))


def _column(letters: bytes) -> int:
    column = 0
    for letter in letters:
        column = column * 26 + letter - 64
    return column
