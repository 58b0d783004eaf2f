"""`gongshi export history`: each worker's record over the years as XLSX (services.history, the
same file the bureau's chat menu sends): grades, the renewal as signed, what followed and what
the cases' handling opinions decided."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlmodel import col, select

from bot.runtime_context import (
    CommandError,
    open_storage,
    require_newest_schema,
    run_async,
    settings_or_exit,
)
from domain.renewal import RenewalSettings
from messages.i18n import N_, Translator
from services.history import export_history
from storage.db import transaction
from storage.models import Unit

UNKNOWN_UNIT = N_("Unknown unit “{unit}”: see `gongshi units list`.")
WRITTEN = N_("{count} yearly results written to {path}.")


def history(
    unit: str | None = typer.Option(None, "--unit", help="用人单位，省略则全部 / one unit"),
    output: Path | None = typer.Option(None, "--output", "-o", help="文件 / file to write"),
) -> None:
    """导出人员考核履历（历年等次、续签与处理）/ Each worker's record over the years."""
    settings = settings_or_exit()
    t = Translator(settings.language)

    async def go() -> tuple[str, bytes, int]:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            async with transaction(storage.sessions) as session:
                unit_id = None
                if unit is not None:
                    named = select(col(Unit.id)).where(col(Unit.name) == unit.strip())
                    unit_id = (await session.execute(named)).scalar_one_or_none()
                    if unit_id is None:
                        raise CommandError(t(UNKNOWN_UNIT, unit=unit), 1)
                return await export_history(
                    session=session,
                    basic_may_renew=RenewalSettings.from_settings(settings).basic_may_renew,
                    language=settings.language,
                    unit_id=unit_id,
                    actor="cli",
                )

    name, content, count = run_async(go())
    path = output or Path(name)
    path.write_bytes(content)
    typer.echo(t(WRITTEN, count=count, path=str(path)))
