"""The case steps in storage, on SQLite and on PostgreSQL: rules checked, events appended,
people told through the outbox, and a confirmed finding carried back in one transaction."""

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
    UNIT_B_CONTACT,
    actor,
    audits,
    count,
    event_seqs,
    file_case,
    get_case,
    outbox_to,
)
from sqlalchemy import select

from services import cases as store
from storage import case_desk as desk
from storage.models import CaseEvent, Result, Unit, UnitTask

NOW = datetime(2026, 12, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
async def county(any_storage):
    return await build_county(any_storage)


async def act(storage, step, case_id, who, **kw):
    async with storage.sessions() as session, session.begin():
        await step(session=session, case_id=case_id, actor=who, now=NOW, **kw)


async def refused(storage, step, case_id, who, **kw) -> str:
    async with storage.sessions() as session, session.begin():
        with pytest.raises(store.CaseRefused) as raised:
            await step(session=session, case_id=case_id, actor=who, now=NOW, **kw)
    return raised.value.reason


async def test_a_serious_case_from_complaint_to_rating(any_storage, county):
    storage = any_storage
    worker = county.workers["张小三"]
    unit = county.units["01号单位"]
    case_id = await file_case(storage, unit_id=unit, worker_id=worker, category="absent", now=NOW)
    first, second = (actor(u, "investigator") for u in INVESTIGATORS)

    await act(storage, store.accept, case_id, first, calendar=CALENDAR)
    accepted = await get_case(storage, case_id)
    # The 公示 closes Mon 21 Dec; renewals start the next working day, so the case is due
    # the day the 公示 closes.
    assert (accepted.state, str(accepted.conclude_due)) == ("accepted", "2026-12-21")

    await act(storage, store.assign, case_id, first, investigator=INVESTIGATORS[1])
    await act(
        storage,
        store.record_finding,
        case_id,
        second,
        finding="属实",
        opinion="经查属实，不予续签，停发岗位补贴，核减岗位指标，对单位诫勉谈话。",
        calendar=CALENDAR,
        consequences=["no_renewal", "stop_subsidy", "cut_quota", "admonish"],
    )
    await act(storage, store.close, case_id, second)

    async with storage.sessions() as session:
        result = (
            await session.execute(
                select(Result).where(Result.worker_id == worker, Result.cycle_id == county.cycle_id)
            )
        ).scalar_one()
        task = (
            await session.execute(select(UnitTask).where(UnitTask.case_id == case_id))
        ).scalar_one()
        cut = (await session.get(Unit, unit)).quota_cut
    # The opinion's consequences, each where it flows; the category adds nothing of its own.
    assert (result.renewal_blocked, result.subsidy_stopped, result.findings) == (True, True, [])
    assert (task.unit_id, task.needs_file, cut) == (unit, True, 1)

    told = [row.payload["text"] for row in await outbox_to(storage, CITIZEN)]
    assert any("已受理" in text for text in told)
    closing = [row for row in await outbox_to(storage, CITIZEN) if "buttons" in row.payload]
    assert [b["data"] for b in closing[0].payload["buttons"][0]] == [
        f"rt:{case_id}:{n}" for n in range(1, 6)
    ]
    assert "经查属实" in closing[0].payload["text"]
    assert await outbox_to(storage, INVESTIGATORS[1])  # told of the assignment
    assert await outbox_to(storage, UNIT_A_CONTACT)  # told of the task

    async with storage.sessions() as session, session.begin():
        await store.rate(session=session, case_id=case_id, user_id=CITIZEN, now=NOW, rating=2)
    reopened = await get_case(storage, case_id)
    assert (reopened.state, reopened.rating, reopened.reopened) == ("review", 2, True)
    # A reopened serious case goes back to the 人社局: its investigator is told, not the desk.
    assert any("重新审查" in r.payload["text"] for r in await outbox_to(storage, INVESTIGATORS[1]))
    assert not any("重新审查" in r.payload["text"] for r in await outbox_to(storage, BUREAU))
    assert not any(
        "重新审查" in r.payload["text"] for r in await outbox_to(storage, INVESTIGATORS[0])
    )

    actions = [a for _, a in await event_seqs(storage, case_id)]
    assert actions == [
        "submitted",
        "accept",
        "assign",
        "record_finding",
        "close",
        "rate",
        "reopen",
    ]
    seqs = [s for s, _ in await event_seqs(storage, case_id)]
    assert seqs == list(range(1, len(seqs) + 1))

    # The desk may not decide it again; the 人社局 closes it; a second poor rating reopens
    # nothing.
    desk = actor(BUREAU, "bureau")
    assert await refused(storage, store.close, case_id, desk) == "role"
    assert (
        await refused(
            storage,
            store.record_finding,
            case_id,
            desk,
            finding="不属实",
            opinion="复查不属实。",
            calendar=CALENDAR,
        )
        == "role"
    )
    await act(storage, store.close, case_id, second)
    async with storage.sessions() as session, session.begin():
        with pytest.raises(store.CaseRefused):
            await store.rate(session=session, case_id=case_id, user_id=CITIZEN, now=NOW, rating=1)
    assert (await get_case(storage, case_id)).state == "closed"


async def test_refused_steps_are_audited_and_change_nothing(any_storage, county):
    storage = any_storage
    minor = await file_case(
        storage, unit_id=county.units["01号单位"], worker_id=None, category="conduct", now=NOW
    )
    other_unit = actor(UNIT_B_CONTACT, "unit", county.units["02号单位"])
    own_unit = actor(UNIT_A_CONTACT, "unit", county.units["01号单位"])
    before = await event_seqs(storage, minor)

    assert await refused(storage, store.accept, minor, other_unit, calendar=CALENDAR) == "scope"
    assert (
        await refused(
            storage, store.accept, minor, actor(INVESTIGATORS[0], "investigator"), calendar=CALENDAR
        )
        == "role"
    )
    assert await refused(storage, store.reject, minor, own_unit, reason="不归我们管") == "role"
    assert await event_seqs(storage, minor) == before

    await act(storage, store.accept, minor, own_unit, calendar=CALENDAR)
    assert await refused(storage, store.accept, minor, own_unit, calendar=CALENDAR) == "state"
    assert await refused(storage, store.note, minor, own_unit, text="   ") == "input"
    assert await refused(storage, store.accept, 99999, own_unit, calendar=CALENDAR) == "missing"

    logged = await audits(storage, "case_step_refused")
    assert [(a.detail["step"], a.detail["reason"]) for a in logged] == [
        ("accept", "scope"),
        ("accept", "role"),
        ("reject", "role"),
        ("accept", "state"),
        ("note", "input"),
        ("accept", "missing"),
    ]
    assert {a.actor_user_id for a in logged} == {UNIT_A_CONTACT, UNIT_B_CONTACT, INVESTIGATORS[0]}


async def test_the_finding_flows_back_in_the_same_transaction(any_storage, county):
    storage = any_storage
    worker = county.workers["李四"]
    case_id = await file_case(
        storage, unit_id=county.units["01号单位"], worker_id=worker, category="impostor", now=NOW
    )
    hr = actor(INVESTIGATORS[0], "investigator")
    await act(storage, store.accept, case_id, hr, calendar=CALENDAR)
    await act(storage, store.assign, case_id, hr, investigator=INVESTIGATORS[0])
    events_before = await event_seqs(storage, case_id)

    class Crash(Exception):
        pass

    with pytest.raises(Crash):
        async with storage.sessions() as session, session.begin():
            await store.record_finding(
                session=session,
                case_id=case_id,
                actor=actor(INVESTIGATORS[0], "investigator"),
                now=NOW,
                finding="属实",
                opinion="查实由他人顶岗。",
                calendar=CALENDAR,
                consequences=["stop_subsidy", "criticise"],
            )
            raise Crash

    async with storage.sessions() as session:
        result = (
            await session.execute(select(Result).where(Result.worker_id == worker))
        ).scalar_one()
    assert (result.renewal_blocked, result.subsidy_stopped, result.findings) == (False, False, [])
    assert await count(storage, UnitTask, UnitTask.case_id == case_id) == 0
    assert await event_seqs(storage, case_id) == events_before
    assert (await get_case(storage, case_id)).state == "investigating"

    await act(
        storage,
        store.record_finding,
        case_id,
        actor(INVESTIGATORS[0], "investigator"),
        finding="属实",
        opinion="查实由他人顶岗。",
        calendar=CALENDAR,
        consequences=["stop_subsidy", "criticise"],
    )
    async with storage.sessions() as session:
        result = (
            await session.execute(select(Result).where(Result.worker_id == worker))
        ).scalar_one()
    assert result.subsidy_stopped and not result.renewal_blocked
    assert await count(storage, UnitTask, UnitTask.case_id == case_id) == 1


async def test_a_finding_not_confirmed_leaves_the_result_alone(any_storage, county):
    storage = any_storage
    worker = county.workers["王五"]
    case_id = await file_case(
        storage, unit_id=county.units["02号单位"], worker_id=worker, category="fraud", now=NOW
    )
    hr = actor(INVESTIGATORS[0], "investigator")
    await act(storage, store.accept, case_id, hr, calendar=CALENDAR)
    await act(storage, store.assign, case_id, hr, investigator=INVESTIGATORS[0])
    await act(
        storage,
        store.record_finding,
        case_id,
        actor(INVESTIGATORS[0], "investigator"),
        finding="不属实",
        opinion="经查不属实。",
        calendar=CALENDAR,
    )
    async with storage.sessions() as session:
        result = (
            await session.execute(select(Result).where(Result.worker_id == worker))
        ).scalar_one()
    assert not result.renewal_blocked and result.findings == []
    assert await count(storage, UnitTask, UnitTask.case_id == case_id) == 0


async def test_queues_per_role_and_filters(any_storage, county):
    storage = any_storage
    a, b = county.units["01号单位"], county.units["02号单位"]
    serious = await file_case(
        storage, unit_id=a, worker_id=county.workers["张小三"], category="absent", now=NOW
    )
    taken = await file_case(
        storage, unit_id=b, worker_id=county.workers["王五"], category="fraud", now=NOW
    )
    minor_a = await file_case(storage, unit_id=a, worker_id=None, category="conduct", now=NOW)
    minor_b = await file_case(storage, unit_id=b, worker_id=None, category="conduct", now=NOW)
    medium = await file_case(storage, unit_id=a, worker_id=None, category="unfair", now=NOW)
    bureau = actor(BUREAU, "bureau")
    hr = actor(INVESTIGATORS[1], "investigator")
    await act(storage, store.accept, taken, hr, calendar=CALENDAR)
    await act(storage, store.assign, taken, hr, investigator=INVESTIGATORS[1])

    async def ids(who, filter_name="open", today=NOW.date()):
        async with storage.sessions() as session:
            found, total = await desk.queue(
                session, actor=who, filter_name=filter_name, today=today
            )
        assert total == len(found)
        return [c.id for c in found]

    assert await ids(bureau) == [serious, taken, minor_a, minor_b, medium]
    assert await ids(actor(INVESTIGATORS[0], "investigator")) == [serious]
    assert await ids(actor(INVESTIGATORS[1], "investigator")) == [serious, taken]
    assert await ids(actor(INVESTIGATORS[1], "investigator"), "mine") == [taken]
    assert await ids(actor(UNIT_A_CONTACT, "unit", a)) == [minor_a]
    assert await ids(actor(UNIT_B_CONTACT, "unit", b)) == [minor_b]
    assert await ids(bureau, "overdue") == []
    # Two working days later the acceptance clocks have run out, except for the accepted case.
    later = (await get_case(storage, serious)).accept_due
    from datetime import timedelta

    assert set(await ids(bureau, "overdue", later + timedelta(days=1))) == {
        serious,
        minor_a,
        minor_b,
        medium,
    }


async def test_merge_into_another_open_case(any_storage, county):
    storage = any_storage
    a = county.units["01号单位"]
    first = await file_case(storage, unit_id=a, worker_id=None, category="unfair", now=NOW)
    second = await file_case(
        storage, unit_id=a, worker_id=None, category="unfair", now=NOW, user_id=8399
    )
    bureau = actor(BUREAU, "bureau")
    assert await refused(storage, store.merge, second, bureau, into=second) == "input"
    assert await refused(storage, store.merge, second, bureau, into=424242) == "input"
    await act(storage, store.merge, second, bureau, into=first)
    merged = await get_case(storage, second)
    assert (merged.state, merged.merged_into_id) == ("merged", first)
    assert [a for _, a in await event_seqs(storage, first)] == ["submitted", "merged_in"]
    assert await refused(storage, store.merge, first, bureau, into=second) == "input"

    await act(storage, store.accept, first, bureau, calendar=CALENDAR)
    await act(
        storage,
        store.record_finding,
        first,
        bureau,
        finding="部分属实",
        opinion="已督促单位整改。",
        calendar=CALENDAR,
    )
    await act(storage, store.close, first, bureau)
    told = [r.payload["text"] for r in await outbox_to(storage, 8399)]
    assert any("已督促单位整改" in text for text in told)


async def test_extension_once_with_a_reason(any_storage, county):
    storage = any_storage
    case_id = await file_case(
        storage, unit_id=county.units["01号单位"], worker_id=None, category="unfair", now=NOW
    )
    bureau = actor(BUREAU, "bureau")
    await act(storage, store.accept, case_id, bureau, calendar=CALENDAR)
    due = (await get_case(storage, case_id)).conclude_due
    await act(storage, store.extend, case_id, bureau, reason="需调取社保记录")
    extended = await get_case(storage, case_id)
    assert extended.extended and (extended.conclude_due - due).days == 30
    assert await refused(storage, store.extend, case_id, bureau, reason="再延一次") == "once"
    async with storage.sessions() as session:
        event = (
            await session.execute(
                select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == "extend")
            )
        ).scalar_one()
    assert event.detail["reason"] == "需调取社保记录" and event.from_state == "accepted"
