"""The complaint's main path over real HTTP against the sandbox, on aiogram and on
python-telegram-bot: anonymous, and named with contact-share, evidence and a restart."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hotline_helpers import BUREAU, INVESTIGATORS, TICKET, UNIT_A_CONTACT, case_of, outbox_chats
from sqlalchemy import select

from bot.sandbox import RunningSandbox
from storage.models import ComplainantContact, EvidenceFile

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtimes"))
from runtime_harness import RunningBot

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DESCRIPTION = "该单位的保洁人员长期迟到早退，态度很差。"


@pytest.fixture(params=["aiogram", "ptb"])
def runtime(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def token(sandbox: RunningSandbox) -> str:
    return f"{sandbox.state.bot.id}:hotline-test-token"


@pytest.fixture
async def bot(runtime, token, sandbox, dispatcher, county) -> AsyncIterator[RunningBot]:
    running = RunningBot(runtime, token, sandbox.url, dispatcher)
    await running.start()
    yield running
    with contextlib.suppress(Exception):
        await running.stop()


def last_text(messages) -> str:
    """The newest thing the bot said (the user's own messages are in the chat too)."""
    said = [m for m in messages if m["from_bot"]]
    return (said[-1]["text"] or "") if said else ""


async def step(client, user, label: str, expect: str) -> list:
    await client.click(user, label)
    return await client.wait_until(user, lambda ms: expect in last_text(ms))


async def say(client, user, text: str, expect: str) -> list:
    await client.send_text(user, text)
    return await client.wait_until(user, lambda ms: expect in last_text(ms))


async def test_anonymous_complaint_end_to_end(bot, client, storage):
    user = await client.create_persona("路人甲", role="citizen")
    await client.send_command(user, "/start")
    await client.wait_for(user, 1)
    await step(client, user, "我要投诉", "您要投诉哪个用人单位")
    await step(client, user, "01号单位", "还是其中某位从业人员")
    await step(client, user, "投诉单位本身", "请选择问题类型")
    await step(client, user, "工作作风 / 服务态度", "请描述具体情况")
    await say(client, user, DESCRIPTION, "证据材料可选")
    await step(client, user, "继续", "分享您本人的手机号码")
    await step(client, user, "匿名投诉", "请核对您的投诉")
    messages = await step(client, user, "提交投诉", "查询码是")
    code = TICKET.search(last_text(messages)).group(1)
    case = await case_of(storage, code)
    assert await outbox_chats(storage, case.id) == {UNIT_A_CONTACT, BUREAU}

    await client.send_command(user, "/status", code)
    shown = await client.wait_until(user, lambda ms: "状态：" in last_text(ms))
    assert "已提交，等待受理" in last_text(shown)


async def test_named_complaint_with_evidence_survives_a_restart(
    bot, client, storage, runtime, token, sandbox, dispatcher
):
    user = await client.create_persona("王二", role="citizen", phone="13800138000")
    await client.send_command(user, "/start")
    await client.wait_for(user, 1)
    await step(client, user, "我要投诉", "您要投诉哪个用人单位")
    await step(client, user, "01号单位", "还是其中某位从业人员")
    await say(client, user, "张*三", "是哪一位")
    await step(client, user, "张*三 · 环卫", "请选择问题类型")
    await step(client, user, "不在岗 / 吃空饷", "请描述具体情况")
    await say(client, user, DESCRIPTION, "证据材料可选")
    await client.send_file(user, "proof.pdf", PDF, mime_type="application/pdf")
    await client.wait_until(user, lambda ms: "第 1 件" in last_text(ms))
    await client.send_file(user, "proof.pdf", b"MZ\x90\x00", mime_type="application/x-msdownload")
    await client.wait_until(user, lambda ms: "不接受该类型" in last_text(ms))

    await bot.stop()
    restarted = RunningBot(runtime, token, sandbox.url, dispatcher)
    await restarted.start()
    try:
        await step(client, user, "继续", "分享您本人的手机号码")
        await client.click(user, "分享我的联系方式")
        await client.wait_until(user, lambda ms: "请核对您的投诉" in last_text(ms))
        messages = await step(client, user, "提交投诉", "查询码是")
    finally:
        await restarted.stop()
    case = await case_of(storage, TICKET.search(last_text(messages)).group(1))
    assert case.severity == "serious"
    assert await outbox_chats(storage, case.id) == {BUREAU, *INVESTIGATORS}
    async with storage.sessions() as session:
        contact = await session.get(ComplainantContact, case.complaint_id)
        files = (
            (
                await session.execute(
                    select(EvidenceFile).where(EvidenceFile.complaint_id == case.complaint_id)
                )
            )
            .scalars()
            .all()
        )
    assert contact is not None and (contact.user_id, contact.phone) == (user["id"], "13800138000")
    assert [f.mime_type for f in files] == ["application/pdf"]
