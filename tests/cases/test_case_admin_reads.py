"""The administrator reads every case and exports them, but takes no step and sees neither the
evidence nor the complainant's contact: those stay with the desk and the 人社局."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from case_helpers import file_case
from openpyxl import load_workbook

from messages.replies import FileReply
from storage.models import Official, RoleBinding, TelegramUser

NOW = datetime(2026, 12, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ADMIN = 8401


async def bind_admin(storage) -> None:
    async with storage.sessions() as session, session.begin():
        official = Official(name="赵管理", role="admin")
        session.add(official)
        await session.flush()
        session.add(TelegramUser(id=ADMIN, language="zh"))
        session.add(RoleBinding(user_id=ADMIN, role="admin", official_id=official.id))


async def test_the_administrator_reads_the_cases_and_takes_no_step(chat, storage, county):
    await bind_admin(storage)
    case_id = await file_case(
        storage,
        unit_id=county.units["01号单位"],
        worker_id=county.workers["张小三"],
        category="conduct",
        now=NOW,
        contact=True,
    )
    admin = chat(ADMIN)
    await admin.send("/start")
    assert {"案件办理", "导出案件（Excel）"} <= set(admin.buttons())
    await admin.click("案件办理")
    assert "共 1 件" in admin.last
    [label] = [b for b in admin.buttons() if b.startswith(f"#{case_id} ")]
    await admin.click(label)
    assert "张小三" in admin.last and "13800138000" not in admin.last
    assert admin.buttons() == ["返回案件列表"]
    # Forged presses: a step, the evidence, the contact.
    for forged in (f"cs:acc:{case_id}", f"cs:ev:{case_id}", f"hl:contact:{case_id}"):
        await admin.press(forged)
        assert admin.answers[-1] in (
            "您的身份不能对该案件执行此操作。",
            "您没有权限进行此操作。",
        ), (forged, admin.answers[-1])

    outcome = await admin.press("cs:export")
    [sheet] = [r for r in outcome.replies if isinstance(r, FileReply)]
    cells = [
        str(c.value)
        for row in load_workbook(io.BytesIO(sheet.content)).active.iter_rows()
        for c in row
        if c.value is not None
    ]
    assert str(case_id) in cells or f"#{case_id}" in cells
    assert not any("13800138000" in c or "王二" in c for c in cells)
