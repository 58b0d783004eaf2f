"""Following a complaint by its code: anyone holding the code, wrong codes throttled."""

from __future__ import annotations

import re
from datetime import timedelta

from hotline_helpers import BUREAU, case_of, file_complaint
from sqlalchemy import select

from domain.workdays import WorkCalendar
from services import cases as steps
from storage.models import AuditLog, Outbox


async def test_status_by_code_for_anyone_with_it(chat, storage, county):
    code = await file_complaint(chat(5201), category="考核不公 / 程序违规")
    stranger = chat(5202)
    await stranger.send(f"/status {code.lower()[:4]}-{code.lower()[4:]}")
    text = stranger.last
    assert "已提交，等待受理" in text
    assert "县就业局投诉受理台" in text
    # One working day after Wednesday 16 December, written as Chinese dates are written.
    assert "预计日期：2026年12月17日（周四）" in text
    assert "2026-12" not in text
    assert re.search(r"^12月16日 \d\d:\d\d 收到投诉$", text, re.MULTILINE), text
    # No person's name and nothing of the complaint itself is shown.
    assert "测试用户" not in text and "不在岗位" not in text


async def test_a_closed_case_shows_no_expected_date(chat, storage, county, clock):
    me = chat(5211)
    code = await file_complaint(me, category="考核不公 / 程序违规")
    case = await case_of(storage, code)
    desk = steps.Actor(user_id=BUREAU, role="bureau")
    await me.send(f"/status {code}")
    assert "预计日期：" in me.last  # while it is open, it has one
    finding = {"finding": "不属实", "opinion": "经核查，考核程序合规。"}
    for step, extra in [
        (steps.accept, {"calendar": WorkCalendar()}),
        (steps.record_finding, {**finding, "calendar": WorkCalendar()}),
        (steps.close, {}),
    ]:
        async with storage.sessions() as session, session.begin():
            await step(session=session, case_id=case.id, actor=desk, now=clock.now(), **extra)
        clock.advance(timedelta(hours=1))
    await me.send(f"/status {code}")
    assert "已办结" in me.last
    assert "预计" not in me.last and "—" not in me.last.split("办理记录")[0]
    # The complainant was told of the acceptance with the conclusion date in Chinese.
    async with storage.sessions() as session:
        rows = await session.execute(select(Outbox).where(Outbox.chat_id == 5211))
        told = [row.payload.get("text", "") for row in rows.scalars()]
    accepted = next(text for text in told if "已受理" in text)
    assert "年" in accepted and "日（周" in accepted and "-" not in accepted.split("预计于")[1]


async def test_menu_entry_asks_for_the_code(chat, county):
    code = await file_complaint(chat(5203), category="不在岗 / 吃空饷")
    me = chat(5204)
    await me.send("/start")
    await me.click("查询投诉进度")
    assert "8 位查询码" in me.last
    await me.send(code)
    assert "县人力资源和社会保障局" in me.last


async def test_wrong_codes_are_throttled_per_user(chat, storage, county, clock):
    code = await file_complaint(chat(5205))
    guesser = chat(5206)
    for _ in range(5):
        await guesser.send("/status ABCDEFGH")
        assert "没有与该查询码对应的投诉" in guesser.last
    await guesser.send(f"/status {code}")
    assert "错误的查询码次数过多" in guesser.last
    # Someone else is not affected, and the guesser may try again an hour later.
    other = chat(5207)
    await other.send(f"/status {code}")
    assert "已提交" in other.last
    clock.advance(timedelta(hours=1, seconds=1))
    await guesser.send(f"/status {code}")
    assert "已提交" in guesser.last
    from hotline_helpers import count

    assert await count(storage, AuditLog, AuditLog.action == "status_code_wrong") == 5


async def test_own_complaints_are_offered_by_their_codes(chat, county):
    me = chat(5208)
    first = await file_complaint(me, category="考核不公 / 程序违规")
    second = await file_complaint(me, category="不在岗 / 吃空饷")
    await me.send("/status")
    assert "以下是您提交过的投诉" in me.last
    offered = [label.split(" · ")[0] for label in me.buttons() if " · " in label]
    assert offered == [second, first]  # newest first
    await me.click(next(label for label in me.buttons() if label.startswith(first)))
    assert "县就业局投诉受理台" in me.last and "已提交" in me.last
    # Someone who filed nothing is asked for a code, with nobody else's offered.
    stranger = chat(5209)
    await stranger.send("/status")
    assert "8 位查询码" in stranger.last
    assert not [label for label in stranger.buttons() if " · " in label]


async def test_a_confirmation_pressed_again_names_the_code(chat, county, clock):
    """After a restart between saving a complaint and answering, the citizen presses 「提交投诉」
    again: the complaint already sent is named, not filed twice."""
    me = chat(5210)
    code = await file_complaint(me)
    await me.press("cp:confirm")
    assert code in (me.answers[-1] or "")
    clock.advance(timedelta(hours=2))
    await me.press("cp:confirm")
    assert code not in (me.answers[-1] or "")
