"""An XLSX sheet read as a stream of XML, one cell at a time, never laid out as a rectangle.

Only what the import needs: the first visible worksheet, its cells' values as text (shared and
inline strings, numbers, booleans, dates by their number format). expat hands the text of a
cell over in pieces, so an over-long cell is stopped as it grows, not after it is in memory;
documents with a DTD are refused, as no workbook has one (no entity can expand).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import IO
from xml.parsers import expat

CHUNK = 2**20
_EXACT_WHOLE = 10**15


class Breach(Exception):
    """A limit met while reading: ``what`` is rows, columns, cell or bytes."""

    def __init__(self, what: str, value: int) -> None:
        super().__init__(what, value)
        self.what = what
        self.value = value


def cell_text(value: object) -> str:
    """A spreadsheet value as the text the person typed, as nearly as it can be recovered."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # Beyond 15 significant digits Excel keeps no digits, so a larger whole number cannot be
        # trusted: it keeps the scientific notation that domain.idnumber recognises and explains.
        if value.is_integer() and abs(value) < _EXACT_WHOLE:
            return str(int(value))  # phones typed as numbers: 13800138000.0 → 13800138000
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def column_name(number: int) -> str:
    """1 → A, 16384 → XFD."""
    name = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


_REFERENCE = re.compile(r"\$?([A-Za-z]{1,7})\$?([0-9]{1,9})")


def parse_reference(text: str) -> tuple[int, int] | None:
    """ "XFD1048576" → (1048576, 16384): row and column, counted from 1."""
    match = _REFERENCE.fullmatch(text.strip())
    if match is None:
        return None
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)), column


def _local(name: str) -> str:
    return name.rpartition(":")[2]


class _Parse:
    """One part of the archive streamed through expat, its bytes counted against a budget."""

    def __init__(self, reader: XlsxReader) -> None:
        self.reader = reader
        self.parser = expat.ParserCreate()
        self.parser.buffer_text = True
        self.parser.StartDoctypeDeclHandler = self._refuse_dtd
        self.parser.EntityDeclHandler = self._refuse_dtd

    @staticmethod
    def _refuse_dtd(*_args: object) -> None:
        raise ValueError("a workbook part with a DTD")

    def run(self, part: str) -> None:
        reader = self.reader
        with reader.archive.open(part) as stream:
            self._feed(stream, reader)

    def _feed(self, stream: IO[bytes], reader: XlsxReader) -> None:
        while chunk := stream.read(CHUNK):
            reader.unpacked += len(chunk)
            if reader.unpacked > reader.max_bytes:
                raise Breach("bytes", reader.unpacked)
            try:
                self.parser.Parse(chunk, False)
            except expat.ExpatError:
                raise ValueError("not well-formed XML") from None
        try:
            self.parser.Parse(b"", True)
        except expat.ExpatError:
            raise ValueError("not well-formed XML") from None


# Number formats 14-22 are Excel's built-in dates and times, 27-36 and 50-58 the East Asian ones.
_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)])
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_DATE_TOKENS = re.compile(r"[ymdhs]", re.IGNORECASE)


