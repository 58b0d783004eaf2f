"""The sheet of one-time binding codes a unit hands to its workers, as `gongshi codes` writes
it and an official downloads it in chat. The sheet shows a masked name (张*三), the post, the
code and its deep link: it is handed around an office, so it never carries a full name, an ID
number or a phone number. Issuing a sheet withdraws the unit's earlier unused codes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import xlsxwriter
from sqlalchemy.ext.asyncio import AsyncSession

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
from domain.masking import mask_name
from messages.i18n import N_, Translator
from messages.style import file_name
from storage.audit import audit
from storage.models import Unit
from storage.workers import DEEP_LINK_PREFIX, CodeSheetRow, issue_codes

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


async def issue_code_sheet(
    *,
    session: AsyncSession,
    unit_id: int,
    now: datetime,
    actor_user_id: int,
    bot_username: str,
    t: Translator,
) -> tuple[str, bytes, int] | None:
    """A fresh code for every worker on duty in the unit, as an XLSX sheet: its file name, its
    content and how many codes; None for a unit that does not exist. Audited."""
    unit = await session.get(Unit, unit_id)
    if unit is None:
        return None
    rows = await issue_audited_codes(
        session=session, unit_id=unit_id, now=now, actor_user_id=actor_user_id
    )
    content = codes_sheet_xlsx(rows, unit_name=unit.name, bot_username=bot_username, t=t)
    return file_name(t, CODES_FILE, "xlsx", unit.name), content, len(rows)


async def issue_audited_codes(
    *,
    session: AsyncSession,
    unit_id: int,
    now: datetime,
    actor_user_id: int | None = None,
    actor: str = "telegram",
) -> list[CodeSheetRow]:
    """A fresh code for every worker on duty in the unit (earlier unused codes stop working),
    with the audit entry that says who issued them: the chat's sheet and `gongshi codes` both."""
    rows = await issue_codes(session=session, unit_id=unit_id, now=now)
    audit(
        session,
        at=now,
        actor_user_id=actor_user_id,
        actor=actor,
        action="codes_issued",
        target_type="unit",
        target_id=unit_id,
        codes=len(rows),
    )
    return rows
