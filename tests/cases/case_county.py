"""A small county for the case desk: two units, a few workers with results, an open 公示,
and bound officials (bureau desk, two investigators, a contact for each unit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from case_helpers import BUREAU, CITIZEN, INVESTIGATORS, UNIT_A_CONTACT, UNIT_B_CONTACT

from storage.models import Cycle, Official, Result, RoleBinding, TelegramUser, Unit, Worker


@dataclass
class County:
    units: dict[str, int]
    workers: dict[str, int]
    cycle_id: int


async def build_county(storage) -> County:
    async with storage.sessions() as session, session.begin():
        units = [Unit(name=name, quota=10) for name in ("01号单位", "02号单位")]
        session.add_all(units)
        cycle = Cycle(
            year=2026,
            state="open",
            gongshi_opens_on=date(2026, 12, 15),
            gongshi_closes_on=date(2026, 12, 21),
        )
        session.add(cycle)
        await session.flush()
        a, b = units
        people = [("张小三", a), ("李四", a), ("王五", b)]
        workers = [
            Worker(name=n, id_hash=f"h{i}", id_last4="0000", unit_id=u.id)
            for i, (n, u) in enumerate(people)
        ]
        session.add_all(workers)
        await session.flush()
        session.add_all(
            Result(
                cycle_id=cycle.id,
                worker_id=w.id,
                unit_id=w.unit_id,
                post_title="环卫",
                grade="合格",
                renew=True,
            )
            for w in workers
        )
        named = Official(name="陈调查", role="investigator")
        session.add(named)
        await session.flush()
        bound = [
            (BUREAU, "bureau", None, None),
            (INVESTIGATORS[0], "investigator", None, named.id),
            (INVESTIGATORS[1], "investigator", None, None),
            (UNIT_A_CONTACT, "unit", a.id, None),
            (UNIT_B_CONTACT, "unit", b.id, None),
        ]
        for user_id, role, unit_id, official_id in bound:
            session.add(TelegramUser(id=user_id, language="zh"))
            session.add(
                RoleBinding(user_id=user_id, role=role, unit_id=unit_id, official_id=official_id)
            )
        session.add(TelegramUser(id=CITIZEN, language="zh"))
        await session.flush()
        return County(
            units={u.name: u.id for u in units},
            workers={w.name: w.id for w in workers},
            cycle_id=cycle.id,
        )
