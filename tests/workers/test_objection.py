"""During 公示 a bound worker may file an objection (申辩): a case for the bureau desk,
followed with /status like a complaint. Outside 公示, or for anyone else, it is refused."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from worker_county import BUREAU, UNIT_A

from storage.models import Case, CaseEvent, Complaint, Cycle, Outbox

TICKET = re.compile(r"查询码是 ([2-9A-HJKMNP-Z]{8})")
REASON = "本人全年按时在岗，考核记录有误，请复核打卡记录。"


async def bound_worker(chat, county, issue, key: str = "fail", user_id: int = 6201):
    codes = await issue(county.units[UNIT_A])
    me = chat(user_id)
    await me.send(f"/start w_{codes[county.people[key].worker_id]}")
    await me.press("wkme:show")
    return me


async def file_objection(me, reason: str = REASON, subject: str = "考核等次") -> str:
    await me.click("提出申辩")
    await me.click(subject)
    await me.send(reason)
    await me.click("继续")
    await me.click("提交申辩")
    found = TICKET.search(me.last)
    assert found, me.last
    return found.group(1)


async def complaints(storage) -> int:
    async with storage.sessions() as session:
        return (await session.execute(select(func.count()).select_from(Complaint))).scalar_one()


async def test_filing_an_objection_during_gongshi(chat, county, issue, storage):
    me = await bound_worker(chat, county, issue)
    assert "提出申辩" in me.buttons()
    await me.click("提出申辩")
    await me.click("考核等次")
    await me.send("太短了")
    assert "10 至 2000" in me.last
    await me.send(REASON)
    await me.click("继续")
    assert REASON in me.last and "考核等次" in me.last
    await me.click("提交申辩")
    code = TICKET.search(me.last).group(1)
    assert "就业局" in me.last

    async with storage.sessions() as session:
        complaint = (
            await session.execute(select(Complaint).where(Complaint.ticket_code == code))
        ).scalar_one()
        case = (
            await session.execute(select(Case).where(Case.complaint_id == complaint.id))
        ).scalar_one()
        cycle = (await session.execute(select(Cycle).where(Cycle.year == 2026))).scalar_one()
        actions = (
            await session.execute(select(CaseEvent.action).where(CaseEvent.case_id == case.id))
        ).scalars()
        chats = set(
            (
                await session.execute(
                    select(Outbox.chat_id).where(Outbox.dedup_key.like(f"case:{case.id}:%"))
                )
            ).scalars()
        )
        alert = (
            await session.execute(select(Outbox.payload).where(Outbox.chat_id == BUREAU))
        ).scalar_one()
    assert complaint.kind == "objection"
    assert complaint.worker_id == county.people["fail"].worker_id
    assert complaint.unit_id == county.units[UNIT_A]
    assert complaint.cycle_id == cycle.id
    assert complaint.anonymous is False
    assert (case.route, case.severity, case.state) == ("bureau", "medium", "submitted")
    assert list(actions) == ["submitted"]
    assert chats == {BUREAU}  # the bureau desk only, not the unit's contacts
    assert "申辩" in alert["text"] and REASON in alert["text"]

    await me.send(f"/status {code}")
    assert "No complaint" not in me.last and "没有" not in me.last
    assert "就业局" in me.last

    # The worker's own view still says nothing about cases.
    await me.press("wkme:show")
    assert code not in me.last and "投诉" not in me.last


async def test_a_second_objection_is_told_the_first_code(chat, county, issue, storage):
    me = await bound_worker(chat, county, issue)
    code = await file_objection(me)
    await me.press("wkme:show")
    await me.click("提出申辩")
    assert code in me.last
    assert await complaints(storage) == 1


async def test_absent_outside_gongshi_and_a_forged_press_refused(chat, county, issue, storage):
    async with storage.sessions() as session, session.begin():
        cycle = (await session.execute(select(Cycle).where(Cycle.year == 2026))).scalar_one()
        cycle.state = "closed"
    me = await bound_worker(chat, county, issue)
    assert "提出申辩" not in me.buttons()
    await me.press("wkob:start")
    assert "只有在公示期间" in (me.answers[-1] or "")
    await me.press("wkob:send")
    assert await complaints(storage) == 0


async def test_closed_while_confirming_is_refused(chat, county, issue, storage):
    me = await bound_worker(chat, county, issue)
    await me.click("提出申辩")
    await me.click("考核等次")
    await me.send(REASON)
    await me.click("继续")
    async with storage.sessions() as session, session.begin():
        cycle = (await session.execute(select(Cycle).where(Cycle.year == 2026))).scalar_one()
        cycle.state = "closed"
    await me.click("提交申辩")
    assert "只有在公示期间" in (me.answers[-1] or "")
    assert await complaints(storage) == 0


async def test_a_citizen_pressing_the_button_is_refused(chat, county, storage):
    citizen = chat(6301)
    await citizen.send("/start")
    await citizen.press("wkob:start")
    assert citizen.answers[-1]
    await citizen.press("wkob:send")
    assert await complaints(storage) == 0
