"""A unit contact signs a worker's renewed agreement on a phone, over real HTTP on both
runtimes: the renewal paperwork in the user's words."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "renewal"))

from renewal_county import UNIT_A, after_close, make_county

from bot.app import build_dispatcher
from storage.models import RoleBinding, TelegramUser

SIGNED = "已登记：续签协议期限为2027年1月1日（周五）至2027年12月31日（周五）。"


@pytest.fixture
def dispatcher(storage, token):
    # The day after the 公示 closed, with the bot's own token as `gongshi run` has it.
    settings = storage.settings.model_copy(update={"bot_token": SecretStr(token)})
    return build_dispatcher(settings=settings, sessions=storage.sessions, clock=after_close())


async def test_signing_a_renewal_over_http(bot, client, storage):
    county = await make_county(storage)
    contact = await client.create_persona("李主任", role="unit")
    async with storage.sessions() as session, session.begin():
        session.add(TelegramUser(id=contact["id"]))
        await session.flush()
        session.add(RoleBinding(user_id=contact["id"], role="unit", unit_id=county.units[UNIT_A]))
    name = county.names["pass"]
    await client.send_command(contact, "/start")
    await client.wait_until(contact, lambda ms: "续签手续" in str(ms[-1].get("reply_markup")))
    await client.click(contact, "续签手续")
    await client.wait_until(contact, lambda ms: "4 人中已办结 0 人" in ms[-1]["text"])
    await client.click(contact, name)
    await client.wait_until(contact, lambda ms: "按考核结果可续签上岗协议一年" in ms[-1]["text"])
    await client.click(contact, "签订续签协议")
    await client.wait_until(contact, lambda ms: ms[-1]["text"].startswith("协议期限为一年"))
    await client.click(contact, "2027年1月1日（周五）")
    await client.wait_until(contact, lambda ms: "本人是否同意" in ms[-1]["text"])
    await client.click(contact, "本人同意")
    await client.wait_until(contact, lambda ms: "公益性岗位人员条件" in ms[-1]["text"])
    await client.click(contact, "符合条件")
    messages = await client.wait_until(contact, lambda ms: "已签订续签协议" in ms[-1]["text"])
    assert any(m["text"] == SIGNED for m in messages)
