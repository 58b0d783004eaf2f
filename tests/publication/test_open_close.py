"""Opening and closing the 公示: the window on the working-day calendar across a holiday and a
调休 make-up day (a year chinese_calendar knows, and one from the admin's file), the sweep that
closes it, subscribers told once, results final or held while a serious case is open."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from pubworld import CHANNEL, import_people, person
from sqlalchemy import select

from domain.clock import FixedClock
from domain.workdays import WorkCalendar, load_overrides
from notices.publication import sweep_gongshi
from services import publication as gongshi
from services.publication import PublicationRules
from storage import publication as store
from storage.db import transaction
from storage.models import (
    Case,
    ChannelPost,
    Complaint,
    Cycle,
    Outbox,
    Result,
    Subscription,
    TelegramUser,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def nth_workday(start: date, n: int, is_workday) -> date:
    """The n-th working day counting ``start`` itself when it is one (an independent count)."""
    day, seen = start, 0
    while True:
        if is_workday(day):
            seen += 1
            if seen == n:
                return day
        day += timedelta(days=1)


async def open_cycle(storage, clock, *, year, calendar, days=5, channel=CHANNEL):
    async with transaction(storage.sessions) as session:
        return await gongshi.open_gongshi(
            session=session,
            rules=PublicationRules(
                calendar=calendar,
                min_workdays=5,
                channel_id=channel,
                bot_username="gongshi_bot",
                language="zh",
            ),
            clock=clock,
            year=year,
            actor="test",
            workdays=days,
        )


async def cycle_row(storage, year) -> Cycle:
    async with storage.sessions() as session:
        return (await session.execute(select(Cycle).where(Cycle.year == year))).scalar_one()


async def test_a_2026_window_spans_national_day_and_the_make_up_saturday(storage):
    await import_people(storage, [person(n) for n in range(3)])
    opened_on = date(2026, 9, 29)
    window_days = [opened_on + timedelta(days=i) for i in range(14)]
    holidays = [d for d in window_days if d.weekday() < 5 and not chinese_calendar.is_workday(d)]
    make_up = [d for d in window_days if d.weekday() >= 5 and chinese_calendar.is_workday(d)]
    expected_close = nth_workday(opened_on, 5, chinese_calendar.is_workday)
    # The test is about a window that crosses both: check the calendar really has them inside.
    assert holidays and min(holidays) < expected_close
    assert make_up and make_up[-1] <= expected_close

    clock = FixedClock(at(opened_on))
    opened = await open_cycle(storage, clock, year=2026, calendar=WorkCalendar())

    assert (opened.window.opens_on, opened.window.closes_on) == (opened_on, expected_close)
    cycle = await cycle_row(storage, 2026)
    assert cycle.state == "open"
    assert (cycle.gongshi_opens_on, cycle.gongshi_closes_on) == (opened_on, expected_close)

    # The last day is still open, to its end; the sweep closes it once the day is over.
    clock.set(at(expected_close, 23, 59))
    assert (await sweep_gongshi(sessions=storage.sessions, clock=clock)).closed == []
    assert (await cycle_row(storage, 2026)).state == "open"
    clock.set(at(expected_close + timedelta(days=1), 0, 1))
    assert (await sweep_gongshi(sessions=storage.sessions, clock=clock)).closed == [2026]
    closed = await cycle_row(storage, 2026)
    assert closed.state == "closed" and closed.closed_at is not None
    assert (await sweep_gongshi(sessions=storage.sessions, clock=clock)).closed == []


async def test_opened_on_a_holiday_the_window_starts_on_the_next_working_day(storage):
    await import_people(storage, [person(1)])
    holiday = date(2026, 10, 2)
    assert not chinese_calendar.is_workday(holiday)
    first = nth_workday(holiday, 1, chinese_calendar.is_workday)
    clock = FixedClock(at(holiday))
    opened = await open_cycle(storage, clock, year=2026, calendar=WorkCalendar(), days=6)
    assert opened.window.opens_on == first
    assert opened.window.closes_on == nth_workday(first, 6, chinese_calendar.is_workday)


OVERRIDE_2027 = """
[2027]
holidays = ["2027-10-01", "2027-10-02", "2027-10-03", "2027-10-04", "2027-10-05",
            "2027-10-06", "2027-10-07"]
