"""A county registers its own units: `gongshi import units FILE` and `gongshi units ...`."""

from __future__ import annotations

import asyncio

import pytest
from sheets import HEADER, result_row
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli_import import import_app
from bot.cli_units import units_app
from storage.models import AuditLog, Post, Unit, Worker

UNITS_HEADER = ["单位名称", "岗位指标（个）", "联系电话", "主管部门"]


@pytest.fixture
def gongshi(storage, monkeypatch):
    """Runs `gongshi import ...` or `gongshi units ...` against an empty test database."""
    monkeypatch.setenv("GONGSHI_DATABASE_URL", storage.settings.database_url)
    monkeypatch.setenv("GONGSHI_SECRET_KEY", storage.settings.secret_key.get_secret_value())
    runner = CliRunner()

    def run(app, *args: str):
        return runner.invoke(app, list(args), env={"GONGSHI_LANGUAGE": "zh"})

    return run


def units_in(storage) -> dict[str, tuple[int, str | None, str | None]]:
    async def go():
        async with storage.sessions() as session:
            found = (await session.execute(select(Unit))).scalars().all()
            return {unit.name: (unit.quota, unit.phone, unit.department) for unit in found}

    return asyncio.run(go())


def audited(storage, action: str) -> int:
    async def go() -> int:
        async with storage.sessions() as session:
            rows = await session.execute(select(AuditLog).where(AuditLog.action == action))
            return len(rows.scalars().all())

    return asyncio.run(go())


def test_a_units_sheet_with_a_bad_row_registers_nothing(gongshi, storage, sheet_files):
    rows = [
        ["2027年公益性岗位用人单位"],
        UNITS_HEADER,
        ["县城市管理局", "12", "0571-8888123", "县住建局"],
        ["县图书馆", "0", "", ""],
        ["=县医院", "三", "", ""],
        ["县 城市管理局", "5", "", ""],
    ]
    done = gongshi(import_app, "units", str(sheet_files.xlsx(rows)))
    assert done.exit_code == 1, done.output
    lines = done.output.strip().splitlines()
    assert lines == [
        "第 4 行，岗位指标（个） 列：岗位指标须为 1 至 9999 之间的整数，此单元格为“0”。",
        "第 5 行，单位名称 列：以“=”开头，Excel 和 WPS 会把它当作公式的开头；请删去该符号。",
        "第 5 行，岗位指标（个） 列：岗位指标须为 1 至 9999 之间的整数，此单元格为“三”。",
        "第 6 行，单位名称 列：同一单位已在第 3 行出现。",
        "共 4 处问题，未导入任何数据。",
    ]
    assert units_in(storage) == {}


def test_a_good_units_sheet_registers_once_and_a_changed_quota_updates(
    gongshi, storage, sheet_files
):
    rows = [UNITS_HEADER, ["县城市管理局", "12", "0571-8888123", "县住建局"], ["县图书馆", "3"]]
    path = sheet_files.csv(rows)
    done = gongshi(import_app, "units", str(path))
    assert done.exit_code == 0, done.output
    assert "已导入 2 行：新增 2 行，更新 0 行，未变 0 行。" in done.output
    expected = {"县城市管理局": (12, "0571-8888123", "县住建局"), "县图书馆": (3, None, None)}
    assert units_in(storage) == expected

    again = gongshi(import_app, "units", str(path))
    assert again.exit_code == 0, again.output
    assert "已导入 2 行：新增 0 行，更新 0 行，未变 2 行。" in again.output
    assert units_in(storage) == expected
    assert audited(storage, "unit.register") == 2
    assert audited(storage, "unit.update") == 0

    changed = sheet_files.xlsx([["单位", "岗位指标"], ["县 图书馆", "５"]])
    third = gongshi(import_app, "units", str(changed))
    assert third.exit_code == 0, third.output
    assert "已导入 1 行：新增 0 行，更新 1 行，未变 0 行。" in third.output
    assert units_in(storage)["县图书馆"] == (5, None, None)
    assert audited(storage, "unit.update") == 1


def test_units_add_rename_and_list(gongshi, storage):
    added = gongshi(units_app, "add", "县城市管理局", "--quota", "12", "--department", "县住建局")
    assert added.exit_code == 0, added.output
    assert "已登记用人单位“县城市管理局”，岗位指标 12 个。" in added.output
    assert gongshi(units_app, "add", "县图书馆", "--quota", "3").exit_code == 0

    twice = gongshi(units_app, "add", "县 城市管理局", "--quota", "4")
    assert twice.exit_code == 1
    assert "已有名为“县 城市管理局”的单位。" in twice.output

    taken = gongshi(units_app, "rename", "县图书馆", "县城市管理局")
    assert taken.exit_code == 1
    assert "已有名为“县城市管理局”的单位。" in taken.output
    missing = gongshi(units_app, "rename", "县博物馆", "县文化馆")
    assert missing.exit_code == 1
    assert "没有名为“县博物馆”的单位。" in missing.output

    renamed = gongshi(units_app, "rename", "县图书馆", "县文化馆")
    assert renamed.exit_code == 0, renamed.output
    assert "用人单位“县图书馆”已更名为“县文化馆”。" in renamed.output
    assert set(units_in(storage)) == {"县城市管理局", "县文化馆"}
    assert audited(storage, "unit.rename") == 1

    async def staff() -> None:
        async with storage.sessions() as session, session.begin():
            unit = (
                await session.execute(select(Unit).where(Unit.name == "县城市管理局"))
            ).scalar_one()
            for n, status in enumerate(("on_duty", "on_duty", "removed")):
                worker = Worker(
                    name=f"张{n}", id_hash=f"h{n}", id_last4="0000", unit_id=unit.id, status=status
                )
                session.add(worker)
                await session.flush()
                held = worker.id if status == "on_duty" else None
                session.add(Post(unit_id=unit.id, title="保洁员", worker_id=held))

    asyncio.run(staff())
    listed = gongshi(units_app, "list")
    assert listed.exit_code == 0, listed.output
    assert listed.output.strip().splitlines() == [
        "单位 | 岗位指标 | 在用岗位 | 在岗人数",
        "县城市管理局 | 12 | 2 | 2",
        "县文化馆 | 3 | 0 | 0",
    ]


def test_a_results_file_naming_an_unknown_unit_says_how_to_register_it(
    gongshi, storage, sheet_files
):
    rows = [HEADER, ["县教育局", *result_row(1)[1:]]]
    done = gongshi(import_app, "results", str(sheet_files.csv(rows)), "--cycle", "2026")
    assert done.exit_code == 1
    assert (
        "第 2 行，单位 列：未登记的用人单位“县教育局”：请先按此名称登记该单位："
        "在对话菜单的“单位管理”中登记，或在服务器上运行 "
        "gongshi units add 单位名称 --quota 岗位指标 或 gongshi import units 文件。"
    ) in done.output
