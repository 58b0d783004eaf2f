"""A county for the 公示 tests: units, and people imported through the real results import
(with their ID numbers and phones), so the public texts are built from what a county holds."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert, select
from testsupport import SECRET, record_procedure

from domain.idnumber import make_id_number
from services.imports import import_results
from storage.models import Result, Unit, utcnow

UNITS = ("县城市管理局", "县林业局")
HEADER = ["单位", "姓名", "身份证号", "手机号", "岗位", "考核等次", "是否续签", "备注"]
SURNAMES = "张王李赵刘陈杨黄周吴"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛超霞平刚桂"
CHANNEL = -1001000000001


@dataclass(frozen=True)
class Person:
    unit: str
    name: str
    id_number: str
    phone: str
    post: str = "保洁员"
    grade: str = "合格"
    renew: str = "是"


def person(n: int, unit: str = UNITS[0], **changes: str) -> Person:
    """Person ``n``: a distinct three-character name, ID number and phone for each n < 8000."""
    name = SURNAMES[n % 10] + GIVEN[(n // 10) % 20] + GIVEN[(n // 200) % 20]
    born = date(1970, 1, 1) + timedelta(days=n)
    return Person(unit, name, make_id_number("110105", born, n % 1000), f"139{n:08d}", **changes)


def results_csv(people: Sequence[Person]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for p in people:
        writer.writerow([p.unit, p.name, p.id_number, p.phone, p.post, p.grade, p.renew, ""])
    return buffer.getvalue().encode("utf-8")


async def add_units(storage, names: Sequence[str] = UNITS) -> dict[str, int]:
    async with storage.sessions() as session, session.begin():
        known = set((await session.execute(select(Unit.name))).scalars())
        fresh = [{"name": n, "quota": 100, "created_at": utcnow()} for n in names if n not in known]
        if fresh:
            await session.execute(insert(Unit), fresh)
    async with storage.sessions() as session:
        return dict((await session.execute(select(Unit.name, Unit.id))).all())


async def import_people(
    storage, people: Sequence[Person], *, year: int = 2026, procedure: bool = True
) -> dict[str, int]:
    """Imports the people's results for ``year``, and records each unit's procedure unless
    ``procedure`` is False; their result ids by name."""
    await add_units(storage, sorted({p.unit for p in people}))
    report = await import_results(
        sessions=storage.sessions,
        secret_key=SECRET,
        path=results_csv(people),
        filename="results.csv",
        cycle_year=year,
        today=date(2026, 11, 1),
    )
    assert not report.issues, report.issues
    if procedure:
        await record_procedure(storage, year)
    return await result_ids(storage)


async def result_ids(storage) -> dict[str, int]:
    from storage.models import Worker

    async with storage.sessions() as session:
        rows = await session.execute(
            select(Worker.name, Result.id).join(Result, Result.worker_id == Worker.id)
        )
        return dict(rows.all())
