"""An anonymous complainant is told of every step and can follow the case while it is open;
once it is closed and its notices are past the outbox retention, nothing in the database joins
the complaint to their Telegram account: not a column of any table."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hotline_helpers import BUREAU, file_complaint
from sqlalchemy import select, update
from sqlmodel import SQLModel

from domain.workdays import WorkCalendar
from services import cases as store
from storage.models import AuditLog, Case, Complaint, ConversationState, Outbox
from storage.purge import retire_delivered

# Large enough that no counter, size or date of the test can hold it by chance.
ANONYMOUS = 8_765_432_109


async def places_holding(storage, value: int) -> set[tuple[str, str]]:
    """Every (table, column) holding ``value``, as a number or inside any text or JSON.

    The account's own row (``telegram_user``: language, first and last seen) names no
    complaint; an idle conversation row (no state, no data) only says the chat exists."""
    found: set[tuple[str, str]] = set()
    async with storage.sessions() as session:
        for table in SQLModel.metadata.sorted_tables:
            if table.name == "telegram_user":
                continue
            for row in (await session.execute(select(table))).mappings():
                if table.name == "conversation_state" and not row["state"] and not row["data"]:
                    continue
                found |= {
                    (table.name, column) for column, cell in row.items() if holds(cell, value)
                }
    return found


def holds(cell: object, value: int) -> bool:
    if isinstance(cell, bool) or cell is None:
        return False
    if isinstance(cell, int):
        return cell == value
    if isinstance(cell, bytes):
        return str(value).encode() in cell
    if isinstance(cell, str):
        return str(value) in cell
    if isinstance(cell, dict | list):
        return str(value) in json.dumps(cell)
    return False


async def deliver_everything(storage, at) -> list[str]:
    """What the sender would do: every pending row sent now; returns the complainant's texts."""
    async with storage.sessions() as session, session.begin():
        await session.execute(
            update(Outbox).where(Outbox.state == "pending").values(state="sent", sent_at=at)
        )
        rows = await session.execute(select(Outbox).where(Outbox.chat_id == ANONYMOUS))
        return [row.payload["text"] for row in rows.scalars()]


async def test_a_closed_anonymous_complaint_joins_no_account(chat, storage, county, clock):
    me = chat(ANONYMOUS)
    code = await file_complaint(me, category="考核不公 / 程序违规")
    async with storage.sessions() as session:
        case = (
            await session.execute(select(Case).join(Complaint).where(Complaint.ticket_code == code))
        ).scalar_one()
    desk = store.Actor(user_id=BUREAU, role="bureau")
    steps = [
        (store.accept, {"calendar": WorkCalendar()}),
        (
            store.record_finding,
            {"finding": "不属实", "opinion": "经核查，考核程序合规。", "calendar": WorkCalendar()},
        ),
        (store.close, {}),
    ]
    for step, extra in steps:
        async with storage.sessions() as session, session.begin():
            await step(session=session, case_id=case.id, actor=desk, now=clock.now(), **extra)
        clock.advance(timedelta(hours=1))

    # While it is open (and until its notices are retired) the complainant is told and follows.
    told = await deliver_everything(storage, clock.now())
    assert any("已受理" in text for text in told)
    assert any("办结" in text and "经核查" in text for text in told)
    await me.send("/status")
    assert code in " ".join(me.buttons())
    clock.advance(timedelta(days=2))
    async with storage.sessions() as session, session.begin():
        await store.rate(
            session=session, case_id=case.id, user_id=ANONYMOUS, now=clock.now(), rating=4
        )
    await me.send("/start")  # the chat goes idle, as any chat does
    # The scan sees the id where it is still needed: it would see any other place too.
    assert {("complaint", "submitted_by"), ("outbox", "chat_id")} <= await places_holding(
        storage, ANONYMOUS
    )

    async with storage.sessions() as session, session.begin():
        await retire_delivered(
            session=session, now=clock.now() + timedelta(days=31), outbox_days=30
        )
    # The complainant may still ask for 复查 from this chat (domain.appeals): it is kept.
    assert ("complaint", "submitted_by") in await places_holding(storage, ANONYMOUS)
    async with storage.sessions() as session, session.begin():
        await retire_delivered(
            session=session, now=clock.now() + timedelta(days=41), outbox_days=30
        )

    # An old rating button pressed now is refused, and the refusal, committed as the chat's
    # transaction commits it, names nobody either.
    async with storage.sessions() as session, session.begin():
        with pytest.raises(store.CaseRefused):
            await store.rate(
                session=session, case_id=case.id, user_id=ANONYMOUS, now=clock.now(), rating=1
            )
    async with storage.sessions() as session:
        refusals = (
            await session.execute(select(AuditLog).where(AuditLog.action == "case_step_refused"))
        ).scalars()
        assert [r.target_id for r in refusals] == [str(case.id)]
    assert await places_holding(storage, ANONYMOUS) == set()
    async with storage.sessions() as session:
        idle = await session.get(ConversationState, ANONYMOUS)
        closed = await session.get(Case, case.id)
    assert idle is None or (idle.state, idle.data) == ("", {})
    # The record of the case stays whole.
    assert (closed.state, closed.rating, closed.finding) == ("closed", 4, "不属实")
