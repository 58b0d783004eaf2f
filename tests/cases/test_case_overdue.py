"""One meaning of "overdue": past the due day of the clock the case's state runs against. A
case whose findings are recorded (concluded) has no clock running, on the desk's filter as in
the export, as the clocks' sweep already had it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from case_county import build_county
from case_helpers import BUREAU, CALENDAR, CITIZEN, actor, file_case, get_case, outbox_to

from domain import cases as rules
from services import cases as store
from storage import case_desk as desk
from storage.case_export import case_rows

NOW = datetime(2026, 12, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DUE = date(2026, 12, 21)


@pytest.mark.parametrize(
    ("state", "today", "overdue"),
    [
        ("submitted", date(2026, 12, 10), True),  # the acceptance clock: due 9 Dec
        ("submitted", date(2026, 12, 9), False),  # on the due day itself
        ("accepted", DUE + timedelta(days=1), True),  # the conclusion clock
        ("investigating", DUE + timedelta(days=1), True),
        ("review", DUE + timedelta(days=1), True),
        ("accepted", DUE, False),
        ("concluded", DUE + timedelta(days=30), False),  # findings recorded: no clock runs
        ("closed", DUE + timedelta(days=30), False),
        ("rejected", DUE + timedelta(days=30), False),
        ("merged", DUE + timedelta(days=30), False),
    ],
)
def test_overdue_is_past_the_due_day_of_the_running_clock(state, today, overdue):
    assert (
        rules.is_overdue(state=state, accept_due=date(2026, 12, 9), conclude_due=DUE, today=today)
        is overdue
    )


def test_a_case_without_the_due_day_is_not_overdue():
    assert not rules.is_overdue(
        state="accepted", accept_due=None, conclude_due=None, today=date(2030, 1, 1)
    )


@pytest.fixture
async def county(any_storage):
    return await build_county(any_storage)


async def act(storage, step, case_id, who, **kw):
    async with storage.sessions() as session, session.begin():
        await step(session=session, case_id=case_id, actor=who, now=NOW, **kw)


async def test_the_desk_and_the_export_agree_a_concluded_case_is_not_overdue(any_storage, county):
    storage = any_storage
    unit = county.units["01号单位"]
    bureau = actor(BUREAU, "bureau")
    concluded = await file_case(storage, unit_id=unit, worker_id=None, category="unfair", now=NOW)
    accepted = await file_case(
        storage, unit_id=unit, worker_id=None, category="unfair", now=NOW, user_id=8399
    )
    for case_id in (concluded, accepted):
        await act(storage, store.accept, case_id, bureau, calendar=CALENDAR)
    await act(
        storage,
        store.record_finding,
        concluded,
        bureau,
        finding="不属实",
        opinion="经查不属实。",
        calendar=CALENDAR,
    )
    due = (await get_case(storage, concluded)).conclude_due
    assert due is not None and due == (await get_case(storage, accepted)).conclude_due
    later = due + timedelta(days=1)

    async with storage.sessions() as session:
        on_desk, _ = await desk.queue(session, actor=bureau, filter_name="overdue", today=later)
        rows = await case_rows(session=session, cycle_id=None, today=later, zone=NOW.tzinfo)
    assert [case.id for case in on_desk] == [accepted]
    assert {row.number: row.overdue for row in rows} == {concluded: False, accepted: True}


async def test_the_steps_table_decides_whether_the_complainant_is_told(
    any_storage, county, monkeypatch
):
    """``Step.tell`` drives the notice: with it off for 受理, accepting tells nobody."""
    storage = any_storage
    unit = county.units["01号单位"]
    bureau = actor(BUREAU, "bureau")
    told = await file_case(storage, unit_id=unit, worker_id=None, category="unfair", now=NOW)
    await act(storage, store.accept, told, bureau, calendar=CALENDAR)
    assert [row.dedup_key for row in await outbox_to(storage, CITIZEN)] == [f"cs:{told}:accepted:2"]

    monkeypatch.setitem(rules.STEPS, "accept", replace(rules.STEPS["accept"], tell=False))
    untold = await file_case(
        storage, unit_id=unit, worker_id=None, category="unfair", now=NOW, user_id=8399
    )
    await act(storage, store.accept, untold, bureau, calendar=CALENDAR)
    assert (await get_case(storage, untold)).state == "accepted"
    assert await outbox_to(storage, 8399) == []
