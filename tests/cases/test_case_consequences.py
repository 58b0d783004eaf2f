"""The handling opinion decides the consequences (county plan 六, 七(五)): a serious case's
finding flows back only as the consequences the investigator chose, to the worker's result,
the subsidy export, the unit's quota and the unit's task; a fraud finding names the person
responsible and the sanction. On SQLite and PostgreSQL, and in chat in the officials' words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from case_county import build_county
from case_helpers import (
    BUREAU,
    CALENDAR,
    CITIZEN,
    INVESTIGATORS,
    UNIT_A_CONTACT,
    actor,
    audits,
    count,
    file_case,
    get_case,
    outbox_to,
)
from pdftext import pdf_text
from sqlalchemy import select

from domain.subsidy import REASON_RENEWAL_BLOCKED, REASON_STOPPED_BY_CASE, SubsidyStatus
from messages.replies import FileReply
from services import cases as store
from storage.models import CaseEvent, Cycle, Result, Unit, UnitTask
from storage.models.cases import CaseDocument
from storage.subsidy import subsidy_rows

NOW = datetime(2026, 12, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LATE = "偶有迟到，批评教育"


@pytest.fixture
async def county_anywhere(any_storage):
    return await build_county(any_storage)


async def lateness_case(storage, county) -> int:
    """Three citizens complain of 张小三's lateness: the third makes the cases serious."""
    cases = [
        await file_case(
            storage,
            unit_id=county.units["01号单位"],
            worker_id=county.workers["张小三"],
            category="conduct",
            now=NOW,
            user_id=CITIZEN + n,
        )
        for n in range(3)
    ]
    case = await get_case(storage, cases[0])
    assert (case.severity, case.route) == ("serious", "investigators")
    investigator = actor(INVESTIGATORS[0], "investigator")
    async with storage.sessions() as session, session.begin():
        await store.accept(
            session=session, case_id=case.id, actor=investigator, now=NOW, calendar=CALENDAR
        )
        await store.assign(
            session=session,
            case_id=case.id,
            actor=investigator,
            now=NOW,
            investigator=INVESTIGATORS[0],
        )
    return cases[0]


async def accept(storage, case_id: int) -> None:
    async with storage.sessions() as session, session.begin():
        await store.accept(
            session=session,
            case_id=case_id,
            actor=actor(INVESTIGATORS[0], "investigator"),
            now=NOW,
            calendar=CALENDAR,
        )


async def conclude(storage, case_id: int, *, finding: str = "属实", opinion: str = LATE, **kw):
    async with storage.sessions() as session, session.begin():
        await store.record_finding(
            session=session,
            case_id=case_id,
            actor=actor(INVESTIGATORS[0], "investigator"),
            now=NOW,
            finding=finding,
            opinion=opinion,
            calendar=CALENDAR,
            **kw,
        )


async def state_of(storage, county, name: str):
    """The worker's result, their row of the subsidy export, and the unit's quota cut."""
    async with storage.sessions() as session:
        result = (
            await session.execute(select(Result).where(Result.worker_id == county.workers[name]))
        ).scalar_one()
        cycle = await session.get(Cycle, county.cycle_id)
        [row] = [r for r in await subsidy_rows(session, cycle) if r.name == name]
        unit = await session.get(Unit, result.unit_id)
    return result, row, unit.quota_cut


async def test_lateness_handled_with_criticism_blocks_nothing(any_storage, county_anywhere):
    storage, county = any_storage, county_anywhere
    case_id = await lateness_case(storage, county)
    await conclude(storage, case_id, consequences=["criticise"])

    result, row, cut = await state_of(storage, county, "张小三")
    assert (result.renewal_blocked, result.subsidy_stopped, cut) == (False, False, 0)
    assert (row.renewed, row.subsidy) == (True, SubsidyStatus.CONTINUE)
    # The unit carries out the criticism: its task and its alert say so.
    async with storage.sessions() as session:
        task = (
            await session.execute(select(UnitTask).where(UnitTask.case_id == case_id))
        ).scalar_one()
        [event] = (
            await session.execute(
                select(CaseEvent).where(
                    CaseEvent.case_id == case_id, CaseEvent.action == "record_finding"
                )
            )
        ).scalars()
    assert task.note.startswith("批评教育") and LATE in task.note
    assert any("批评教育" in r.payload["text"] for r in await outbox_to(storage, UNIT_A_CONTACT))
    assert event.detail["consequences"] == ["criticise"]
    assert (await get_case(storage, case_id)).consequences == ["criticise"]


