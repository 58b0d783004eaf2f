"""Appeals (复查, then 复核) on SQLite and PostgreSQL, walked with an injected clock: the
complainant asks within 30 days of the written reply, the office above answers within 30 days
(a period ending on a rest day runs to the next working day), the sweep warns and escalates an
overdue answer once, the answer is a document, and after the 复核 nothing more is taken."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from case_helpers import (
    BUREAU,
    CALENDAR,
    CITIZEN,
    INVESTIGATORS,
    UNIT_A_CONTACT,
    actor,
    event_seqs,
    file_case,
    outbox_to,
    step,
)
from sqlalchemy import select

from domain.clock import FixedClock
from notices.case_clocks import sweep_case_clocks
from services import appeals
from services import cases as store
from services.case_steps import CaseRefused
from services.figures import figures_report
from storage.models import CaseAppeal, CaseDocument, Complaint
from storage.purge import retire_delivered

ZONE = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=ZONE)


async def closed_minor_case(storage, county) -> int:
    """A minor case the unit concludes; closed (the written reply) on Wed 4 Nov 2026."""
    unit_a = county.units["01号单位"]
    case_id = await file_case(
        storage, unit_id=unit_a, worker_id=None, category="conduct", now=at(11, 2)
    )
    unit = actor(UNIT_A_CONTACT, "unit", unit_id=unit_a)
    await step(storage, store.accept, case_id=case_id, actor=unit, now=at(11, 3), calendar=CALENDAR)
    await step(
        storage,
        store.record_finding,
        case_id=case_id,
        actor=unit,
        now=at(11, 4),
        finding="不属实",
        opinion="经核查，该人员按时在岗。",
        calendar=CALENDAR,
    )
    await step(storage, store.close, case_id=case_id, actor=unit, now=at(11, 4, 15))
    return case_id


async def ask(storage, case_id, now, reasons="考勤记录与实际不符，请求复查。", user_id=CITIZEN):
    return await step(
        storage,
        appeals.request_appeal,
        case_id=case_id,
        user_id=user_id,
        now=now,
        reasons=reasons,
        calendar=CALENDAR,
    )


async def refused(storage, case_id, now, **kw) -> str:
    with pytest.raises(CaseRefused) as raised:
        await ask(storage, case_id, now, **kw)
    return raised.value.reason


async def test_review_then_recheck_on_their_clocks(any_storage, any_county):
    storage = any_storage
    case_id = await closed_minor_case(storage, any_county)
    assert await refused(storage, case_id, at(11, 10), user_id=UNIT_A_CONTACT) == "scope"
    assert await refused(storage, case_id, at(11, 10), reasons="   ") == "input"

    # 复查 on Fri 20 Nov: answered by the bureau (the unit's office above) within 30 days:
    # Sun 20 Dec, a rest day, so Mon 21 Dec.
    review = await ask(storage, case_id, at(11, 20))
    assert (review.level, review.reviewer_role, str(review.answer_due)) == (
        "review",
        "bureau",
        "2026-12-21",
    )
    [alert] = [r for r in await outbox_to(storage, BUREAU) if "复查" in r.payload["text"]]
    assert "考勤记录与实际不符" in alert.payload["text"]
    assert alert.payload["buttons"][0][0]["data"] == f"ap:ans:{review.id}"
    assert await refused(storage, case_id, at(11, 21)) == "pending"

    # The sweep: Fri 18 Dec is the working day before: the desk is warned; Tue 22 Dec it is
    # overdue and escalated once, however often the sweep runs.
    clock = FixedClock(at(12, 18))
    before = len(await outbox_to(storage, BUREAU))
    report = await sweep_case_clocks(sessions=storage.sessions, clock=clock, calendar=CALENDAR)
    assert report.warned == 1
    texts = [r.payload["text"] for r in (await outbox_to(storage, BUREAU))[before:]]
    assert texts == [f"⏰ 案件 #{case_id} 的复查须于2026年12月21日（周一）前答复。"]
    clock.set(at(12, 22))
    assert (
        await sweep_case_clocks(sessions=storage.sessions, clock=clock, calendar=CALENDAR)
    ).escalated == 1
    clock.set(at(12, 23))
    assert (
        await sweep_case_clocks(sessions=storage.sessions, clock=clock, calendar=CALENDAR)
    ).escalated == 0
    assert "supervise" in [a for _, a in await event_seqs(storage, case_id)]

    # Only the office the table names answers; the 人社局 is refused here.
    with pytest.raises(CaseRefused):
        await step(
            storage,
            appeals.answer_appeal,
            appeal_id=review.id,
            actor=actor(INVESTIGATORS[0], "investigator"),
            now=at(12, 23),
            outcome="upheld",
            answer="维持。",
            calendar=CALENDAR,
        )
    await step(
        storage,
        appeals.answer_appeal,
        appeal_id=review.id,
        actor=actor(BUREAU, "bureau"),
        now=at(12, 23),
        outcome="upheld",
        answer="经复查，原处理意见认定事实清楚，予以维持。",
        calendar=CALENDAR,
    )
    [told] = [r for r in await outbox_to(storage, CITIZEN) if "的复查已答复" in r.payload["text"]]
    assert "维持原处理意见" in told.payload["text"]
    # 复核 may be asked within 30 days of this answer: by Fri 22 Jan 2027.
    assert "2027年1月22日" in told.payload["text"]
    assert told.payload["buttons"][0][0]["data"] == f"ap:req:{case_id}"
    async with storage.sessions() as session:
        kinds = (await session.execute(select(CaseDocument.kind))).scalars().all()
    assert "review" in kinds

    # 复核, answered by the 人社局; then nothing more.
    recheck = await ask(storage, case_id, at(12, 28), reasons="复查未调取监控，仍不服。")
    assert (recheck.level, recheck.reviewer_role) == ("recheck", "investigator")
    await step(
        storage,
        appeals.answer_appeal,
        appeal_id=recheck.id,
        actor=actor(INVESTIGATORS[1], "investigator"),
        now=at(12, 30),
        outcome="changed",
        answer="经复核，责成单位补充调查。",
        calendar=CALENDAR,
    )
    assert await refused(storage, case_id, at(12, 31)) == "final"
    async with storage.sessions() as session:
        rows = (await session.execute(select(CaseAppeal.level, CaseAppeal.outcome))).all()
    assert sorted(rows) == [("recheck", "changed"), ("review", "upheld")]
    # The figures count them with their outcomes.
    async with storage.sessions() as session:
        report = await figures_report(
            session=session, first=date(2026, 11, 1), last=date(2026, 11, 30), now=at(12, 31)
        )
    assert report.total.appeals == {"复查": 1, "复查:维持": 1, "复核": 1, "复核:变更": 1}


async def test_too_late_is_refused(any_storage, any_county):
    case_id = await closed_minor_case(any_storage, any_county)
    # Closed Wed 4 Nov: 30 days is Fri 4 Dec, a working day; the 5th is too late.
    assert await ask(any_storage, case_id, at(12, 4, 20))
    other = await closed_minor_case(any_storage, any_county)
    assert await refused(any_storage, other, at(12, 5)) == "late"


async def test_in_chat_the_complainant_asks_and_the_desk_answers(chat, storage, county, clock):
    case_id = await closed_minor_case(storage, county)
    closing = [r for r in await outbox_to(storage, CITIZEN) if "已办结" in r.payload["text"]][-1]
    labels = [b["text"] for row in closing.payload["buttons"] for b in row]
    assert "不服处理意见：申请复查" in labels

    clock.set(at(11, 20))
    citizen = chat(CITIZEN)
    async with storage.sessions() as session:
        code = (await session.execute(select(Complaint.ticket_code))).scalar_one()
    await citizen.send(f"/status {code}")
    assert "不服处理意见：申请复查（截至2026年12月4日）" in citizen.buttons()
    await citizen.click("不服处理意见：申请复查（截至2026年12月4日）")
    assert "请输入理由" in citizen.last and "县就业局" in citizen.last
    await citizen.send("考勤表有涂改，请求复查。")
    assert "复查申请已提交" in citizen.last and "2026年12月21日（周一）" in citizen.last

    stranger = chat(UNIT_A_CONTACT)
    await stranger.press(f"ap:req:{case_id}")
    assert stranger.answers[-1] == "只有本案投诉人可以提出该申请。"

    desk = chat(BUREAU)
    # The card of the closed case offers the answer too, to the office that answers it only.
    await desk.press(f"cs:open:{case_id}")
    assert "答复复查（期限2026年12月21日）" in desk.buttons()
    unit = chat(UNIT_A_CONTACT)
    await unit.press(f"cs:open:{case_id}")
    assert not any(b.startswith("答复") for b in unit.buttons())
    [alert] = [r for r in await outbox_to(storage, BUREAU) if "申请复查" in r.payload["text"]]
    await desk.press(alert.payload["buttons"][0][0]["data"])
    assert "考勤表有涂改" in desk.last
    await desk.click("维持原处理意见")
    await desk.send("经复查，考勤表涂改系更正笔误，原处理意见予以维持。")
    assert desk.last == "答复已记录，正在发送给申请人。"
    [answer] = [r for r in await outbox_to(storage, CITIZEN) if "的复查已答复" in r.payload["text"]]
    assert answer.method == "sendDocument"
    await citizen.send(f"/status {code}")
    assert any(b.startswith("不服处理意见：申请复核") for b in citizen.buttons())
    assert "复查/复核已答复" in citizen.last


async def test_the_chat_is_kept_while_the_complainant_may_appeal(any_storage, any_county):
    storage = any_storage
    case_id = await closed_minor_case(storage, any_county)
    review = await ask(storage, case_id, at(11, 20))

    async def chat_of_case() -> int | None:
        async with storage.sessions() as session:
            return (await session.execute(select(Complaint.submitted_by))).scalar_one()

    async def retire(now: datetime) -> None:
        async with storage.sessions() as session, session.begin():
            await retire_delivered(session=session, now=now, outbox_days=30)

    await retire(at(12, 30))  # 56 days after the closing, the 复查 still unanswered
    assert await chat_of_case() == CITIZEN
    await step(
        storage,
        appeals.answer_appeal,
        appeal_id=review.id,
        actor=actor(BUREAU, "bureau"),
        now=at(12, 30),
        outcome="upheld",
        answer="维持原处理意见。",
        calendar=CALENDAR,
    )
    await retire(at(12, 31))  # answered: the 复核 may be asked from the same chat
    assert await chat_of_case() == CITIZEN
    await retire(at(12, 30) + timedelta(days=40))
    assert await chat_of_case() is None
