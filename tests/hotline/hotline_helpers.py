"""Filing a complaint the way a citizen does, and reading back what was written."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from handlers.types import FileRef
from storage.models import Case, CaseEvent, Complaint, Outbox

# Who is bound to what in the county of conftest.py.
BUREAU = 7001
INVESTIGATORS = (7101, 7102)
UNIT_A_CONTACT = 7201
UNIT_B_CONTACT = 7202
WORKER_USER = 7301
UNIT_NAMES = [f"{n:02d}号单位" for n in range(1, 11)]

TICKET = re.compile(r"查询码是 ([2-9A-HJKMNP-Z]{8})")
DESCRIPTION = "该人员本月多次不在岗位，由其亲属代为打扫。"


async def file_complaint(
    me,
    *,
    unit: str = "01号单位",
    worker: str | None = None,
    pick: str | None = None,
    category: str = "工作作风 / 服务态度",
    description: str = DESCRIPTION,
    contact_phone: str | None = None,
) -> str:
    """Menu → unit → (worker) → category → description → no evidence → identity → confirm;
    returns the ticket code."""
    await me.send("/start")
    await me.click("我要投诉")
    await me.click(unit)
    if worker is None:
        await me.click("投诉单位本身")
    else:
        await me.send(worker)
        await me.click(pick or me.buttons()[0])
    await me.click(category)
    await me.send(description)
    await me.click("继续")
    if contact_phone is None:
        await me.click("匿名投诉")
    else:
        await me.share_contact(contact_phone)
    await me.click("提交投诉")
    found = TICKET.search(me.last)
    assert found, me.last
    return found.group(1)


def ticket_of(me) -> str:
    """The ticket code in the last message the chat shows."""
    found = TICKET.search(me.last)
    assert found, me.last
    return found.group(1)


def document(name: str, *, mime: str | None = None, size: int = 1000, kind: str = "document"):
    return FileRef(
        file_id=f"f-{name}",
        file_unique_id=f"u-{name}",
        kind=kind,
        file_name=name,
        mime_type=mime,
        size=size,
    )


async def upload(me, ref: FileRef):
    return await me.deliver(me.incoming(file=ref))


async def case_of(storage, code: str) -> Case:
    async with storage.sessions() as session:
        found = await session.execute(
            select(Case)
            .join(Complaint, Complaint.id == Case.complaint_id)
            .where(Complaint.ticket_code == code)
        )
        return found.scalar_one()


async def outbox_chats(storage, case_id: int) -> set[int]:
    async with storage.sessions() as session:
        rows = await session.execute(
            select(Outbox.chat_id).where(Outbox.dedup_key.like(f"case:{case_id}:%"))
        )
        return {int(c) for c in rows.scalars()}


async def events(storage, case_id: int) -> list[str]:
    async with storage.sessions() as session:
        rows = await session.execute(
            select(CaseEvent.action).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
        )
        return list(rows.scalars())


async def count(storage, model, *where) -> int:
    async with storage.sessions() as session:
        statement = select(func.count()).select_from(model)
        for criterion in where:
            statement = statement.where(criterion)
        return (await session.execute(statement)).scalar_one()
