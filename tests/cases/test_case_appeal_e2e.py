"""An appeal over real HTTP against the sandbox, on aiogram and on python-telegram-bot: the
complainant of a closed case asks for 复查 from /status with reasons, the desk answers from its
alert, and the complainant receives the 复查意见书 with the way to ask for 复核. The complainant
of a case merged into the closed one (并单) does the same from the closing notice."""

from __future__ import annotations

from case_helpers import BUREAU, CALENDAR, CITIZEN, UNIT_A_CONTACT, actor, file_case, step
from sqlalchemy import select
from test_case_e2e import WAIT, answer_shows, bot, outbox, runtime, said, say, token
from test_case_e2e import step as click_until

from services import cases as store
from storage.models import Complaint

__all__ = ["bot", "outbox", "runtime", "token"]  # the fixtures this module borrows


OTHER = 8302  # a second complainant, whose case is merged into the first


async def closed_case(storage, county, now, *, merged_from: int | None = None) -> str:
    """A closed minor case and its ticket code; with ``merged_from``, that complainant's case
    about the same matter was merged into it first."""
    unit_a = county.units["01号单位"]
    case_id = await file_case(storage, unit_id=unit_a, worker_id=None, category="conduct", now=now)
    if merged_from is not None:
        joined = await file_case(
            storage,
            unit_id=unit_a,
            worker_id=None,
            category="conduct",
            now=now,
            user_id=merged_from,
        )
        desk = actor(BUREAU, "bureau")
        await step(storage, store.merge, case_id=joined, actor=desk, now=now, into=case_id)
    unit = actor(UNIT_A_CONTACT, "unit", unit_id=unit_a)
    await step(storage, store.accept, case_id=case_id, actor=unit, now=now, calendar=CALENDAR)
    await step(
        storage,
        store.record_finding,
        case_id=case_id,
        actor=unit,
        now=now,
        finding="不属实",
        opinion="经核查，该人员按时在岗。",
        calendar=CALENDAR,
    )
    await step(storage, store.close, case_id=case_id, actor=unit, now=now)
    async with storage.sessions() as session:
        found = await session.execute(select(Complaint.ticket_code).order_by(Complaint.id))
        return found.scalars().first() or ""


def answered(messages) -> bool:
    return any(
        "复查已答复" in (m.get("text") or m.get("caption") or "") for m in messages if m["from_bot"]
    )


async def test_review_asked_and_answered_over_http(bot, outbox, client, storage, county, clock):
    citizen = await client.create_persona("路人甲", role="citizen", id=CITIZEN)
    desk = await client.create_persona("赵科长", role="bureau", id=BUREAU)
    for person in (citizen, desk):  # both have opened the bot before
        await client.send_command(person, "/start")
        await client.wait_for(person, 1, timeout=WAIT)
    code = await closed_case(storage, county, clock.now())
    await client.wait_until(citizen, lambda ms: any("已办结" in t for t in said(ms)), WAIT)

    before = await client.messages(citizen)
    await client.send_command(citizen, "/status", code)
    record, ticket = answer_shows(before, "办理记录"), answer_shows(before, code)
    await client.wait_until(citizen, lambda ms: record(ms) or ticket(ms), WAIT)
    await click_until(client, citizen, "不服处理意见：申请复查", "请输入理由")
    await say(client, citizen, "单位考勤记录有涂改，请求复查。", "复查申请已提交")

    await client.wait_until(desk, lambda ms: any("申请复查" in t for t in said(ms)), WAIT)
    await click_until(client, desk, "答复申请", "请选择答复意见")
    await click_until(client, desk, "维持原处理意见", "请输入答复内容")
    await say(client, desk, "经复查，涂改系更正笔误，维持原处理意见。", "答复已记录")

    told = await client.wait_until(citizen, answered, WAIT)
    [answer] = [m for m in told if "复查已答复" in (m.get("text") or m.get("caption") or "")]
    assert "申请复核" in str(answer.get("buttons"))


async def test_a_merged_complainant_asks_from_the_closing_notice(
    bot, outbox, client, storage, county, clock
):
    citizen = await client.create_persona("路人甲", role="citizen", id=CITIZEN)
    other = await client.create_persona("路人乙", role="citizen", id=OTHER)
    desk = await client.create_persona("赵科长", role="bureau", id=BUREAU)
    for person in (citizen, other, desk):
        await client.send_command(person, "/start")
        await client.wait_for(person, 1, timeout=WAIT)
    await closed_case(storage, county, clock.now(), merged_from=OTHER)
    await client.wait_until(other, lambda ms: any("已办结" in t for t in said(ms)), WAIT)

    await click_until(client, other, "不服处理意见：申请复查", "请输入理由")
    await say(client, other, "该人员仍然经常迟到，请求复查。", "复查申请已提交")
    await client.wait_until(desk, lambda ms: any("已并入案件" in t for t in said(ms)), WAIT)
    await click_until(client, desk, "答复申请", "请选择答复意见")
    await click_until(client, desk, "维持原处理意见", "请输入答复内容")
    await say(client, desk, "经复查，考勤与监控一致，维持原处理意见。", "答复已记录")

    told = await client.wait_until(other, answered, WAIT)
    [answer] = [m for m in told if "复查已答复" in (m.get("text") or m.get("caption") or "")]
    assert "申请复核" in str(answer.get("buttons"))
    # The first complainant hears of neither the request nor the answer.
    assert not answered(await client.messages(citizen))
