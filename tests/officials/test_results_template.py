"""The results template an official downloads re-imports as it is (its sample row passes every
check of the results import, in the unit it names), and in English too; and the tasks overview
lists the unit furthest behind first, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
from officials_county import UNITS, build_county
from sqlalchemy import select

from documents.results_template import SAMPLE_ID_NUMBER, results_template
from messages.i18n import Translator
from services.imports import import_results
from storage.models import Cycle, Result, Worker
from storage.unit_tasks import progress_by_unit

NOW = datetime(2026, 12, 16, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_the_template_imports_as_it_is(storage, county, language):
    content = results_template(Translator(language), unit_name="01号单位")
    report = await import_results(
        sessions=storage.sessions,
        secret_key=storage.settings.secret_key.get_secret_value(),
        path=content,
        filename="template.xlsx",
        cycle_year=2026,
        now=NOW,
        today=NOW.date(),
    )
    assert report.ok, report.issues
    assert (report.rows, report.created) == (1, 1)
    async with storage.sessions() as session:
        imported = (
            await session.execute(
                select(Worker.name, Result.grade, Result.renew)
                .join(Result, Result.worker_id == Worker.id)
                .join(Cycle, Cycle.id == Result.cycle_id)
                .where(Cycle.year == 2026, Worker.name == "张三")
            )
        ).all()
    assert imported == [("张三", "合格", True)]


def test_the_template_keeps_the_id_number_as_text_and_explains_every_column():
    book = openpyxl.load_workbook(io.BytesIO(results_template(Translator("zh"), unit_name="X")))
    data, notes = book.worksheets
    assert [c.value for c in data[1]][:6] == [
        "单位",
        "姓名",
        "身份证号",
        "手机号",
        "岗位",
        "考核等次",
    ]
    assert data["C2"].value == SAMPLE_ID_NUMBER and data["C2"].data_type == "s"
    said = "\n".join(str(row[0]) for row in notes.iter_rows(values_only=True) if row[0])
    header = [c.value for c in data[1]]
    assert {"德", "能", "勤", "绩", "廉", "综合评价", "不合格情形"} <= set(header)
    for column in ("单位", "姓名", "身份证号", "手机号", "岗位", "考核等次", "是否续签", "备注"):
        assert f"{column}：" in said or f"{column}（" in said, column
    assert "示例行" in said
    assert "德、能、勤、绩、廉、综合评价（" in said and "不合格情形（" in said


async def test_the_tasks_overview_starts_with_the_unit_furthest_behind(any_storage):
    county = await build_county(any_storage)
    async with any_storage.sessions() as session:
        cycle_id = (await session.execute(select(Cycle.id).where(Cycle.year == 2026))).scalar_one()
        progress = await progress_by_unit(session, cycle_id=cycle_id, today=date(2026, 12, 16))
    assert [p.unit_name for p in progress] == [UNITS[1], UNITS[2], UNITS[0]]
    assert [p.overdue for p in progress] == [2, 1, 0]
    assert {p.unit_id for p in progress} == set(county.units.values())
