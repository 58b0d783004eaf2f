"""Replying to the complainant from the desk (SPEC.md §2, the hotline desk's 「reply」): the
reply reaches the complainant's chat with the ticket code and the office, never the
official's name; a unit can never reach the complainant."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from case_county import build_county
from case_helpers import (
    BUREAU,
    CITIZEN,
    INVESTIGATORS,
    UNIT_A_CONTACT,
    actor,
    audits,
    file_case,
    get_case,
    outbox_to,
)
from sqlalchemy import select

from domain import cases as rules
from services import cases as store
from storage.models import CaseEvent, Complaint

NOW = datetime(2026, 12, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
REPLY = "您反映的情况已转县人社局核查，请耐心等待。"


async def ticket_of(storage, case_id: int) -> str:
    case = await get_case(storage, case_id)
    async with storage.sessions() as session:
        complaint = await session.get(Complaint, case.complaint_id)
        assert complaint is not None and complaint.anonymous
        return complaint.ticket_code


async def test_the_desk_replies_to_an_anonymous_complainant(chat, storage, county):
    case_id = await file_case(
        storage, unit_id=county.units["02号单位"], worker_id=None, category="unfair", now=NOW
    )
    code = await ticket_of(storage, case_id)
    desk = chat(BUREAU)
    await desk.press(f"cs:open:{case_id}")
    await desk.click("答复投诉人")
    await desk.send("好" * (rules.REPLY_MAX + 1))
    assert f"{rules.REPLY_MAX + 1} 字" in desk.last  # asked to shorten it, nothing sent
    assert await outbox_to(storage, CITIZEN) == []
    await desk.send(REPLY)

    [told] = await outbox_to(storage, CITIZEN)
    assert code in told.payload["text"] and REPLY in told.payload["text"]
    assert "县就业局" in told.payload["text"]
    assert f"已答复投诉人：{REPLY}" in desk.last

    me = chat(CITIZEN)
    await me.send(f"/status {code}")
    assert "主管部门已答复" in me.last
    assert REPLY not in me.last  # the history names the step; the reply is in the chat


async def test_the_investigator_replies_without_their_name(chat, storage, county):
    case_id = await file_case(
        storage,
        unit_id=county.units["01号单位"],
        worker_id=county.workers["李四"],
        category="impostor",
        now=NOW,
    )
    code = await ticket_of(storage, case_id)
    investigator = chat(INVESTIGATORS[0])
    await investigator.press(f"cs:open:{case_id}")
    await investigator.click("受理")
    await investigator.click("分派调查人员")
    await investigator.click("陈调查")

    other = chat(INVESTIGATORS[1])
    await other.press(f"cs:rep:{case_id}")  # not theirs: assigned to 陈调查
    assert other.answers[-1] == "该案件不在您的办理范围内。"

    await investigator.press(f"cs:open:{case_id}")
    await investigator.click("答复投诉人")
    await investigator.send(REPLY)
    told = [
        r.payload["text"] for r in await outbox_to(storage, CITIZEN) if REPLY in r.payload["text"]
    ]
    assert len(told) == 1
    assert code in told[0] and "县人社局" in told[0]
    assert "陈调查" not in told[0] and str(INVESTIGATORS[0]) not in told[0]


async def test_a_unit_contact_cannot_reach_the_complainant(chat, storage, county):
    case_id = await file_case(
        storage, unit_id=county.units["01号单位"], worker_id=None, category="conduct", now=NOW
    )
    unit = chat(UNIT_A_CONTACT)
    await unit.press(f"cs:open:{case_id}")
    assert "答复投诉人" not in unit.buttons()
    await unit.press(f"cs:rep:{case_id}")  # forged
    assert unit.answers[-1] == "您的身份不能对该案件执行此操作。"
    await unit.send(REPLY)  # no reply is pending: the text goes nowhere
    assert await outbox_to(storage, CITIZEN) == []

    refused = [
        (a.actor_user_id, a.detail["step"], a.detail["reason"])
        for a in await audits(storage, "case_step_refused")
    ]
    assert refused == [(UNIT_A_CONTACT, "reply", "role")]


async def test_a_reply_in_storage_is_a_public_event_and_checked(any_storage):
    county = await build_county(any_storage)
    case_id = await file_case(
        any_storage, unit_id=county.units["02号单位"], worker_id=None, category="other", now=NOW
    )
    bureau = actor(BUREAU, "bureau")

    async def reply(text: str) -> str | None:
        async with any_storage.sessions() as session, session.begin():
            try:
                await store.reply(
                    session=session, case_id=case_id, actor=bureau, now=NOW, text=text
                )
            except store.CaseRefused as refused:
                return refused.reason
        return None

    assert await reply("   ") == "input"
    assert await reply("好" * (rules.REPLY_MAX + 1)) == "input"
    assert await reply(REPLY) is None
    async with any_storage.sessions() as session:
        event = (
            await session.execute(
                select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == "reply")
            )
        ).scalar_one()
    assert (event.public, event.detail) == (True, {"reply": REPLY})
    assert len(await outbox_to(any_storage, CITIZEN)) == 1
