"""A large workbook is read a piece at a time (storage.import_speed.fast_pieces): the pieces
join to the very rows of the whole sheet, whatever lies where the sheet is cut (blank rows,
values off column A, shared strings, numbers and dates); cells out of order are read right;
the checks of a results file give the same answer, row numbers and all, piece by piece; and
the next piece is read while the one before is worked on."""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Iterator
from datetime import date

import openpyxl
import pytest
from sheets import HEADER, result_row
from test_hostile_files import rewrite

from storage import calamine_pack, import_speed
from storage.import_child import CheckedHead, CheckRequest, check_file, check_frames
from storage.sheet_reader import parse_table, parse_table_pieces

SHEET = "xl/worksheets/sheet1.xml"
SMALL_PIECE = 16_000  # bytes of sheet XML per piece in these tests: a few hundred rows


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Pieces of SMALL_PIECE bytes; one entry per piece calamine read (its first row)."""
    monkeypatch.setattr(import_speed, "PIECE_BYTES", SMALL_PIECE)
    seen: list[int] = []
    real = calamine_pack.read_piece

    def spy(book, index):  # type: ignore[no-untyped-def]
        piece = real(book, index)
        seen.append(-1 if piece is None else piece.first_row)
        return piece

    monkeypatch.setattr(calamine_pack, "read_piece", spy)
    return seen


@pytest.fixture
def whole_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per time the rest of a sheet was read whole after its pieces."""
    seen: list[int] = []
    real = import_speed._whole

    def spy(reader, sheet, checked):  # type: ignore[no-untyped-def]
        seen.append(1)
        return real(reader, sheet, checked)

    monkeypatch.setattr(import_speed, "_whole", spy)
    return seen


def trimmed(rows: list[list[str]]) -> list[list[str]]:
    """Rows without blank cells at their right end: how pieces may differ from the whole."""
    out = []
    for row in rows:
        cells = list(row)
        while cells and cells[-1] == "":
            cells.pop()
        out.append(cells)
    return out


def pieces_of(data: bytes) -> list[list[list[str]]]:
    return list(parse_table_pieces(data, "s.xlsx").pieces)


