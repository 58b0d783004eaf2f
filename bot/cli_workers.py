"""`gongshi codes`: the sheet of one-time binding codes a unit hands to its workers.

The sheet shows a masked name (张*三), the post, the code and its deep link: it is handed
around an office, so it never carries a full name, an ID number or a phone number.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import typer
import xlsxwriter

from bot.runtime_context import CommandError, fail, open_storage, run_async, settings_or_exit
from documents.codes_sheet import (
    COLUMN_CODE,
    COLUMN_LINK,
    COLUMN_NAME,
    COLUMN_POST,
    SHEET_HINT,
    SHEET_TITLE,
    CodeSlip,
    render_codes_sheet,
)
from documents.pdf import FontNotFoundError, check_font
from domain.clock import SystemClock
from domain.masking import mask_name
from messages.i18n import N_, Translator
from messages.style import file_name
from storage.workers import DEEP_LINK_PREFIX, CodeSheetRow, issue_codes, unit_by_name

UNKNOWN_UNIT = N_("Unknown unit: {unit}. `gongshi status` shows how many units there are.")
BAD_FORMAT = N_("Unknown format {format}: choose xlsx or pdf.")
CODES_WRITTEN = N_(
    "{count} binding codes for {unit} written to {path}. Earlier unused codes no longer work."
)


# The file's and its sheet's name: 绑定码_01号单位.xlsx, codes-01号单位.xlsx.
CODES_FILE = N_("binding codes")


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={DEEP_LINK_PREFIX}{code}"


def codes_sheet_xlsx(
    rows: Sequence[CodeSheetRow], *, unit_name: str, bot_username: str, t: Translator
) -> bytes:
    """One row per worker: masked name, post, code, deep link; a hint above the table."""
    buffer = io.BytesIO()
    # The title carries the unit's name: written as text, it can never become a formula.
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(t(CODES_FILE))
    bold = book.add_format({"bold": True})
    code_format = book.add_format({"font_name": "Consolas", "font_size": 14, "bold": True})
    sheet.write_string(0, 0, t(SHEET_TITLE, unit=unit_name), bold)
    sheet.write_string(1, 0, t(SHEET_HINT))
    headers = (t(COLUMN_NAME), t(COLUMN_POST), t(COLUMN_CODE), t(COLUMN_LINK))
    for column, header in enumerate(headers):
        sheet.write_string(3, column, header, bold)
    for index, row in enumerate(rows, start=4):
        sheet.write_string(index, 0, mask_name(row.name))
        sheet.write_string(index, 1, row.post_title)
        sheet.write_string(index, 2, row.code, code_format)
        sheet.write_string(index, 3, deep_link(bot_username, row.code))
    sheet.set_column(0, 1, 14)
    sheet.set_column(2, 2, 16)
    sheet.set_column(3, 3, 48)
    book.close()
    return buffer.getvalue()


def codes_sheet_pdf(
    rows: Sequence[CodeSheetRow],
    *,
    unit_name: str,
    bot_username: str,
    t: Translator,
    font_file: Path | None = None,
) -> bytes:
    """The same rows as slips to cut apart, one per worker (see documents/codes_sheet.py)."""
    slips = [
        CodeSlip(
            masked_name=mask_name(row.name),
            post=row.post_title,
            code=row.code,
            link=deep_link(bot_username, row.code),
        )
        for row in rows
    ]
    return render_codes_sheet(slips, unit_name=unit_name, language=t.language, font_file=font_file)


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
            sheet = await issue_codes(session=session, unit_id=found.id, now=clock.now())
            return found.name, sheet

    unit_name, sheet = run_async(go())
    path = output or Path(file_name(t, CODES_FILE, output_format, unit_name))
    path.write_bytes(render(sheet, unit_name=unit_name, bot_username=settings.bot_username, t=t))
    typer.echo(t(CODES_WRITTEN, count=len(sheet), unit=unit_name, path=str(path)))
