"""An administrator's old 「开始2026年度公示」 or 「确认开始」, pressed after the 公示 has opened
(a message from before, a second admin's screen), is answered as a stale button and shows
where the 公示 stands; nothing is opened twice. Likewise 「结束公示」 after it closed."""

from __future__ import annotations

import pytest
from pubworld import UNITS, import_people, person
from sqlalchemy import func, select

from messages.callbacks_publication import AdminStep
from storage.db import transaction
from storage.models import AuditLog, RoleBinding

ADMIN, OTHER_ADMIN = 9001, 9002
STALE = "这个按钮已失效。请发送 /start 打开菜单。"


@pytest.fixture
async def people(storage):
    await import_people(storage, [person(n, UNITS[0]) for n in range(3)])
    async with transaction(storage.sessions) as session:
        session.add(RoleBinding(user_id=ADMIN, role="admin"))
        session.add(RoleBinding(user_id=OTHER_ADMIN, role="admin"))


async def openings(storage) -> int:
    async with storage.sessions() as session:
        found = await session.execute(
            select(func.count()).where(AuditLog.action == "gongshi_opened")
        )
        return int(found.scalar_one())


async def test_an_old_opening_button_is_stale_once_the_gongshi_is_open(storage, chat, people):
    first, second = chat(ADMIN), chat(OTHER_ADMIN)
    for admin in (first, second):
        await admin.send("/start")
        await admin.click("公示管理：开始、结束、张榜公告")
        await admin.click("开始2026年度公示")
    await first.click("确认开始")
    assert "2026年度公示已开始" in first.last

    await second.click("确认开始")  # the confirmation it was shown before the other opened it
    assert second.answers[-1] == STALE
    # The screen now says where the 公示 stands and offers what fits it.
    assert second.last.startswith("2026年度公示正在进行")
    assert "立即结束公示" in second.buttons() and "开始2026年度公示" not in second.buttons()
    await second.press(AdminStep(action="open", year=2026).pack())
    assert second.answers[-1] == STALE
    assert await openings(storage) == 1


async def test_a_closing_button_is_stale_before_the_gongshi_opens(storage, chat, people):
    admin = chat(ADMIN)
    await admin.send("/start")
    await admin.press(AdminStep(action="closeok", year=2026).pack())
    assert admin.answers[-1] == STALE
    assert "开始2026年度公示" in admin.buttons()
