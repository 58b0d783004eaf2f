"""Who is who in the county of conftest.py, and short ways to file and act on a case."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from domain.workdays import WorkCalendar
from services import cases as store
from services.complaints import submit_complaint
from storage.complaints import ComplaintDraft, ContactDraft
from storage.models import AuditLog, Case, CaseEvent, Outbox

BUREAU = 8001
INVESTIGATORS = (8101, 8102)
UNIT_A_CONTACT = 8201
UNIT_B_CONTACT = 8202
CITIZEN = 8301
SECRET_KEY = "a-test-key-long-enough-for-the-complainant-hashes"
CALENDAR = WorkCalendar()
DESCRIPTION = "该人员本月多次不在岗位，由其亲属代为打扫。"


def actor(user_id: int, role: str, unit_id: int | None = None) -> store.Actor:
    return store.Actor(user_id=user_id, role=role, unit_id=unit_id)


async def file_case(
    storage,
    *,
    unit_id: int,
    worker_id: int | None,
    category: str,
    now: datetime,
    user_id: int = CITIZEN,
    contact: bool = False,
) -> int:
    async with storage.sessions() as session, session.begin():
        submitted = await submit_complaint(
            session=session,
            draft=ComplaintDraft(
                unit_id=unit_id,
                worker_id=worker_id,
                category=category,
                description=DESCRIPTION,
                contact=ContactDraft(user_id, "王二", "13800138000") if contact else None,
            ),
            user_id=user_id,
            language="zh",
            now=now,
            accept_due=CALENDAR.add_workdays(now.date(), 1),
            threshold=3,
            secret_key=SECRET_KEY,
        )
        assert submitted.case.id is not None
        return submitted.case.id


async def step(storage, fn, **kw):
    """One use case in its own transaction."""
    async with storage.sessions() as session, session.begin():
        return await fn(session=session, **kw)


async def get_case(storage, case_id: int) -> Case:
    async with storage.sessions() as session:
        found = await session.get(Case, case_id)
        assert found is not None
        return found


async def event_seqs(storage, case_id: int) -> list[tuple[int, str]]:
    async with storage.sessions() as session:
        rows = await session.execute(
            select(CaseEvent.seq, CaseEvent.action)
            .where(CaseEvent.case_id == case_id)
            .order_by(CaseEvent.seq)
        )
        return [(int(s), str(a)) for s, a in rows.all()]


async def outbox_to(storage, chat_id: int) -> list[Outbox]:
    async with storage.sessions() as session:
        rows = await session.execute(
            select(Outbox).where(Outbox.chat_id == chat_id).order_by(Outbox.id)
        )
        return list(rows.scalars())


async def audits(storage, action: str) -> list[AuditLog]:
    async with storage.sessions() as session:
        rows = await session.execute(
            select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
        )
        return list(rows.scalars())


async def count(storage, model, *where) -> int:
    async with storage.sessions() as session:
        statement = select(func.count()).select_from(model)
        for criterion in where:
            statement = statement.where(criterion)
        return (await session.execute(statement)).scalar_one()
