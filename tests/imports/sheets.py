"""Real spreadsheet files for the import tests, written the way units write them: XLSX through
xlsxwriter, CSV as bytes in UTF-8, UTF-8 with BOM or GBK; the units they name; valid people.

Imported by the tests as ``sheets`` (pytest puts this folder on sys.path)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import xlsxwriter
from sqlalchemy import insert, select

from domain.idnumber import make_id_number
from storage.models import Unit, utcnow

UNITS = ("县城市管理局", "县林业局", "县人民医院")
HEADER = ["单位", "姓名", "身份证号", "手机号", "岗位", "考核等次", "是否续签", "备注"]
ROSTER_HEADER = ["单位", "姓名", "身份证号", "手机号", "岗位"]


def id_number(n: int) -> str:
    """A valid ID number of person ``n``: distinct for distinct n below 3,650,000."""
    born = date(1970, 1, 1) + timedelta(days=n // 1000)
    return make_id_number("110105", born, n % 1000)


def phone(n: int) -> str:
    return f"139{n:08d}"


def result_row(n: int, *, grade: str = "合格", renew: str = "是", remark: str = "") -> list[str]:
    return [UNITS[n % len(UNITS)], f"张{n}", id_number(n), phone(n), "保洁员", grade, renew, remark]


def result_rows(count: int, start: int = 0) -> list[list[str]]:
    return [result_row(n) for n in range(start, start + count)]


class Sheets:
    """Writes test files into one temporary folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def xlsx(
        self,
        rows: Sequence[Sequence[object]],
        name: str = "results.xlsx",
        *,
        text_columns: bool = True,
    ) -> Path:
        """An XLSX with ``rows`` from A1. Strings stay text unless ``text_columns`` is False, in
        which case digit strings are written as numbers, as Excel does when a unit types them."""
        path = self.folder / name
        workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        sheet = workbook.add_worksheet()
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str) and not text_columns and value.isdigit():
                    sheet.write_number(r, c, float(value))
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write(r, c, value)
        workbook.close()
        return path

    def csv(
        self,
        rows: Sequence[Sequence[object]],
        name: str = "results.csv",
        *,
        encoding: str = "utf-8",
        delimiter: str = ",",
    ) -> Path:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
        path = self.folder / name
        path.write_bytes(buffer.getvalue().encode(encoding))
        return path

    def raw(self, data: bytes, name: str) -> Path:
        path = self.folder / name
        path.write_bytes(data)
        return path


async def add_units(storage, names: Sequence[str] = UNITS) -> dict[str, int]:
    """Registers units; their names and ids."""
    async with storage.sessions() as session, session.begin():
        await session.execute(
            insert(Unit), [{"name": name, "quota": 100, "created_at": utcnow()} for name in names]
        )
    async with storage.sessions() as session:
        return dict((await session.execute(select(Unit.name, Unit.id))).all())
