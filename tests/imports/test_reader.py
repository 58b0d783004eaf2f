"""storage.importer.read_table: real XLSX and CSV files, and every way a file can be unusable."""

from __future__ import annotations

import os
import time

import pytest
from sheets import HEADER, result_row, result_rows

from storage import importer
from storage.importer import SheetError, cell_text, read_table


def test_xlsx_rows_come_back_as_text_with_spreadsheet_row_numbers(sheet_files):
    path = sheet_files.xlsx([["2026年度考核结果"], [], HEADER, result_row(1)])
    rows = read_table(path)
    assert rows[0][0] == "2026年度考核结果"
    assert not any(rows[1])  # the blank row 2 is kept, so row numbers stay right
    assert rows[2][: len(HEADER)] == HEADER
    assert rows[3][: len(HEADER)] == result_row(1)


def test_numbers_typed_into_excel_come_back_as_typed(sheet_files):
    row = result_row(1)
    path = sheet_files.xlsx([HEADER, row], text_columns=False)
    rows = read_table(path)
    assert rows[1][3] == row[3]  # the phone, stored as the number 13900000001.0
    # An 18-digit ID number stored as a number has lost digits; it keeps its scientific form
    # so that the row check can say so.
    assert "e+17" in rows[1][2]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (13800138000.0, "13800138000"),
        (110105194912345678.0, "1.1010519491234568e+17"),
        (2.5, "2.5"),
        (True, "TRUE"),
        (7, "7"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_the_encodings_units_use(sheet_files, encoding):
    path = sheet_files.csv([HEADER, result_row(1, remark="表现良好")], encoding=encoding)
    rows = read_table(path)
    assert rows[0] == HEADER  # no BOM glued to 单位
    assert rows[1] == result_row(1, remark="表现良好")


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_delimiters_are_sniffed(sheet_files, delimiter):
    path = sheet_files.csv([["2026年度考核结果"], HEADER, result_row(2)], delimiter=delimiter)
    rows = read_table(path)
    assert rows[1] == HEADER
    assert rows[2] == result_row(2)


def test_a_quoted_csv_cell_may_span_lines(sheet_files):
    path = sheet_files.csv([HEADER, result_row(1, remark="第一行\n第二行"), result_row(2)])
    rows = read_table(path)
    assert rows[1][7] == "第一行\n第二行"
    assert rows[2] == result_row(2)


def test_excel_unicode_text_export_is_read(sheet_files):
    path = sheet_files.csv([HEADER, result_row(3)], name="results.txt", encoding="utf-16")
    assert read_table(path)[1] == result_row(3)


def test_bytes_need_a_name_and_read_the_same(sheet_files):
    path = sheet_files.csv([HEADER, result_row(4)])
    assert read_table(path.read_bytes(), "upload.csv") == read_table(path)
    with pytest.raises(ValueError):
        read_table(path.read_bytes())


def reason(source, *args, **kwargs):
    with pytest.raises(SheetError) as caught:
        read_table(source, *args, **kwargs)
    return caught.value.reason, caught.value.params


def test_missing_file(sheet_files):
    assert reason(sheet_files.folder / "nowhere.xlsx") == (
        importer.REASON_NOT_FOUND,
        {"file": str(sheet_files.folder / "nowhere.xlsx")},
    )


def test_a_folder_is_not_a_file(sheet_files):
    assert reason(sheet_files.folder)[0] == importer.REASON_NOT_A_FILE


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"", "results.xlsx"), (b"", "results.csv"), (b"\r\n,,,\r\n , \r\n", "results.csv")],
)
def test_empty_files(sheet_files, data, name):
    assert reason(sheet_files.raw(data, name))[0] == importer.REASON_EMPTY


def test_an_xlsx_with_only_empty_cells_is_empty(sheet_files):
    assert reason(sheet_files.xlsx([["", ""], []]))[0] == importer.REASON_EMPTY


def test_corrupt_xlsx(sheet_files):
    garbage = os.urandom(4096)
    assert reason(sheet_files.raw(garbage, "results.xlsx"))[0] == importer.REASON_CORRUPT
    truncated = sheet_files.xlsx([HEADER, result_row(1)]).read_bytes()[:600]
    assert reason(sheet_files.raw(truncated, "cut.xlsx"))[0] == importer.REASON_CORRUPT


@pytest.mark.parametrize("name", ["protected.xlsx", "old.xls", "renamed.csv"])
def test_password_protected_or_old_xls(sheet_files, name):
    ole = bytes.fromhex("D0CF11E0A1B11AE1") + os.urandom(2048)
    assert reason(sheet_files.raw(ole, name))[0] == importer.REASON_PROTECTED


def test_binary_that_is_not_a_spreadsheet(sheet_files):
    assert reason(sheet_files.raw(b"\x89PNG\r\n\x1a\n\x00\x00", "photo.csv"))[0] == (
        importer.REASON_NOT_TEXT
    )


def test_a_file_over_the_limit_is_refused(sheet_files):
    path = sheet_files.csv([HEADER, *result_rows(20_000)])
    assert path.stat().st_size > 2**20
    size = f"{path.stat().st_size / 2**20:.1f}"
    assert reason(path, max_mb=1) == (importer.REASON_TOO_LARGE, {"size": size, "limit": "1"})
    assert reason(path.read_bytes(), "upload.csv", max_mb=1)[0] == importer.REASON_TOO_LARGE


def test_a_101_mb_file_is_refused_by_its_size_without_being_read(sheet_files, monkeypatch):
    path = sheet_files.folder / "huge.xlsx"
    with path.open("wb") as handle:
        handle.truncate(101 * 2**20)  # sparse: no disk space used
    read = []
    monkeypatch.setattr(type(path), "read_bytes", lambda self: read.append(self) or b"")
    started = time.perf_counter()
    assert reason(path)[0] == importer.REASON_TOO_LARGE  # the default limit, 50 MB
    assert read == []
    assert time.perf_counter() - started < 1


def test_xlsx_dates_booleans_and_formulas_read_as_shown(sheet_files):
    import datetime as dt

    import xlsxwriter

    path = sheet_files.folder / "kinds.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_datetime(
        0, 0, dt.datetime(2026, 3, 1), book.add_format({"num_format": "yyyy-mm-dd"})
    )
    sheet.write_boolean(0, 1, True)
    sheet.write_formula(0, 2, "=1+1", None, 2)
    sheet.write_number(0, 3, 2.5)
    book.close()
    assert read_table(path)[0] == ["2026-03-01", "TRUE", "2", "2.5"]
