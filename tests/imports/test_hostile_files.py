"""Hostile files, built here: each is refused with one line naming the limit, quickly, with the
test process alive, and nothing of them is unpacked or laid out beyond what the limits allow."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from sheets import HEADER, UNITS, result_row, result_rows

from services.imports import import_results
from storage import sheet_reader
from storage.import_child import (
    MAX_NICENESS,
    READER_NICENESS,
    REASON_READER_STOPPED,
    Checked,
    CheckRequest,
    check_in_child,
    checking_in_child,
)
from storage.importer import SheetError
from storage.sheet_reader import ReadLimits, parse_table


def refusal(data: bytes, name: str, limits: ReadLimits | None = None) -> tuple[str, dict]:
    with pytest.raises(SheetError) as caught:
        parse_table(data, name, limits)
    assert "\n" not in str(caught.value)  # one line
    return caught.value.reason, caught.value.params


def small_xlsx(rows: list[list[str]]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def rewrite(data: bytes, part: str, change) -> bytes:
    """The workbook with one part's XML changed by ``change`` (text → text)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == part:
                content = change(content.decode()).encode()
            target.writestr(info.filename, content)
    return out.getvalue()


def far_cell(dimension: str | None = None) -> bytes:
    """A 2 KB workbook: a header, a row, and one more cell at XFD1048576, the last of a sheet.
    A reader that lays the used range out as a rectangle allocates 17 billion cells."""

    def add(xml: str) -> str:
        far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        xml = xml.replace("</sheetData>", far + "</sheetData>")
        if dimension is not None:
            start = xml.index("<dimension ref=")
            end = xml.index("/>", start) + 2
            xml = xml[:start] + f'<dimension ref="{dimension}"/>' + xml[end:]
        return xml

    return rewrite(small_xlsx([HEADER, result_row(1)]), "xl/worksheets/sheet1.xml", add)


def test_a_cell_at_the_end_of_the_sheet_is_refused_at_once():
    data = far_cell("A1:XFD1048576")
    assert len(data) < 8192
    started = time.perf_counter()
    reason, params = refusal(data, "far.xlsx")
    assert reason == sheet_reader.REASON_TOO_MANY_ROWS
    assert params == {"row": "1,048,576", "limit": "200,000", "setting": "GONGSHI_IMPORT_MAX_ROWS"}
    assert time.perf_counter() - started < 2


def test_a_far_cell_behind_a_false_used_range_is_refused_while_reading():
    data = far_cell("A1:H2")  # the declared range says all is well; the cell says otherwise
    started = time.perf_counter()
    reason, params = refusal(data, "far.xlsx")
    assert reason == sheet_reader.REASON_TOO_MANY_ROWS and params["row"] == "1,048,576"
    assert time.perf_counter() - started < 2


def test_a_far_column_is_refused_with_its_name():
    def add(xml: str) -> str:
        far = '<c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
        return xml.replace("</row></sheetData>", far).replace('ref="A1:H2"', 'ref="A1:B2"')

    data = rewrite(small_xlsx([HEADER, result_row(1)]), "xl/worksheets/sheet1.xml", add)
    reason, params = refusal(data, "wide.xlsx")
    assert reason == sheet_reader.REASON_TOO_MANY_COLUMNS
    assert params["column"] == "XFD (16,384)" and params["setting"] == "GONGSHI_IMPORT_MAX_COLUMNS"


