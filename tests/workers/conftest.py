"""A small county for workers: two units, five workers (one per grade history), the 2026
cycle with its 公示 open and the 2025 cycle closed, a unit contact, and the bureau desk."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "conversations"))

from testsupport import SECRET
from worker_county import BUREAU, PEOPLE, UNIT_A, UNIT_A_CONTACT, UNIT_B, UNIT_B_CONTACT

from domain.clock import FixedClock
from domain.masking import normalize_phone
from storage.demo import demo_identity
from storage.identity import keyed_hash
from storage.models import Cycle, Post, Result, RoleBinding, TelegramUser, Unit, UnitTask, Worker
from storage.workers import issue_codes


@dataclass
class Person:
    worker_id: int
    name: str
    id_number: str
    phone: str


@dataclass
class County:
    units: dict[str, int]
    people: dict[str, Person]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 17, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))


@pytest.fixture
async def county(storage) -> County:
    async with storage.sessions() as session, session.begin():
        units = {}
        for name in (UNIT_A, UNIT_B):
            unit = Unit(name=name, quota=10)
            session.add(unit)
            await session.flush()
            units[name] = unit.id
        this_year = Cycle(
            year=2026,
            state="open",
            gongshi_opens_on=date(2026, 12, 16),
            gongshi_closes_on=date(2026, 12, 22),
        )
        last_year = Cycle(year=2025, state="closed")
        session.add_all([this_year, last_year])
        await session.flush()
        people = {}
        for index, (key, (unit, grade, renew, previous)) in enumerate(PEOPLE.items()):
            name, id_number, phone = demo_identity(2026, index)
            worker = Worker(
                name=name,
                id_hash=keyed_hash(SECRET, "id", id_number),
                id_last4=id_number[-4:],
                phone_hash=keyed_hash(SECRET, "phone", normalize_phone(phone)),
                phone_last4=phone[-4:],
                unit_id=units[unit],
            )
            session.add(worker)
            await session.flush()
            session.add(Post(unit_id=units[unit], title="环卫", worker_id=worker.id))
            session.add(
                Result(
                    cycle_id=this_year.id,
                    worker_id=worker.id,
                    unit_id=units[unit],
                    post_title="环卫",
                    grade=grade,
                    renew=renew,
                )
            )
            if previous is not None:
                session.add(
                    Result(
                        cycle_id=last_year.id,
                        worker_id=worker.id,
                        unit_id=units[unit],
                        post_title="环卫",
                        grade=previous,
                        renew=previous != "不合格",
                        status="final",
                    )
                )
            people[key] = Person(worker.id, name, id_number, phone)
        for kind, due in (
            ("renewals_signed", date(2027, 1, 15)),
            ("non_renewals_reported", date(2027, 1, 8)),
            ("admonishment_talks", date(2027, 1, 12)),
        ):
            session.add(
                UnitTask(cycle_id=this_year.id, unit_id=units[UNIT_A], kind=kind, due_on=due)
            )
        for user, role, unit in (
            (UNIT_A_CONTACT, "unit", units[UNIT_A]),
            (UNIT_B_CONTACT, "unit", units[UNIT_B]),
            (BUREAU, "bureau", None),
        ):
            session.add(TelegramUser(id=user))
            await session.flush()
            session.add(RoleBinding(user_id=user, role=role, unit_id=unit))
    return County(units=units, people=people)


@pytest.fixture
def issue(storage, clock):
    """Codes for a unit, as `gongshi codes` makes them: {worker_id: code}."""

    async def make(unit_id: int) -> dict[int, str]:
        async with storage.sessions() as session, session.begin():
            rows = await issue_codes(session=session, unit_id=unit_id, now=clock.now())
        return {row.worker_id: row.code for row in rows}

    return make
