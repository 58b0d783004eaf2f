"""A roster sent in chat by an administrator: 「上传花名册（表格）」, the file as a document,
imported in the background by the same service as `gongshi import roster` and answered through
the outbox, over real HTTP against the sandbox on aiogram and on python-telegram-bot. A bad row
and nothing is imported; a unit contact has no such button, and a forged press is refused."""

from __future__ import annotations

import asyncio
import contextlib
import io
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import openpyxl
import pytest
from sheets import UNITS, add_units, id_number, phone
from sqlalchemy import func, select

from bot.runtimes.files import BotApiFileFetcher
from bot.sandbox import RunningSandbox
from handlers.types import FileRef
from notices import uploads
from notices.botapi import BotApi
from notices.config import NoticeSettings
from notices.sender import OutboxSender
from notices.uploads import UploadSettings, import_uploads
from storage.models import AuditLog, ImportJob, RoleBinding, Unit, Worker

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtimes"))
from runtime_harness import RunningBot

ADMIN, CONTACT = 9301, 9302
HEADER = ["单位", "姓名", "身份证号", "手机号", "岗位", "招录方式", "人员类别", "是否符合条件"]
WAIT = 30  # generous: the machine may be busy; a passing run never waits this long


@pytest.fixture(params=["aiogram", "ptb"])
def runtime(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def token(sandbox: RunningSandbox) -> str:
    return f"{sandbox.state.bot.id}:roster-test-token"


@pytest.fixture
async def bot(runtime, token, sandbox, dispatcher) -> AsyncIterator[RunningBot]:
    running = RunningBot(runtime, token, sandbox.url, dispatcher)
    await running.start()
    yield running
    with contextlib.suppress(Exception):
        await running.stop()


@pytest.fixture
async def outbox(storage, sandbox, token) -> AsyncIterator[None]:
    """The real sender, delivering the background import's answer to the sandbox."""
    settings = NoticeSettings(api_base=sandbox.url, bot_token=token, outbox_poll_seconds=0.05)
    api = BotApi(settings.api_base, settings.bot_token, timeout=5.0)
    stop = asyncio.Event()
    running = asyncio.create_task(
        OutboxSender(sessions=storage.sessions, api=api, settings=settings).run(stop)
    )
    yield
    stop.set()
    await asyncio.wait_for(running, 15)
    await api.aclose()


def roster(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    for row in [HEADER, *rows]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def person(n: int, name: str, unit: str, *recruitment: str) -> list[str]:
    return [unit, name, id_number(n), phone(n), "保洁员", *recruitment]


def said(messages) -> list[str]:
    return [m["text"] or "" for m in messages if m["from_bot"]]


async def new_answer(client, user, before: int, expect: str) -> str:
    """The first message of the bot after the first ``before`` that shows ``expect``."""
    found = await client.wait_until(
        user, lambda ms: any(expect in t for t in said(ms)[before:]), timeout=WAIT
    )
    return next(t for t in said(found)[before:] if expect in t)


async def workers(storage) -> dict[str, tuple[str, str | None, str | None, bool | None]]:
    async with storage.sessions() as session:
        found = await session.execute(
            select(
                Worker.name, Unit.name, Worker.recruited_by, Worker.hardship, Worker.eligible
            ).join(Unit, Unit.id == Worker.unit_id)
        )
        return {name: (unit, *rest) for name, unit, *rest in found.all()}


async def test_an_administrator_uploads_a_roster_over_the_sandbox(
    bot, outbox, client, storage, clock, token, sandbox, monkeypatch
):
    await add_units(storage)
    admin = await client.create_persona("管理员", role="admin", id=ADMIN)
    async with storage.sessions() as session, session.begin():
        session.add(RoleBinding(user_id=ADMIN, role="admin"))

    rests_asked: list[float] = []
    real = uploads.import_roster

    async def spy(**kwargs):  # type: ignore[no-untyped-def]
        rests_asked.append(kwargs["rest"])  # the sweep asks the roster's import to rest, too
        return await real(**kwargs)

    monkeypatch.setattr(uploads, "import_roster", spy)

    async def import_in_background() -> None:
        settings = UploadSettings(
            secret_key=storage.settings.secret_key.get_secret_value(), import_max_mb=50
        )
        fetcher = BotApiFileFetcher(sandbox.url, token)
        taken = await import_uploads(
            sessions=storage.sessions, files=fetcher, clock=clock, settings=settings
        )
        assert taken == 1

    async def upload(name: str, content: bytes) -> int:
        await client.send_command(admin, "/start")
        await client.wait_until(admin, lambda ms: "上传花名册（表格）" in str(ms[-1]), timeout=WAIT)
        before = len(said(await client.messages(admin)))
        await client.click(admin, "上传花名册（表格）")
        asked = await new_answer(client, admin, before, "请以文件形式发送花名册")
        assert "可选：手机号、招录方式、人员类别、是否符合条件" in asked
        before = len(said(await client.messages(admin)))
        await client.send_file(admin, name, content)
        await new_answer(client, admin, before, f"已收到“{name}”")
        await import_in_background()
        return before

    good = [
        person(1, "王一", UNITS[0], "公开招聘", "大龄失业人员", ""),
        person(2, "王二", UNITS[1], "托底安置", "残疾人", "否"),
        person(3, "王三", UNITS[2], "", "", ""),
    ]
    before = await upload("花名册.xlsx", roster(good))
    answer = await new_answer(client, admin, before, "花名册“花名册.xlsx”")
    assert answer.splitlines() == [
        "花名册“花名册.xlsx”已核对。",
        "已导入 3 行：新增 3 行，更新 0 行，未变 0 行。",
    ]
    expected = {
        "王一": (UNITS[0], "open", "older", True),
        "王二": (UNITS[1], "placement", "disabled", False),
        "王三": (UNITS[2], None, None, None),
    }
    assert await workers(storage) == expected

    bad_id = id_number(5)[:-1] + ("0" if id_number(5)[-1] != "0" else "1")
    bad = [
        person(4, "王四", UNITS[0], "", "", ""),  # good, but the file is refused as a whole
        [UNITS[0], "王五", bad_id, phone(5), "保洁员", "", "", ""],
        person(2, "王二", UNITS[1], "内部推荐", "", ""),
    ]
    before = await upload("花名册2.xlsx", roster(bad))
    answer = await new_answer(client, admin, before, "花名册“花名册2.xlsx”")
    assert answer.splitlines() == [
        "花名册“花名册2.xlsx”未导入。",
        "第 3 行，身份证号 列：身份证号码的校验码不符，可能有某一位填错了。",
        "第 4 行，招录方式 列：无法识别的招录方式“内部推荐”：请填写公开招聘、托底安置或其他。",
        "共 2 处问题，未导入任何数据。",
        "请修改后重新发送；本文件的任何内容均未保存。",
    ]
    assert await workers(storage) == expected  # nothing of it: not 王四 either
    assert rests_asked == [uploads.BACKGROUND_REST] * 2 and uploads.BACKGROUND_REST > 0


async def test_a_unit_contact_has_no_roster_button_and_a_forged_press_is_refused(
    chat, storage, clock
):
    units = await add_units(storage)
    async with storage.sessions() as session, session.begin():
        session.add(RoleBinding(user_id=CONTACT, role="unit", unit_id=units[UNITS[0]]))
    me = chat(CONTACT)
    await me.send("/start")
    assert "上传考核结果（表格）" in me.buttons()
    assert "上传花名册（表格）" not in me.buttons()

    await me.press("upr:roster")  # forged: the button was never shown
    assert me.answers[-1] == "您没有权限进行此操作。"
    content = roster([person(1, "王一", UNITS[0], "", "", "")])
    ref = FileRef("f-roster", "u-roster", "document", "花名册.xlsx", None, len(content))
    await me.deliver(me.incoming(file=ref))
    async with storage.sessions() as session:
        jobs = await session.scalar(select(func.count()).select_from(ImportJob))
        denied = await session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "denied")
        )
    assert jobs == 0 and denied >= 1

    assert await workers(storage) == {}
