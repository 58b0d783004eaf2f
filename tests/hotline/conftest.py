"""A small county for the hotline: ten units (more than one page), a few workers, an open 公示,
and bound officials: bureau desk, two investigators, a contact for each of two units, and a
worker bound to their roster row."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "conversations"))

from hotline_helpers import (
    BUREAU,
    INVESTIGATORS,
    UNIT_A_CONTACT,
    UNIT_B_CONTACT,
    UNIT_NAMES,
    WORKER_USER,
)

from storage.models import Cycle, Result, RoleBinding, TelegramUser, Unit, Worker


@dataclass
class County:
    units: dict[str, int]
    workers: dict[str, int]
    results: dict[str, int]
    cycle_id: int


@pytest.fixture
async def county(storage) -> County:
    async with storage.sessions() as session, session.begin():
        units = [Unit(name=name, quota=10) for name in UNIT_NAMES]
        session.add_all(units)
        cycle = Cycle(
            year=2026,
            state="open",
            gongshi_opens_on=date(2026, 12, 15),
            gongshi_closes_on=date(2026, 12, 21),
        )
        session.add(cycle)
        await session.flush()
        a, b = units[0], units[1]
        people = [("张小三", a), ("张大伟", a), ("李四", a), ("王五", b)]
        workers = [
            Worker(name=n, id_hash=f"h{i}", id_last4="0000", unit_id=u.id)
            for i, (n, u) in enumerate(people)
        ]
        session.add_all(workers)
        await session.flush()
        results = [
            Result(
                cycle_id=cycle.id,
                worker_id=w.id,
                unit_id=w.unit_id,
                post_title="环卫",
                grade="合格",
                renew=True,
            )
            for w in workers
        ]
        session.add_all(results)
        bound = [
            (BUREAU, "bureau", None, None),
            (INVESTIGATORS[0], "investigator", None, None),
            (INVESTIGATORS[1], "investigator", None, None),
            (UNIT_A_CONTACT, "unit", a.id, None),
            (UNIT_B_CONTACT, "unit", b.id, None),
            (WORKER_USER, "worker", a.id, workers[0].id),
        ]
        for user_id, role, unit_id, worker_id in bound:
            session.add(TelegramUser(id=user_id, language="zh"))
            session.add(
                RoleBinding(user_id=user_id, role=role, unit_id=unit_id, worker_id=worker_id)
            )
        await session.flush()
        return County(
            units={u.name: u.id for u in units},
            workers={w.name: w.id for w in workers},
            results={w.name: r.id for w, r in zip(workers, results, strict=True)},
            cycle_id=cycle.id,
        )
