"""Merges in a chain (并单 twice): the first case is merged into a second, which is later merged
into a third. When the third closes, the complainant of the first is treated as the second's
is: told once with their own code, may rate, may ask for 复查 then 复核 on the clocks of the
third's written reply, answered to them alone; /status follows the chain to the third case;
their chat is kept as long as the second's. A chain never loops. On SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from case_helpers import (
    BUREAU,
    CALENDAR,
    CITIZEN,
    UNIT_A_CONTACT,
    actor,
    file_case,
    get_case,
    outbox_to,
    step,
)
from sqlalchemy import select

from services import appeals
from services import cases as store
from services.case_steps import CaseRefused
from services.figures import figures_report
from storage import merged
from storage.case_status import status_by_code
from storage.models import Case, Complaint
from storage.purge import retire_delivered

ZONE = ZoneInfo("Asia/Shanghai")
MIDDLE = 8302  # whose case was merged into the last one
FIRST = 8303  # whose case was merged into the middle one, before that one was merged
DESK = actor(BUREAU, "bureau")


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=ZONE)


@dataclass(frozen=True)
class Chain:
    last: int  # the case where the work was done (CITIZEN's)
    middle: int  # merged into ``last`` (MIDDLE's)
    first: int  # merged into ``middle`` before that (FIRST's)


async def chained(storage, county, *, close: bool = True) -> Chain:
    """Three complaints about the same lateness (the first filed as 其他, so that two, not three,
    make it no serious case): the first is merged into the second on Mon
    2 Nov 2026 at noon, the second into the third an hour later; the unit concludes the
    third and closes it (the written reply) on Wed 4 Nov."""
    unit_a = county.units["01号单位"]

    async def filed(hour: int, user_id: int, category: str = "conduct") -> int:
        return await file_case(
            storage,
            unit_id=unit_a,
            worker_id=None,
            category=category,
            now=at(11, 2, hour),
            user_id=user_id,
        )

    last, middle, first = (
        await filed(9, CITIZEN),
        await filed(10, MIDDLE),
        await filed(11, FIRST, "other"),
    )
    await step(storage, store.merge, case_id=first, actor=DESK, now=at(11, 2, 12), into=middle)
    await step(storage, store.merge, case_id=middle, actor=DESK, now=at(11, 2, 13), into=last)
    if close:
        unit = actor(UNIT_A_CONTACT, "unit", unit_id=unit_a)
        await step(
            storage, store.accept, case_id=last, actor=unit, now=at(11, 3), calendar=CALENDAR
        )
        await step(
            storage,
            store.record_finding,
            case_id=last,
            actor=unit,
            now=at(11, 4),
            finding="不属实",
            opinion="经核查，该人员按时在岗。",
            calendar=CALENDAR,
        )
        await step(storage, store.close, case_id=last, actor=unit, now=at(11, 4, 15))
    return Chain(last, middle, first)


async def code_of(storage, case_id: int) -> str:
    async with storage.sessions() as session:
        found = await session.execute(
            select(Complaint.ticket_code)
            .join(Case, Case.complaint_id == Complaint.id)
            .where(Case.id == case_id)
        )
        return found.scalar_one()


async def test_the_first_complainant_is_told_once_and_rates(any_storage, any_county):
    storage = any_storage
    chain = await chained(storage, any_county)
    codes = {
        user: await code_of(storage, case)
        for user, case in zip(
            (CITIZEN, MIDDLE, FIRST), (chain.last, chain.middle, chain.first), strict=True
        )
    }
    for user, case in ((MIDDLE, chain.middle), (FIRST, chain.first)):
        [closing] = [r for r in await outbox_to(storage, user) if "已办结" in r.payload["text"]]
        # Their own code only, never the others'.
        assert [c for c in codes.values() if c in closing.payload["text"]] == [codes[user]]
        data = [b["data"] for row in closing.payload["buttons"] for b in row]
        assert data == [*(f"rt:{case}:{n}" for n in range(1, 6)), f"ap:req:{case}"]

    # The centre's figures count all three as closed, none rated yet (回访率).
    async with storage.sessions() as session:
        report = await figures_report(
            session=session, first=date(2026, 11, 1), last=date(2026, 11, 30), now=at(11, 5)
        )
    assert (report.total.followed_up.done, report.total.followed_up.of) == (0, 3)
    # Only the first complainant may press their buttons; their low rating reopens the last.
    with pytest.raises(CaseRefused):
        await step(
            storage, store.rate, case_id=chain.first, user_id=MIDDLE, now=at(11, 5), rating=5
        )
    await step(storage, store.rate, case_id=chain.first, user_id=FIRST, now=at(11, 5), rating=2)
    assert (await get_case(storage, chain.first)).rating == 2
    assert (await get_case(storage, chain.last)).state == "review"


async def test_the_first_complainant_hears_the_desks_replies(any_storage, any_county):
    storage = any_storage
    chain = await chained(storage, any_county, close=False)
    await step(
        storage, store.reply, case_id=chain.last, actor=DESK, now=at(11, 3), text="已调取考勤记录。"
    )
    for user in (MIDDLE, FIRST):
        told = [r for r in await outbox_to(storage, user) if "已调取考勤记录" in r.payload["text"]]
        assert len(told) == 1


async def ask(storage, case_id, now, user_id=FIRST):
    return await step(
        storage,
        appeals.request_appeal,
        case_id=case_id,
        user_id=user_id,
        now=now,
        reasons="该人员仍然经常迟到。",
        calendar=CALENDAR,
    )


async def answer(storage, appeal, now, role="bureau", user_id=BUREAU):
    await step(
        storage,
        appeals.answer_appeal,
        appeal_id=appeal.id,
        actor=actor(user_id, role),
        now=now,
        outcome="upheld",
        answer="维持原处理意见。",
        calendar=CALENDAR,
    )


async def test_the_first_complainant_appeals_the_last_cases_reply(any_storage, any_county):
    storage = any_storage
    chain = await chained(storage, any_county)
    with pytest.raises(CaseRefused) as late:
        await ask(storage, chain.first, at(12, 5))  # the 31st day after the written reply
    assert late.value.reason == "late"
    with pytest.raises(CaseRefused) as theirs:
        await ask(storage, chain.first, at(12, 4, 20), user_id=MIDDLE)
    assert theirs.value.reason == "scope"

    review = await ask(storage, chain.first, at(12, 4, 20))
    assert (review.case_id, review.level, review.reviewer_role) == (chain.first, "review", "bureau")
    # The desk is told which case's handling opinion is appealed: the last one's.
    [alert] = [r for r in await outbox_to(storage, BUREAU) if "仍然经常迟到" in r.payload["text"]]
    assert f"#{chain.last}" in alert.payload["text"]
    await answer(storage, review, at(12, 10))
    [told] = [r for r in await outbox_to(storage, FIRST) if "的复查已答复" in r.payload["text"]]
    assert await code_of(storage, chain.first) in told.payload["text"]
    assert not [r for r in await outbox_to(storage, MIDDLE) if "复查" in r.payload["text"]]
    recheck = await ask(storage, chain.first, at(12, 20))
    assert (recheck.level, recheck.reviewer_role) == ("recheck", "investigator")

    # /status follows the chain to the last case, with the first complainant's appeals only.
    async with storage.sessions() as session:
        mine = await status_by_code(session, await code_of(storage, chain.first))
    assert mine is not None
    assert (mine.case.id, mine.case.state, mine.own.id) == (chain.last, "closed", chain.first)
    appealed = [e for e in mine.history if e.action.startswith("appeal")]
    assert [e.action for e in appealed] == ["appeal", "appeal_answered", "appeal"]
    assert {e.case_id for e in appealed} == {chain.first}


async def test_the_first_complainants_chat_is_kept_as_the_middles(any_storage, any_county):
    storage = any_storage
    chain = await chained(storage, any_county)

    async def chats() -> dict[int, int | None]:
        async with storage.sessions() as session:
            found = await session.execute(
                select(Case.id, Complaint.submitted_by)
                .join(Case, Case.complaint_id == Complaint.id)
                .where(Case.id.in_([chain.middle, chain.first]))
            )
            return dict(found.all())

    async def retire(now: datetime) -> None:
        async with storage.sessions() as session, session.begin():
            await retire_delivered(session=session, now=now, outbox_days=30)

    # Past 30 days from both merges, not 39 from the last case's closing: both kept.
    await retire(at(11, 4, 15) + timedelta(days=35))
    assert await chats() == {chain.middle: MIDDLE, chain.first: FIRST}
    await retire(at(11, 4, 15) + timedelta(days=40))
    assert await chats() == {chain.middle: None, chain.first: None}


async def test_a_merge_chain_never_loops(any_storage, any_county):
    storage = any_storage
    chain = await chained(storage, any_county, close=False)
    # Neither case merged on the way may take the last one (or each other) in.
    for case, into in (
        (chain.last, chain.first),
        (chain.last, chain.middle),
        (chain.middle, chain.first),
    ):
        with pytest.raises(CaseRefused):
            await step(storage, store.merge, case_id=case, actor=DESK, now=at(11, 3), into=into)
    assert (await get_case(storage, chain.last)).merged_into_id is None


async def test_a_chain_longer_than_allowed_is_refused(any_storage, any_county, monkeypatch):
    storage = any_storage
    monkeypatch.setattr(merged, "MAX_CHAIN", 2)
    chain = await chained(storage, any_county, close=False)
    unit_a = any_county.units["01号单位"]
    fourth = await file_case(
        storage, unit_id=unit_a, worker_id=None, category="other", now=at(11, 3), user_id=8304
    )
    with pytest.raises(CaseRefused) as refused:
        await step(storage, store.merge, case_id=chain.last, actor=DESK, now=at(11, 3), into=fourth)
    assert refused.value.reason == "chain"
    assert (await get_case(storage, chain.last)).state == "submitted"


async def test_the_first_complainant_follows_rates_and_asks_in_chat(chat, storage, county, clock):
    chain = await chained(storage, county)
    first_code = await code_of(storage, chain.first)
    others = [await code_of(storage, case) for case in (chain.last, chain.middle)]
    clock.set(at(11, 20))
    first = chat(FIRST)
    # /status shows where the work was done, closed, and nothing of the other complainants.
    await first.send(f"/status {first_code}")
    assert "已办结" in first.last
    assert not [code for code in others if code in first.last]
    assert "不服处理意见：申请复查（截至2026年12月4日）" in first.buttons()
    # Their rating is theirs: someone else's press is refused.
    await chat(MIDDLE).press(f"rt:{chain.first}:5")
    assert (await get_case(storage, chain.first)).rating is None
    await first.press(f"rt:{chain.first}:4")
    assert "4 分" in first.last
    await first.click("跳过")
    assert (await get_case(storage, chain.first)).rating == 4

    await first.send(f"/status {first_code}")
    await first.click("不服处理意见：申请复查（截至2026年12月4日）")
    assert "请输入理由" in first.last and "县就业局" in first.last
    await first.send("我每天都看见该人员迟到，请求复查。")
    assert "复查申请已提交" in first.last

    desk = chat(BUREAU)
    [alert] = [r for r in await outbox_to(storage, BUREAU) if "每天都看见" in r.payload["text"]]
    await desk.press(alert.payload["buttons"][0][0]["data"])
    await desk.click("维持原处理意见")
    await desk.send("经复查，考勤记录与监控一致，原处理意见予以维持。")
    assert desk.last == "答复已记录，正在发送给申请人。"
    # Answered to them alone, with the way to 复核.
    [answered] = [r for r in await outbox_to(storage, FIRST) if "的复查已答复" in r.payload["text"]]
    assert first_code in answered.payload["text"]
    assert answered.payload["buttons"][0][0]["data"] == f"ap:req:{chain.first}"
    for user in (CITIZEN, MIDDLE):
        assert not [r for r in await outbox_to(storage, user) if "复查" in r.payload["text"]]
    await first.send(f"/status {first_code}")
    assert any(b.startswith("不服处理意见：申请复核") for b in first.buttons())


async def test_the_desk_is_told_why_a_chain_is_not_merged_further(
    chat, storage, county, monkeypatch
):
    monkeypatch.setattr(merged, "MAX_CHAIN", 2)
    chain = await chained(storage, county, close=False)
    fourth = await file_case(
        storage,
        unit_id=county.units["01号单位"],
        worker_id=None,
        category="other",
        now=at(11, 3),
        user_id=8304,
    )
    desk = chat(BUREAU)
    await desk.press(f"cs:open:{chain.last}")
    await desk.click("并单")
    outcome = await desk.send(str(fourth))
    said = [reply.text for reply in outcome.replies]
    assert said[0] == "已有过多案件逐级并入本案，本案不能再并入其他案件。"
    assert "状态：已提交，等待受理" in desk.last
