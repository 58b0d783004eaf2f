"""A county whose 2026 公示 has closed: two units, five workers with final results (one per
grade history), a contact for each unit and the bureau desk. Imported by the renewal tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from testsupport import SECRET

from domain.clock import FixedClock
from storage.demo import demo_identity
from storage.identity import keyed_hash
from storage.models import Cycle, Post, Result, RoleBinding, TelegramUser, Unit, Worker

UNIT_A = "城关镇人民政府"
UNIT_B = "城东街道办事处"
UNIT_A_CONTACT = 7101
UNIT_B_CONTACT = 7102
BUREAU = 7103
# key: (unit, this year's grade, renew, last year's grade or None)
PEOPLE = {
    "pass": (UNIT_A, "合格", True, "合格"),
    "basic": (UNIT_A, "基本合格", True, None),
    "fail": (UNIT_A, "不合格", False, "合格"),
    "fail2": (UNIT_A, "不合格", False, "不合格"),
    "other": (UNIT_B, "合格", True, None),
}
# The day after the 公示 closed (Tuesday 22 December 2026), a Wednesday.
AFTER_CLOSE = datetime(2026, 12, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@dataclass
class County:
    units: dict[str, int]
    workers: dict[str, int]
    names: dict[str, str]
    cycle_id: int


def after_close() -> FixedClock:
    return FixedClock(AFTER_CLOSE)


async def make_county(storage) -> County:
    async with storage.sessions() as session, session.begin():
        units = {}
        for name in (UNIT_A, UNIT_B):
            unit = Unit(name=name, quota=10)
            session.add(unit)
            await session.flush()
            units[name] = unit.id
        this_year = Cycle(
            year=2026,
            state="closed",
            gongshi_opens_on=date(2026, 12, 16),
            gongshi_closes_on=date(2026, 12, 22),
        )
        last_year = Cycle(year=2025, state="closed")
        session.add_all([this_year, last_year])
        await session.flush()
        workers, names = {}, {}
        for index, (key, (unit, grade, renew, previous)) in enumerate(PEOPLE.items()):
            name, id_number, _phone = demo_identity(2026, index)
            worker = Worker(
                name=name,
                id_hash=keyed_hash(SECRET, "id", id_number),
                id_last4=id_number[-4:],
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
                    status="final",
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
            workers[key], names[key] = worker.id, name
        for user, role, unit in (
            (UNIT_A_CONTACT, "unit", units[UNIT_A]),
            (UNIT_B_CONTACT, "unit", units[UNIT_B]),
            (BUREAU, "bureau", None),
        ):
            session.add(TelegramUser(id=user))
            await session.flush()
            session.add(RoleBinding(user_id=user, role=role, unit_id=unit))
    return County(units=units, workers=workers, names=names, cycle_id=this_year.id)
