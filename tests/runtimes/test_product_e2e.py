"""The product's own conversations over real HTTP, on aiogram and on python-telegram-bot:
the menu, a button, the language switch and an invitation binding."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import build_dispatcher
from domain.clock import FixedClock
from storage.invitations import create_invitation
from storage.models import RoleBinding


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))


@pytest.fixture
def dispatcher(storage, clock):
    return build_dispatcher(settings=storage.settings, sessions=storage.sessions, clock=clock)


def labels(message) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


async def test_menu_help_and_language(bot, client):
    user = await client.create_persona("张伟", role="citizen")
    await client.send_command(user, "/start")
    [menu] = await client.wait_for(user, 1)
    assert "欢迎使用公示通" in menu["text"]
    assert "公示开始时通知我" in labels(menu)

    await client.click(user, "帮助")
    help_shown = await client.wait_until(user, lambda ms: "/cancel" in ms[-1]["text"])
    assert "取消当前操作" in help_shown[-1]["text"]
    # The help took the menu's place; the way back brings the menu with its buttons.
    await client.click(user, "返回菜单")
    await client.wait_until(user, lambda ms: "中文 / English" in labels(ms[-1]))

    await client.click(user, "中文 / English")
    await client.wait_until(user, lambda ms: "English" in labels(ms[-1]))
    await client.click(user, "English")
    switched = await client.wait_until(user, lambda ms: "Welcome to 公示通" in ms[-1]["text"])
    assert "Tell me when a notice opens" in labels(switched[-1])


async def test_an_invitation_binds_over_http(bot, client, storage, clock):
    async with storage.sessions() as session, session.begin():
        token = await create_invitation(session=session, role="investigator", now=clock.now())
    user = await client.create_persona("陈静", role="investigator")
    await client.send_command(user, "/start", f"inv_{token}")
    messages = await client.wait_until(
        user, lambda ms: any("调查人员（县人社局）" in m["text"] for m in ms)
    )
    assert any(m["text"].startswith("欢迎！您已绑定身份") for m in messages)
    async with storage.sessions() as session:
        roles = (
            (
                await session.execute(
                    select(RoleBinding.role).where(RoleBinding.user_id == user["id"])
                )
            )
            .scalars()
            .all()
        )
    assert roles == ["investigator"]

    stranger = await client.create_persona("路人")
    await client.send_command(stranger, "/start", f"inv_{token}")
    [refused] = await client.wait_for(stranger, 1)
    assert refused["text"] == "该邀请链接无效，请向县就业局索取新的链接。"
