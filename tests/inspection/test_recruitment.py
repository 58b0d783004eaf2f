"""人员招录 (the city plan's 三): the roster may say how each worker was recruited (招录方式), the
category of 就业困难人员 that made them eligible (人员类别) and whether they were (是否符合条件);
bad values are reported per row and nothing is imported; the inspector's checklist shows each
newcomer of the year with a ⚠️ where the roster says nothing or says not eligible, and the
unit's record and the inspection's summary count them. Use cases on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, func, select

from domain.idnumber import make_id_number
from domain.recruitment import (
    CATEGORY,
    ELIGIBLE,
    METHOD,
    REASON_CATEGORY,
    REASON_ELIGIBLE_WITHOUT_CATEGORY,
    REASON_METHOD,
    Recruitment,
    check_recruitment,
    flagged,
)
from domain.sheet import match_header
from domain.workdays import WorkCalendar
from handlers.inspection_items import known_lines
from messages.i18n import Translator
from services.imports import import_roster
from services.inspection_plan import plan_cycle
from services.inspection_reports import record_pdf, summary_xlsx
from storage.db import transaction
from storage.inspection_facts import unit_facts
from storage.inspection_report import summary_rows
from storage.models import Cycle, ImportBatch, Unit, Worker
from storage.recruitment import newcomers_of

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pdftext import pdf_text

SECRET = "test-secret-key-0123456789-abcdefghij"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CITY = "县城市管理局"


def id_number(n: int) -> str:
    return make_id_number("110105", date(1980, 1, 1), n)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (("公开招聘", "大龄失业人员", ""), Recruitment("open", "older", True)),
        ((" 托底安置 ", "殘疾人", "是"), Recruitment("placement", "disabled", True)),
        (("其它", "低保", "不符合"), Recruitment("other", "low_income", False)),
        (("", "", "否"), Recruitment(None, None, False)),
        (("", "", ""), Recruitment(None, None, None)),
    ],
)
def test_the_three_cells_are_read_tolerantly(cells, expected) -> None:
    assert check_recruitment(*cells) == (expected, [])


def test_bad_cells_are_each_reported_under_their_column() -> None:
    found, problems = check_recruitment("内部推荐", "亲属", "符合")
    assert found == Recruitment(None, None, True)
    assert [(column, reason) for column, reason, _ in problems] == [
        (METHOD, REASON_METHOD),
        (CATEGORY, REASON_CATEGORY),
    ]
    _, bare = check_recruitment("公开招聘", "", "符合")  # a bare yes gives the inspector nothing
    assert [(column, reason) for column, reason, _ in bare] == [
        (ELIGIBLE, REASON_ELIGIBLE_WITHOUT_CATEGORY)
    ]


def test_a_worker_without_method_or_eligibility_or_not_eligible_is_flagged() -> None:
    assert not flagged(Recruitment("open", "older", True))
    assert flagged(Recruitment(None, "older", True))
    assert flagged(Recruitment("open", None, None))
    assert flagged(Recruitment("placement", "older", False))


def test_人员类别_is_the_category_on_a_roster_and_the_role_on_a_procedure_sheet() -> None:
    roster = match_header(["单位", "姓名", "身份证号", "岗位", "招录方式", "人员类别"], "roster")
    procedure = match_header(["单位", "环节", "姓名", "人员类别"], "procedure")
    assert roster.columns[CATEGORY] == 5 and roster.columns[METHOD] == 4
    assert procedure.columns["role"] == 3
    results = match_header(
        ["单位", "姓名", "身份证号", "岗位", "考核等次", "是否续签", "招录方式"], "results"
    )
    assert "招录方式" in results.ignored  # the results import does not take it, and says so


def write_roster(tmp_path, name: str, rows: list[tuple[int, str, str, str, str]]):
    path = tmp_path / name
    lines = ["单位,姓名,身份证号,岗位,招录方式,人员类别,是否符合条件"]
    lines += [f"{CITY},{who},{id_number(n)},保洁员,{m},{c},{e}" for n, who, m, c, e in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def workers(sessions) -> dict[str, tuple[str | None, str | None, bool | None]]:
    async with sessions() as session:
        found = (await session.execute(select(Worker))).scalars().all()
    return {w.name: (w.recruited_by, w.hardship, w.eligible) for w in found}


async def batches(sessions) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ImportBatch)) or 0)


async def test_the_roster_import_keeps_recruitment_on_the_worker(any_storage, tmp_path):
    sessions = any_storage.sessions

    async def run(path, now=NOW):
        return await import_roster(
            sessions=sessions, secret_key=SECRET, path=path, now=now, today=now.date()
        )

    async with transaction(sessions) as session:
        session.add(Unit(name=CITY, quota=9))
    bad = write_roster(
        tmp_path,
        "bad.csv",
        [(1, "李一", "公开招聘", "大龄失业人员", ""), (2, "李二", "托底安置", "亲属", "")],
    )
    refused = await run(bad)
    assert not refused.ok
    assert [(i.row, i.column, i.reason, i.masked_name) for i in refused.issues] == [
        (3, "人员类别", REASON_CATEGORY, "李*")
    ]
    assert await workers(sessions) == {}  # all or nothing

    first = write_roster(
        tmp_path,
        "a.csv",
        [
            (1, "李一", "公开招聘", "大龄失业人员", ""),
            (2, "李二", "托底安置", "残疾人", "否"),
            (3, "李三", "", "", ""),
        ],
    )
    assert (await run(first)).created == 3
    assert await workers(sessions) == {
        "李一": ("open", "older", True),
        "李二": ("placement", "disabled", False),
        "李三": (None, None, None),
    }
    again = await run(first)
    assert (again.updated, again.unchanged, again.already_imported) == (0, 3, True)
    assert await batches(sessions) == 1

    # Later: empty cells keep what is on record; a cell that says something changes it.
    later = write_roster(
        tmp_path,
        "b.csv",
        [(1, "李一", "", "", ""), (2, "李二", "", "残疾人", "是"), (3, "李三", "其他", "低保", "")],
    )
    changed = await run(later, NOW.replace(month=4))
    assert changed.ok, changed.issues
    assert (changed.updated, changed.unchanged) == (2, 1)
    assert await workers(sessions) == {
        "李一": ("open", "older", True),
        "李二": ("placement", "disabled", True),
        "李三": ("other", "low_income", True),
    }


async def test_the_checklist_shows_each_newcomer_with_a_flag(any_storage, tmp_path):
    sessions = any_storage.sessions
    async with transaction(sessions) as session:
        session.add_all([Unit(name=CITY, quota=9), Cycle(year=2026)])
    roster = write_roster(
        tmp_path,
        "a.csv",
        [
            (1, "李小一", "公开招聘", "大龄失业人员", ""),
            (2, "李小二", "托底安置", "残疾人", "否"),
            (3, "李小三", "", "", ""),
        ],
    )
    await import_roster(
        sessions=sessions, secret_key=SECRET, path=roster, now=NOW, today=NOW.date()
    )
    async with sessions() as session:
        unit = (await session.execute(select(Unit))).scalar_one()
        cycle = (await session.execute(select(Cycle))).scalar_one()
        facts = await unit_facts(
            session, unit_id=unit.id, cycle_id=cycle.id, year=2026, today=date(2026, 12, 21)
        )
        last_year = await unit_facts(
            session, unit_id=unit.id, cycle_id=cycle.id, year=2025, today=date(2026, 12, 21)
        )
    lines = known_lines(Translator("zh"), "recruitment", facts)
    assert lines == [
        "本年度新招录 3 名。请核查每人的招录方式及是否符合条件。",
        "需核查（⚠️）：2 人，名册缺少招录方式或资格信息，或不符合条件。",
        "  ⚠️ 李*二（2026年3月2日进入）：托底安置；不符合条件",
        "  ⚠️ 李*三（2026年3月2日进入）：未填写招录方式；未填写是否符合条件",
        "  ✅ 李*一（2026年3月2日进入）：公开招聘；符合条件（大龄失业人员（“4050”人员））",
    ]
    assert not any(id_number(n)[-4:] in "\n".join(lines) for n in (1, 2, 3))
    assert last_year.newcomers == []
    async with transaction(sessions) as session:
        cycle = (await session.execute(select(Cycle))).scalar_one()
        plan = await plan_cycle(session=session, cycle=cycle, calendar=WorkCalendar())
        made = await record_pdf(
            session=session, plan=plan, cycle=cycle, unit_id=unit.id, language="zh",
            font_file=None,
        )  # fmt: skip
    assert made is not None
    text = "".join(pdf_text(made[1]).split())
    assert "人员招录：本年度新进3人，其中2人名册缺少招录方式或资格信息，或不符合条件。" in text


async def test_the_summary_has_each_units_newcomers_and_those_to_look_at(any_storage, tmp_path):
    sessions = any_storage.sessions
    async with transaction(sessions) as session:
        session.add_all(
            [Unit(name=CITY, quota=9), Unit(name="县园林局", quota=3), Cycle(year=2026)]
        )
    last_year = NOW.replace(year=2025)
    older = [(9, "李老九", "", "", "")]  # joined in 2025, nothing on record: not this year's
    for rows, when in (
        (older, last_year),
        (
            [
                *older,
                (1, "李小一", "公开招聘", "大龄失业人员", ""),
                (2, "李小二", "托底安置", "残疾人", "否"),
                (3, "李小三", "", "", ""),
            ],
            NOW,
        ),
    ):
        path = write_roster(tmp_path, f"{when.year}.csv", rows)
        done = await import_roster(
            sessions=sessions, secret_key=SECRET, path=path, now=when, today=when.date()
        )
        assert done.ok, done.issues
    async with transaction(sessions) as session:
        cycle = (await session.execute(select(Cycle))).scalar_one()
        plan = await plan_cycle(session=session, cycle=cycle, calendar=WorkCalendar())
        _, content, _ = await summary_xlsx(session=session, plan=plan, cycle=cycle, language="zh")
    values = [[c.value for c in row] for row in load_workbook(io.BytesIO(content)).active.rows]
    header = next(r for r in values if r and r[0] == "用人单位")
    by_unit = {
        r[0]: dict(zip(header, r, strict=True)) for r in values if r[0] in (CITY, "县园林局")
    }
    column = "人员招录：本年度新进（⚠️需核查）"
    assert by_unit[CITY][column] == "新进 3 人；需核查（⚠️）：2 人"
    assert by_unit["县园林局"][column] == "新进 0 人；需核查（⚠️）：0 人"
    assert by_unit[CITY]["人员招录"] == ""  # the inspector's own result: not checked yet


async def test_the_summary_reads_the_newcomers_of_every_unit_at_once(any_storage, tmp_path):
    """The summary's statements do not grow with the units: a city plan has a row per unit,
    and asking the roster's history once per unit cost two queries each. The counts are the
    ones the checklist gives unit by unit."""
    sessions = any_storage.sessions
    names = [f"县第{n}单位" for n in range(1, 13)]
    async with transaction(sessions) as session:
        session.add_all([Unit(name=name, quota=9) for name in names] + [Cycle(year=2026)])
    path = tmp_path / "roster.csv"
    lines = ["单位,姓名,身份证号,岗位,招录方式,人员类别,是否符合条件"]
    for n in range(1, 37):  # three newcomers a unit; those without 招录方式 are flagged
        unit = names[n % 12]
        method = "" if n % 3 == 0 else "公开招聘"
        lines.append(f"{unit},李{n},{id_number(n)},保洁员,{method},大龄失业人员,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = await import_roster(
        sessions=sessions, secret_key=SECRET, path=path, now=NOW, today=NOW.date()
    )
    assert done.ok, done.issues
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = any_storage.engine.sync_engine
    async with transaction(sessions) as session:
        cycle = (await session.execute(select(Cycle))).scalar_one()
        plan = await plan_cycle(session=session, cycle=cycle, calendar=WorkCalendar())
        units = {u.id: u.name for u in (await session.execute(select(Unit))).scalars()}
        one_by_one = {}
        for unit_id in units:
            newcomers = await newcomers_of(session, unit_id=unit_id, year=2026)
            one_by_one[unit_id] = (len(newcomers), sum(1 for n in newcomers if n.flagged))
        event.listen(engine, "before_cursor_execute", count)
        try:
            rows = await summary_rows(session, plan=plan, cycle=cycle)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert {r.unit_id: (r.newcomers, r.recruitment_flagged) for r in rows} == one_by_one
    assert sorted(joined for joined, _ in one_by_one.values()) == [3] * 12
    assert sum(flagged for _, flagged in one_by_one.values()) == 12
    assert len(statements) < len(names), statements  # not one or two per unit
