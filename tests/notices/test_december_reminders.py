"""Moving the clock through the end of November and December 2026, sweeping as the scheduler
would and delivering to the sandbox over HTTP: every reminder arrives once, on a working day,
in the chats of the unit it concerns, and escalations reach the bureau once."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from notices_world import at, build_world
from sqlalchemy import select

from domain.clock import FixedClock
from domain.workdays import WorkCalendar
from notices.reminders import sweep_reminders
from storage.db import transaction
from storage.models import Outbox, Reminder, UnitTask
from storage.unit_tasks import mark_done

CALENDAR = WorkCalendar()
CITY, FOREST = "县城市管理局", "县林业局"
A1, A2, B1 = 5100000001, 5100000002, 5100000003
BUREAU = [5100000011, 5100000012]


async def personas(sb, *ids):
    for user_id in ids:
        await sb.create_persona(f"用户{user_id % 100}", id=user_id)
        await sb.update_persona(user_id, started=True)


async def task_ids(storage, world, unit: str) -> dict[str, int]:
    async with storage.sessions() as session:
        rows = await session.execute(
            select(UnitTask.kind, UnitTask.id).where(UnitTask.unit_id == world.units[unit])
        )
        return dict(rows.all())


def button_task(message) -> int | None:
    markup = message["message"].get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data", "")
            if data.startswith(("ut:task:", "bt:remind:")):
                return int(data.rsplit(":", 1)[1])
    return None


async def test_december_reminders_once_on_working_days_in_the_right_chats(storage, sb, make_sender):
    await personas(sb, A1, A2, B1, *BUREAU)
    await sb.disable_rate_limits()
    world = await build_world(storage.sessions, units={CITY: [A1, A2], FOREST: [B1]}, bureau=BUREAU)
    city_tasks, forest_tasks = (
        await task_ids(storage, world, CITY),
        await task_ids(storage, world, FOREST),
    )
    unit_of_task = {i: CITY for i in city_tasks.values()} | {
        i: FOREST for i in forest_tasks.values()
    }
    clock = FixedClock(at(11, 23, 7))
    sender = make_sender(storage.sessions, outbox_rate=1000.0, outbox_private_per_second=1000.0)
    chats = [A1, A2, B1, *BUREAU]
    seen = dict.fromkeys(chats, 0)
    arrivals: dict[int, list[tuple[date, dict]]] = defaultdict(list)

    # The city's contact files the rules early and the self-check report on its due day,
    # after that morning's reminder; the forestry bureau does nothing.
    done_on = {date(2026, 11, 27): "rules_filed", date(2026, 12, 18): "self_check"}
    day = date(2026, 11, 23)
    while day <= date(2026, 12, 31):
        for hour, minute in ((8, 0), (9, 5), (16, 0)):
            clock.set(at(day.month, day.day, hour, minute))
            await sweep_reminders(sessions=storage.sessions, clock=clock, calendar=CALENDAR)
            if (hour, day) == (9, day) and day in done_on:
                async with transaction(storage.sessions) as session:
                    task = await session.get(UnitTask, city_tasks[done_on[day]])
                    await mark_done(session, task=task, user_id=A1, now=clock.now())
        await sender.drain(timeout=30)
        for chat in chats:
            messages = await sb.bot_messages(chat)
            arrivals[chat] += [(day, m) for m in messages[seen[chat] :]]
            seen[chat] = len(messages)
        day += timedelta(days=1)

    # Every reminder row went to the outbox once per recipient and arrived once.
    async with storage.sessions() as session:
        reminders = (await session.execute(select(Reminder))).scalars().all()
        outbox = (await session.execute(select(Outbox))).scalars().all()
    assert len({(r.task_id, r.kind, r.on_day) for r in reminders}) == len(reminders)
    assert {row.state for row in outbox} == {"sent"}
    assert sum(len(v) for v in arrivals.values()) == len(outbox)
    for chat, got in arrivals.items():
        texts = Counter((d, m["text"]) for d, m in got)
        assert max(texts.values()) == 1, f"chat {chat} got a message twice"
        assert all(CALENDAR.is_workday(d) for d, _ in got), f"chat {chat}: a day off"

    # Units hear only of their own tasks; the bureau only of escalations.
    for chat, unit in ((A1, CITY), (A2, CITY), (B1, FOREST)):
        assert arrivals[chat], f"{unit}'s contact {chat} heard nothing"
        assert {unit_of_task[button_task(m)] for _, m in arrivals[chat]} == {unit}
    assert [m["text"] for _, m in arrivals[A1]] == [m["text"] for _, m in arrivals[A2]]
    for chat in BUREAU:
        assert all(m["text"].startswith("🔔 督办") for _, m in arrivals[chat])
        escalated = Counter(button_task(m) for _, m in arrivals[chat])
        assert max(escalated.values()) == 1  # one escalation per task
        assert forest_tasks["rules_filed"] in escalated
        assert city_tasks["rules_filed"] not in escalated

    def days_of(chat, title_part):
        return [d.day for d, m in arrivals[chat] if title_part in m["text"]]

    # The forestry bureau's results, due Tue Dec 15: 3 and 1 working days before, on the day,
    # then every working day overdue, in Chinese.
    results = days_of(B1, "报送考核等次")
    assert results == [10, 14, 15, 16, 17, 18, 21, 22, 23, 24, 25, 28, 29, 30, 31]
    first = next(m["text"] for d, m in arrivals[B1] if "报送考核等次" in m["text"])
    assert first.startswith("⏰ 提醒：") and "还有 3 个工作日" in first and "12月15日" in first
    # Rules due Mon Nov 30: the city filed them on Nov 27 and heard no more.
    assert days_of(A1, "考核办法") == [25, 27]
    assert days_of(B1, "考核办法")[:4] == [25, 27, 30, 1]
    # Verification ends on Sunday Dec 27 in the seeds: it is due on the Friday before.
    on_friday = [m["text"] for d, m in arrivals[B1] if d == date(2026, 12, 25)]
    assert any("人员核对" in text and "今日截止" in text for text in on_friday)
    # Self-check due Fri Dec 18, done by the city that day after the morning reminder.
    assert days_of(A1, "自查")[-1] == 18
    assert 21 in days_of(B1, "自查")
