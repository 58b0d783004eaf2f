"""The staff-verification sheet knows 请假 (city plan 五.4: "absent without excuse" is struck
off): a 请假 row needs its reason, and is recorded exactly as the chat records an excuse —
absent with the reason, kept on the roster — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from inspection_world import SECRET, UNITS, at, build_city
from sqlalchemy import func, select

from domain.attendance import (
    REASON_EXCUSE_MISSING,
    REASON_EXCUSE_NOT_ABSENT,
    REASON_EXCUSE_TOO_LONG,
    read_attendance,
)
from domain.idnumber import make_id_number
from services.attendance import import_attendance, record_and_tell
from storage.db import transaction
from storage.models import AuditLog, Outbox, Post, Verification, Worker

TODAY = date(2026, 12, 23)
CITY = next(iter(UNITS))  # its workers are the city's people 1 to 5


def id_number(person: int) -> str:
    return make_id_number("110105", datetime(1975, 1, 1).date(), person)


def test_a_leave_is_read_with_its_reason_in_one_line() -> None:
    sheet = read_attendance(
        [
            ["身份证号", "是否到场", "请假原因"],
            [id_number(1), "请假", "  腰伤\n住院  治疗 "],
            [id_number(2), "病假", "发烧"],
            [id_number(3), "是", "已核对"],
            [id_number(4), "否", ""],
        ],
        today=TODAY,
    )
    assert sheet.issues == []
    assert [(r.status, r.excuse, r.present) for r in sheet.rows] == [
        ("excused", "腰伤 住院 治疗", False),
        ("excused", "发烧", False),
        ("present", "", True),  # a note beside someone who came is not an excuse
        ("absent", "", False),
    ]


def test_a_leave_without_a_reason_or_an_absence_with_one_is_a_row_error() -> None:
    sheet = read_attendance(
        [
            ["序号", "身份證號", "到場情況", "事由"],
            ["1", id_number(1), "请假", " "],
            ["2", id_number(2), "否", "家中有事"],
            ["3", id_number(3), "請假", "长" * 201],
            ["4", id_number(4), "请假", "长" * 200],
        ],
        today=TODAY,
    )
    assert [(i.row, i.column, i.reason) for i in sheet.issues] == [
        (2, "事由", REASON_EXCUSE_MISSING),
        (3, "事由", REASON_EXCUSE_NOT_ABSENT),
        (4, "事由", REASON_EXCUSE_TOO_LONG),
    ]
    assert [r.row for r in sheet.rows] == [5]


def test_a_leave_in_a_sheet_without_a_reason_column_is_refused_under_present() -> None:
    sheet = read_attendance([["身份证号", "是否到场"], [id_number(1), "请假"]], today=TODAY)
    assert [(i.row, i.column, i.reason) for i in sheet.issues] == [
        (2, "是否到场", REASON_EXCUSE_MISSING)
    ]


async def verification_of(sessions, worker_id: int) -> tuple[bool, str, bool, str]:
    async with sessions() as session:
        row = (
            await session.execute(select(Verification).where(Verification.worker_id == worker_id))
        ).scalar_one()
        worker = await session.get(Worker, worker_id)
        post = (await session.execute(select(Post).where(Post.worker_id == worker_id))).scalar()
    assert post is not None  # the post is still theirs
    return row.present, row.excuse, row.papers_seen, worker.status


@pytest.mark.parametrize("bad", [False, True])
async def test_the_sheet_records_a_leave_as_the_chat_does(any_storage, tmp_path, bad) -> None:
    sessions = any_storage.sessions
    city = await build_city(sessions, tasks=False)
    first, _, third, fourth, _ = city.workers[CITY]
    # The chat's record of an excuse, for the fourth worker.
    async with transaction(sessions) as session:
        worker = await session.get(Worker, fourth)
        await record_and_tell(
            session=session, cycle_id=city.cycle_id, worker=worker, present=False,
            now=at(12, 23, 9), user_id=city.worker_users.get(fourth), excuse="住院",
        )  # fmt: skip
    sheet = tmp_path / "核对.csv"
    rows = [f"{id_number(1)},请假,住院", f"{id_number(2)},是,", f"{id_number(3)},否,"]
    if bad:
        rows.append(f"{id_number(5)},请假,")
    sheet.write_text("身份证号,是否到场,请假原因\n" + "\n".join(rows) + "\n", encoding="utf-8")

    report = await import_attendance(
        sessions=sessions, secret_key=SECRET, path=sheet, cycle_id=city.cycle_id,
        now=at(12, 23, 10), today=TODAY,
    )  # fmt: skip

    async with sessions() as session:
        recorded = await session.scalar(select(func.count()).select_from(Verification))
    if bad:  # one bad row: nothing is recorded, nobody struck off
        assert not report.ok
        assert [(i.row, i.reason) for i in report.issues] == [(5, REASON_EXCUSE_MISSING)]
        assert recorded == 1  # the chat's own record only
        return
    assert report.ok
    assert (report.present, report.excused, report.absent, report.removed) == (1, 1, 1, 1)
    assert recorded == 4
    assert await verification_of(sessions, first) == (False, "住院", False, "on_duty")
    assert await verification_of(sessions, first) == await verification_of(sessions, fourth)
    async with sessions() as session:
        told = (await session.execute(select(Outbox.payload))).scalars().all()
        audit = (
            await session.execute(
                select(AuditLog.detail).where(
                    AuditLog.action == "verification_recorded", AuditLog.target_id == str(first)
                )
            )
        ).scalar_one()
        gone = await session.get(Worker, third)
    assert audit["excused"] is True and audit["removed"] is False
    assert gone.status == "removed"  # 否 without a reason is still struck off
    # Only the absentee's strike-off is told (the unit, the worker if bound): never the leave.
    assert told and all("请假" not in p["text"] and "住院" not in p["text"] for p in told)