async def test_only_a_refused_renewal_blocks_the_renewal(any_storage, county_anywhere):
    storage, county = any_storage, county_anywhere
    case_id = await lateness_case(storage, county)
    await conclude(storage, case_id, opinion="屡教不改，不予续签。", consequences=["no_renewal"])

    result, row, cut = await state_of(storage, county, "张小三")
    assert (result.renewal_blocked, result.subsidy_stopped, cut) == (True, False, 0)
    assert (row.renewed, row.subsidy, row.reason) == (
        False,
        SubsidyStatus.END,
        REASON_RENEWAL_BLOCKED,
    )
    # Nothing for the unit to carry out: no task.
    assert await count(storage, UnitTask, UnitTask.case_id == case_id) == 0


async def test_stopped_subsidies_and_the_quota_cut_reach_the_export(any_storage, county_anywhere):
    storage, county = any_storage, county_anywhere
    case_id = await file_case(
        storage,
        unit_id=county.units["01号单位"],
        worker_id=county.workers["李四"],
        category="impostor",
        now=NOW,
    )
    await accept(storage, case_id)
    await conclude(
        storage,
        case_id,
        finding="部分属实",
        opinion="曾由亲属代岗数日。",
        consequences=["cut_quota", "stop_subsidy"],
    )
    result, row, cut = await state_of(storage, county, "李四")
    assert (result.renewal_blocked, result.subsidy_stopped, cut) == (False, True, 1)
    assert (row.subsidy, row.reason) == (SubsidyStatus.STOP, REASON_STOPPED_BY_CASE)
    # The others of the unit are untouched.
    _, other, _ = await state_of(storage, county, "张小三")
    assert other.subsidy == SubsidyStatus.CONTINUE


async def test_a_finding_that_may_not_carry_consequences_is_refused(any_storage, county_anywhere):
    storage, county = any_storage, county_anywhere
    case_id = await lateness_case(storage, county)
    for kw in (
        {"finding": "不属实", "consequences": ["no_renewal"]},
        {"consequences": ["dismiss"]},
        {"consequences": ["criticise"], "responsible": "某某", "sanction": "记过"},
    ):
        async with storage.sessions() as session, session.begin():
            with pytest.raises(store.CaseRefused) as raised:
                await store.record_finding(
                    session=session,
                    case_id=case_id,
                    actor=actor(INVESTIGATORS[0], "investigator"),
                    now=NOW,
                    finding=kw.pop("finding", "属实"),
                    opinion=LATE,
                    calendar=CALENDAR,
                    **kw,
                )
        assert raised.value.reason == "input"
    assert (await get_case(storage, case_id)).state == "investigating"
    result, _, _ = await state_of(storage, county, "张小三")
    assert not result.renewal_blocked
    assert len(await audits(storage, "case_step_refused")) == 3


async def test_a_fraud_finding_names_the_person_and_the_sanction(any_storage, county_anywhere):
    storage, county = any_storage, county_anywhere
    case_id = await file_case(
        storage,
        unit_id=county.units["02号单位"],
        worker_id=county.workers["王五"],
        category="fraud",
        now=NOW,
    )
    await accept(storage, case_id)
    with pytest.raises(store.CaseRefused):
        await conclude(storage, case_id, opinion="虚报人员。", consequences=["stop_subsidy"])
    await conclude(
        storage,
        case_id,
        opinion="虚报人员，套取补贴。",
        consequences=["stop_subsidy", "cut_quota"],
        responsible="赵某（单位办公室主任）",
        sanction="追回资金，给予警告处分",
    )
    case = await get_case(storage, case_id)
    assert (case.responsible_person, case.sanction) == (
        "赵某（单位办公室主任）",
        "追回资金，给予警告处分",
    )


