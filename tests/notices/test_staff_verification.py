"""Staff verification (city plan 五.4): recorded in chat or from a sheet; an absentee's post
becomes vacant, the worker is removed, the unit is told with a masked name only, and
`gongshi status` counts it."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import typer
from notices_world import SECRET, build_world, dispatcher_for, id_number, opened
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli_notices import verify_app
from domain.clock import FixedClock
from storage.models import AuditLog, Outbox, Post, UnitTask, Verification, Worker
from storage.queries.status import collect_status

CITY = "县城市管理局"
CONTACT, OFFICIAL = 5400000001, 5400000011


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 21, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")))


@pytest.fixture
async def world(storage):
    return await build_world(
        storage.sessions, units={CITY: [CONTACT]}, bureau=[OFFICIAL], workers_per_unit=3
    )


async def test_recording_attendance_in_chat(storage, clock, world):
    official = await opened(dispatcher_for(storage, clock), OFFICIAL)
    await official.press("vf:units:0")
    assert official.last == "2026 年度人员核对：请选择单位"
    await official.click(CITY)
    assert official.last.splitlines() == [
        "县城市管理局 — 2026 年度人员核对（已记录 0/3）",
        "1. 张*0 — 未记录",
        "2. 张*1 — 未记录",
        "3. 张*2 — 未记录",
    ]
    await official.click("✅ 1. 张*0")
    assert official.answers[-1] == "已记录。"
    await official.click("❌ 2. 张*1")
    assert official.last.startswith("确认 张*1 未到场？")
    await official.click("确认未到场")
    assert "2. 张*1 — 未到场 — 按空岗处理，已除名" in official.last
    await official.click("✅ 3. 张*2")
    absent_id = world.workers[CITY][1]

    async with storage.sessions() as session:
        absent = await session.get(Worker, absent_id)
        vacant = (await session.execute(select(Post).where(Post.worker_id.is_(None)))).scalars()
        told = (await session.execute(select(Outbox))).scalars().all()
        task = (
            await session.execute(select(UnitTask).where(UnitTask.kind == "verification"))
        ).scalar_one()
        audit = (await session.execute(select(AuditLog.action))).scalars().all()
        status = await collect_status(session=session, today=clock.today())
    assert (absent.status, absent.removed_reason) == ("removed", "absent_at_verification")
    assert len(list(vacant)) == 1
    [message] = told
    assert message.chat_id == CONTACT
    assert "张*1（保洁员）未按要求到场核对" in message.payload["text"]
    assert absent.id_last4 not in message.payload["text"]  # no ID number, not even its tail
    assert "张小" not in message.payload["text"]  # never the full name
    assert task.state == "done"  # every worker on duty was seen
    assert audit.count("verification_recorded") == 3
    assert status["workers"] == {"total": 3, "on_duty": 2, "removed": 1}
    assert status["posts"]["vacant"] == 1

    # A mistake put right: the worker did come.
    await official.click("✅ 2. 张*1")
    async with storage.sessions() as session:
        back = await session.get(Worker, absent_id)
        post = (await session.execute(select(Post).where(Post.worker_id == absent_id))).scalar()
        notices = (await session.execute(select(Outbox).order_by(Outbox.id))).scalars().all()
    assert back.status == "on_duty" and post is not None
    assert "更正" in notices[-1].payload["text"]


async def test_only_the_bureau_records_attendance(storage, clock, world):
    contact = await opened(dispatcher_for(storage, clock), CONTACT)
    await contact.press(f"vf:ax:{world.workers[CITY][0]}:0")
    assert contact.answers[-1] == "您没有权限进行此操作。"
    async with storage.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Verification)) == 0


@pytest.fixture
def gongshi_verify(storage, monkeypatch):
    monkeypatch.setenv("GONGSHI_DATABASE_URL", storage.settings.database_url)
    monkeypatch.setenv("GONGSHI_SECRET_KEY", SECRET)
    gongshi = typer.Typer()
    gongshi.add_typer(verify_app, name="verify")
    runner = CliRunner()
    return lambda *args: runner.invoke(gongshi, ["verify", "import", *args])


def verifications(storage) -> dict[int, bool]:
    async def go():
        async with storage.sessions() as session:
            rows = await session.execute(select(Verification.worker_id, Verification.present))
            return dict(rows.all())

    return asyncio.run(go())


def test_a_sheet_with_a_bad_row_records_nothing(gongshi_verify, storage, world, tmp_path):
    sheet = tmp_path / "核对.csv"
    sheet.write_text(
        f"身份证号,是否到场\n{id_number(1)},是\n{id_number(2)},缺\n{id_number(99)},否\n",
        encoding="utf-8",
    )
    done = gongshi_verify(str(sheet), "--cycle", "2026")
    assert done.exit_code == 1
    assert "第 3 行" in done.output and "“缺”不是“是”“否”或“请假”。" in done.output
    assert "第 4 行" in done.output and "名册中没有该身份证号的人员。" in done.output
    assert id_number(99) not in done.output
    assert verifications(storage) == {}


def test_a_sheet_records_attendance_and_removes_absentees(gongshi_verify, storage, world, tmp_path):
    sheet = tmp_path / "核对.csv"
    sheet.write_text(
        f"身份证号,是否到场\n{id_number(1)},是\n{id_number(2)} ,否\n{id_number(3).lower()},√\n",
        encoding="utf-8",
    )
    done = gongshi_verify(str(sheet), "--cycle", "2026")
    assert done.exit_code == 0, done.output
    assert "已记录到场 2 人、请假 0 人、未到场 1 人（除名 1 人，0 人此前已记录）。" in done.output
    first, second, third = world.workers[CITY]
    assert verifications(storage) == {first: True, second: False, third: True}
    again = gongshi_verify(str(sheet), "--cycle", "2026")
    assert "除名 0 人，3 人此前已记录" in again.output
