"""The data model on SQLite and on PostgreSQL: types, constraints, and the migration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from storage.migrate import upgrade
from storage.models import Case, CaseEvent, Complaint, Cycle, Outbox, Result, Unit, Worker

SHANGHAI = timezone(timedelta(hours=8))
BIG_TELEGRAM_ID = 7_123_456_789  # beyond 32 bits, as new Telegram ids are


def worker(unit_id: int, n: int = 1) -> Worker:
    return Worker(name=f"张三{n}", id_hash=f"{n:064x}", id_last4="123X", unit_id=unit_id)


async def test_migration_matches_the_models(any_storage):
    """A model changed without a migration shows up here as a difference."""

    def differences(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)

    async with any_storage.engine.connect() as connection:
        diff = await connection.run_sync(differences)
    assert diff == []


async def test_upgrade_twice_changes_nothing(any_storage):
    async with any_storage.sessions() as session, session.begin():
        session.add(Unit(name="县城市管理局", quota=10))
    await upgrade(any_storage.engine)
    async with any_storage.sessions() as session:
        names = (await session.execute(select(Unit.name))).scalars().all()
    assert names == ["县城市管理局"]


async def test_times_come_back_in_utc(any_storage):
    local = datetime(2026, 12, 15, 9, 30, tzinfo=SHANGHAI)
    async with any_storage.sessions() as session, session.begin():
        session.add(Cycle(year=2026, opened_at=local))
    async with any_storage.sessions() as session:
        cycle = (await session.execute(select(Cycle))).scalar_one()
    assert cycle.opened_at == local
    assert cycle.opened_at.utcoffset() == timedelta(0)
    assert cycle.opened_at.hour == 1


async def test_naive_times_are_refused(any_storage):
    with pytest.raises(Exception, match="naive datetime"):
        async with any_storage.sessions() as session, session.begin():
            session.add(Cycle(year=2027, opened_at=datetime(2026, 12, 15, 9, 30)))


async def test_foreign_keys_are_enforced(any_storage):
    with pytest.raises(IntegrityError):
        async with any_storage.sessions() as session, session.begin():
            session.add(worker(unit_id=999))


async def test_one_result_per_worker_and_cycle(any_storage):
    async with any_storage.sessions() as session, session.begin():
        unit = Unit(name="县园林绿化中心")
        session.add(unit)
        await session.flush()
        person = worker(unit.id)
        cycle = Cycle(year=2026)
        session.add_all([person, cycle])
        await session.flush()
        ids = {"cycle_id": cycle.id, "worker_id": person.id, "unit_id": unit.id}
        session.add(Result(**ids, post_title="保洁", grade="合格", renew=True))
    with pytest.raises(IntegrityError):
        async with any_storage.sessions() as session, session.begin():
            session.add(Result(**ids, post_title="保洁", grade="不合格", renew=False))


async def test_telegram_ids_beyond_32_bits_and_json(any_storage):
    async with any_storage.sessions() as session, session.begin():
        session.add(
            Outbox(
                chat_id=-100_000_000_000 - BIG_TELEGRAM_ID,
                kind="alert",
                payload={"text": "新的严重投诉", "buttons": [["受理", "case:1:accept"]]},
                dedup_key="case:1:alert",
            )
        )
    async with any_storage.sessions() as session:
        row = (await session.execute(select(Outbox))).scalar_one()
    assert row.chat_id == -100_000_000_000 - BIG_TELEGRAM_ID
    assert row.payload["buttons"][0][0] == "受理"
    assert row.not_before.tzinfo is not None and row.state == "pending"


async def test_outbox_dedup_key_is_unique(any_storage):
    async with any_storage.sessions() as session, session.begin():
        session.add(Outbox(chat_id=1, kind="reminder", dedup_key="task:7:before:3"))
    with pytest.raises(IntegrityError):
        async with any_storage.sessions() as session, session.begin():
            session.add(Outbox(chat_id=1, kind="reminder", dedup_key="task:7:before:3"))


async def test_case_history_sequence_is_unique(any_storage):
    async with any_storage.sessions() as session, session.begin():
        complaint = Complaint(
            ticket_code="K7M2QX9P",
            category="不在岗",
            description="该岗位人员长期不在岗",
            submitted_by=BIG_TELEGRAM_ID,
        )
        session.add(complaint)
        await session.flush()
        case = Case(
            complaint_id=complaint.id, category="不在岗", severity="serious", route="investigators"
        )
        session.add(case)
        await session.flush()
        session.add(CaseEvent(case_id=case.id, seq=1, action="submitted", to_state="submitted"))
        case_id = case.id
    with pytest.raises(IntegrityError):
        async with any_storage.sessions() as session, session.begin():
            session.add(CaseEvent(case_id=case_id, seq=1, action="accepted"))
    async with any_storage.sessions() as session:
        complaint = (await session.execute(select(Complaint))).scalar_one()
    assert complaint.submitted_by == BIG_TELEGRAM_ID
    assert complaint.submitted_at.tzinfo == UTC


async def test_a_chain_of_merged_cases_is_walked_by_its_index(storage):
    """The cases merged into one are found by searching case_file's index on merged_into_id, at
    the chain's start and at every step down it, never by reading every case (SQLite's plan)."""
    from storage.merged import _merged_into

    async with storage.engine.connect() as connection:
        query = _merged_into(5).compile(
            dialect=connection.dialect, compile_kwargs={"literal_binds": True}
        )
        plan = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}")
        steps = [str(row[-1]) for row in plan]
    searched = [step for step in steps if "ix_case_file_merged_into_id" in step]
    assert len(searched) == 2, steps
    assert not [step for step in steps if step.startswith("SCAN case_file")], steps
