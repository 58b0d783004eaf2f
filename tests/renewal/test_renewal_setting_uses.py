"""The import's consistency check and the subsidy list follow the county's reading of 六(一),
on SQLite and PostgreSQL, and `gongshi export subsidy` reads GONGSHI_BASIC_MAY_RENEW."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "imports"))

from sheets import HEADER, Sheets, add_units, result_row

from bot.cli_export import export_app
from bot.runtime_context import open_storage
from domain.grades import REASON_BASIC_RENEWED
from domain.renewal import RenewalSettings
from domain.subsidy import REASON_BASIC_NOT_RENEWED, SubsidyStatus
from services.imports import import_results
from storage.migrate import upgrade
from storage.models import Cycle
from storage.subsidy import cycle_by_year, subsidy_rows

NOW = datetime(2026, 12, 15, 1, 0, tzinfo=UTC)


async def import_sheet(storage, path, renewal: RenewalSettings | None):
    return await import_results(
        sessions=storage.sessions,
        secret_key=storage.settings.secret_key.get_secret_value(),
        path=path,
        cycle_year=2026,
        now=NOW,
        renewal=renewal,
    )


def basic_renewed_sheet(tmp_path: Path) -> Path:
    rows = [HEADER, result_row(1), result_row(2, grade="基本合格", renew="是")]
    return Sheets(tmp_path).xlsx(rows)


async def test_the_import_accepts_a_renewed_basic_pass_by_default(any_storage, tmp_path):
    await add_units(any_storage)
    report = await import_sheet(any_storage, basic_renewed_sheet(tmp_path), None)
    assert report.ok and report.created == 2


async def test_strictly_the_import_refuses_it_with_the_row(any_storage, tmp_path):
    await add_units(any_storage)
    strict = RenewalSettings(basic_may_renew=False)
    report = await import_sheet(any_storage, basic_renewed_sheet(tmp_path), strict)
    assert not report.ok
    assert [(issue.row, issue.reason) for issue in report.issues] == [(3, REASON_BASIC_RENEWED)]
    assert report.created == 0


async def test_the_subsidy_list_follows_the_setting(any_storage, tmp_path):
    await add_units(any_storage)
    assert (await import_sheet(any_storage, basic_renewed_sheet(tmp_path), None)).ok
    async with any_storage.sessions() as session:
        cycle = await cycle_by_year(session, 2026)
        assert cycle is not None
        lenient = {r.grade.value: r for r in await subsidy_rows(session, cycle)}
        strict = {
            r.grade.value: r for r in await subsidy_rows(session, cycle, basic_may_renew=False)
        }
    assert lenient["基本合格"].subsidy is SubsidyStatus.CONTINUE and lenient["基本合格"].renewed
    assert strict["基本合格"].subsidy is SubsidyStatus.END
    assert strict["基本合格"].reason == REASON_BASIC_NOT_RENEWED
    assert not strict["基本合格"].renewed
    assert strict["合格"].subsidy is SubsidyStatus.CONTINUE


async def _closed_cycle(settings, tmp_path: Path) -> None:
    async with open_storage(settings) as storage:
        await upgrade(storage.engine)
        await add_units(storage)
        assert (await import_sheet(storage, basic_renewed_sheet(tmp_path), None)).ok
        async with storage.sessions() as session, session.begin():
            cycle = await cycle_by_year(session, 2026)
            assert isinstance(cycle, Cycle)
            cycle.state = "closed"


@pytest.mark.parametrize(("variable", "expected"), [(None, "待定"), ("false", "终止")])
def test_the_export_command_reads_the_variable(settings, tmp_path, variable, expected):
    asyncio.run(_closed_cycle(settings, tmp_path))
    env = {
        "GONGSHI_DATABASE_URL": settings.database_url,
        "GONGSHI_SECRET_KEY": settings.secret_key.get_secret_value(),
    }
    if variable is not None:
        env["GONGSHI_BASIC_MAY_RENEW"] = variable
    app = typer.Typer()
    app.add_typer(export_app, name="export")
    out = tmp_path / "s.xlsx"
    result = CliRunner().invoke(
        app, ["export", "subsidy", "--cycle", "2026", "--format", "xlsx", "-o", str(out)], env=env
    )
    assert result.exit_code == 0, result.output
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    [basic] = [[str(v) for v in row] for row in rows if "基本合格" in [str(v) for v in row]]
    # By default the 基本合格 renews, and until the agreement is signed its subsidies wait;
    # strictly it does not renew, and they end.
    assert basic[7] == expected