workdays = ["2027-09-26", "2027-10-09"]
"""


async def test_a_2027_window_comes_from_the_admins_calendar_file(storage, tmp_path: Path):
    await import_people(storage, [person(n) for n in range(2)], year=2027)
    path = tmp_path / "calendar.toml"
    path.write_text(OVERRIDE_2027, encoding="utf-8")
    holidays = {date(2027, 10, d) for d in range(1, 8)}
    make_up = {date(2027, 9, 26), date(2027, 10, 9)}

    def is_workday(day: date) -> bool:
        return day in make_up or (day.weekday() < 5 and day not in holidays)

    opened_on = date(2027, 9, 30)
    expected_close = nth_workday(opened_on, 5, is_workday)
    assert date(2027, 10, 9) < expected_close  # the make-up Saturday counts inside the window

    clock = FixedClock(at(opened_on))
    with pytest.raises(Exception, match="2027"):
        await open_cycle(storage, clock, year=2027, calendar=WorkCalendar())
    assert (await cycle_row(storage, 2027)).state == "assessing"  # the refusal changed nothing

    opened = await open_cycle(
        storage, clock, year=2027, calendar=WorkCalendar(load_overrides(path))
    )
    assert (opened.window.opens_on, opened.window.closes_on) == (opened_on, expected_close)
    clock.set(at(expected_close + timedelta(days=1)))
    assert (await sweep_gongshi(sessions=storage.sessions, clock=clock)).closed == [2027]


async def test_subscribers_are_told_once_and_a_second_open_is_refused(storage):
    await import_people(storage, [person(n) for n in range(3)])
    async with transaction(storage.sessions) as session:
        session.add_all(
            [
                TelegramUser(id=801, language="zh"),
                TelegramUser(id=802, language="en"),
                TelegramUser(id=803, language="zh", blocked_bot=True),
            ]
        )
        await session.flush()
        session.add_all([Subscription(user_id=u) for u in (801, 802, 803)])
    clock = FixedClock(at(date(2026, 12, 16)))
    opened = await open_cycle(storage, clock, year=2026, calendar=WorkCalendar())
    assert opened.subscribers == 2
    with pytest.raises(store.PublicationError) as refused:
        await open_cycle(storage, clock, year=2026, calendar=WorkCalendar())
    assert refused.value.reason == gongshi.ALREADY_OPEN
    async with storage.sessions() as session:
        told = (await session.execute(select(Outbox).where(Outbox.chat_id > 0))).scalars().all()
    assert sorted(row.chat_id for row in told) == [801, 802]
    english = next(row for row in told if row.chat_id == 802)
    assert "public notice" in english.payload["text"]


async def test_the_open_refuses_a_short_window_a_missing_cycle_and_no_results(storage):
    clock = FixedClock(at(date(2026, 12, 16)))
    with pytest.raises(store.PublicationError) as short:
        await open_cycle(storage, clock, year=2026, calendar=WorkCalendar(), days=3)
    assert short.value.reason == gongshi.TOO_SHORT
    with pytest.raises(store.PublicationError) as missing:
        await open_cycle(storage, clock, year=2026, calendar=WorkCalendar())
    assert missing.value.reason == store.NO_CYCLE
    async with transaction(storage.sessions) as session:
        session.add(Cycle(year=2026))
    with pytest.raises(store.PublicationError) as empty:
        await open_cycle(storage, clock, year=2026, calendar=WorkCalendar())
    assert empty.value.reason == gongshi.NO_RESULTS


async def add_case(storage, *, worker_name: str, severity: str, state: str) -> int:
    from storage.models import Worker

    async with transaction(storage.sessions) as session:
        worker = (
            await session.execute(select(Worker).where(Worker.name == worker_name))
        ).scalar_one()
        complaint = Complaint(
            ticket_code=f"T{worker.id}{severity[:2]}{state[:2]}",
            unit_id=worker.unit_id,
            worker_id=worker.id,
            category="absent",
            description="长期不在岗位上，请核查。",
        )
        session.add(complaint)
        await session.flush()
        case = Case(
            complaint_id=complaint.id,
            unit_id=worker.unit_id,
            worker_id=worker.id,
            category="absent",
            severity=severity,
            route="investigators",
            state=state,
        )
        session.add(case)
        await session.flush()
        return case.id


async def statuses(storage) -> dict[int, str]:
    async with storage.sessions() as session:
        return dict((await session.execute(select(Result.id, Result.status))).all())


async def test_the_close_makes_results_final_except_those_with_an_open_serious_case(any_storage):
    people = [person(n) for n in range(4)]
    ids = await import_people(any_storage, people)
    serious_open = await add_case(
        any_storage, worker_name=people[0].name, severity="serious", state="investigating"
    )
    await add_case(any_storage, worker_name=people[1].name, severity="serious", state="closed")
    await add_case(any_storage, worker_name=people[2].name, severity="minor", state="submitted")
    clock = FixedClock(at(date(2026, 12, 16)))
    await open_cycle(any_storage, clock, year=2026, calendar=WorkCalendar())
    assert set((await statuses(any_storage)).values()) == {"pending"}

    async with transaction(any_storage.sessions) as session:
        closed = await gongshi.close_gongshi(session=session, year=2026, now=clock.now(), actor="t")
    assert (closed.held, closed.final) == (1, 3)
    after = await statuses(any_storage)
    assert after[ids[people[0].name]] == "held"
    assert {after[ids[p.name]] for p in people[1:]} == {"final"}

    # The cases engineer's close of the serious case releases the held result.
    async with transaction(any_storage.sessions) as session:
        case = await session.get(Case, serious_open)
        case.state = "closed"
        released = await store.release_held_results(
            session=session, worker_id=case.worker_id, now=clock.now()
        )
    assert [r.id for r in released] == [ids[people[0].name]]
    assert set((await statuses(any_storage)).values()) == {"final"}


async def test_a_second_open_serious_case_keeps_the_result_held(storage):
    people = [person(7)]
    ids = await import_people(storage, people)
    first = await add_case(
        storage, worker_name=people[0].name, severity="serious", state="accepted"
    )
    await add_case(storage, worker_name=people[0].name, severity="serious", state="submitted")
    clock = FixedClock(at(date(2026, 12, 16)))
    await open_cycle(storage, clock, year=2026, calendar=WorkCalendar())
    async with transaction(storage.sessions) as session:
        await gongshi.close_gongshi(session=session, year=2026, now=clock.now(), actor="t")
    async with transaction(storage.sessions) as session:
        case = await session.get(Case, first)
        case.state = "rejected"
        assert (
            await store.release_held_results(
                session=session, worker_id=case.worker_id, now=clock.now()
            )
            == []
        )
    assert (await statuses(storage))[ids[people[0].name]] == "held"


async def test_posts_not_yet_sent_at_the_close_are_cancelled_not_deleted(any_storage):
    await import_people(any_storage, [person(n) for n in range(3)])
    clock = FixedClock(at(date(2026, 12, 16)))
    opened = await open_cycle(any_storage, clock, year=2026, calendar=WorkCalendar())
    assert opened.posts == 1
    async with transaction(any_storage.sessions) as session:
        closed = await gongshi.close_gongshi(session=session, year=2026, now=clock.now(), actor="t")
    assert closed.withdrawn == 1
    async with any_storage.sessions() as session:
        rows = (await session.execute(select(Outbox).where(Outbox.chat_id == CHANNEL))).scalars()
        posted = list(rows)
        posts = (await session.execute(select(ChannelPost))).scalars().all()
    assert [(r.method, r.state) for r in posted] == [("sendMessage", "failed")]
    assert all(p.deleted_at is not None for p in posts)


async def test_a_post_being_sent_at_the_close_is_deleted_by_the_next_sweep(any_storage):
    await import_people(any_storage, [person(n) for n in range(3)])
    clock = FixedClock(at(date(2026, 12, 16)))
    await open_cycle(any_storage, clock, year=2026, calendar=WorkCalendar())
    async with transaction(any_storage.sessions) as session:
        row = (await session.execute(select(Outbox).where(Outbox.chat_id == CHANNEL))).scalar_one()
        row.state = "sending"
    async with transaction(any_storage.sessions) as session:
        await gongshi.close_gongshi(session=session, year=2026, now=clock.now(), actor="t")
    async with transaction(any_storage.sessions) as session:
        row = (await session.execute(select(Outbox).where(Outbox.chat_id == CHANNEL))).scalar_one()
        row.state, row.message_id, row.sent_at = "sent", 4242, clock.now()
    report = await sweep_gongshi(sessions=any_storage.sessions, clock=clock)
    assert report.withdrawn == 1
    again = await sweep_gongshi(sessions=any_storage.sessions, clock=clock)
    assert again.withdrawn == 0
    async with any_storage.sessions() as session:
        deletes = (
            (await session.execute(select(Outbox).where(Outbox.method == "deleteMessage")))
            .scalars()
            .all()
        )
        post = (await session.execute(select(ChannelPost))).scalar_one()
    assert [(d.chat_id, d.payload["message_id"]) for d in deletes] == [(CHANNEL, 4242)]
    assert post.message_id == 4242 and post.deleted_at is not None
