"""`gongshi tasks create`: every unit's tasks for a cycle, idempotent, with a cycle's own file,
and a clear refusal when the working-day calendar does not know the year."""

from __future__ import annotations

import asyncio

import pytest
import typer
from notices_world import build_world
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli_notices import tasks_app
from storage.models import Cycle, UnitTask


@pytest.fixture
def gongshi(storage, monkeypatch):
    monkeypatch.setenv("GONGSHI_DATABASE_URL", storage.settings.database_url)
    app = typer.Typer()
    app.add_typer(tasks_app, name="tasks")
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["tasks", "create", *args])


@pytest.fixture
async def units(storage):
    return await build_world(
        storage.sessions, units={"县城市管理局": [], "县林业局": []}, bureau=[], with_tasks=False
    )


def tasks(storage) -> dict[tuple[int, str], UnitTask]:
    async def go():
        async with storage.sessions() as session:
            rows = (await session.execute(select(UnitTask))).scalars().all()
            return {(t.unit_id, t.kind): t for t in rows}

    return asyncio.run(go())


def test_create_then_again_changes_nothing(gongshi, storage, units):
    done = gongshi("--cycle", "2026")
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0] == "2026 年度：2 个单位，新建任务 20 项，更新 0 项，未变 0 项。"
    assert "2026年11月30日（周一）：本单位考核办法报县就业局备案" in lines
    # The seeds say 27 December, a Sunday: due on the Friday before.
    assert "2026年12月25日（周五）：提交全年社保缴费凭证（纸质和电子版），按月分类" in lines
    assert len(tasks(storage)) == 20
    again = gongshi("--cycle", "2026")
    assert again.output.splitlines()[0] == (
        "2026 年度：2 个单位，新建任务 0 项，更新 0 项，未变 20 项。"
    )

    async def cycle_settings():
        async with storage.sessions() as session:
            return (await session.execute(select(Cycle.settings))).scalar_one()

    assert asyncio.run(cycle_settings())["reminders"]["before_workdays"] == [3, 1]


def test_a_cycles_own_file_moves_open_tasks(gongshi, storage, units, tmp_path):
    assert gongshi("--cycle", "2026").exit_code == 0
    own = tmp_path / "2026.toml"
    own.write_text(
        '[reminders]\nbefore_workdays = [5]\n[[task]]\nkind = "self_check"\ndue = "12-17"\n'
    )
    done = gongshi("--cycle", "2026", "--config", str(own))
    assert done.exit_code == 0, done.output
    assert "更新 2 项，未变 18 项" in done.output.splitlines()[0]
    moved = {t.due_on.day for (_, kind), t in tasks(storage).items() if kind == "self_check"}
    assert moved == {17}


def test_an_unknown_year_is_refused_with_what_to_do(gongshi, storage, units):
    done = gongshi("--cycle", "2027")
    assert done.exit_code == 1
    assert "2027" in done.output and "GONGSHI_CALENDAR_FILE" in done.output
    assert tasks(storage) == {}


def test_a_bad_file_is_named(gongshi, storage, units, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[reminders]\nbefore_workdays = "three"\n')
    done = gongshi("--cycle", "2026", "--config", str(bad))
    assert done.exit_code == 1
    assert "bad.toml" in done.output and "工作日数的列表" in done.output


def test_no_units_yet(gongshi, storage):
    done = gongshi("--cycle", "2026")
    assert done.exit_code == 1
    assert (
        "还没有任何单位。请先登记单位：菜单中的「单位管理」，或命令 gongshi import units 文件。"
        in done.output
    )
