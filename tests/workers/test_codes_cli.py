"""`gongshi codes --unit NAME` writes the sheet and withdraws the unit's earlier codes."""

from __future__ import annotations

import asyncio
import io

import openpyxl
import typer
from typer.testing import CliRunner
from worker_county import UNIT_A

from bot.cli_workers import codes
from bot.runtime_context import open_storage
from domain.masking import mask_name
from storage.migrate import upgrade
from storage.models import Post, Unit, Worker

app = typer.Typer()
app.command("codes")(codes)
app.command("unused")(lambda: None)  # two commands: Typer keeps "codes" as a sub-command


def env_for(settings) -> dict[str, str]:
    return {
        "GONGSHI_DATABASE_URL": settings.database_url,
        "GONGSHI_SECRET_KEY": settings.secret_key.get_secret_value(),
    }


async def seed(settings) -> None:
    async with open_storage(settings) as storage:
        await upgrade(storage.engine)
        async with storage.sessions() as session, session.begin():
            unit = Unit(name=UNIT_A)
            session.add(unit)
            await session.flush()
            for index, name in enumerate(("欧阳娜娜", "李四")):
                worker = Worker(name=name, id_hash=f"h{index}", id_last4="1234", unit_id=unit.id)
                session.add(worker)
                await session.flush()
                session.add(Post(unit_id=unit.id, title="保洁", worker_id=worker.id))


def test_codes_command_writes_a_masked_sheet(settings, tmp_path):
    asyncio.run(seed(settings))
    out = tmp_path / "sheet.xlsx"
    result = CliRunner().invoke(
        app, ["codes", "--unit", UNIT_A, "--output", str(out)], env=env_for(settings)
    )
    assert result.exit_code == 0, result.output
    assert "2" in result.output and str(out) in result.output
    sheet = openpyxl.load_workbook(io.BytesIO(out.read_bytes())).worksheets[0]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert mask_name("欧阳娜娜") in cells and mask_name("李四") in cells
    assert "欧阳娜娜" not in "\n".join(cells) and "李四" not in "\n".join(cells)
    assert sum(1 for c in cells if c.startswith("https://t.me/")) == 2


def test_codes_command_refuses_an_unknown_unit(settings):
    asyncio.run(seed(settings))
    result = CliRunner().invoke(app, ["codes", "--unit", "无此单位"], env=env_for(settings))
    assert result.exit_code == 1
    assert "无此单位" in result.output


async def audit_entries(settings) -> list[tuple[str, str, str, dict]]:
    from sqlmodel import select

    from storage.models import AuditLog

    async with open_storage(settings) as storage, storage.sessions() as session:
        found = await session.execute(select(AuditLog).where(AuditLog.action == "codes_issued"))
        return [(a.actor, a.target_type, a.target_id, a.detail) for a in found.scalars()]


def test_codes_command_is_audited_like_the_chat(settings, tmp_path):
    """Issuing withdraws the earlier codes: who did it, from where, is on record."""
    asyncio.run(seed(settings))
    result = CliRunner().invoke(
        app,
        ["codes", "--unit", UNIT_A, "--output", str(tmp_path / "s.xlsx")],
        env=env_for(settings),
    )
    assert result.exit_code == 0, result.output
    [(actor, target_type, target_id, detail)] = asyncio.run(audit_entries(settings))
    assert (actor, target_type, detail["codes"]) == ("cli", "unit", 2)
    assert target_id.isdigit()
