"""`gongshi import results|roster` end to end: files, exit codes and what the person reads."""

from __future__ import annotations

import asyncio

import pytest
from sheets import HEADER, ROSTER_HEADER, UNITS, id_number, result_row, result_rows
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli_import import import_app
from storage.models import Result, Worker


@pytest.fixture
def gongshi(storage, units, monkeypatch):
    """Runs `gongshi import ...` against the test database, in Chinese unless told otherwise."""
    monkeypatch.setenv("GONGSHI_DATABASE_URL", storage.settings.database_url)
    monkeypatch.setenv("GONGSHI_SECRET_KEY", storage.settings.secret_key.get_secret_value())
    runner = CliRunner()

    def run(*args: str, language: str = "zh"):
        return runner.invoke(import_app, list(args), env={"GONGSHI_LANGUAGE": language})

    return run


def count(storage, model) -> int:
    async def go() -> int:
        async with storage.sessions() as session:
            return (await session.execute(select(func.count()).select_from(model))).scalar_one()

    return asyncio.run(go())


def test_results_import_then_the_same_again(gongshi, storage, sheet_files):
    path = sheet_files.xlsx([["2026年度考核结果"], HEADER, *result_rows(3)])
    done = gongshi("results", str(path), "--cycle", "2026")
    assert done.exit_code == 0, done.output
    assert "已导入 3 行：新增 3 行，更新 0 行，未变 0 行。" in done.output
    assert count(storage, Result) == 3

    again = gongshi("results", str(path), "--cycle", "2026")
    assert again.exit_code == 0
    assert "该文件已经导入过，没有任何变化（共 3 行）。" in again.output
    assert count(storage, Result) == 3


def test_every_problem_is_a_line_and_the_exit_code_is_1(gongshi, storage, sheet_files):
    rows = [
        HEADER,
        result_row(1),
        [UNITS[0], "李四", id_number(2)[:17] + "Y", "", "保洁员", "合格", "是", ""],
        ["县教育局", "王五", id_number(3), "", "保洁员", "不合格", "是", ""],
    ]
    done = gongshi("results", str(sheet_files.csv(rows)), "--cycle", "2026")
    assert done.exit_code == 1
    lines = done.output.strip().splitlines()
    assert lines == [
        "第 3 行，身份证号 列：身份证号码应为17位数字加1位数字或字母X。",
        "第 4 行，单位 列：未登记的用人单位“县教育局”：请先按此名称登记该单位："
        "在对话菜单的“单位管理”中登记，或在服务器上运行 "
        "gongshi units add 单位名称 --quota 岗位指标 或 gongshi import units 文件。",
        "第 4 行，是否续签 列：考核不合格的人员不能续签上岗协议。",
        "共 3 处问题，未导入任何数据。",
    ]
    assert id_number(2)[:17] not in done.output
    assert count(storage, Worker) == 0


def test_english_output_and_ignored_columns(gongshi, sheet_files):
    header = ["No.", *HEADER]
    rows = [[str(n), *row] for n, row in enumerate(result_rows(2), 1)]
    rows.append(["3", UNITS[0], "", id_number(9), "", "保洁员", "合格", "是", ""])
    done = gongshi(
        "results", str(sheet_files.xlsx([header, *rows])), "--cycle", "2026", language="en"
    )
    assert done.exit_code == 1
    assert done.output.strip().splitlines() == [
        "Row 4, column 姓名: This cell is empty, but 姓名 is required.",
        "Columns not used by this import were ignored: No.",
        "1 problems; nothing was imported.",
    ]
    fixed_file = sheet_files.xlsx([header, *rows[:2]], "ok.xlsx")
    fixed = gongshi("results", str(fixed_file), "--cycle", "2026", language="en")
    assert fixed.exit_code == 0
    lines = fixed.output.strip().splitlines()
    assert lines[:2] == [
        "Columns not used by this import were ignored: No.",
        "Imported 2 rows: 2 new, 0 updated, 0 unchanged.",
    ]
    # No procedure is recorded yet: the units of the file are told what is missing.
    assert "is not fully recorded" in lines[2] and len(lines) == 3 + len(set(UNITS[:2]))


def test_roster_import(gongshi, storage, sheet_files):
    path = sheet_files.csv([ROSTER_HEADER, *(row[:5] for row in result_rows(4))], encoding="gbk")
    done = gongshi("roster", str(path))
    assert done.exit_code == 0, done.output
    assert "新增 4 行" in done.output
    assert count(storage, Worker) == 4
    assert count(storage, Result) == 0


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("missing.xlsx", None, "找不到文件："),
        ("empty.csv", b"", "文件是空的，没有任何内容。"),
        ("locked.xlsx", bytes.fromhex("D0CF11E0A1B11AE1") + bytes(600), "设有密码保护"),
        ("title.csv", "2026年度考核结果\n".encode(), "前 10 行中找不到表头"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_line(gongshi, sheet_files, name, data, message):
    path = sheet_files.folder / name if data is None else sheet_files.raw(data, name)
    done = gongshi("results", str(path), "--cycle", "2026")
    assert done.exit_code == 1
    assert message in done.output
    assert len(done.output.strip().splitlines()) == 1
    assert "Traceback" not in done.output


def test_an_old_database_must_be_upgraded_first(monkeypatch, tmp_path, sheet_files):
    monkeypatch.setenv("GONGSHI_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/old.db")
    monkeypatch.setenv("GONGSHI_SECRET_KEY", "k" * 32)
    path = sheet_files.xlsx([HEADER, *result_rows(1)])
    done = CliRunner().invoke(import_app, ["results", str(path), "--cycle", "2026"])
    assert done.exit_code == 2
    assert "gongshi db upgrade" in done.output


def test_the_cycle_is_required(gongshi, sheet_files):
    done = gongshi("results", str(sheet_files.xlsx([HEADER, *result_rows(1)])))
    assert done.exit_code == 2
    assert "--cycle" in done.output
