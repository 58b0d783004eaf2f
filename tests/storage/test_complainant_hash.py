"""Complainants are counted by a keyed hash of their Telegram id, on SQLite and PostgreSQL: the
daily limit and the distinct-complainant escalation work from it, it holds nothing of the id,
it changes with the secret key, and it goes once a finished case no longer needs it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from services import cases as steps
from services.complaints import submit_complaint
from storage.complaints import (
    ComplaintDraft,
    complainant_hash,
    complaints_since,
    day_ago,
)
from storage.models import CaseEvent, Complaint, Cycle, Unit, Worker

KEY = "a-secret-key-of-the-deployment-long-enough-1234"
NOW = datetime(2026, 12, 16, 2, 0, tzinfo=UTC)
PEOPLE = (9_100_000_001, 9_100_000_002, 9_100_000_003)


async def county(storage) -> tuple[int, int]:
    async with storage.sessions() as session, session.begin():
        unit = Unit(name="01号单位", quota=5)
        session.add(unit)
        session.add(Cycle(year=2026, state="open", gongshi_closes_on=date(2026, 12, 21)))
        await session.flush()
        worker = Worker(name="张小三", id_hash="h1", id_last4="0000", unit_id=unit.id)
        session.add(worker)
        await session.flush()
        assert unit.id is not None and worker.id is not None
        return unit.id, worker.id


async def file(storage, unit_id: int, worker_id: int, user_id: int, *, key: str = KEY):
    async with storage.sessions() as session, session.begin():
        return await submit_complaint(
            session=session,
            draft=ComplaintDraft(
                unit_id=unit_id,
                worker_id=worker_id,
                category="conduct",
                description="该人员经常迟到早退，态度恶劣。",
            ),
            user_id=user_id,
            language="zh",
            now=NOW,
            accept_due=None,
            threshold=3,
            secret_key=key,
        )


async def filed_today(storage, user_id: int, *, key: str = KEY) -> int:
    async with storage.sessions() as session:
        return await complaints_since(session, user_id=user_id, since=day_ago(NOW), secret_key=key)


async def test_counts_come_from_the_hash_and_the_hash_holds_no_id(any_storage):
    storage = any_storage
    unit_id, worker_id = await county(storage)
    # One person three times is one complainant: the minor case stays minor.
    for _ in range(3):
        again = await file(storage, unit_id, worker_id, PEOPLE[0])
    assert (again.complainants, again.case.severity) == (1, "minor")
    assert await filed_today(storage, PEOPLE[0]) == 3
    assert await filed_today(storage, PEOPLE[1]) == 0
    # Three distinct people make it serious, and the earlier cases with it.
    await file(storage, unit_id, worker_id, PEOPLE[1])
    third = await file(storage, unit_id, worker_id, PEOPLE[2])
    assert (third.complainants, third.case.severity) == (3, "serious")
    assert len(third.escalated) == 4

    async with storage.sessions() as session:
        hashes = (await session.execute(select(Complaint.complainant_hash))).scalars().all()
        submitted = (
            await session.execute(
                select(CaseEvent.actor_user_id).where(CaseEvent.action == "submitted")
            )
        ).scalars()
        assert list(submitted) == [None] * 5  # the history names no citizen
    assert set(hashes) == {complainant_hash(KEY, person) for person in PEOPLE}
    assert not any(str(person) in h for h in hashes for person in PEOPLE)
    # Under another key the same person is someone else: a rekey leaves the hashes unjoinable.
    assert await filed_today(storage, PEOPLE[0], key=KEY + "-rotated") == 0


async def test_the_hash_goes_when_the_case_ends_after_the_day(any_storage):
    storage = any_storage
    unit_id, worker_id = await county(storage)
    quick = await file(storage, unit_id, worker_id, PEOPLE[0])
    later = await file(storage, unit_id, worker_id, PEOPLE[1])
    desk = steps.Actor(user_id=1, role="bureau")
    for case, at in ((quick.case, NOW + timedelta(hours=2)), (later.case, NOW + timedelta(days=2))):
        async with storage.sessions() as session, session.begin():
            await steps.reject(
                session=session, case_id=case.id, actor=desk, now=at, reason="不属于受理范围"
            )
    async with storage.sessions() as session:
        kept = {
            c.id: c.complainant_hash for c in (await session.execute(select(Complaint))).scalars()
        }
    # Rejected within the day: the daily limit still counts it; two days on: gone.
    assert kept[quick.complaint.id] == complainant_hash(KEY, PEOPLE[0])
    assert kept[later.complaint.id] is None
    assert await filed_today(storage, PEOPLE[0]) == 1
