"""The 公示 in the bot, in the user's words: anyone reads a unit's list and finds a name while
it is open, masked; a person's button starts a complaint about them; after the close the lists
are gone. The administrator opens and closes it in chat, confirming the computed window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pdftext import pdf_text
from pubworld import UNITS, import_people, person
from sqlalchemy import select

from domain.workdays import WorkCalendar
from handlers.core import NOT_ALLOWED
from handlers.publication import ROWS_PER_PAGE
from messages.i18n import Translator, translate
from messages.replies import FileReply
from messages.tasks import day_text
from storage import publication as store
from storage.db import transaction
from storage.models import AuditLog, Cycle, RoleBinding

ADMIN = 9001


@pytest.fixture
async def people(storage):
    chosen = [person(n, UNITS[0]) for n in range(18)] + [person(500, UNITS[1])]
    await import_people(storage, chosen)
    async with transaction(storage.sessions) as session:
        session.add(RoleBinding(user_id=ADMIN, role="admin"))
    return chosen


async def open_by_chat(chat) -> object:
    admin = chat(ADMIN)
    await admin.send("/start")
    await admin.click("公示管理：开始、结束、张榜公告")
    await admin.click("开始2026年度公示")
    return admin


async def test_the_admin_confirms_the_computed_window_and_opens_the_gongshi(
    storage, chat, clock, people
):
    admin = await open_by_chat(chat)
    t = Translator("zh")
    window = store.plan_window(calendar=WorkCalendar(), today=clock.today(), workdays=5)
    assert day_text(t, window.opens_on) in admin.last
    assert day_text(t, window.closes_on) in admin.last
    async with storage.sessions() as session:
        assert (await session.execute(select(Cycle.state))).scalar_one() == "assessing"
    await admin.click("确认开始")
    assert "2026年度公示已开始" in admin.last
    async with storage.sessions() as session:
        cycle = (await session.execute(select(Cycle))).scalar_one()
        audit = (
            await session.execute(select(AuditLog).where(AuditLog.action == "gongshi_opened"))
        ).scalar_one()
    assert (cycle.state, cycle.gongshi_closes_on) == ("open", window.closes_on)
    assert audit.actor_user_id == ADMIN


async def test_a_citizen_cannot_open_the_gongshi_even_with_the_button_data(chat, storage, people):
    citizen = chat(7001)
    await citizen.send("/start")
    assert "公示管理：开始、结束、张榜公告" not in citizen.buttons()
    await citizen.press("gsa:openok:2026:20261216")
    assert citizen.answers[-1] == translate(NOT_ALLOWED, "zh")
    async with storage.sessions() as session:
        assert (await session.execute(select(Cycle.state))).scalar_one() == "assessing"
        denied = (
            await session.execute(select(AuditLog).where(AuditLog.action == "denied"))
        ).scalar_one()
    assert denied.actor_user_id == 7001


async def test_anyone_reads_a_units_list_masked_and_pages_through_it(chat, people):
    admin = await open_by_chat(chat)
    await admin.click("确认开始")
    citizen = chat(7002)
    await citizen.send("/start")
    await citizen.click("考核结果公示")
    first_unit = [p for p in people if p.unit == UNITS[0]]
    await citizen.click(f"{UNITS[0]} ({len(first_unit)})")
    page_one = citizen.last
    assert UNITS[0] in page_one
    assert len(first_unit) > ROWS_PER_PAGE
    await citizen.click(translate("Next »", "zh"))
    pages = page_one + citizen.last
    assert f"{len(first_unit)}. " in citizen.last  # numbering runs on across pages
    for p in first_unit:
        assert p.name not in pages
        assert p.id_number not in pages and p.phone not in pages
    masked = {b for b in citizen.buttons() if b[0].isdigit()}
    assert masked, citizen.buttons()


async def test_a_name_is_found_masked_and_its_button_starts_a_complaint(chat, people):
    admin = await open_by_chat(chat)
    await admin.click("确认开始")
    citizen = chat(7003)
    await citizen.send("/gongshi")
    await citizen.click("按姓名查找")
    wanted = people[5]
    await citizen.send(wanted.name)
    assert wanted.name not in citizen.last
    assert wanted.unit in citizen.last
    person_buttons = [b for b in citizen.buttons() if b.startswith("1. ")]
    assert person_buttons == [f"1. {wanted.name[0]}*{wanted.name[-1]}"]
    await citizen.click(person_buttons[0])
    assert citizen.last.startswith(translate("What kind of problem is it?", "zh"))

    await citizen.send("/gongshi")
    await citizen.click("按姓名查找")
    await citizen.send("不存在的人")
    assert "没有显示为“不*人”的人员" in citizen.last


async def test_after_the_close_browsing_says_the_lists_are_withdrawn(chat, clock, people):
    admin = await open_by_chat(chat)
    await admin.click("确认开始")
    await admin.send("/start")
    await admin.click("公示管理：开始、结束、张榜公告")
    await admin.click("立即结束公示")
    await admin.click("确认结束")
    assert "2026年度公示已结束" in admin.last
    clock.advance(timedelta(hours=1))
    citizen = chat(7004)
    await citizen.send("/gongshi")
    assert "已于" in citizen.last and "结束" in citizen.last
    await citizen.press("gs:u:1:0")
    assert "已于" in citizen.last


async def test_before_any_opening_there_is_nothing_to_read(chat, people):
    citizen = chat(7005)
    await citizen.send("/gongshi")
    assert "当前没有正在进行的公示" in citizen.last


async def test_the_admin_gets_a_units_printable_notice_in_chat(chat, people):
    admin = await open_by_chat(chat)
    await admin.click("确认开始")
    await admin.send("/start")
    await admin.click("公示管理：开始、结束、张榜公告")
    await admin.click("张榜公告（PDF）")
    outcome = await admin.click(UNITS[1])
    (sent,) = [r for r in outcome.replies if isinstance(r, FileReply)]
    assert sent.filename.endswith(".pdf") and UNITS[1] in sent.filename
    text = pdf_text(sent.content)
    (mine,) = [p for p in people if p.unit == UNITS[1]]
    assert mine.name not in text and f"{mine.name[0]}*{mine.name[-1]}" in text