class XlsxReader:
    """The parts of one workbook, read with bounds on rows, columns, cell length and bytes."""

    def __init__(
        self,
        archive: zipfile.ZipFile,
        *,
        max_rows: int,
        max_columns: int,
        max_cell_chars: int,
        max_bytes: int,
    ) -> None:
        self.archive = archive
        self.max_rows = max_rows
        self.max_columns = max_columns
        self.max_cell_chars = max_cell_chars
        self.max_bytes = max_bytes
        self.unpacked = 0
        self.names = set(archive.namelist())
        self.date1904 = False
        self.book = "xl/workbook.xml"

    def _elements(
        self,
        part: str,
        start: Callable[[str, dict[str, str]], None],
        end: Callable[[str], None] | None = None,
        text: Callable[[str], None] | None = None,
    ) -> None:
        parse = _Parse(self)
        parse.parser.StartElementHandler = lambda name, attrs: start(_local(name), attrs)
        if end is not None:
            parse.parser.EndElementHandler = lambda name: end(_local(name))
        if text is not None:
            parse.parser.CharacterDataHandler = text
        parse.run(part)

    def _relations(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id → (target part, type) of ``part``."""
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", name + ".rels")
        found: dict[str, tuple[str, str]] = {}
        if rels not in self.names:
            return found

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag == "Relationship" and "Id" in attrs and "Target" in attrs:
                target = attrs["Target"]
                if target.startswith("/"):
                    path = target.lstrip("/")
                else:
                    path = posixpath.join(folder, target)
                found[attrs["Id"]] = (posixpath.normpath(path), attrs.get("Type", ""))

        self._elements(rels, start)
        return found

    def first_visible_sheet(self) -> str | None:
        """The part of the first worksheet that is neither hidden nor a chart sheet."""
        book = self.book
        for target, kind in self._relations("").values():
            if kind.endswith("/officeDocument"):
                book = target
        relations = self._relations(book)
        sheets: list[str] = []

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag == "workbookPr":
                self.date1904 = attrs.get("date1904", "0").lower() in ("1", "true")
            elif tag == "sheet" and attrs.get("state", "visible") == "visible":
                rid = next((v for k, v in attrs.items() if _local(k) == "id"), None)
                target = relations.get(rid or "")
                if target is not None and target[1].endswith("/worksheet"):
                    sheets.append(target[0])

        self._elements(book, start)
        self.book = book
        return sheets[0] if sheets else None

    def part_of_type(self, suffix: str) -> str | None:
        """The workbook's part whose relationship type ends with ``suffix`` ("/sharedStrings",
        "/styles"), if it has one; storage.import_speed sizes those parts before calamine."""
        return next(
            (t for t, kind in self._relations(self.book).values() if kind.endswith(suffix)), None
        )

    def _shared_strings(self) -> list[str]:
        part = self.part_of_type("/sharedStrings")
        strings: list[str] = []
        if part is None or part not in self.names:
            return strings
        pieces: list[str] = []
        state = {"in_t": False, "phonetic": 0, "length": 0}
        longest = self.max_cell_chars

        def start(tag: str, _attrs: dict[str, str]) -> None:
            if tag == "t" and not state["phonetic"]:
                state["in_t"] = True
            elif tag == "rPh":
                state["phonetic"] += 1
            elif tag == "si":
                pieces.clear()
                state["length"] = 0

        def end(tag: str) -> None:
            if tag == "t":
                state["in_t"] = False
            elif tag == "rPh":
                state["phonetic"] -= 1
            elif tag == "si":
                strings.append("".join(pieces))

        def text(data: str) -> None:
            if state["in_t"]:
                state["length"] += len(data)
                if state["length"] > longest:
                    raise Breach("cell", state["length"])
                pieces.append(data)

        self._elements(part, start, end, text)
        return strings

    def _date_styles(self) -> list[bool]:
        """For each cell style, whether its number format shows a date or time."""
        part = self.part_of_type("/styles")
        dated: list[bool] = []
        if part is None or part not in self.names:
            return dated
        custom: dict[int, bool] = {}
        depth = {"xfs": False}

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag == "numFmt":
                code = _FORMAT_NOISE.sub("", attrs.get("formatCode", ""))
                custom[_int(attrs.get("numFmtId"))] = bool(_DATE_TOKENS.search(code))
            elif tag == "cellXfs":
                depth["xfs"] = True
            elif tag == "xf" and depth["xfs"]:
                number = _int(attrs.get("numFmtId"))
                dated.append(custom.get(number, number in _DATE_FORMATS))

        def end(tag: str) -> None:
            if tag == "cellXfs":
                depth["xfs"] = False

        self._elements(part, start, end)
        return dated

    def read_sheet(self, part: str) -> list[list[str]]:
        """Every row from row 1 as text, blank rows kept, each as wide as the widest."""
        strings = self._shared_strings()
        dated = self._date_styles()
        return _Sheet(self, strings, dated).read(part)


def _int(text: str | None) -> int:
    try:
        return int(text or "0")
    except ValueError:
        return 0


_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz$"
_DIGITS = "0123456789$"


def _column_of(reference: str, known: dict[str, int]) -> int:
    """The column of a cell reference like "C12", 0 when it has none; letters cached."""
    letters = reference.rstrip(_DIGITS)
    column = known.get(letters)
    if column is None:
        if len(letters) > 7 or letters.strip(_LETTERS):
            raise ValueError("not a cell reference")
        column = 0
        for letter in letters.replace("$", "").upper():
            column = column * 26 + ord(letter) - 64
        known[letters] = column
    return column


class _Sheet:
    """The sheet's cells as they stream past, each placed at its row and column: a cell far
    away costs one row, never the rectangle up to it. Handlers are set on expat directly and
    keep their state in closures: a large sheet has millions of elements."""

    def __init__(self, reader: XlsxReader, strings: list[str], dated: list[bool]) -> None:
        self.reader = reader
        self.strings = strings
        self.dated = dated
        self.rows: list[list[str]] = []
        self.width = 0

    def read(self, part: str) -> list[list[str]]:
        parse = _Parse(self.reader)
        self._install(parse.parser)
        parse.run(part)
        width = self.width
        for cells in self.rows:
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
        return self.rows

    def _install(self, parser: expat.XMLParserType) -> None:
        reader, rows = self.reader, self.rows
        max_rows, max_columns = reader.max_rows, reader.max_columns
        longest = reader.max_cell_chars
        names: dict[str, str] = {}
        columns: dict[str, int] = {}
        # row, column, kind, style, capturing, length
        row = column = style = length = 0
        kind = "n"
        capturing = False
        pieces: list[str] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal row, column, kind, style, capturing, length
            tag = names.get(name)
            if tag is None:
                tag = names[name] = _local(name)
            if tag == "c":
                reference = attrs.get("r")
                found = _column_of(reference, columns) if reference else 0
                column = found if found else column + 1
                kind = attrs.get("t", "n")
                style = _int(attrs["s"]) if "s" in attrs else 0
                pieces.clear()
                length = 0
            elif tag == "v" or tag == "t":
                capturing = True
            elif tag == "row":
                number = _int(attrs.get("r"))
                row = number if number > 0 else row + 1
                column = 0
            elif tag == "rPh":
                capturing = False
            elif tag == "dimension":
                _check_dimension(attrs.get("ref", ""), max_rows, max_columns)

        def text(data: str) -> None:
            nonlocal length
            if capturing:
                length += len(data)
                if length > longest:
                    raise Breach("cell", length)
                pieces.append(data)

        def end(name: str) -> None:
            nonlocal capturing
            tag = names.get(name)
            if tag is None:
                tag = names[name] = _local(name)
            if tag == "v" or tag == "t":
                capturing = False
            elif tag == "c" and pieces:
                value = self._value(kind, style, "".join(pieces))
                if value:
                    place(value)

        def place(value: str) -> None:
            at_row, at_column = max(row, 1), max(column, 1)
            if at_row > max_rows:
                raise Breach("rows", at_row)
            if at_column > max_columns:
                raise Breach("columns", at_column)
            while len(rows) < at_row:
                rows.append([])
            cells = rows[at_row - 1]
            if len(cells) < at_column:
                cells.extend([""] * (at_column - len(cells)))
                if at_column > self.width:
                    self.width = at_column
            cells[at_column - 1] = value

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = text

    def _value(self, kind: str, style: int, raw: str) -> str:
        if kind == "s":
            return self.strings[int(raw)]
        if kind in ("inlineStr", "str", "e"):
            return raw
        if kind == "b":
            return "TRUE" if raw.strip() in ("1", "true") else "FALSE"
        if kind == "d":
            return raw.replace("T", " ")
        number = float(raw)
        if 0 <= style < len(self.dated) and self.dated[style]:
            return cell_text(self._date(number))
        return cell_text(number)

    def _date(self, serial: float) -> object:
        if serial < 0 or serial > 2_958_465:  # past 9999-12-31: shown as the number it is
            return serial
        if serial < 1:
            return (datetime.min + timedelta(days=serial)).time()
        moment = (_EPOCH_1904 if self.reader.date1904 else _EPOCH_1900) + timedelta(days=serial)
        return moment.date() if serial.is_integer() else moment.replace(microsecond=0)


def _check_dimension(reference: str, max_rows: int, max_columns: int) -> None:
    """The used range the sheet declares: refused at once when it is too large, before a single
    cell is read. Not trusted either: every cell is checked as it comes."""
    corner = parse_reference(reference.rpartition(":")[2])
    if corner is None:
        return
    row, column = corner
    if row > max_rows:
        raise Breach("rows", row)
    if column > max_columns:
        raise Breach("columns", column)
