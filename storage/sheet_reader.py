"""Spreadsheet files to rows of text, within bounds set before anything large is read.

A file of a few kilobytes can claim a sheet of a million rows by sixteen thousand columns, or
unpack to gigabytes: a reader that trusts it allocates whatever the file says. Here the archive
is checked from its directory (sizes, parts, packing ratio) before a byte is unpacked, the
sheet's declared used range is checked from its first lines, and while the XML streams past
every cell is placed only where it has a value, so no empty area is ever laid out; rows, columns
and the length of every cell (shared strings included) are counted as they arrive. A breach
stops the read with one SheetError naming the limit and the setting that changes it.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from domain.sheet import COLUMN_LABELS, HEADER_SCAN_ROWS, REQUIRED, HeaderMatch, ImportKind
from domain.sheet import locate_header as _locate_header
from messages import N_
from storage.import_speed import fast_pieces, fast_rows
from storage.xlsx_stream import Breach, XlsxReader, column_name
from storage.xlsx_stream import cell_text as cell_text

DEFAULT_MAX_MB = 50

OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_SIGNATURE = b"PK\x03\x04"
XLSX_SUFFIXES = (".xlsx", ".xlsm")
OLD_EXCEL_SUFFIXES = (".xls", ".et")

REASON_NOT_FOUND = N_("File not found: {file}")
REASON_NOT_A_FILE = N_("{file} is not a file.")
REASON_UNREADABLE = N_("Cannot read {file}: {problem}")
REASON_TOO_LARGE = N_(
    "The file is {size} MB; files larger than {limit} MB are not accepted. "
    "Split it into several files, for example one per unit."
)
REASON_EMPTY = N_("The file is empty: it has no rows.")
REASON_PROTECTED = N_(
    "The file is password-protected or in the old .xls format. Open it in Excel or WPS, "
    "remove the password if it has one, and save it as an unprotected .xlsx workbook."
)
REASON_CORRUPT = N_(
    "The file is not a readable .xlsx workbook; it may be damaged. "
    "Open it in Excel or WPS and save it again as .xlsx."
)
REASON_NOT_TEXT = N_("The file is neither an .xlsx workbook nor a CSV text file.")
REASON_NO_HEADER = N_(
    "No header row found in the first {scan} rows. The file needs the columns: {required}."
)
REASON_MISSING_COLUMNS = N_(
    "The header (row {row}) lacks the columns: {missing}. Required columns: {required}."
)
REASON_TOO_MANY_ROWS = N_(
    "The sheet reaches row {row}; at most {limit} rows are accepted (setting {setting}). "
    "Delete the empty rows below the data, or split the file."
)
REASON_TOO_MANY_COLUMNS = N_(
    "The sheet reaches column {column}; at most {limit} columns are accepted (setting "
    "{setting}). Delete the empty columns right of the data."
)
REASON_CELL_TOO_LONG = N_(
    "A cell holds more than {limit} characters, the most accepted (setting {setting})."
)
REASON_UNPACKED_TOO_LARGE = N_(
    "Unpacked, the workbook takes more than {limit} MB, the most accepted (setting {setting})."
)
REASON_PACKED_ODDLY = N_(
    "The workbook is packed more tightly than any spreadsheet ({ratio} to 1, at most {limit} "
    "to 1 is accepted): it is refused as a compression bomb."
)
REASON_TOO_MANY_PARTS = N_(
    "The workbook has {count} parts; at most {limit} are accepted: it is not an ordinary "
    "spreadsheet."
)
REASON_CSV_QUOTE = N_(
    "The CSV file has a quotation mark that is never closed (from line {line}). "
    "Save it again from Excel or WPS as CSV."
)
REASON_CSV_BROKEN = N_(
    "The CSV file cannot be read at line {line}. Save it again from Excel or WPS as CSV."
)

# Names of the settings, as they are set in the environment.
SETTING_ROWS = "GONGSHI_IMPORT_MAX_ROWS"
SETTING_COLUMNS = "GONGSHI_IMPORT_MAX_COLUMNS"
SETTING_CELL = "GONGSHI_IMPORT_MAX_CELL_CHARS"
SETTING_UNPACKED = "GONGSHI_IMPORT_MAX_UNCOMPRESSED_MB"

# An ordinary workbook has a dozen parts and packs 5 to 20 to 1; a sheet of identical rows
# perhaps 60 to 1. Small parts are not judged by their ratio: a few kilobytes cannot hurt.
MAX_PARTS = 1000
MAX_PACKING_RATIO = 200
RATIO_FLOOR = 2**20


@dataclass(frozen=True)
class ReadLimits:
    """The bounds of one file. The largest legitimate file is a city's results sheet of about
    100,000 rows by 10 columns; the defaults leave twice that and Excel's own cell limit."""

    max_rows: int = 200_000
    max_columns: int = 100
    max_cell_chars: int = 32_767
    max_uncompressed_mb: int = 200


