"""The whole loop over real HTTP against the sandbox, on aiogram and on python-telegram-bot:
a serious complaint → the investigators' alert → accept → assign → finding and opinion →
close → the complainant is told → rating. The outbox is delivered by the real sender."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from case_helpers import BUREAU, DESCRIPTION, INVESTIGATORS, get_case
from sqlalchemy import select

from bot.sandbox import RunningSandbox
from notices.botapi import BotApi
from notices.config import NoticeSettings
from notices.sender import OutboxSender
from storage.models import Case, Complaint, Result

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtimes"))
from runtime_harness import RunningBot

TICKET = re.compile(r"查询码是 ([2-9A-HJKMNP-Z]{8})")
OPINION = "经查，该人员长期不在岗，由亲属代岗。停发岗位补贴，不予续签。"

# Generous: the machine may be busy; a passing run never waits this long.
WAIT = 30


@pytest.fixture(params=["aiogram", "ptb"])
def runtime(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def token(sandbox: RunningSandbox) -> str:
    return f"{sandbox.state.bot.id}:cases-test-token"


@pytest.fixture
async def bot(runtime, token, sandbox, dispatcher, county) -> AsyncIterator[RunningBot]:
    running = RunningBot(runtime, token, sandbox.url, dispatcher)
    await running.start()
    yield running
    with contextlib.suppress(Exception):
        await running.stop()


@pytest.fixture
async def outbox(storage, sandbox, token) -> AsyncIterator[None]:
    """The real sender, delivering the outbox to the sandbox while the test runs."""
    settings = NoticeSettings(api_base=sandbox.url, bot_token=token, outbox_poll_seconds=0.05)
    api = BotApi(settings.api_base, settings.bot_token, timeout=5.0)
    stop = asyncio.Event()
    sender = OutboxSender(sessions=storage.sessions, api=api, settings=settings)
    running = asyncio.create_task(sender.run(stop))
    yield
    stop.set()
    await asyncio.wait_for(running, 15)
    await api.aclose()


def said(messages) -> list[str]:
    return [m["text"] or "" for m in messages if m["from_bot"]]


def changed(messages, before) -> list[dict]:
    """The bot's messages that are new, or edited in place, since the chat was ``before``."""
    was = {m["message_id"]: (m["text"], str(m["buttons"])) for m in before}
    return [
        m
        for m in messages
        if m["from_bot"] and was.get(m["message_id"]) != (m["text"], str(m["buttons"]))
    ]


def answer_shows(before, expect: str, *, on: str = "text"):
    """A predicate: a message new or edited since ``before`` shows ``expect`` (in its text, or
    in its buttons). Not simply the last message: the outbox's notices to the same chat (the
    case's alerts, paced by the chat's rate limit) may arrive after the answer at any time."""
    return lambda ms: any(expect in str(m[on] or "") for m in changed(ms, before))


async def step(client, user, label: str, expect: str) -> list:
    before = await client.messages(user)
    await client.click(user, label)
    return await client.wait_until(user, answer_shows(before, expect), timeout=WAIT)


async def say(client, user, text: str, expect: str) -> list:
    before = await client.messages(user)
    await client.send_text(user, text)
    return await client.wait_until(user, answer_shows(before, expect), timeout=WAIT)


async def file_serious_complaint(client, user) -> str:
    await client.send_command(user, "/start")
    await client.wait_for(user, 1, timeout=WAIT)
    await step(client, user, "我要投诉", "您要投诉哪个用人单位")
    await step(client, user, "01号单位", "还是其中某位从业人员")
    await say(client, user, "张*三", "是哪一位")
    await step(client, user, "张*三 · 环卫", "请选择问题类型")
    await step(client, user, "不在岗 / 吃空饷", "请描述具体情况")
    await say(client, user, DESCRIPTION, "证据材料可选")
    await step(client, user, "继续", "分享您本人的手机号码")
    await step(client, user, "匿名投诉", "请核对您的投诉")
    messages = await step(client, user, "提交投诉", "查询码是")
    [ticket] = [found for t in said(messages) if (found := TICKET.search(t))]
    return ticket.group(1)


async def test_the_whole_loop_over_http(bot, outbox, client, storage, county):
    citizen = await client.create_persona("路人甲", role="citizen")
    investigator = await client.create_persona("陈调查", role="investigator", id=INVESTIGATORS[0])
    await client.create_persona("钱调查", role="investigator", id=INVESTIGATORS[1])
    await client.create_persona("赵科长", role="bureau", id=BUREAU)
    for official in (*INVESTIGATORS, BUREAU):  # officials have opened the bot before
        await client.send_command(official, "/start")
        await client.wait_for(official, 1, timeout=WAIT)
    code = await file_serious_complaint(client, citizen)
    async with storage.sessions() as session:
        case_id = (
            await session.execute(
                select(Case.id)
                .join(Complaint, Complaint.id == Case.complaint_id)
                .where(Complaint.ticket_code == code)
            )
        ).scalar_one()

    # The alert reaches every investigator (and the desk) through the outbox.
    for official in (*INVESTIGATORS, BUREAU):
        await client.wait_until(
            official, lambda ms: any(f"#{case_id}" in t for t in said(ms)), timeout=WAIT
        )

    await step(client, investigator, "打开案件", "状态：已提交，等待受理")
    await step(client, investigator, "受理", "状态：已受理")
    await client.wait_until(citizen, lambda ms: any("已受理" in t for t in said(ms)), timeout=WAIT)
    await step(client, investigator, "分派调查人员", "分派给哪位")
    await step(client, investigator, "陈调查", "状态：调查中")
    await step(client, investigator, "记录核查结论和处理意见", "核查结论是什么")
    await step(client, investigator, "属实", "请输入处理意见")
    await say(client, investigator, OPINION, "处理意见决定哪些处理措施")
    for consequence in ("停发岗位补贴和社保补贴", "不予续签"):
        shown = await client.bot_messages(investigator)
        keyboard = next(m for m in reversed(shown) if consequence in str(m["buttons"]))
        keyboard_id = keyboard["message_id"]
        await client.click(investigator, consequence)
        await client.wait_until(  # the button is ticked in place, on the same message
            investigator,
            lambda ms, c=consequence, k=keyboard_id: any(
                m["message_id"] == k and f"✅ {c}" in str(m["buttons"]) for m in ms
            ),
            WAIT,
        )
    await step(client, investigator, "确认", "处理措施：不予续签、停发岗位补贴和社保补贴")
    await step(client, investigator, "办结", "确认办结吗")
    await step(client, investigator, "确认办结", "状态：已办结")

    told = await client.wait_until(
        citizen, lambda ms: any("已办结" in t for t in said(ms)), timeout=WAIT
    )
    assert any(OPINION in t for t in said(told))
    await step(client, citizen, "4", "4 分")
    await say(client, citizen, "处理及时，谢谢。", "您的意见已记入案件")

    case = await get_case(storage, case_id)
    assert (case.state, case.rating, case.rating_comment) == ("closed", 4, "处理及时，谢谢。")
    assert case.finding == "属实" and case.opinion == OPINION
    async with storage.sessions() as session:
        result = (
            await session.execute(
                select(Result).where(Result.worker_id == county.workers["张小三"])
            )
        ).scalar_one()
    assert result.renewal_blocked and result.subsidy_stopped and result.findings == []
