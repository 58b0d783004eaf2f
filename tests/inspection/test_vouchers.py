"""Vouchers (point 5) in the user's words: the unit uploads months and sees which are missing;
the inspector records paper received and ticks 账目查看; twelve months of both close the task."""

from __future__ import annotations

import pytest
from driver import Chat
from inspection_world import UNITS, at, build_city, plan_with_inspectors, task_of
from sqlalchemy import select

from domain.clock import FixedClock
from services.inspection_vouchers import upload_voucher
from storage.db import transaction
from storage.models import UnitTask, VoucherMonth

CITY = "县城市管理局"
INSPECTOR = 7300000001


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at(12, 21, 10))


async def test_months_uploaded_missing_shown_paper_and_checks_by_the_group(storage, dispatcher):
    city = await build_city(storage.sessions)
    await plan_with_inspectors(
        storage.sessions, city, groups={CITY: 1}, inspectors=[(INSPECTOR, 1, "member")],
        now=at(12, 20),
    )  # fmt: skip
    task = await task_of(storage.sessions, city.units[CITY], "insurance_vouchers")
    contact = Chat(dispatcher, UNITS[CITY][1])
    await contact.send("/start")
    await contact.press(f"ut:done:{task.id}")
    assert contact.last.startswith(f"{CITY}：2026 年全年社保缴费凭证（纸质和电子版，按月）。")
    assert "缺电子版：1月、2月、3月" in contact.last
    await contact.click("📎 3月")
    assert contact.last == "请发送 2026 年3月的社保缴费凭证电子版（PDF、照片或 Excel）。"
    await contact.upload("三月.exe")
    assert contact.last.startswith("不接受该文件")
    await contact.upload("三月.pdf")
    assert "3月：电子版 ✅ 纸质 ▫️ 已核对 ▫️" in contact.last
    assert "缺电子版：1月、2月、4月" in contact.last

    inspector = Chat(dispatcher, INSPECTOR)
    await inspector.send("/start")
    await inspector.press(f"ins:item:{city.units[CITY]}:funds")
    assert "社保缴费凭证：电子版 1/12 个月，纸质 0/12 个月，已核对 0/12 个月。" in inspector.last
    await inspector.click("账目查看")
    await inspector.click("📄 3月纸质")
    await inspector.click("☑ 3月核对")
    assert "3月：电子版 ✅ 纸质 ✅ 已核对 ✅" in inspector.last

    # The remaining eleven months: the task is done once every month has both.
    async with transaction(storage.sessions) as session:
        for month in [m for m in range(1, 13) if m != 3]:
            await upload_voucher(
                session=session, cycle_id=city.cycle_id, unit_id=city.units[CITY], month=month,
                file={"file_id": f"f{month}", "name": f"{month}.pdf", "mime": "application/pdf"},
                user_id=UNITS[CITY][1], now=at(12, 21, 11),
            )  # fmt: skip
    assert (await _task(storage, task.id)).state == "open"  # paper still missing
    for month in [m for m in range(1, 13) if m != 3]:
        await inspector.click(f"📄 {month}月纸质")
    assert "12 个月的纸质和电子版凭证均已收齐。" in inspector.last
    assert (await _task(storage, task.id)).state == "done"
    async with storage.sessions() as session:
        rows = (await session.execute(select(VoucherMonth))).scalars().all()
    assert len(rows) == 12 and sum(r.checked for r in rows) == 1


async def _task(storage, task_id):
    async with storage.sessions() as session:
        return await session.get(UnitTask, task_id)