def varied_workbook(rows: int = 1500) -> bytes:
    """Shared strings (openpyxl writes them), a title, values from column B, numbers, dates,
    booleans, and runs of blank rows, some long enough to fill a piece."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([None, "2026年度考核结果"])
    sheet.append([None, *HEADER])
    for n in range(rows):
        if 300 <= n < 700 and n % 100:  # long blank runs: whole pieces of nothing
            sheet.append([])
            continue
        row: list[object] = [None, *result_row(n)]
        if n % 7 == 0:
            row[4] = 13_900_000_000 + n  # a phone typed as a number
        if n % 11 == 0:
            row.append(date(2026, 1, 1 + n % 28))
        if n % 13 == 0:
            row.append(n % 2 == 0)
        sheet.append(row)
    sheet.append([])
    sheet.append([])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_large_sheet_comes_in_pieces_that_join_to_the_whole_sheet(small_pieces, whole_reads):
    data = varied_workbook()
    whole = parse_table(data, "s.xlsx")
    pieces = pieces_of(data)

    assert len(pieces) >= 4 and len(small_pieces) >= len(pieces)
    assert whole_reads == []  # nothing was read whole
    joined = [row for piece in pieces for row in piece]
    assert trimmed(joined) == trimmed(whole)
    assert len(joined) == len(whole)  # no blank rows added at the end
    assert all(len(row) >= len(pieces[0][0]) for piece in pieces for row in piece)
    assert joined[1][1:3] == HEADER[:2] and joined[2][4] == "13900000000"


def test_a_small_sheet_is_one_piece(small_pieces):
    data = varied_workbook(rows=20)
    assert pieces_of(data) == [parse_table(data, "s.xlsx")]
    assert small_pieces == []


def test_several_pieces_share_one_archive_and_its_shared_strings(small_pieces, monkeypatch):
    """calamine opens one archive for every PIECES_PER_BOOK pieces, each piece a sheet of it:
    the table of shared strings, read whenever an archive is opened, is read once for them."""
    import python_calamine

    opened: list[int] = []
    real = python_calamine.CalamineWorkbook

    class Counted:
        @staticmethod
        def from_filelike(filelike):  # type: ignore[no-untyped-def]
            opened.append(1)
            return real.from_filelike(filelike)

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Counted)
    data = varied_workbook(rows=3000)
    pieces = pieces_of(data)

    per_book = import_speed.PIECES_PER_BOOK
    assert per_book > 1 and len(small_pieces) > 2 * per_book
    assert len(opened) == -(-len(small_pieces) // per_book)
    joined = [row for piece in pieces for row in piece]
    assert trimmed(joined) == trimmed(parse_table(data, "s.xlsx"))


def move_row_to_the_end(data: bytes, number: int) -> bytes:
    """The workbook with row ``number``'s element moved to the end of the sheet's rows, its
    cells still naming their own places."""

    def move(xml: str) -> str:
        found = re.search(rf'<row r="{number}"[ >].*?</row>', xml)
        assert found is not None
        row = found.group(0)
        return xml.replace(row, "", 1).replace("</sheetData>", row + "</sheetData>")

    return rewrite(data, SHEET, move)


@pytest.mark.parametrize("moved", [5, 1200])
def test_rows_out_of_order_are_read_right(small_pieces, whole_reads, moved):
    """Row 5 moved to the end: the last piece begins before rows already handed on. Row 1200
    moved there: pieces before it are handed on, then a search finds a cell further on that
    belongs among the rows of the next piece. Either way the rest is read whole, rightly."""
    data = move_row_to_the_end(varied_workbook(), moved)
    whole = parse_table(data, "s.xlsx")
    pieces = pieces_of(data)

    assert whole_reads == [1]
    joined = [row for piece in pieces for row in piece]
    assert trimmed(joined) == trimmed(whole)
    assert whole[moved - 1][1] == result_row(moved - 3)[0]  # the row is in its place
    if moved == 1200:
        assert len(pieces) > 2  # pieces went out before the cell out of order was found


def test_the_pattern_for_row_numbers_up_to_a_number():
    for largest in [*range(1, 130), 999, 1000, 1001, 20_999, 100_002]:
        pattern = re.compile(import_speed._at_most(largest) + '"')
        near = range(max(1, largest - 120), largest + 120)
        for number in {*range(1, 130), *near}:
            matched = pattern.fullmatch(f'{number}"') is not None
            assert matched == (number <= largest), (largest, number)
        assert pattern.fullmatch('0"') is None and pattern.fullmatch(f'0{largest}"') is None


def results_request(data: bytes) -> CheckRequest:
    units = tuple({result_row(n)[0] for n in range(3)})
    return CheckRequest(data=data, filename="s.xlsx", kind="results", known_units=units)


def test_checking_in_pieces_gives_the_same_answer_row_numbers_and_all(monkeypatch):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2026年度考核结果"])
    sheet.append(HEADER)
    for n in range(1200):
        row = result_row(n)
        if n in (3, 640, 1190):
            row[5] = "优秀优秀"  # not a grade
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    request = results_request(buffer.getvalue())
    whole = check_file(request)
    monkeypatch.setattr(import_speed, "PIECE_BYTES", SMALL_PIECE)
    in_pieces = check_file(request)

    assert [issue.row for issue in whole.issues] == [6, 643, 1193]
    assert in_pieces.issues == whole.issues
    assert in_pieces.rows == whole.rows == 1200


def test_the_first_rows_are_checked_before_the_last_piece_is_read(small_pieces):
    rows = [HEADER, *(result_row(n) for n in range(12_000))]
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    request = results_request(buffer.getvalue())
    frames = check_frames(request)
    head = next(frames)
    assert isinstance(head, CheckedHead) and head.data_rows == 12_000
    first = next(frames)
    assert isinstance(first, list) and len(first) == 5000
    read_by_then = len(small_pieces)
    rest = list(frames)
    assert 0 < read_by_then < len(small_pieces)
    assert sum(len(frame) for frame in rest if isinstance(frame, list)) == 7000


def test_the_next_piece_is_read_while_the_first_is_worked_on(monkeypatch):
    """calamine reads the second piece in a thread while the caller still holds the first:
    the caller asks for nothing more, and the second read happens all the same."""
    monkeypatch.setattr(import_speed, "PIECE_BYTES", SMALL_PIECE)
    second_read = threading.Event()
    reads: list[str] = []
    real = calamine_pack.read_piece

    def spy(book, index):  # type: ignore[no-untyped-def]
        piece = real(book, index)
        reads.append(threading.current_thread().name)
        if len(reads) == 2:
            second_read.set()
        return piece

    monkeypatch.setattr(calamine_pack, "read_piece", spy)
    pieces = parse_table_pieces(varied_workbook(), "s.xlsx").pieces
    first = next(pieces)

    assert first and second_read.wait(timeout=10)
    assert reads[1].startswith("read-ahead")
    pieces.close()


def counted(items: int, fail_at: int | None = None) -> tuple[Iterator[list[list[str]]], list[int]]:
    """A source of one-row pieces that notes each piece as it is made."""
    made: list[int] = []

    def source() -> Iterator[list[list[str]]]:
        for n in range(items):
            if n == fail_at:
                raise ValueError(f"piece {n} is damaged")
            made.append(n)
            yield [[str(n)]]

    return source(), made


def test_reading_ahead_keeps_the_order_and_goes_one_piece_ahead_at_most():
    source, made = counted(6)
    ahead = import_speed._read_ahead(source)
    assert next(ahead) == [["0"]]
    deadline = time.monotonic() + 10
    while len(made) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)  # the next piece is read without being asked for
    time.sleep(0.2)  # time enough for a reader that did not stop to read them all
    assert made == [0, 1]
    assert [piece for piece in ahead] == [[[str(n)]] for n in range(1, 6)]


def test_a_piece_that_cannot_be_read_fails_where_it_is_asked_for():
    source, made = counted(6, fail_at=3)
    ahead = import_speed._read_ahead(source)
    got = [next(ahead) for _ in range(3)]
    assert got == [[["0"]], [["1"]], [["2"]]]
    with pytest.raises(ValueError, match="piece 3 is damaged"):
        next(ahead)
    assert made == [0, 1, 2]
