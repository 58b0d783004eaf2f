"""The roster's own history (人员增减变动): the roster import records who joined which unit on
which day, a move between units as a leave and a join, and the same file again records
nothing; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from domain.idnumber import make_id_number
from services.imports import import_roster
from storage.db import transaction
from storage.models import Unit, WorkerChange
from storage.roster_history import changes_in_year

SECRET = "test-secret-key-0123456789-abcdefghij"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def roster(tmp_path, name, rows):
    path = tmp_path / name
    lines = ["单位,姓名,身份证号,手机号,岗位"]
    for unit, person, n in rows:
        number = make_id_number("110105", date(1980, 1, 1), n)
        lines.append(f"{unit},{person},{number},,保洁员")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def test_the_roster_import_keeps_who_joined_and_left(any_storage, tmp_path):
    async with transaction(any_storage.sessions) as session:
        session.add_all([Unit(name="县城市管理局", quota=5), Unit(name="县园林绿化所", quota=5)])
    first = roster(tmp_path, "a.csv", [("县城市管理局", "李一", 1), ("县城市管理局", "李二", 2)])
    report = await import_roster(
        sessions=any_storage.sessions, secret_key=SECRET, path=first, now=NOW, today=NOW.date()
    )
    assert report.ok
    later = datetime(2026, 6, 15, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    moved = roster(tmp_path, "b.csv", [("县城市管理局", "李一", 1), ("县园林绿化所", "李二", 2)])
    for _ in range(2):  # the same file twice: the second time nothing changes
        await import_roster(
            sessions=any_storage.sessions, secret_key=SECRET, path=moved, now=later,
            today=later.date(),
        )  # fmt: skip
    async with any_storage.sessions() as session:
        units = {u.name: u.id for u in (await session.execute(select(Unit))).scalars()}
        city = await changes_in_year(session, unit_id=units["县城市管理局"], year=2026)
        parks = await changes_in_year(session, unit_id=units["县园林绿化所"], year=2026)
        last_year = await changes_in_year(session, unit_id=units["县城市管理局"], year=2025)
        total = len((await session.execute(select(WorkerChange))).scalars().all())
    assert [(c.name, c.change, c.on_day, c.reason) for c in city] == [
        ("李一", "joined", date(2026, 3, 2), "roster"),
        ("李二", "joined", date(2026, 3, 2), "roster"),
        ("李二", "left", date(2026, 6, 15), "transfer"),
    ]
    assert [(c.name, c.change, c.on_day) for c in parks] == [("李二", "joined", date(2026, 6, 15))]
    assert last_year == [] and total == 4
