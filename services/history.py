"""Each worker's multi-year record as a file (六(四)): one row per worker and year with the
grade, the renewal as signed or the reason it was not, what followed from the result and
what the cases' handling opinions decided. For the bureau and administrators; the chat's menu
and ``gongshi export history`` both make it here. Names appear with the last 4 characters of
the ID number only, as in the subsidy list; every export from chat is audited."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from documents.tables import xlsx_bytes
from domain.consequences import BY_KEY as DECIDED
from domain.renewal import REASON_DELETED, reason_deleted
from messages import N_
from messages.i18n import Translator
from messages.style import date_text, file_name
from storage.audit import audit
from storage.history import HistoryRow, history_rows
from storage.models import Unit

HISTORY_FILE = N_("worker records")
TITLE = N_("Workers' assessment records over the years")
TITLE_UNIT = N_("Workers' assessment records over the years: {unit}")
NOTE = N_(
    "{workers} workers, {rows} yearly results. The basis for deployment, rewards, training "
    "and dismissal (六(四)). ID numbers show their last 4 characters only."
)
COLUMNS = (
    N_("Unit"),
    N_("Name"),
    N_("ID number (last 4)"),
    N_("Year"),
    N_("Post"),
    N_("Grade"),
    N_("Renewal"),
    N_("Renewal paperwork"),
    N_("What followed"),
    N_("Decided by a case"),
    N_("Findings"),
    N_("Result status"),
)
WIDTHS = (24, 10, 12, 8, 14, 10, 10, 40, 60, 30, 14, 10)
RENEWED = N_("Renewed")
NOT_RENEWED = N_("Not renewed")
SIGNED = N_("Signed: {start} to {end}")
REPORTED = N_("Not renewed: {reason}")
NOTHING_RECORDED = N_("Not recorded")
STATUS = {
    "final": N_("Final"),
    "held": N_("Held: a serious case is open"),
    "pending": N_("Pending"),
}


def history_table(rows: Sequence[HistoryRow], t: Translator) -> list[list[str]]:
    """The header and one line per worker and year, as the reader of the file sees them."""
    lines = [[t(column) for column in COLUMNS]]
    for row in rows:
        lines.append(
            [
                row.unit,
                row.name,
                f"****{row.id_last4}",
                str(row.year),
                row.post,
                row.grade.value,
                t(RENEWED) if row.renewed else t(NOT_RENEWED),
                _paperwork(row, t),
                "；".join(t(c.summary).rstrip("。.") for c in row.follow_ups),
                "；".join(t(DECIDED[key].name) for key in row.case_consequences if key in DECIDED),
                "；".join(row.findings),
                t(STATUS[row.status]) if row.status in STATUS else row.status,
            ]
        )
    return lines


def _paperwork(row: HistoryRow, t: Translator) -> str:
    if row.paper == "renewed" and row.term_starts_on and row.term_ends_on:
        start, end = date_text(t, row.term_starts_on), date_text(t, row.term_ends_on)
        return t(SIGNED, start=start, end=end)
    if reason_deleted(outcome=row.paper, reason=row.reason):
        return t(REPORTED, reason=t(REASON_DELETED))
    if row.paper == "not_renewed":
        return t(REPORTED, reason=row.reason)
    return t(NOTHING_RECORDED)


def history_file_name(t: Translator, unit: str | None = None) -> str:
    """人员考核履历.xlsx, or 人员考核履历_城关镇人民政府.xlsx for one unit."""
    safe = "".join(ch if ch.isalnum() or ch in "-（）()" else "_" for ch in unit or "")
    return file_name(t, HISTORY_FILE, "xlsx", *([safe] if safe else []))


def history_xlsx(rows: Sequence[HistoryRow], t: Translator, unit: str | None = None) -> bytes:
    workers = len({row.worker_id for row in rows})
    return xlsx_bytes(
        history_table(rows, t),
        sheet=t(HISTORY_FILE),
        title=t(TITLE_UNIT, unit=unit) if unit else t(TITLE),
        notes=[t(NOTE, workers=workers, rows=len(rows))],
        widths=WIDTHS,
    )


async def export_history(
    *,
    session: AsyncSession,
    basic_may_renew: bool,
    language: str,
    unit_id: int | None = None,
    actor_user_id: int | None = None,
    actor: str = "telegram",
) -> tuple[str, bytes, int]:
    """The file's name, its content and how many rows, for every unit or one; audited."""
    t = Translator(language)
    unit = await session.get(Unit, unit_id) if unit_id is not None else None
    rows = await history_rows(session, basic_may_renew=basic_may_renew, unit_id=unit_id)
    unit_name = unit.name if unit is not None else None
    audit(
        session,
        actor_user_id=actor_user_id,
        actor=actor,
        action="worker_records_exported",
        target_type="unit" if unit_id is not None else "all",
        target_id=unit_id or "",
        rows=len(rows),
    )
    return history_file_name(t, unit_name), history_xlsx(rows, t, unit_name), len(rows)