def bomb(megabytes: float) -> bytes:
    """A workbook of a few hundred KB whose one shared string unpacks to ``megabytes`` MB,
    written in pieces of 1 MB: the test never holds the string."""
    base = zipfile.ZipFile(io.BytesIO(small_xlsx([HEADER, result_row(1)])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in base.infolist():
            content = base.read(info.filename)
            if info.filename == "xl/sharedStrings.xml" or b"sharedStrings" in content:
                if info.filename == "xl/sharedStrings.xml":
                    continue  # replaced below
                target.writestr(info.filename, content)
                continue
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b"</sheetData>", b'<row r="3"><c r="A3" t="s"><v>0</v></c></row></sheetData>'
                )
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            if info.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            target.writestr(info.filename, content)
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            strings.write(b"<si><t>")
            left = int(megabytes * 2**20)
            while left > 0:
                strings.write(b"A" * min(left, 2**20))
                left -= 2**20
            strings.write(b"</t></si></sst>")
    return out.getvalue()


def test_a_zip_bomb_is_refused_from_the_archive_directory(monkeypatch):
    data = bomb(300)
    assert len(data) < 600_000
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def watched(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", watched)
    started = time.perf_counter()
    reason, params = refusal(data, "bomb.xlsx")
    assert reason == sheet_reader.REASON_UNPACKED_TOO_LARGE
    assert params == {"limit": "200", "setting": "GONGSHI_IMPORT_MAX_UNCOMPRESSED_MB"}
    assert opened == []  # refused before a byte was unpacked
    assert time.perf_counter() - started < 2


def test_a_bomb_within_the_size_limit_is_refused_by_its_packing():
    reason, params = refusal(bomb(150), "bomb.xlsx")
    assert reason == sheet_reader.REASON_PACKED_ODDLY
    assert int(params["ratio"].replace(",", "")) > 200


def test_a_long_shared_string_is_refused_as_it_streams():
    # Small enough to pass the archive checks: the cell's length stops it.
    limits = ReadLimits(max_cell_chars=500_000)
    reason, params = refusal(bomb(0.6), "long.xlsx", limits)
    assert reason == sheet_reader.REASON_CELL_TOO_LONG
    assert params == {"limit": "500,000", "setting": "GONGSHI_IMPORT_MAX_CELL_CHARS"}


def test_an_xml_entity_bomb_is_refused():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )

    def add(xml: str) -> str:
        return laughs + xml[xml.index("<worksheet") :].replace("<t>", "<t>&lol2;", 1)

    data = rewrite(small_xlsx([HEADER, result_row(1)]), "xl/worksheets/sheet1.xml", add)
    assert refusal(data, "laughs.xlsx")[0] == sheet_reader.REASON_CORRUPT


def test_rows_and_columns_beyond_the_limits_are_refused_in_xlsx_and_csv():
    rows = [HEADER, *result_rows(30)]
    limits = ReadLimits(max_rows=20)
    assert refusal(small_xlsx(rows), "r.xlsx", limits)[0] == sheet_reader.REASON_TOO_MANY_ROWS
    assert refusal(csv_bytes(rows), "r.csv", limits)[0] == sheet_reader.REASON_TOO_MANY_ROWS
    wide = [HEADER + [f"列{n}" for n in range(200)], result_row(1) + ["x"] * 200]
    assert refusal(small_xlsx(wide), "w.xlsx")[0] == sheet_reader.REASON_TOO_MANY_COLUMNS
    assert refusal(csv_bytes(wide), "w.csv")[0] == sheet_reader.REASON_TOO_MANY_COLUMNS


def test_a_wide_csv_export_of_empty_cells_is_not_refused():
    rows = [[*HEADER, *[""] * 300], [*result_row(1), *[""] * 300]]
    assert parse_table(csv_bytes(rows), "ok.csv")[1][:7] == result_row(1)[:7]


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def test_csv_reader_errors_are_one_line():
    header = ",".join(HEADER).encode() + b"\n"
    huge = header + b"a," + b"x" * 200_000 + b"\n"  # beyond the csv module's field limit
    long = header + b"a," + b"x" * 40_000 + b"\n"  # within it, beyond Excel's own cell limit
    unterminated = header + b'a,"never closed\nb,c\n'
    assert refusal(huge, "huge.csv")[0] == sheet_reader.REASON_CELL_TOO_LONG
    assert refusal(long, "long.csv")[0] == sheet_reader.REASON_CELL_TOO_LONG
    assert refusal(unterminated, "quote.csv") == (sheet_reader.REASON_CSV_QUOTE, {"line": "2"})
    assert refusal(header + b"a\x00b\n", "nul.csv")[0] == sheet_reader.REASON_NOT_TEXT


async def test_the_reading_process_turns_an_allocation_bomb_into_a_refusal():
    """Under a ceiling too low for it, an ordinary file stands for the bomb nobody foresaw:
    the reading process fails, the caller gets one line, and goes on."""
    request = CheckRequest(
        data=csv_bytes([HEADER, *result_rows(20_000)]),
        filename="big.csv",
        kind="results",
        known_units=UNITS,
    )
    with pytest.raises(SheetError) as caught:
        await check_in_child(request, expect=Checked, memory_mb=40)
    assert caught.value.reason == REASON_READER_STOPPED
    assert caught.value.params["setting"] == "GONGSHI_IMPORT_MAX_MEMORY_MB"
    checked = await check_in_child(
        request, expect=Checked
    )  # the default ceiling: the same file reads
    assert len(checked.clean) == 20_000 and checked.issues == []


async def test_the_reading_process_gives_way_to_the_bot():
    """The reading process runs at a lower CPU priority than its caller, so that on shared
    cores people's updates are served before the file; it still reads the file whole."""
    request = CheckRequest(
        data=csv_bytes([HEADER, *result_rows(50)]), filename="r.csv", kind="results",
        known_units=UNITS,
    )  # fmt: skip
    own = os.getpriority(os.PRIO_PROCESS, 0)
    async with checking_in_child(request) as child:
        # Asked at once: the process is still starting Python, long before its answer.
        niceness = os.getpriority(os.PRIO_PROCESS, child.process.pid)
        rows = [row async for batch in child.batches() for row in batch]
    assert niceness == min(MAX_NICENESS, own + READER_NICENESS) > own
    assert len(rows) == 50


async def test_the_event_loop_is_free_while_a_file_is_read(storage, units):
    """The reading happens elsewhere: a coroutine that ticks every 10 ms keeps ticking."""
    data = csv_bytes([HEADER, *result_rows(30_000)])
    lags: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append(time.perf_counter() - before - 0.01)

    ticker = asyncio.create_task(tick())
    with pytest.raises(SheetError):  # refused by the row limit, after reading every row
        await import_results(
            sessions=storage.sessions,
            secret_key="k" * 32,
            path=data,
            filename="big.csv",
            cycle_year=2026,
            limits=ReadLimits(max_rows=29_999),
        )
    done.set()
    await ticker
    assert len(lags) > 5
    assert max(lags) < 0.5


async def test_a_far_cell_upload_is_refused_through_the_import(storage, units, tmp_path: Path):
    path = tmp_path / "far.xlsx"
    path.write_bytes(far_cell("A1:H2"))
    with pytest.raises(SheetError) as caught:
        await import_results(
            sessions=storage.sessions, secret_key="k" * 32, path=path, cycle_year=2026
        )
    assert caught.value.reason == sheet_reader.REASON_TOO_MANY_ROWS