class SheetError(Exception):
    """The file as a whole cannot be imported; ``reason`` is a message id with ``params``.

    The English text is the exception's message; people see it translated.
    """

    def __init__(self, reason: str, **params: str) -> None:
        self.reason = reason
        self.params = params
        super().__init__(reason.format(**params))

    def __reduce__(self) -> tuple[object, ...]:
        # Raised in the reading process and re-raised here: keep the reason and its params.
        return (_sheet_error, (self.reason, self.params))


def _sheet_error(reason: str, params: dict[str, str]) -> SheetError:
    return SheetError(reason, **params)


Source = str | os.PathLike[str] | bytes


def load_file(
    source: Source, filename: str | None = None, *, max_mb: int = DEFAULT_MAX_MB
) -> bytes:
    """The file's bytes, refused by size before anything is read."""
    limit = max_mb * 2**20
    if isinstance(source, bytes):
        _check_size(len(source), limit, max_mb)
        return source
    path = Path(source)
    name = filename or path.name
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise SheetError(REASON_NOT_A_FILE, file=name)
        _check_size(size, limit, max_mb)
        return path.read_bytes()
    except FileNotFoundError:
        raise SheetError(REASON_NOT_FOUND, file=str(source)) from None
    except OSError as error:
        raise SheetError(REASON_UNREADABLE, file=name, problem=error.strerror or "?") from None


def _check_size(size: int, limit: int, max_mb: int) -> None:
    if size > limit:
        raise SheetError(REASON_TOO_LARGE, size=f"{size / 2**20:.1f}", limit=str(max_mb))
    if size == 0:
        raise SheetError(REASON_EMPTY)


def read_table(
    source: Source,
    filename: str | None = None,
    *,
    max_mb: int = DEFAULT_MAX_MB,
    limits: ReadLimits | None = None,
) -> list[list[str]]:
    """Every row of the file's first visible sheet as text, row 1 of the file first.

    Blank rows are kept, so that a row's position is the row number the person sees.
    """
    if filename is None and isinstance(source, bytes):
        raise ValueError("bytes need a filename")
    name = filename or Path(cast("str | os.PathLike[str]", source)).name
    return parse_table(load_file(source, name, max_mb=max_mb), name, limits)


def parse_table(data: bytes, filename: str, limits: ReadLimits | None = None) -> list[list[str]]:
    """The rows of a file already in memory; the format is told by its first bytes."""
    limits = limits or ReadLimits()
    suffix = Path(filename).suffix.lower()
    if data.startswith(OLE_SIGNATURE):
        # Excel encrypts a password-protected .xlsx into an OLE container, the format of old .xls.
        raise SheetError(REASON_PROTECTED)
    if data.startswith(ZIP_SIGNATURE) or suffix in XLSX_SUFFIXES:
        rows = _read_xlsx(data, limits)
    elif suffix in OLD_EXCEL_SUFFIXES:
        raise SheetError(REASON_CORRUPT)
    else:
        rows = _read_text(data, limits)
    if _blank(rows):
        raise SheetError(REASON_EMPTY)
    return rows


def _blank(rows: list[list[str]]) -> bool:
    return not any(any(cell.strip() for cell in row) for row in rows)


@dataclass(frozen=True)
class TablePieces:
    """A file's rows in consecutive pieces (parse_table_pieces)."""

    rows: int  # rows in the file as its cells name them, blank rows at its end perhaps among them
    pieces: Iterator[list[list[str]]]


