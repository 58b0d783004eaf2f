"""`gongshi codes`: the sheet of one-time binding codes a unit hands to its workers.

The sheet shows a masked name (张*三), the post, the code and its deep link: it is handed
around an office, so it never carries a full name, an ID number or a phone number.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import typer

from bot.runtime_context import CommandError, fail, open_storage, run_async, settings_or_exit
from documents.pdf import FontNotFoundError, check_font
from domain.clock import SystemClock
from messages.i18n import N_, Translator
from messages.style import file_name
from services.code_sheets import (
    CODES_FILE,
    codes_sheet_pdf,
    codes_sheet_xlsx,
    issue_audited_codes,
)
from storage.workers import CodeSheetRow, unit_by_name

UNKNOWN_UNIT = N_("Unknown unit: {unit}. `gongshi status` shows how many units there are.")
BAD_FORMAT = N_("Unknown format {format}: choose xlsx or pdf.")
CODES_WRITTEN = N_(
    "{count} binding codes for {unit} written to {path}. Earlier unused codes no longer work."
)


RENDERERS = {"xlsx": codes_sheet_xlsx, "pdf": codes_sheet_pdf}


def codes(
    unit: str = typer.Option(..., "--unit", help="单位名称 / the unit"),
    output_format: str = typer.Option(
        "xlsx", "--format", help="xlsx 表格或 pdf 裁剪条 / xlsx sheet or pdf slips to cut apart"
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="文件 / file to write"),
) -> None:
    """为单位的从业人员生成一次性绑定码表 / Print a sheet of one-time binding codes."""
    settings = settings_or_exit()
    t = Translator(settings.language)
    clock = SystemClock(settings.timezone)
    render = RENDERERS.get(output_format)
    if render is None:
        fail(t(BAD_FORMAT, format=output_format), 2)
    if output_format == "pdf":
        # Issuing withdraws the earlier codes: make sure the new ones can be printed first.
        try:
            check_font(settings.pdf_font, language=t.language)
        except FontNotFoundError as exc:
            fail(str(exc), 1)
        render = partial(codes_sheet_pdf, font_file=settings.pdf_font)

    async def go() -> tuple[str, list[CodeSheetRow]]:
        async with (
            open_storage(settings) as storage,
            storage.sessions() as session,
            session.begin(),
        ):
            found = await unit_by_name(session, unit)
            if found is None or found.id is None:
                raise CommandError(t(UNKNOWN_UNIT, unit=unit), 1)
            sheet = await issue_audited_codes(
                session=session, unit_id=found.id, now=clock.now(), actor="cli"
            )
            return found.name, sheet

    unit_name, sheet = run_async(go())
    path = output or Path(file_name(t, CODES_FILE, output_format, unit_name))
    path.write_bytes(render(sheet, unit_name=unit_name, bot_username=settings.bot_username, t=t))
    typer.echo(t(CODES_WRITTEN, count=len(sheet), unit=unit_name, path=str(path)))
