"""A small county for the notices tests: units with workers on posts, unit contacts, bureau
staff and an admin bound to Telegram users, a 2026 cycle and its tasks.

Imported by the tests as ``notices_world`` (pytest puts this folder on sys.path)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from driver import Chat

from domain.deadlines import gongshi_window, plan_tasks
from domain.idnumber import make_id_number
from domain.workdays import WorkCalendar
from handlers import bureau_tasks, invitations, menu, unit, verification
from handlers.core import Dispatcher, Router
from notices.service import deadline_config
from storage.db import transaction
from storage.identity import keyed_hash
from storage.models import Cycle, Post, RoleBinding, TelegramUser, Unit, Worker
from storage.unit_tasks import create_tasks

SHANGHAI = ZoneInfo("Asia/Shanghai")
SECRET = "test-secret-key-0123456789-abcdefghij"  # tests/testsupport.py's


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def id_number(n: int) -> str:
    return make_id_number("110105", datetime(1975, 1, 1).date(), n)


@dataclass
class World:
    cycle_id: int
    units: dict[str, int] = field(default_factory=dict)  # name → id
    contacts: dict[str, list[int]] = field(default_factory=dict)  # unit name → user ids
    bureau: list[int] = field(default_factory=list)
    admins: list[int] = field(default_factory=list)
    workers: dict[str, list[int]] = field(default_factory=dict)  # unit name → worker ids


async def build_world(
    sessions,
    *,
    units: dict[str, list[int]],
    bureau: list[int],
    admins: tuple[int, ...] = (),
    workers_per_unit: int = 0,
    with_tasks: bool = True,
    year: int = 2026,
) -> World:
    """``units`` maps each unit's name to its contacts' Telegram ids."""
    async with transaction(sessions) as session:
        cycle = Cycle(year=year)
        session.add(cycle)
        await session.flush()
        world = World(cycle_id=cycle.id)
        person = 0
        for name, contacts in units.items():
            unit = Unit(name=name, quota=workers_per_unit)
            session.add(unit)
            await session.flush()
            world.units[name] = unit.id
            world.contacts[name] = list(contacts)
            world.workers[name] = []
            for user_id in contacts:
                session.add(TelegramUser(id=user_id))
                session.add(RoleBinding(user_id=user_id, role="unit", unit_id=unit.id))
            for n in range(workers_per_unit):
                person += 1
                number = id_number(person)
                worker = Worker(
                    name=f"张小{n}",
                    id_hash=keyed_hash(SECRET, "id", number),
                    id_last4=number[-4:],
                    phone_last4="0000",
                    unit_id=unit.id,
                )
                session.add(worker)
                await session.flush()
                session.add(Post(unit_id=unit.id, title="保洁员", worker_id=worker.id))
                world.workers[name].append(worker.id)
        for role, users in (("bureau", bureau), ("admin", admins)):
            for user_id in users:
                session.add(TelegramUser(id=user_id))
                session.add(RoleBinding(user_id=user_id, role=role))
        world.bureau, world.admins = list(bureau), list(admins)
        if with_tasks:
            calendar = WorkCalendar()
            config = deadline_config()
            window = gongshi_window(year=year, config=config, calendar=calendar)
            plan = plan_tasks(year=year, config=config, calendar=calendar, window=window)
            await create_tasks(session, cycle=cycle, plan=plan)
    return world


async def opened(dispatcher: Dispatcher, user_id: int) -> Chat:
    """A chat that has the menu on screen, as after /start."""
    chat = Chat(dispatcher, user_id)
    await chat.send("/start")
    return chat


def dispatcher_for(storage, clock) -> Dispatcher:
    """Every conversation, with this issue's routers included as bot/app.py will."""
    root = Router()
    for module in (invitations, menu, unit, bureau_tasks, verification):
        root.include(module.router())
    return Dispatcher(
        sessions=storage.sessions, settings=storage.settings, clock=clock, router=root
    )
