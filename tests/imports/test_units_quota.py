"""A units sheet that sets a quota below the posts a unit has filled: imported (a quota may be
cut while the workers in post stay), and said, unit by unit, in the import's answer."""

from __future__ import annotations

import io

import openpyxl

from messages.i18n import Translator
from services.import_report import report_lines
from services.imports import import_units
from storage.models import Post, Unit, Worker

FILLED = 3


def units_sheet(*rows: tuple[str, int]) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["单位", "岗位指标"])
    for name, quota in rows:
        book.active.append([name, quota])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def seed(storage) -> None:
    async with storage.sessions() as session, session.begin():
        cut, grown = Unit(name="县林业局", quota=FILLED), Unit(name="县图书馆", quota=FILLED)
        session.add_all([cut, grown])
        await session.flush()
        for unit in (cut, grown):
            for n in range(FILLED):
                worker = Worker(name=f"人员{n}", id_hash=f"h{unit.id}-{n}", id_last4="0000")
                worker.unit_id = unit.id
                session.add(worker)
                await session.flush()
                session.add(Post(unit_id=unit.id, title="保洁", worker_id=worker.id))
            session.add(Post(unit_id=unit.id, title="空岗"))  # a vacant post is not filled


async def test_a_quota_below_the_filled_posts_is_imported_and_said(any_storage):
    await seed(any_storage)
    report = await import_units(
        sessions=any_storage.sessions,
        path=units_sheet(("县林业局", FILLED - 1), ("县图书馆", FILLED + 2), ("县档案馆", 4)),
        filename="单位.xlsx",
    )
    assert report.ok and (report.created, report.updated) == (1, 2)
    assert report.over_quota == {"县林业局": (FILLED - 1, FILLED)}
    lines = report_lines(report, Translator("zh"))
    [warning] = [line for line in lines if "县林业局" in line]
    assert f"岗位指标现为 {FILLED - 1} 个" in warning and f"已在岗 {FILLED} 个" in warning
    assert not any("县图书馆" in line or "县档案馆" in line for line in lines)
