"""A complainant whose case was merged into another (并单) is told of that case's written reply
and may ask for 复查, then 复核, on its clocks, as its own complainant may: each complainant's
appeals are their own, answered to them alone, and neither learns of the other."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from case_helpers import (
    BUREAU,
    CALENDAR,
    CITIZEN,
    UNIT_A_CONTACT,
    actor,
    file_case,
    outbox_to,
    step,
)
from sqlalchemy import select

from services import appeals
from services import cases as store
from services.case_steps import CaseRefused
from storage.case_status import status_by_code
from storage.models import Case, Complaint
from storage.purge import retire_delivered

ZONE = ZoneInfo("Asia/Shanghai")
OTHER = 8302  # the complainant whose case joined the other


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=ZONE)


async def merged_then_closed(storage, county) -> tuple[int, int]:
    """Two complaints about the same lateness; the second is merged into the first, which the
    unit concludes and closes (the written reply) on Wed 4 Nov 2026."""
    unit_a = county.units["01号单位"]
    kept = await file_case(
        storage, unit_id=unit_a, worker_id=None, category="conduct", now=at(11, 2)
    )
    joined = await file_case(
        storage,
        unit_id=unit_a,
        worker_id=None,
        category="conduct",
        now=at(11, 2, 11),
        user_id=OTHER,
    )
    desk = actor(BUREAU, "bureau")
    await step(storage, store.merge, case_id=joined, actor=desk, now=at(11, 2, 12), into=kept)
    unit = actor(UNIT_A_CONTACT, "unit", unit_id=unit_a)
    await step(storage, store.accept, case_id=kept, actor=unit, now=at(11, 3), calendar=CALENDAR)
    await step(
        storage,
        store.record_finding,
        case_id=kept,
        actor=unit,
        now=at(11, 4),
        finding="不属实",
        opinion="经核查，该人员按时在岗。",
        calendar=CALENDAR,
    )
    await step(storage, store.close, case_id=kept, actor=unit, now=at(11, 4, 15))
    return kept, joined


async def code_of(storage, case_id: int) -> str:
    async with storage.sessions() as session:
        found = await session.execute(
            select(Complaint.ticket_code)
            .join(Case, Case.complaint_id == Complaint.id)
            .where(Case.id == case_id)
        )
        return found.scalar_one()


async def test_the_merged_complainant_asks_for_review_in_chat(chat, storage, county, clock):
    kept, joined = await merged_then_closed(storage, county)
    kept_code, joined_code = await code_of(storage, kept), await code_of(storage, joined)
    # Told of the closing with their own code, the rating and the way to ask for 复查.
    [closing] = [r for r in await outbox_to(storage, OTHER) if "已办结" in r.payload["text"]]
    assert joined_code in closing.payload["text"] and kept_code not in closing.payload["text"]
    buttons = {b["text"]: b["data"] for row in closing.payload["buttons"] for b in row}
    assert buttons["不服处理意见：申请复查"] == f"ap:req:{joined}"

    clock.set(at(11, 20))
    other = chat(OTHER)
    await other.send(f"/status {joined_code}")
    assert "不服处理意见：申请复查（截至2026年12月4日）" in other.buttons()
    # Each asks only on their own case.
    citizen = chat(CITIZEN)
    await citizen.press(f"ap:req:{joined}")
    assert citizen.answers[-1] == "只有本案投诉人可以提出该申请。"
    await other.press(f"ap:req:{kept}")
    assert other.answers[-1] == "只有本案投诉人可以提出该申请。"

    await other.send(f"/status {joined_code}")
    await other.click("不服处理意见：申请复查（截至2026年12月4日）")
    assert "请输入理由" in other.last and "县就业局" in other.last
    await other.send("我每天都看见该人员迟到，请求复查。")
    assert "复查申请已提交" in other.last and "2026年12月21日（周一）" in other.last

    desk = chat(BUREAU)
    [alert] = [r for r in await outbox_to(storage, BUREAU) if "每天都看见" in r.payload["text"]]
    await desk.press(alert.payload["buttons"][0][0]["data"])
    assert "每天都看见" in desk.last
    await desk.click("维持原处理意见")
    await desk.send("经复查，考勤记录与监控一致，原处理意见予以维持。")
    assert desk.last == "答复已记录，正在发送给申请人。"

    # The answer goes to the one who asked, with the way to 复核; not to the other complainant.
    [answer] = [r for r in await outbox_to(storage, OTHER) if "的复查已答复" in r.payload["text"]]
    assert joined_code in answer.payload["text"] and answer.method == "sendDocument"
    assert answer.payload["buttons"][0][0]["data"] == f"ap:req:{joined}"
    assert not [r for r in await outbox_to(storage, CITIZEN) if "复查" in r.payload["text"]]
    await other.send(f"/status {joined_code}")
    assert "复查/复核已答复" in other.last
    assert any(b.startswith("不服处理意见：申请复核") for b in other.buttons())
    # The first complainant's own 复查 is untouched by it, and their status does not show it.
    await citizen.send(f"/status {kept_code}")
    assert "不服处理意见：申请复查（截至2026年12月4日）" in citizen.buttons()
    assert "复查" not in citizen.last


async def ask(storage, case_id, now, user_id=OTHER, reasons="该人员仍然经常迟到。"):
    return await step(
        storage,
        appeals.request_appeal,
        case_id=case_id,
        user_id=user_id,
        now=now,
        reasons=reasons,
        calendar=CALENDAR,
    )


async def refused(storage, case_id, now) -> str:
    with pytest.raises(CaseRefused) as raised:
        await ask(storage, case_id, now)
    return raised.value.reason


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


async def test_review_then_recheck_then_nothing_more(any_storage, any_county):
    storage = any_storage
    kept, joined = await merged_then_closed(storage, any_county)
    review = await ask(storage, joined, at(12, 4, 20))  # the 30th day after the written reply
    assert (review.case_id, review.level, review.reviewer_role) == (joined, "review", "bureau")
    await answer(storage, review, at(12, 10))
    recheck = await ask(storage, joined, at(12, 20))
    assert (recheck.level, recheck.reviewer_role) == ("recheck", "investigator")
    await answer(storage, recheck, at(12, 28), role="investigator", user_id=8101)
    assert await refused(storage, joined, at(12, 29)) == "final"
    # The first complainant's own appeal is theirs to make still (on their own clock).
    assert (await ask(storage, kept, at(12, 4, 20), user_id=CITIZEN)).level == "review"
    # Each one's /status shows their own appeals only.
    async with storage.sessions() as session:
        mine = await status_by_code(session, await code_of(storage, joined))
        theirs = await status_by_code(session, await code_of(storage, kept))
    assert mine is not None and theirs is not None
    assert [e.action for e in mine.history if e.action.startswith("appeal")] == [
        "appeal",
        "appeal_answered",
        "appeal",
        "appeal_answered",
    ]
    assert all(e.case_id == joined for e in mine.history if e.action.startswith("appeal"))
    assert [e.action for e in theirs.history if e.action.startswith("appeal")] == ["appeal"]


async def test_too_late_and_the_chat_kept_while_they_may_ask(any_storage, any_county):
    storage = any_storage
    _kept, joined = await merged_then_closed(storage, any_county)
    assert await refused(storage, joined, at(12, 5)) == "late"

    async def chat_of_joined() -> int | None:
        async with storage.sessions() as session:
            found = await session.execute(
                select(Complaint.submitted_by)
                .join(Case, Case.complaint_id == Complaint.id)
                .where(Case.id == joined)
            )
            return found.scalar_one()

    async def retire(now: datetime) -> None:
        async with storage.sessions() as session, session.begin():
            await retire_delivered(session=session, now=now, outbox_days=30)

    await retire(at(11, 4, 15) + timedelta(days=35))  # past the outbox's 30 days, not the 39
    assert await chat_of_joined() == OTHER
    await retire(at(11, 4, 15) + timedelta(days=40))
    assert await chat_of_joined() is None
