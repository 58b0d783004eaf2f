"""The fast reader (calamine, after the checks of storage.import_speed) gives exactly the rows the
streaming reader gives, and leaves to the streaming reader every file it cannot prove harmless:
a sparse sheet, a cell placed by counting, an over-long cell, a DTD."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

import openpyxl
import pytest
from test_hostile_files import rewrite, small_xlsx

from storage import calamine_pack, sheet_reader
from storage.sheet_reader import ReadLimits, parse_table

SHEET = "xl/worksheets/sheet1.xml"


def mixed_workbook() -> bytes:
    """Shared strings, numbers, a phone typed as a number, booleans, dates, times, blanks."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2026年度考核结果"])
    sheet.append(["单位", "姓名", "身份证号", "到岗日期", "手机号", "续签", "时刻"])
    sheet.append(["一单位", " 张 三 ", "11010519650101000X", date(2026, 1, 3), 13800138000, True])
    sheet.append(["二单位", None, "x", datetime(2026, 1, 3, 8, 5, 1), 1.5, False, time(8, 30)])
    sheet.append([])
    sheet.append([None, "多行\n文字", "\t前有制表"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def calamine_used(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per file read: whether the fast reader answered."""
    seen: list[bool] = []
    real = sheet_reader.fast_rows

    def spy(reader, sheet):  # type: ignore[no-untyped-def]
        rows = real(reader, sheet)
        seen.append(rows is not None)
        return rows

    monkeypatch.setattr(sheet_reader, "fast_rows", spy)
    return seen


def streamed(data: bytes, limits: ReadLimits | None = None) -> list[list[str]]:
    """The rows as the streaming reader alone gives them."""
    saved = sheet_reader.fast_rows
    sheet_reader.fast_rows = lambda _reader, _sheet: None  # type: ignore[assignment]
    try:
        return parse_table(data, "s.xlsx", limits)
    finally:
        sheet_reader.fast_rows = saved


def test_an_ordinary_workbook_is_read_by_calamine_with_the_same_rows(calamine_used):
    data = mixed_workbook()
    rows = parse_table(data, "s.xlsx")
    assert calamine_used == [True]
    assert rows == streamed(data)
    assert rows[2][3:6] == ["2026-01-03", "13800138000", "TRUE"]
    assert rows[3][3] == "2026-01-03 08:05:01"
    assert rows[-1][1:3] == ["多行\n文字", "\t前有制表"]


def test_inline_strings_as_the_bench_writes_them_are_read_by_calamine(calamine_used):
    data = small_xlsx([["单位", "姓名"], ["一单位", "李四"], ["", ""], ["二单位", "王五"]])
    assert parse_table(data, "s.xlsx") == streamed(data)
    assert calamine_used == [True]


def far_cell(reference: str) -> bytes:
    def add(xml: str) -> str:
        row = reference.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        far = f'<row r="{row}"><c r="{reference}" t="inlineStr"><is><t>x</t></is></c></row>'
        return xml.replace("</sheetData>", far + "</sheetData>")

    return rewrite(small_xlsx([["单位", "姓名"], ["一单位", "李四"]]), SHEET, add)


def test_a_sheet_mostly_empty_is_left_to_the_streaming_reader(calamine_used):
    data = far_cell("CV150000")  # within the limits, but 15 million cells as a rectangle
    rows = parse_table(data, "s.xlsx")
    assert calamine_used == [False]
    assert len(rows) == 150_000 and rows[-1][-1] == "x" and len(rows[-1]) == 100


def test_a_far_cell_beyond_the_limits_gets_the_streaming_readers_answer(calamine_used):
    with pytest.raises(sheet_reader.SheetError) as caught:
        parse_table(far_cell("A250000"), "s.xlsx")
    assert caught.value.reason == sheet_reader.REASON_TOO_MANY_ROWS
    assert caught.value.params["row"] == "250,000"
    assert calamine_used == [False]


def test_a_cell_without_its_place_is_left_to_the_streaming_reader(calamine_used):
    data = rewrite(
        small_xlsx([["单位", "姓名"], ["一单位", "李四"]]),
        SHEET,
        lambda xml: xml.replace('<c r="B2"', "<c", 1),
    )
    rows = parse_table(data, "s.xlsx")
    assert calamine_used == [False]
    assert rows[1] == ["一单位", "李四"]


def test_a_long_cell_is_left_to_the_streaming_reader_which_refuses_it(calamine_used):
    data = small_xlsx([["单位", "姓名"], ["一单位", "李" * 40]])
    with pytest.raises(sheet_reader.SheetError) as caught:
        parse_table(data, "s.xlsx", ReadLimits(max_cell_chars=30))
    assert caught.value.reason == sheet_reader.REASON_CELL_TOO_LONG
    assert calamine_used == [False]


def test_a_part_with_a_doctype_is_never_handed_to_calamine(calamine_used):
    data = rewrite(
        small_xlsx([["单位", "姓名"], ["一单位", "李四"]]),
        SHEET,
        lambda xml: xml.replace("?>", '?><!DOCTYPE worksheet [<!ENTITY a "b">]>', 1),
    )
    with pytest.raises(sheet_reader.SheetError) as caught:
        parse_table(data, "s.xlsx")
    assert caught.value.reason == sheet_reader.REASON_CORRUPT
    assert calamine_used == [False]


def shared_strings_workbook() -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for number, row in enumerate([["单位", "姓名"], ["一单位", "李四"], ["一单位", " 王 五"]]):
        sheet.write_row(number, 0, row)
    book.close()
    return buffer.getvalue()


def test_what_calamine_reads_is_our_own_archive_of_the_checked_parts(monkeypatch):
    handed: list[bytes] = []
    real = calamine_pack.read_whole
    monkeypatch.setattr(
        calamine_pack, "read_whole", lambda packed: handed.append(packed) or real(packed)
    )
    data = shared_strings_workbook()
    assert (
        parse_table(data, "s.xlsx")
        == streamed(data)
        == [
            ["单位", "姓名"],
            ["一单位", "李四"],
            ["一单位", " 王 五"],
        ]
    )
    names = zipfile.ZipFile(io.BytesIO(handed[0])).namelist()
    assert "docProps/core.xml" not in names and "xl/theme/theme1.xml" not in names
    assert {SHEET, "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml"} <= set(names)


async def test_the_roster_history_keeps_one_index_for_a_units_year(tmp_path):
    """Every imported worker writes a history row: one index fewer to keep up, and the one
    question asked by unit (its changes over a year, by day) still answered from an index."""
    from storage.db import make_engine
    from storage.migrate import upgrade

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'history.db'}")
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            found = await connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'worker_change'"
            )
            indexes = {name for (name,) in found}
            plan = await connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM worker_change WHERE unit_id = 1 "
                "AND on_day >= '2026-01-01' AND on_day <= '2026-12-31' ORDER BY on_day, id"
            )
            steps = " ".join(str(step[-1]) for step in plan)
    finally:
        await engine.dispose()
    assert indexes == {"ix_worker_change_worker_id", "ix_worker_change_unit_day"}
    assert "INDEX ix_worker_change_unit_day (unit_id=? AND on_day>? AND on_day<?)" in steps
    assert "TEMP B-TREE" not in steps


async def test_worker_names_carry_no_index_that_no_search_uses(tmp_path):
    from storage.db import make_engine
    from storage.migrate import upgrade

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'workers.db'}")
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            found = await connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'worker'"
            )
            indexes = {name for (name,) in found}
    finally:
        await engine.dispose()
    assert "ix_worker_name" not in indexes
    assert {"ix_worker_id_hash", "ix_worker_phone_hash", "ix_worker_unit_id"} <= indexes


def test_a_long_shared_string_shown_in_many_cells_is_left_to_the_streaming_reader(
    calamine_used,
):
    """calamine copies a shared string into every cell that shows it: 2,000 cells of one
    string of 10,000 characters (30,000 bytes, within the cell limit) would be 60 MB, more than
    the 50 MB the file may unpack to; the streaming reader keeps one copy."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["单位", "备注"])
    long = "长" * 10_000
    for number in range(1, 2001):
        sheet.write_row(number, 0, ["一单位", long])
    book.close()
    rows = parse_table(buffer.getvalue(), "s.xlsx", ReadLimits(max_uncompressed_mb=50))
    assert calamine_used == [False]
    assert len(rows) == 2001 and rows[-1][1] is rows[1][1]


def test_shared_strings_not_in_utf8_are_left_to_the_streaming_reader(calamine_used):
    source = zipfile.ZipFile(io.BytesIO(shared_strings_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/sharedStrings.xml":
                text = content.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
                content = text.encode("utf-16")
            target.writestr(info.filename, content)
    rows = parse_table(out.getvalue(), "s.xlsx")
    assert calamine_used == [False]
    assert rows == [["单位", "姓名"], ["一单位", "李四"], ["一单位", " 王 五"]]
