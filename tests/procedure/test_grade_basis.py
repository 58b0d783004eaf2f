"""三: the results sheet may carry 德、能、勤、绩、廉、综合评价 and the ground of a 不合格; the
worker reads them in their own view, the public list and the channel never show them."""

from __future__ import annotations

import csv
import io

from pubworld import CHANNEL, UNITS, add_units, person, record_procedure
from sqlalchemy import select
from testsupport import SECRET

from domain.procedure import BasisError, parse_fail_grounds
from domain.sheet import match_header
from domain.sheet_rows import validate_rows
from domain.workdays import WorkCalendar
from services.imports import import_results
from services.publication import PublicationRules, open_gongshi
from storage.db import transaction
from storage.models import Outbox, ResultBasis, Worker
from storage.public_rows import public_rows
from storage.workers import issue_codes

HEADER = ["单位", "姓名", "身份证号", "手机号", "岗位", "考核等次", "是否续签", "備註"]
BASIS_HEADER = ["德", "能", "勤", "績", "廉", "綜合評價", "不合格原因"]
# Words no public text uses, so finding them anywhere public is a leak.
SECRET_MARK = "踏实肯干甲"
FAIL_NOTE = "多次离岗乙"


def sheet(rows: list[list[str]], header: list[str] = HEADER + BASIS_HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def row(n: int, grade: str, renew: str, basis: list[str]) -> list[str]:
    p = person(n)
    return [p.unit, p.name, p.id_number, p.phone, p.post, grade, renew, "", *basis]


PASS_BASIS = ["好", "较强", SECRET_MARK, "优", "廉洁", "合格"]
FAIL_BASIS = ["一般", "不足", FAIL_NOTE, "差", "", "不合格"]
ROWS = [
    row(1, "合格", "是", [*PASS_BASIS, ""]),
    row(2, "不合格", "否", [*FAIL_BASIS, "不服從管理、經常遲到早退"]),
    row(3, "合格", "是", ["", "", "", "", "", "", ""]),
]


def test_grounds_are_read_as_the_plan_names_them():
    assert parse_fail_grounds("經常遲到早退，不服從管理") == "不服从管理、经常迟到早退"
    assert parse_fail_grounds("其它") == "其他"
    try:
        parse_fail_grounds("态度差")
    except BasisError as error:
        assert error.params["text"] == "态度差"
    else:
        raise AssertionError("an unknown ground was taken")


def test_bad_basis_cells_are_reported_with_their_column():
    header = match_header(HEADER + BASIS_HEADER, "results")
    assert header.missing == ()
    bad = [
        row(4, "合格", "是", ["=1+1", "", "", "", "", "", ""]),
        row(5, "合格", "是", ["", "", "", "", "", "", "不胜任工作"]),
        row(6, "不合格", "否", ["", "", "", "", "", "x" * 101, "偷懒"]),
    ]
    text_rows: list[list[str]] = [HEADER + BASIS_HEADER, *bad]
    clean, issues = validate_rows(text_rows, header, kind="results", known_units=UNITS)
    assert clean == []
    found = {(issue.row, issue.column) for issue in issues}
    assert found == {(2, "德"), (3, "不合格原因"), (4, "綜合評價"), (4, "不合格原因")}


async def test_the_basis_is_imported_once_and_kept_out_of_public_texts(any_storage, clock):
    storage = any_storage
    await add_units(storage)

    async def load(data: bytes):
        return await import_results(
            sessions=storage.sessions,
            secret_key=SECRET,
            path=data,
            filename="results.csv",
            cycle_year=2026,
            today=clock.today(),
            now=clock.now(),
        )

    first = await load(sheet(ROWS))
    assert first.ok and first.created == 3
    again = await load(sheet(ROWS))
    assert again.already_imported
    async with storage.sessions() as session:
        kept = {b.worker_id: b for b in (await session.execute(select(ResultBasis))).scalars()}
        names = dict((await session.execute(select(Worker.id, Worker.name))).all())
    by_name = {names[worker_id]: basis for worker_id, basis in kept.items()}
    # The row with every basis cell empty leaves nothing on record.
    assert set(by_name) == {person(1).name, person(2).name}
    assert by_name[person(1).name].qin == SECRET_MARK
    assert by_name[person(2).name].fail_ground == "不服从管理、经常迟到早退"

    changed = [list(r) for r in ROWS]
    changed[0][10] = "良"  # 绩 of the first worker
    report = await load(sheet(changed))
    assert (report.updated, report.unchanged) == (1, 2)

    # A later sheet without the basis columns keeps what is on record.
    plain = await load(sheet([r[:8] for r in changed], header=HEADER))
    assert plain.ok
    async with storage.sessions() as session:
        assert len((await session.execute(select(ResultBasis))).scalars().all()) == 2

    await record_procedure(storage)
    async with transaction(storage.sessions) as session:
        await open_gongshi(
            session=session,
            rules=PublicationRules(
                calendar=WorkCalendar(),
                min_workdays=5,
                channel_id=CHANNEL,
                bot_username="gongshi_bot",
                language="zh",
            ),
            clock=clock,
            year=2026,
            actor="test",
        )
    async with storage.sessions() as session:
        texts = [str(o.payload) for o in (await session.execute(select(Outbox))).scalars()]
        rows = await public_rows(session=session, cycle_id=1)
    assert any(person(1).name[0] in text for text in texts)  # the list was posted
    public = "\n".join(texts) + "\n".join(repr(r) for r in rows)
    for leaked in (SECRET_MARK, FAIL_NOTE, "不服从管理", "经常迟到早退", "良"):
        assert leaked not in public


async def test_the_worker_reads_the_basis_of_their_grade(storage, chat, clock):
    await add_units(storage)
    report = await import_results(
        sessions=storage.sessions,
        secret_key=SECRET,
        path=sheet(ROWS),
        filename="results.csv",
        cycle_year=2026,
        today=clock.today(),
        now=clock.now(),
    )
    assert report.ok
    async with storage.sessions() as session, session.begin():
        unit_id = (await add_units(storage))[UNITS[0]]
        codes = await issue_codes(session=session, unit_id=unit_id, now=clock.now())
        names = dict((await session.execute(select(Worker.id, Worker.name))).all())
    code_of = {names[c.worker_id]: c.code for c in codes}

    failed = chat(7201)
    await failed.send(f"/start w_{code_of[person(2).name]}")
    await failed.press("wkme:show")
    assert f"考核依据：德：一般；能：不足；勤：{FAIL_NOTE}；绩：差；综合评价：不合格" in failed.last
    assert "不合格情形：不服从管理、经常迟到早退" in failed.last

    passed = chat(7202, "en")
    await passed.send(f"/start w_{code_of[person(1).name]}")
    await passed.press("wkme:show")
    assert f"Basis of the grade: 德: 好; 能: 较强; 勤: {SECRET_MARK}" in passed.last
    assert "Ground for 不合格" not in passed.last

    plain = chat(7203)
    await plain.send(f"/start w_{code_of[person(3).name]}")
    await plain.press("wkme:show")
    assert "考核依据" not in plain.last