def parse_table_pieces(data: bytes, filename: str, limits: ReadLimits | None = None) -> TablePieces:
    """parse_table's rows in consecutive pieces: a large workbook is read a piece at a time
    (storage.import_speed.fast_pieces), so that the first rows can be worked on while the rest
    are read; any other file is one piece. Joined, the pieces are parse_table's rows, except
    that a row may differ in blank cells at its right end. A file refused as a whole is refused
    here or while the pieces are read; one with no value at all before its first piece."""
    limits = limits or ReadLimits()
    suffix = Path(filename).suffix.lower()
    if data.startswith(OLE_SIGNATURE) or not (
        data.startswith(ZIP_SIGNATURE) or suffix in XLSX_SUFFIXES
    ):
        rows = parse_table(data, filename, limits)
        return TablePieces(len(rows), iter([rows]))
    archive = _archive(data)
    try:
        with _read_errors(limits):
            reader, sheet = _first_sheet(archive, limits)
            found = fast_pieces(reader, sheet)
            if found is None:
                rows = reader.read_sheet(sheet)
                archive.close()
                return TablePieces(len(rows), _not_empty(iter([rows]), limits))
    except BaseException:
        archive.close()
        raise
    rows_named, pieces = found
    return TablePieces(rows_named, _not_empty(pieces, limits, archive))


def _not_empty(
    pieces: Iterator[list[list[str]]], limits: ReadLimits, archive: zipfile.ZipFile | None = None
) -> Iterator[list[list[str]]]:
    """The pieces, the first of them holding a value (blank pieces before it joined to it);
    REASON_EMPTY when none does. Read with the reader's answers to a damaged file."""
    blank: list[list[str]] = []
    started = False
    try:
        with _read_errors(limits):
            for piece in pieces:
                if not started:
                    if _blank(piece):
                        blank += piece
                        continue
                    piece = blank + piece if blank else piece
                    started = True
                yield piece
        if not started:
            raise SheetError(REASON_EMPTY)
    finally:
        if archive is not None:
            archive.close()


def _read_xlsx(data: bytes, limits: ReadLimits) -> list[list[str]]:
    with _archive(data) as archive, _read_errors(limits):
        reader, sheet = _first_sheet(archive, limits)
        rows = fast_rows(reader, sheet)
        return rows if rows is not None else reader.read_sheet(sheet)


