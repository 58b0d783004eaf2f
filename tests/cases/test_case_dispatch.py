"""派单 and 退单 as use cases, on SQLite and PostgreSQL, walked with an injected clock: the unit
returns a case outside its remit, the bureau is alerted and decides, the new office's clocks run
from that dispatch, and the bouncing shows on the card."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from case_helpers import (
    BUREAU,
    CALENDAR,
    INVESTIGATORS,
    UNIT_A_CONTACT,
    actor,
    event_seqs,
    file_case,
    get_case,
    outbox_to,
)

from domain.clock import FixedClock
from notices.case_clocks import sweep_case_clocks
from services import cases as store
from services import dispatch
from services.case_steps import CaseRefused
from storage.models import Case

ZONE = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=ZONE)


async def test_returned_then_routed_on_runs_from_the_new_dispatch(any_storage, any_county):
    storage, county = any_storage, any_county
    unit_a = county.units["01号单位"]
    case_id = await file_case(
        storage, unit_id=unit_a, worker_id=None, category="conduct", now=at(16)
    )
    async with storage.sessions() as session, session.begin():
        # Filed outside a 公示's renewals: the conclusion clock is the law's 60 days.
        (await session.get(Case, case_id)).cycle_id = None
    clock = FixedClock(at(17))
    unit = actor(UNIT_A_CONTACT, "unit", unit_id=unit_a)
    async with storage.sessions() as session, session.begin():
        with pytest.raises(CaseRefused):
            await dispatch.return_case(
                session=session, case_id=case_id, actor=unit, now=clock.now(), reason="  "
            )
    async with storage.sessions() as session, session.begin():
        await dispatch.return_case(
            session=session,
            case_id=case_id,
            actor=unit,
            now=clock.now(),
            reason="该岗位不归本单位管理",
        )
    [alert] = await outbox_to(storage, BUREAU)
    assert "退单" in alert.payload["text"] and "该岗位不归本单位管理" in alert.payload["text"]
    assert (await get_case(storage, case_id)).state == "returned"

    # Waiting for the bureau past the acceptance day: the bureau is the one escalated to.
    clock.set(at(18))
    report = await sweep_case_clocks(sessions=storage.sessions, clock=clock, calendar=CALENDAR)
    assert report.escalated == 1
    assert any("督办" in r.payload["text"] for r in await outbox_to(storage, BUREAU))

    # 审定 on Monday the 21st: the desk takes it (medium, the bureau's own route).
    clock.set(at(21, 15))
    desk = actor(BUREAU, "bureau")
    async with storage.sessions() as session, session.begin():
        with pytest.raises(CaseRefused):  # the unit's own route is no re-route
            await dispatch.redispatch(
                session=session,
                case_id=case_id,
                actor=desk,
                now=clock.now(),
                calendar=CALENDAR,
                category="conduct",
            )
    async with storage.sessions() as session, session.begin():
        await dispatch.redispatch(
            session=session,
            case_id=case_id,
            actor=desk,
            now=clock.now(),
            calendar=CALENDAR,
            category="unfair",
        )
    case = await get_case(storage, case_id)
    assert (case.state, case.route) == ("submitted", "bureau")
    assert str(case.accept_due) == "2026-12-22"  # one working day from the new dispatch

    # Accepted three days later: the conclusion clock counts from the dispatch, the 21st.
    clock.set(at(24))
    async with storage.sessions() as session, session.begin():
        await store.accept(
            session=session, case_id=case_id, actor=desk, now=clock.now(), calendar=CALENDAR
        )
    case = await get_case(storage, case_id)
    assert case.conclude_due == at(21).date() + timedelta(days=60)
    actions = [a for _, a in await event_seqs(storage, case_id)]
    assert actions[:3] == ["submitted", "return", "supervise"] and "redispatch" in actions


async def test_the_bureau_keeps_a_serious_case_with_the_investigators(any_storage, any_county):
    storage, county = any_storage, any_county
    case_id = await file_case(
        storage,
        unit_id=county.units["01号单位"],
        worker_id=county.workers["张小三"],
        category="absent",
        now=at(16),
    )
    hr = actor(INVESTIGATORS[0], "investigator")
    async with storage.sessions() as session, session.begin():
        await dispatch.return_case(
            session=session, case_id=case_id, actor=hr, now=at(16, 11), reason="应由就业局核实"
        )
    async with storage.sessions() as session, session.begin():
        with pytest.raises(CaseRefused):  # a unit contact does not decide
            await dispatch.keep_case(
                session=session,
                case_id=case_id,
                now=at(16, 12),
                calendar=CALENDAR,
                actor=actor(UNIT_A_CONTACT, "unit", unit_id=county.units["01号单位"]),
            )
        await dispatch.keep_case(
            session=session,
            case_id=case_id,
            actor=actor(BUREAU, "bureau"),
            now=at(17, 9),
            calendar=CALENDAR,
        )
    case = await get_case(storage, case_id)
    assert (case.state, case.route, str(case.accept_due)) == (
        "submitted",
        "investigators",
        "2026-12-18",
    )
    # The investigators are alerted, as for a case routed to them (filing here wrote no alert).
    [alert] = await outbox_to(storage, INVESTIGATORS[1])
    assert f"#{case_id}" in alert.payload["text"]


async def test_the_unit_returns_it_in_chat_and_the_bureau_routes_it_on(
    chat, storage, county, clock
):
    case_id = await file_case(
        storage, unit_id=county.units["01号单位"], worker_id=None, category="conduct", now=at(16, 9)
    )
    unit = chat(UNIT_A_CONTACT)
    await unit.press(f"cs:open:{case_id}")
    await unit.click("退单（不属本单位职责）")
    assert "不属本单位职责的理由" in unit.last
    await unit.send("保洁岗位已划归街道管理")
    assert "已退单，待县就业局审定" in unit.last
    assert "受理" not in " ".join(unit.buttons())

    clock.set(at(17, 15))  # returned at 09:00 the day before: 30 hours bouncing
    desk = chat(BUREAU)
    await desk.press(f"cs:open:{case_id}")
    assert "保洁岗位已划归街道管理" in desk.last
    await desk.click("审定：改派其他单位")
    choices = [b for b in desk.buttons() if b != "取消"]
    assert choices and not any(b.startswith("工作作风") for b in choices)
    [unfair] = [b for b in choices if b.startswith("考核不公")]
    await desk.click(unfair)
    assert "退单 1 次，往返用时 1 天 6 小时" in desk.last
    assert (await get_case(storage, case_id)).route == "bureau"
