"""A small county for the officials' tools: units with workers on duty, last year's 公示
closed, this year's results and tasks (one unit far behind), an administrator, a desk
official and a unit contact bound."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from storage.models import (
    Cycle,
    Official,
    Post,
    Result,
    RoleBinding,
    TelegramUser,
    Unit,
    UnitTask,
    Worker,
)

ADMIN, UNIT_CONTACT, BUREAU = 7001, 7002, 7003
UNITS = ("01号单位", "02号单位", "03号单位")


@dataclass
class County:
    units: dict[str, int]


async def build_county(storage) -> County:
    async with storage.sessions() as session, session.begin():
        units = [Unit(name=name, quota=10) for name in UNITS]
        session.add_all(units)
        last = Cycle(year=2025, state="closed")
        this = Cycle(year=2026, state="assessing")
        session.add_all([last, this])
        await session.flush()
        for number, (name, unit) in enumerate((("张小三", units[0]), ("李四", units[1]))):
            worker = Worker(name=name, id_hash=f"h{number}", id_last4="1234", unit_id=unit.id)
            session.add(worker)
            await session.flush()
            session.add(Post(unit_id=unit.id, title="环卫", worker_id=worker.id))
            for cycle, status in ((last, "final"), (this, "pending")):
                session.add(
                    Result(
                        cycle_id=cycle.id, worker_id=worker.id, unit_id=unit.id,
                        post_title="环卫", grade="合格", renew=True, status=status,
                    )
                )  # fmt: skip
        # 02号单位 is furthest behind, 03号单位 a little, 01号单位 not at all.
        for unit, overdue in ((units[0], 0), (units[1], 2), (units[2], 1)):
            for kind in ("rules_filed", "assessment"):
                late = (kind == "rules_filed" and overdue >= 1) or overdue == 2
                session.add(
                    UnitTask(
                        cycle_id=this.id, unit_id=unit.id, kind=kind,
                        due_on=date(2026, 11, 30) if late else date(2026, 12, 30),
                    )
                )  # fmt: skip
        unit_official = Official(name="王联系", role="unit", unit_id=units[0].id)
        admin = Official(name="赵管理", role="admin")
        desk = Official(name="刘受理", role="bureau")
        session.add_all([unit_official, admin, desk])
        await session.flush()
        for user_id, official, unit_id in (
            (ADMIN, admin, None),
            (UNIT_CONTACT, unit_official, units[0].id),
            (BUREAU, desk, None),
        ):
            session.add(TelegramUser(id=user_id, language="zh"))
            session.add(
                RoleBinding(
                    user_id=user_id, role=official.role, official_id=official.id, unit_id=unit_id
                )
            )
        return County(units={u.name: u.id for u in units})
