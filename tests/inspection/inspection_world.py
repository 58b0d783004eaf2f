"""A small city for the inspection's tests: four units of different sizes (workers on posts,
some bound to Telegram), a contact per unit, bureau staff and an admin, the 2026 cycle with its
tasks. Imported by name (tests/inspection is on sys.path)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.deadlines import gongshi_window, plan_tasks
from domain.idnumber import make_id_number
from domain.workdays import WorkCalendar
from notices.service import deadline_config
from storage.db import transaction
from storage.identity import keyed_hash
from storage.models import Cycle, Post, Result, RoleBinding, TelegramUser, Unit, Worker
from storage.unit_tasks import create_tasks

SHANGHAI = ZoneInfo("Asia/Shanghai")
SECRET = "test-secret-key-0123456789-abcdefghij"
# name → (workers, contact's Telegram id); the first two workers of each unit are bound.
UNITS = {
    "县城市管理局": (5, 7100000001),
    "县园林绿化所": (3, 7100000002),
    "县社区服务中心": (2, 7100000003),
    "县交通协管站": (1, 7100000004),
}
BUREAU, ADMIN = 7100000091, 7100000092
BOUND_PER_UNIT = 2


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def worker_user(unit_index: int, n: int) -> int:
    return 7200000000 + unit_index * 100 + n


@dataclass
class City:
    cycle_id: int
    units: dict[str, int] = field(default_factory=dict)
    workers: dict[str, list[int]] = field(default_factory=dict)
    worker_users: dict[int, int] = field(default_factory=dict)  # worker id → Telegram id


async def build_city(sessions, *, tasks: bool = True) -> City:
    async with transaction(sessions) as session:
        cycle = Cycle(year=2026)
        session.add(cycle)
        await session.flush()
        city = City(cycle_id=cycle.id)
        person = 0
        for index, (name, (count, contact)) in enumerate(UNITS.items()):
            unit = Unit(name=name, quota=count + 1)
            session.add(unit)
            await session.flush()
            city.units[name], city.workers[name] = unit.id, []
            session.add(TelegramUser(id=contact))
            session.add(RoleBinding(user_id=contact, role="unit", unit_id=unit.id))
            for n in range(count):
                person += 1
                number = make_id_number("110105", datetime(1975, 1, 1).date(), person)
                worker = Worker(
                    name=f"王小{n}",
                    id_hash=keyed_hash(SECRET, "id", number),
                    id_last4=number[-4:],
                    unit_id=unit.id,
                )
                session.add(worker)
                await session.flush()
                session.add(Post(unit_id=unit.id, title="保洁员", worker_id=worker.id))
                session.add(
                    Result(
                        cycle_id=cycle.id,
                        worker_id=worker.id,
                        unit_id=unit.id,
                        post_title="保洁员",
                        grade="合格",
                        renew=True,
                    )
                )
                city.workers[name].append(worker.id)
                if n < BOUND_PER_UNIT:
                    user = worker_user(index, n)
                    session.add(TelegramUser(id=user))
                    session.add(RoleBinding(user_id=user, role="worker", worker_id=worker.id))
                    city.worker_users[worker.id] = user
        for role, user in (("bureau", BUREAU), ("admin", ADMIN)):
            session.add(TelegramUser(id=user))
            session.add(RoleBinding(user_id=user, role=role))
        if tasks:
            calendar = WorkCalendar()
            config = deadline_config()
            window = gongshi_window(year=2026, config=config, calendar=calendar)
            plan = plan_tasks(year=2026, config=config, calendar=calendar, window=window)
            await create_tasks(session, cycle=cycle, plan=plan)
    return city


async def plan_with_inspectors(
    sessions,
    city: City,
    *,
    groups: dict[str, int],
    inspectors: list[tuple[int, int, str]],
    now: datetime,
) -> None:
    """The 2026 plan (two groups), the named units put in the given groups, and each
    (Telegram user, group, position) bound as an inspector of that group."""
    from sqlalchemy import select

    from services.inspection_plan import add_member, invite_inspector, move_unit, plan_cycle
    from storage.invitations import redeem_invitation

    async with transaction(sessions) as session:
        cycle = (await session.execute(select(Cycle))).scalar_one()
        plan = await plan_cycle(session=session, cycle=cycle, calendar=WorkCalendar())
        for name, number in groups.items():
            await move_unit(
                session=session, plan=plan, unit_id=city.units[name], group_number=number
            )
        for user, number, position in inspectors:
            member = await add_member(
                session=session, plan=plan, body="group", name=f"组员{user % 100}",
                position=position, group_number=number,
            )  # fmt: skip
            token = await invite_inspector(session=session, member=member, now=now)
            await redeem_invitation(session=session, token=token, user_id=user, now=now)


async def task_of(sessions, unit_id: int, kind: str):
    from sqlalchemy import select

    from storage.models import UnitTask

    async with sessions() as session:
        found = await session.execute(
            select(UnitTask).where(UnitTask.unit_id == unit_id, UnitTask.kind == kind)
        )
        return found.scalar_one()
