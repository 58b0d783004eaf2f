"""The objection's use cases on SQLite and PostgreSQL: a corrected grade changes the result
and, while the 公示 runs, posts the corrected line to the channel, which the close withdraws
with the lists; after the close nothing is posted."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from domain.workdays import WorkCalendar
from messages.i18n import Translator
from services import objection_steps as steps
from services.case_export import case_table
from services.objections import file_objection
from services.publication import close_gongshi
from storage.case_export import case_rows
from storage.cases import Actor
from storage.models import ChannelPost, Cycle, Outbox, Result, Unit, Worker

NOW = datetime(2026, 12, 17, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CHANNEL = -1001234567890
BUREAU = Actor(user_id=7003, role="bureau")


async def county(session) -> tuple[int, int]:
    unit = Unit(name="城关镇人民政府", quota=5)
    cycle = Cycle(
        year=2026,
        state="open",
        gongshi_opens_on=date(2026, 12, 16),
        gongshi_closes_on=date(2026, 12, 22),
    )
    session.add_all([unit, cycle])
    await session.flush()
    worker = Worker(name="杨兰", id_hash="h1", id_last4="0001", unit_id=unit.id)
    other = Worker(name="安刚", id_hash="h2", id_last4="0002", unit_id=unit.id)
    session.add_all([worker, other])
    await session.flush()
    for person, grade in ((worker, "不合格"), (other, "合格")):
        session.add(
            Result(
                cycle_id=cycle.id,
                worker_id=person.id,
                unit_id=unit.id,
                post_title="环卫",
                grade=grade,
                renew=grade == "合格",
            )
        )
    await session.flush()
    return worker.id, cycle.id


async def decided_case(session, *, channel: int | None) -> int:
    worker_id, _ = await county(session)
    filed = await file_objection(
        session=session,
        worker_id=worker_id,
        user_id=6201,
        reason="考勤记录有误，请复核。",
        language="zh",
        now=NOW,
        calendar=WorkCalendar(),
        secret_key="k" * 40,
    )
    assert filed is not None
    case_id = filed.case.id
    await steps.accept(
        session=session, case_id=case_id, actor=BUREAU, now=NOW, calendar=WorkCalendar()
    )
    await steps.decide(
        session=session,
        case_id=case_id,
        actor=BUREAU,
        now=NOW,
        decision="regrade",
        reasons="考勤已核实。",
        to_grade="基本合格",
        channel_id=channel,
    )
    return case_id


async def test_a_correction_is_posted_and_withdrawn_at_the_close(any_storage):
    async with any_storage.sessions() as session, session.begin():
        await decided_case(session, channel=CHANNEL)
    async with any_storage.sessions() as session:
        result = (await session.execute(select(Result).where(Result.grade != "合格"))).scalar_one()
        posts = list((await session.execute(select(ChannelPost))).scalars())
        sent = (
            await session.execute(select(Outbox.payload).where(Outbox.chat_id == CHANNEL))
        ).scalar_one()
    assert (result.grade, result.renew) == ("基本合格", False)
    assert len(posts) == 1 and posts[0].page == 0
    # Numbered as in the unit's list (安刚 before 杨兰), the name masked.
    assert "更正公示" in sent["text"] and "2. 杨*｜环卫｜基本合格" in sent["text"]
    assert "杨兰" not in sent["text"] and sent["protect"] is True

    async with any_storage.sessions() as session, session.begin():
        await close_gongshi(session=session, year=2026, now=NOW, actor="test")
    async with any_storage.sessions() as session:
        post = (await session.execute(select(ChannelPost))).scalar_one()
    assert post.deleted_at is not None


async def test_no_post_without_a_channel_or_after_the_close(any_storage):
    async with any_storage.sessions() as session, session.begin():
        await decided_case(session, channel=None)
        assert (await session.execute(select(ChannelPost))).first() is None
        cycle = (await session.execute(select(Cycle))).scalar_one()
        cycle.state = "closed"
        # A second objection, decided after the close: the result changes, nothing is posted.
        other = (await session.execute(select(Worker).where(Worker.name == "安刚"))).scalar_one()
        cycle.state = "open"
        filed = await file_objection(
            session=session,
            worker_id=other.id,
            user_id=6202,
            reason="续签决定有误，请复核。",
            language="zh",
            now=NOW,
            calendar=WorkCalendar(),
            secret_key="k" * 40,
            subject="renewal",
        )
        cycle.state = "closed"
        await steps.accept(
            session=session, case_id=filed.case.id, actor=BUREAU, now=NOW, calendar=WorkCalendar()
        )
        await steps.decide(
            session=session,
            case_id=filed.case.id,
            actor=BUREAU,
            now=NOW,
            decision="renewal",
            reasons="核实后更正。",
            channel_id=CHANNEL,
        )
        assert (await session.execute(select(ChannelPost))).first() is None
        renewed = (
            await session.execute(select(Result.renew).where(Result.worker_id == other.id))
        ).scalar_one()
    assert renewed is False


async def test_the_case_export_lists_an_objection_as_one(any_storage):
    async with any_storage.sessions() as session, session.begin():
        case_id = await decided_case(session, channel=None)
        rows = await case_rows(session=session, cycle_id=None, today=NOW.date(), zone=NOW.tzinfo)
    header, *lines = case_table(rows, Translator("zh"))
    [line] = [r for r in lines if r[0] == f"#{case_id}"]
    assert line[header.index("问题类别")] == "申辩"
