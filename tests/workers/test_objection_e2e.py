"""An objection (申辩) over real HTTP against the sandbox, on aiogram and on
python-telegram-bot, with the real outbox sender: the worker objects to her grade; the desk
opens it from its alert and accepts it; the unit states its side from its own alert; the desk
corrects the grade; the worker reads the decision in the objection's words."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from worker_county import BUREAU, UNIT_A_CONTACT

from bot.sandbox import RunningSandbox
from notices.botapi import BotApi
from notices.config import NoticeSettings
from notices.sender import OutboxSender
from storage.models import Result

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtimes"))
from runtime_harness import RunningBot

TICKET = re.compile(r"查询码是 ([2-9A-HJKMNP-Z]{8})")
REASON = "本人全年按时在岗，考核记录有误，请复核打卡记录。"
WAIT = 30
WORKER = 6201


@pytest.fixture(params=["aiogram", "ptb"])
def runtime(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def token(sandbox: RunningSandbox) -> str:
    return f"{sandbox.state.bot.id}:objection-test-token"


@pytest.fixture
async def bot(runtime, token, sandbox, dispatcher, county) -> AsyncIterator[RunningBot]:
    running = RunningBot(runtime, token, sandbox.url, dispatcher)
    await running.start()
    yield running
    with contextlib.suppress(Exception):
        await running.stop()


@pytest.fixture
async def outbox(storage, sandbox, token) -> AsyncIterator[None]:
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


def last_text(messages) -> str:
    texts = said(messages)
    return texts[-1] if texts else ""


async def step(client, user, label: str, expect: str) -> list:
    await client.click(user, label)
    return await client.wait_until(user, lambda ms: expect in last_text(ms), timeout=WAIT)


async def say(client, user, text: str, expect: str) -> list:
    await client.send_text(user, text)
    return await client.wait_until(user, lambda ms: expect in last_text(ms), timeout=WAIT)


async def told(client, user, expect: str) -> list[str]:
    messages = await client.wait_until(
        user, lambda ms: any(expect in t for t in said(ms)), timeout=WAIT
    )
    return said(messages)


async def test_an_objection_over_http(bot, outbox, client, storage, county, issue):
    codes = await issue(county.units["城关镇人民政府"])
    await client.create_persona("杨兰", role="worker", id=WORKER)
    await client.create_persona("赵科长", role="bureau", id=BUREAU)
    await client.create_persona("单位联络员", role="unit", id=UNIT_A_CONTACT)
    for official in (BUREAU, UNIT_A_CONTACT):
        await client.send_command(official, "/start")
        await client.wait_for(official, 1, timeout=WAIT)
    await client.send_command(WORKER, "/start", f"w_{codes[county.people['fail'].worker_id]}")
    await client.wait_until(WORKER, lambda ms: any("绑定成功" in t for t in said(ms)), WAIT)
    await client.send_command(WORKER, "/start")
    await client.wait_until(WORKER, lambda ms: "我的考核结果" in str(ms[-1]["buttons"]), WAIT)
    await step(client, WORKER, "我的考核结果", "不合格")
    await step(client, WORKER, "提出申辩", "您对哪一项有异议")
    await step(client, WORKER, "考核等次", "请在一条消息中写明理由")
    await say(client, WORKER, REASON, "可附证明材料")
    await step(client, WORKER, "继续", "申辩事项：考核等次")
    messages = await step(client, WORKER, "提交申辩", "查询码是")
    code = TICKET.search(last_text(messages)).group(1)

    await told(client, BUREAU, "新申辩")
    await step(client, BUREAU, "打开申辩", "单位说明：尚未提交")
    await step(client, BUREAU, "受理并请单位说明", "已受理，待单位说明")

    await told(client, UNIT_A_CONTACT, "县就业局请本单位")
    await step(client, UNIT_A_CONTACT, "填写单位说明", "本单位的说明")
    await say(client, UNIT_A_CONTACT, "经核对考勤，迟到均已补假。", "已送达县就业局")

    await told(client, BUREAU, "单位已提交说明")
    await step(client, BUREAU, "打开申辩", "迟到均已补假")
    await step(client, BUREAU, "作出决定", "县就业局作出何种决定")
    await step(client, BUREAU, "更正等次", "更正为")
    await step(client, BUREAU, "合格", "请输入理由")
    await say(client, BUREAU, "考勤已核实，不影响考核等次。", "请核对。将告知申辩人")
    await step(client, BUREAU, "确认", "已作出决定")

    texts = await told(client, WORKER, "更正等次")
    assert any(code in t and "由“不合格”更正为“合格”" in t for t in texts)
    assert not any(word in t for t in texts for word in ("投诉对象", "您的投诉", "核查结论"))
    async with storage.sessions() as session:
        grade = (
            await session.execute(
                select(Result.grade).where(
                    Result.worker_id == county.people["fail"].worker_id, Result.cycle_id == 1
                )
            )
        ).scalar_one()
    assert grade == "合格"