async def test_the_opinion_lists_the_consequences(any_storage, county_anywhere):
    storage, county = any_storage, county_anywhere
    case_id = await lateness_case(storage, county)
    await conclude(storage, case_id, consequences=["admonish", "criticise"])
    async with storage.sessions() as session, session.begin():
        await store.close(
            session=session, case_id=case_id, actor=actor(INVESTIGATORS[0], "investigator"), now=NOW
        )
    async with storage.sessions() as session:
        document = (
            await session.execute(select(CaseDocument).where(CaseDocument.case_id == case_id))
        ).scalar_one()
    text = "".join(pdf_text(document.content).split())
    assert "处理措施" in text and "诫勉谈话、批评教育" in text
    assert "不予续签" not in text


# --- in chat --------------------------------------------------------------------------------


async def test_the_investigator_picks_the_consequences_in_chat(chat, storage, county):
    case_id = await lateness_case(storage, county)
    investigator = chat(INVESTIGATORS[0])
    await investigator.send("/cases")
    await investigator.press(f"cs:open:{case_id}")
    await investigator.click("记录核查结论和处理意见")
    await investigator.click("属实")
    await investigator.send(LATE)
    assert "处理意见决定哪些处理措施" in investigator.last
    await investigator.send("批评教育")  # typed instead of pressed
    assert "请点选适用的处理措施" in investigator.last
    await investigator.click("不予续签")
    await investigator.click("批评教育")
    await investigator.click("✅ 不予续签")  # changed their mind
    assert "✅ 批评教育" in investigator.buttons() and "不予续签" in investigator.buttons()
    await investigator.click("确认")
    assert "核查结论：属实" in investigator.last and "处理措施：批评教育" in investigator.last

    result, row, _ = await state_of(storage, county, "张小三")
    assert not result.renewal_blocked and row.subsidy == SubsidyStatus.CONTINUE
    assert (await get_case(storage, case_id)).consequences == ["criticise"]
    # A press on the picker after it is confirmed changes nothing.
    await investigator.press(f"cq:{case_id}:no_renewal")
    assert (await get_case(storage, case_id)).consequences == ["criticise"]


async def test_a_fraud_finding_in_chat_asks_the_person_and_the_sanction(chat, storage, county):
    case_id = await file_case(
        storage,
        unit_id=county.units["02号单位"],
        worker_id=county.workers["王五"],
        category="fraud",
        now=NOW,
    )
    investigator = chat(INVESTIGATORS[0])
    await investigator.send("/cases")
    await investigator.press(f"cs:open:{case_id}")
    await investigator.click("受理")
    await investigator.click("记录核查结论和处理意见")
    await investigator.click("属实")
    await investigator.send("虚报在岗人员，套取岗位补贴。")
    await investigator.click("停发岗位补贴和社保补贴")
    await investigator.click("确认")
    assert "请输入责任人" in investigator.last
    await investigator.send("赵某（单位办公室主任）")
    assert "请输入对 赵某（单位办公室主任） 的处理决定" in investigator.last
    await investigator.send("追回资金，给予警告处分")
    assert "责任人：赵某（单位办公室主任）；处理决定：追回资金，给予警告处分" in investigator.last

    case = await get_case(storage, case_id)
    assert (case.finding, case.consequences, case.sanction) == (
        "属实",
        ["stop_subsidy"],
        "追回资金，给予警告处分",
    )
    await investigator.click("办结")
    await investigator.click("确认办结")
    desk = chat(BUREAU)
    await desk.send("/cases")
    outcome = await desk.press(f"cs:doc:{case_id}")
    [public] = [r for r in outcome.replies if isinstance(r, FileReply)]
    text = "".join(pdf_text(public.content).split())
    assert "停发岗位补贴和社保补贴" in text and "追回资金，给予警告处分" in text
