"""A unit with workers, its contact, and the steps of a complete procedure record, shared by
the procedure tests (imported as ``procedure_world``)."""

from __future__ import annotations

import csv
import io
from datetime import date

from pubworld import UNITS, import_people, person
from sqlalchemy import select

from services.procedure import StepInput, attach_minutes, record_step
from storage.db import transaction
from storage.models import RoleBinding, TelegramUser, Unit, Worker

CONTACT = 8801
HELD = date(2026, 12, 8)


async def unit_with_workers(storage, count: int = 3) -> dict[str, int]:
    """Unit 0 with ``count`` workers (results of 2026 imported); worker ids by name."""
    await import_people(storage, [person(n) for n in range(count)], procedure=False)
    async with storage.sessions() as session:
        return dict((await session.execute(select(Worker.name, Worker.id))).all())


async def unit_id(storage, name: str = UNITS[0]) -> int:
    async with storage.sessions() as session:
        return (await session.execute(select(Unit.id).where(Unit.name == name))).scalar_one()


async def bind_contact(storage, unit: int, user: int = CONTACT) -> None:
    async with storage.sessions() as session, session.begin():
        session.add(TelegramUser(id=user))
        await session.flush()
        session.add(RoleBinding(user_id=user, role="unit", unit_id=unit))


def complete_steps(workers: list[int]) -> list[StepInput]:
    return [
        StepInput(step="report", held_on=HELD, workers=tuple(workers)),
        StepInput(step="interview", held_on=HELD, workers=tuple(workers[:1])),
        StepInput(
            step="evaluation",
            held_on=HELD,
            people={"leader": ["王分管"], "served": ["居民甲", "居民乙", "居民丙"]},
        ),
        StepInput(step="meeting", held_on=HELD, people={"attendee": ["王分管", "李主任"]}),
    ]


async def record_all(storage, clock, unit: int, workers: list[int], year: int = 2026) -> None:
    async with transaction(storage.sessions) as session:
        for entry in complete_steps(workers):
            await record_step(
                session=session,
                year=year,
                unit_id=unit,
                entry=entry,
                actor="test",
                today=clock.today(),
                now=clock.now(),
            )
        await attach_minutes(
            session=session,
            year=year,
            unit_id=unit,
            unit_name="",
            file_name="纪要.pdf",
            content=b"%PDF-1.4 minutes",
            actor="test",
            now=clock.now(),
        )


def procedure_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["单位", "環節", "日期", "姓名", "身份", "说明"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")
