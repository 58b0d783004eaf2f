"""The printable 公示 is the unit's notice as 五(五) has it: issued in the unit's name together
with the county employment bureau's, with the unit's own complaint line when it has one."""

from __future__ import annotations

import re
from datetime import date

from pdftext import pdf_text
from sqlalchemy import update

from documents.notice import NoticeRow, UnitNotice, notice_pdf
from services.publication_texts import unit_notices
from storage.models import Cycle, Result, Unit, Worker
from storage.public_rows import notice_lists

UNIT = "城关镇人民政府"


def notice(phone: str = "") -> UnitNotice:
    return UnitNotice(
        unit_name=UNIT,
        year=2026,
        period="2026年12月16日（周三）至2026年12月22日（周二）",
        issued="2026年12月16日（周三）",
        rows=[NoticeRow("张*三", "保洁员", "合格", "续签")],
        unit_phone=phone,
    )


def test_issued_by_the_unit_with_the_bureau():
    text = pdf_text(notice_pdf(notice(), bot_username="gongshi_bot", language="zh"))
    # The signature line: the unit, then the bureau (the extracted text may widen the space).
    assert re.search(rf"{UNIT}\s+县就业局\s+2026年12月16日", text)
    assert "用人单位专线电话" not in text


def test_the_units_own_line_when_it_has_one():
    text = pdf_text(notice_pdf(notice("0991-1234567"), bot_username="b", language="zh"))
    assert "用人单位专线电话" in text and "0991-1234567" in text
    english = pdf_text(notice_pdf(notice("0991-1234567"), bot_username="b", language="en"))
    assert f"{UNIT} and the county employment bureau" in english


async def test_the_lists_carry_each_units_registered_line(any_storage):
    async with any_storage.sessions() as session, session.begin():
        with_line, without = (
            Unit(name=UNIT, quota=5, phone="0991-1234567"),
            Unit(name="县林业局", quota=5),
        )
        cycle = Cycle(
            year=2026,
            state="open",
            gongshi_opens_on=date(2026, 12, 16),
            gongshi_closes_on=date(2026, 12, 22),
        )
        session.add_all([with_line, without, cycle])
        await session.flush()
        for number, unit in enumerate((with_line, without)):
            worker = Worker(
                name=f"张{number}三", id_hash=f"h{number}", id_last4="1234", unit_id=unit.id
            )
            session.add(worker)
            await session.flush()
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
    async with any_storage.sessions() as session:
        lists = await notice_lists(session=session, year=2026)
    notices = {n.unit_name: n for n in unit_notices(lists, language="zh", issued_on=date.today())}
    assert notices[UNIT].unit_phone == "0991-1234567"
    assert notices["县林业局"].unit_phone == ""
    async with any_storage.sessions() as session, session.begin():
        await session.execute(update(Unit).values(phone=None))
    async with any_storage.sessions() as session:
        assert (await notice_lists(session=session, year=2026)).phones == {}