def _archive(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SheetError(REASON_CORRUPT) from None


def _first_sheet(archive: zipfile.ZipFile, limits: ReadLimits) -> tuple[XlsxReader, str]:
    """The archive checked, its reader and the part of the sheet to read."""
    _check_archive(archive, limits)
    reader = XlsxReader(
        archive,
        max_rows=limits.max_rows,
        max_columns=limits.max_columns,
        max_cell_chars=limits.max_cell_chars,
        max_bytes=limits.max_uncompressed_mb * 2**20,
    )
    sheet = reader.first_visible_sheet()
    if sheet is None:
        raise SheetError(REASON_EMPTY)
    return reader, sheet


@contextmanager
def _read_errors(limits: ReadLimits) -> Iterator[None]:
    """What reading a workbook raises, as the reader's answers."""
    try:
        yield
    except Breach as breach:
        raise _breach_error(breach, limits) from None
    except (
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        IndexError,
        OSError,
        EOFError,
        NotImplementedError,
        RuntimeError,
    ):
        # A damaged archive, bad XML, a reference to a missing part or string, an encrypted
        # part: all are "save it again".
        raise SheetError(REASON_CORRUPT) from None


def _breach_error(breach: Breach, limits: ReadLimits) -> SheetError:
    if breach.what == "rows":
        return SheetError(
            REASON_TOO_MANY_ROWS,
            row=f"{breach.value:,}",
            limit=f"{limits.max_rows:,}",
            setting=SETTING_ROWS,
        )
    if breach.what == "columns":
        return SheetError(
            REASON_TOO_MANY_COLUMNS,
            column=f"{column_name(breach.value)} ({breach.value:,})",
            limit=f"{limits.max_columns:,}",
            setting=SETTING_COLUMNS,
        )
    if breach.what == "cell":
        return _cell_too_long(limits)
    return SheetError(
        REASON_UNPACKED_TOO_LARGE, limit=str(limits.max_uncompressed_mb), setting=SETTING_UNPACKED
    )


def _cell_too_long(limits: ReadLimits) -> SheetError:
    return SheetError(
        REASON_CELL_TOO_LONG, limit=f"{limits.max_cell_chars:,}", setting=SETTING_CELL
    )


def _check_archive(archive: zipfile.ZipFile, limits: ReadLimits) -> None:
    """The archive's own directory, read before anything is unpacked. The sizes it states are
    also the most that will be unpacked of each part (zipfile stops there), and the reader
    counts what it unpacks against the total besides."""
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise SheetError(REASON_TOO_MANY_PARTS, count=f"{len(parts):,}", limit=str(MAX_PARTS))
    if sum(part.file_size for part in parts) > limits.max_uncompressed_mb * 2**20:
        raise SheetError(
            REASON_UNPACKED_TOO_LARGE,
            limit=str(limits.max_uncompressed_mb),
            setting=SETTING_UNPACKED,
        )
    for part in parts:
        if part.file_size > RATIO_FLOOR:
            ratio = part.file_size // max(part.compress_size, 1)
            if ratio > MAX_PACKING_RATIO:
                raise SheetError(
                    REASON_PACKED_ODDLY, ratio=f"{ratio:,}", limit=str(MAX_PACKING_RATIO)
                )


_DELIMITERS = (",", "\t", ";")


def _read_text(data: bytes, limits: ReadLimits) -> list[list[str]]:
    text = _decode(data)
    if "\x00" in text:
        raise SheetError(REASON_NOT_TEXT)
    delimiter = _sniff_delimiter(text.splitlines()[: HEADER_SCAN_ROWS + 5])
    # newline="": a quoted cell may hold line breaks (Alt+Enter in Excel). strict: a quotation
    # mark never closed is an error, not the rest of the file swallowed into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    del text
    rows: list[list[str]] = []
    longest = limits.max_cell_chars
    try:
        for row in reader:
            if len(rows) >= limits.max_rows:
                raise _breach_error(Breach("rows", len(rows) + 1), limits)
            if len(row) > limits.max_columns:
                while row and not row[-1].strip():
                    row.pop()  # an export of a wide used range: empty cells to the right
                if len(row) > limits.max_columns:
                    raise _breach_error(Breach("columns", len(row)), limits)
            if any(len(cell) > longest for cell in row):
                raise _cell_too_long(limits)
            rows.append(row)
    except csv.Error as error:
        line = str(reader.line_num)
        if "field limit" in str(error):
            raise _cell_too_long(limits) from None
        if "end of data" in str(error):
            raise SheetError(REASON_CSV_QUOTE, line=str(len(rows) + 1)) from None
        raise SheetError(REASON_CSV_BROKEN, line=line) from None
    return rows


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), else GB18030,
    the superset of GBK that Excel and WPS write on Chinese Windows."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _sniff_delimiter(lines: Sequence[str]) -> str:
    """The separator used most in the first lines (csv.Sniffer stumbles on Chinese text)."""
    counts = {delimiter: sum(line.count(delimiter) for line in lines) for delimiter in _DELIMITERS}
    return max(_DELIMITERS, key=lambda delimiter: counts[delimiter])


def _labels(columns: Sequence[str]) -> str:
    return "、".join(COLUMN_LABELS[column] for column in columns)


def find_header(rows: Sequence[Sequence[str]], kind: ImportKind) -> HeaderMatch:
    header = _locate_header(rows, kind)
    if header is None:
        raise SheetError(
            REASON_NO_HEADER, scan=str(HEADER_SCAN_ROWS), required=_labels(REQUIRED[kind])
        )
    if header.missing:
        raise SheetError(
            REASON_MISSING_COLUMNS,
            row=str(header.row_index + 1),
            missing=_labels(header.missing),
            required=_labels(REQUIRED[kind]),
        )
    return header
