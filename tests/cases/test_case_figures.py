"""The hotline's figures from real cases, on SQLite and PostgreSQL: the steps officials take
become the rates the centre reports; the bureau gets the chart and the spreadsheet in chat; the
digest carries the chart."""

from __future__ import annotations

import asyncio
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from case_county import build_county
from case_helpers import (
    BUREAU,
    CALENDAR,
    CITIZEN,
    INVESTIGATORS,
    UNIT_A_CONTACT,
    actor,
    file_case,
    step,
)
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli import app
from bot.runtime_context import open_storage
from services import cases as store
from services.figures import figures_report
from storage.migrate import upgrade

ZONE = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=ZONE)


async def a_week(storage, county) -> dict[str, int]:
    """Three complaints on Wed 16 Dec: a minor one the unit concludes in time and the
    complainant rates 5; a serious one the 人社局 accepts late and leaves open past the 21st;
    one nobody answers."""
    unit_a = county.units["01号单位"]
    minor = await file_case(storage, unit_id=unit_a, worker_id=None, category="conduct", now=at(16))
    serious = await file_case(
        storage, unit_id=unit_a, worker_id=county.workers["张小三"], category="absent", now=at(16)
    )
    ignored = await file_case(
        storage, unit_id=county.units["02号单位"], worker_id=None, category="unfair", now=at(16)
    )
    unit = actor(UNIT_A_CONTACT, "unit", unit_id=unit_a)
    await step(storage, store.accept, case_id=minor, actor=unit, now=at(17), calendar=CALENDAR)
    await step(
        storage,
        store.record_finding,
        case_id=minor,
        actor=unit,
        now=at(18),
        finding="属实",
        opinion="批评教育，责令改正。",
        calendar=CALENDAR,
    )
    await step(storage, store.close, case_id=minor, actor=unit, now=at(18, 11))
    await step(storage, store.rate, case_id=minor, user_id=CITIZEN, now=at(18, 12), rating=5)
    hr = actor(INVESTIGATORS[0], "investigator")
    await step(storage, store.accept, case_id=serious, actor=hr, now=at(18), calendar=CALENDAR)
    return {"minor": minor, "serious": serious, "ignored": ignored}


async def test_the_weeks_steps_become_the_centres_figures(any_storage, any_county):
    storage = any_storage
    await a_week(storage, any_county)
    async with storage.sessions() as session:
        report = await figures_report(
            session=session, first=date(2026, 12, 1), last=date(2026, 12, 31), now=at(28)
        )
    total = report.total
    assert total.received == 3 and total.by_channel == {"chat": 3}
    # Due the 17th: the unit answered on the 17th, the 人社局 on the 18th, nobody the third.
    assert (total.response.done, total.response.of) == (1, 3)
    # The serious case is open past its day (21 Dec, before the renewals): late, not left out.
    assert (total.on_time.done, total.on_time.of) == (1, 2)
    assert (total.resolved.done, total.resolved.of) == (1, 1)
    assert (total.ratings, total.mean_rating, total.followed_up.of) == (1, 5.0, 1)
    assert [u.name for u in report.units] == ["01号单位", "02号单位"]
    assert not any(u.ranked for u in report.units)  # one rating is not enough to rank
    assert {o.name: o.received for o in report.offices} == {
        "unit": 1,
        "investigators": 1,
        "bureau": 1,
    }


async def test_the_bureau_gets_the_chart_and_the_spreadsheet_in_chat(chat, storage, county, clock):
    await a_week(storage, county)
    clock.set(at(28))
    desk = chat(BUREAU)
    await desk.send("/start")
    await desk.click("热线统计（图表与 Excel）")
    assert "请选择统计期间" in desk.last
    outcome = await desk.click("本月")
    photo, sheet = outcome.replies
    assert photo.as_photo and photo.content.startswith(b"\x89PNG")
    assert "受理投诉 3 件" in photo.caption and "按期办结率 50% (1/2)" in photo.caption
    assert sheet.filename == "热线统计_20261201-20261231.xlsx"
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "统计对象")
    county_row = next(r for r in rows if r and r[0] == "全县")
    assert county_row[header.index("响应率")] == "33% (1/3)"
    unit_rows = [r for r in rows if r and r[0] == "02号单位"]
    assert unit_rows[0][header.index("满意度排名")] == "评价不足 5 条，不参与排名"

    # Nobody else gets the figures.
    citizen = chat(CITIZEN)
    await citizen.send("/start")
    assert "热线统计（图表与 Excel）" not in citizen.buttons()
    await citizen.press("fg:month")
    assert not any(getattr(r, "as_photo", False) for r in (await citizen.press("fg:year")).replies)


def test_the_command_writes_the_spreadsheet_and_the_chart(settings, tmp_path):
    async def seed() -> None:
        async with open_storage(settings) as storage:
            await upgrade(storage.engine)
            await a_week(storage, await build_county(storage))

    asyncio.run(seed())
    env = {
        "GONGSHI_DATABASE_URL": settings.database_url,
        "GONGSHI_SECRET_KEY": settings.secret_key.get_secret_value(),
    }
    args = ["export", "figures", "--from", "2026-12-01", "--to", "2026-12-31", "-o", str(tmp_path)]
    done = CliRunner().invoke(app, args, env=env)
    assert done.exit_code == 0, done.output
    assert "受理投诉 3 件" in done.output
    assert (tmp_path / "热线统计_20261201-20261231.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "热线统计_20261201-20261231.xlsx").stat().st_size > 1000
    bad = CliRunner().invoke(app, ["export", "figures", "--from", "12/01", "--to", "x"], env=env)
    backwards = CliRunner().invoke(
        app, ["export", "figures", "--from", "2026-12-31", "--to", "2026-12-01"], env=env
    )
    assert (bad.exit_code, backwards.exit_code) == (2, 2)
    assert "12/01" in bad.output and "结束日期早于开始日期" in backwards.output
