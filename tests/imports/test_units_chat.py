"""The administrator registers units in chat: the list (paged), adding one, renaming one, and a
units sheet sent as a document, imported in the background and answered through the outbox."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from handlers.types import FileRef
from notices.uploads import UploadSettings, import_uploads
from services.files import FileUnavailable
from storage.models import Outbox, RoleBinding, Unit

ADMIN, CONTACT = 9201, 9202


class MemoryFiles:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    async def fetch(self, file_id: str, *, max_bytes: int) -> bytes:
        if file_id not in self.files:
            raise FileUnavailable(file_id)
        return self.files[file_id]


@pytest.fixture
async def admin(storage, chat):
    async with storage.sessions() as session, session.begin():
        session.add(RoleBinding(user_id=ADMIN, role="admin"))
    me = chat(ADMIN)
    await me.send("/start")
    return me


async def unit_names(storage) -> dict[str, int]:
    async with storage.sessions() as session:
        found = (await session.execute(select(Unit))).scalars().all()
        return {unit.name: unit.quota for unit in found}


async def test_admin_adds_and_renames_a_unit_and_pages_the_list(admin, storage):
    await admin.click("单位管理")
    assert "尚未登记任何用人单位" in admin.last
    await admin.click("添加单位")
    await admin.send("县城市管理局")
    assert "“县城市管理局”的公益性岗位指标是多少个" in admin.last
    await admin.send("十二")
    assert "请发送 1 至 9999 之间的整数" in admin.last
    await admin.send("12")
    assert "已登记用人单位“县城市管理局”，岗位指标 12 个。" in admin.last
    assert await unit_names(storage) == {"县城市管理局": 12}

    for n in range(1, 9):
        await admin.send("/start")
        await admin.click("单位管理")
        await admin.click("添加单位")
        await admin.send(f"县一{n}单位")
        await admin.send(str(n))
    await admin.send("/start")
    await admin.click("单位管理")
    assert "县城市管理局：指标 12 个，在用岗位 0 个，在岗 0 人" not in admin.last  # on page 2
    assert "县一1单位：指标 1 个" in admin.last
    await admin.click("下一页 »")
    assert "县城市管理局：指标 12 个，在用岗位 0 个，在岗 0 人" in admin.last

    await admin.click("县城市管理局")
    assert "请发送“县城市管理局”的新名称" in admin.last
    await admin.send("县一1单位")
    assert "已有名为“县一1单位”的单位。" in admin.last
    await admin.send("/start")
    await admin.click("单位管理")
    await admin.click("下一页 »")
    await admin.click("县城市管理局")
    await admin.send("县综合行政执法局")
    assert "用人单位“县城市管理局”已更名为“县综合行政执法局”。" in admin.last
    names = await unit_names(storage)
    assert names["县综合行政执法局"] == 12 and "县城市管理局" not in names


async def test_admin_sends_a_units_sheet(admin, storage, clock):
    files = MemoryFiles()
    book = openpyxl.Workbook()
    for row in (
        ["单位", "岗位指标", "主管部门"],
        ["县林业局", "6", "县农业农村局"],
        ["县图书馆", "0"],
    ):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    files.files["f-units"] = buffer.getvalue()

    await admin.click("单位管理")
    await admin.click("上传单位登记表")
    assert "单位、岗位指标" in admin.last
    ref = FileRef("f-units", "u-units", "document", "单位.xlsx", None, len(buffer.getvalue()))
    await admin.deliver(admin.incoming(file=ref))
    assert "已收到" in admin.last
    settings = UploadSettings(secret_key="k" * 32, import_max_mb=50)
    assert (
        await import_uploads(sessions=storage.sessions, files=files, clock=clock, settings=settings)
        == 1
    )
    async with storage.sessions() as session:
        [answer] = (await session.execute(select(Outbox).where(Outbox.chat_id == ADMIN))).scalars()
    text = answer.payload["text"]
    assert "单位登记表“单位.xlsx”未导入" in text
    assert "第 3 行，岗位指标 列：岗位指标须为 1 至 9999 之间的整数，此单元格为“0”。" in text
    assert await unit_names(storage) == {}


async def test_only_an_administrator_sees_the_units_menu(storage, chat):
    async with storage.sessions() as session, session.begin():
        unit = Unit(name="县林业局", quota=3)
        session.add(unit)
        await session.flush()
        session.add(RoleBinding(user_id=CONTACT, role="unit", unit_id=unit.id))
    me = chat(CONTACT)
    await me.send("/start")
    assert "单位管理" not in me.buttons()
