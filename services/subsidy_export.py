"""The subsidy list after a closed 公示: each worker's result and whether the subsidies go on,
with the reason (domain.subsidy), as the CLI writes it and the administrator downloads it in
chat. ID numbers appear by their last four digits only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from documents.tables import csv_bytes, xlsx_bytes
from domain.subsidy import SubsidyStatus
from messages.i18n import N_, Translator
from messages.style import date_text
from storage.subsidy import SubsidyRow, cycle_by_year, subsidy_rows

UNKNOWN_CYCLE = N_("Unknown cycle {year}: no assessment cycle for that year.")
NOT_CLOSED = N_("公示 of {year} has not closed: results are not final.")

SUMMARY = N_("Continue: {kept}; stop: {stopped}; end: {ended}; pending: {pending}.")
SHEET_TITLE = N_("Subsidies after the {year} assessment")
COLUMN_UNIT = N_("Unit")
COLUMN_NAME = N_("Name")
COLUMN_ID_LAST4 = N_("ID number (last 4)")
COLUMN_POST = N_("Post")
COLUMN_GRADE = N_("Grade")
COLUMN_RENEWAL = N_("Renewal")
COLUMN_RESULT_STATUS = N_("Result status")
COLUMN_SUBSIDY = N_("Subsidies")
COLUMN_REASON = N_("Reason")
COLUMN_TERM = N_("Agreement signed for")
COLUMNS = (
    COLUMN_UNIT,
    COLUMN_NAME,
    COLUMN_ID_LAST4,
    COLUMN_POST,
    COLUMN_GRADE,
    COLUMN_RENEWAL,
    COLUMN_RESULT_STATUS,
    COLUMN_SUBSIDY,
    COLUMN_REASON,
    COLUMN_TERM,
)

TERM = N_("{start} to {end}")

RENEWED = N_("Renewed")
NOT_RENEWED = N_("Not renewed")
RESULT_STATUS = {
    "final": N_("Final"),
    "held": N_("Held: a serious case is open"),
    "pending": N_("Pending"),
}
SUBSIDY_STATUS = {
    SubsidyStatus.CONTINUE: N_("Subsidies continue"),
    SubsidyStatus.STOP: N_("Subsidies stop"),
    SubsidyStatus.END: N_("Subsidies end"),
    SubsidyStatus.PENDING: N_("Subsidies wait"),
}


def masked_id(last4: str) -> str:
    """The last 4 as text Excel keeps as it is (no lost leading zero), never more."""
    return f"****{last4[-4:]}"


def table(rows: Sequence[SubsidyRow], t: Translator) -> list[list[str]]:
    """The header and one line per worker, as the person reading the file sees them."""
    lines = [[t(column) for column in COLUMNS]]
    for row in rows:
        status = RESULT_STATUS.get(row.result_status)
        lines.append(
            [
                row.unit,
                row.name,
                masked_id(row.id_last4),
                row.post,
                row.grade.value,
                t(RENEWED) if row.renewed else t(NOT_RENEWED),
                t(status) if status else row.result_status,
                t(SUBSIDY_STATUS[row.subsidy]),
                t(row.reason),
                term_text(row, t),
            ]
        )
    return lines


def term_text(row: SubsidyRow, t: Translator) -> str:
    """The signed agreement's term, or nothing when none is signed."""
    if row.term_starts_on is None or row.term_ends_on is None:
        return ""
    return t(TERM, start=date_text(t, row.term_starts_on), end=date_text(t, row.term_ends_on))


def summary(rows: Sequence[SubsidyRow], t: Translator) -> str:
    counts = Counter(row.subsidy for row in rows)
    return t(
        SUMMARY,
        kept=counts[SubsidyStatus.CONTINUE],
        stopped=counts[SubsidyStatus.STOP],
        ended=counts[SubsidyStatus.END],
        pending=counts[SubsidyStatus.PENDING],
    )


# The file's and its sheet's name: 补贴名单_2026.xlsx, subsidy-2026.xlsx.
SUBSIDY_FILE = N_("subsidy")


def subsidy_csv(rows: Sequence[SubsidyRow], t: Translator) -> bytes:
    """The table alone: what Chinese Excel opens cleanly."""
    return csv_bytes(table(rows, t))


def subsidy_xlsx(rows: Sequence[SubsidyRow], *, year: int, t: Translator) -> bytes:
    """A title, the summary of counts, then the table from row 4."""
    return xlsx_bytes(
        table(rows, t),
        sheet=t(SUBSIDY_FILE),
        title=t(SHEET_TITLE, year=year),
        notes=[summary(rows, t)],
        widths=[24, *[12] * 7, 60, 28],
    )


class SubsidyNotReady(ValueError):
    """The cycle is unknown or its 公示 has not closed; ``reason`` is a message id."""

    def __init__(self, reason: str, year: int) -> None:
        super().__init__(reason.format(year=year))
        self.reason = reason
        self.year = year


async def subsidy_list(
    *, session: AsyncSession, year: int, basic_may_renew: bool = True
) -> Sequence[SubsidyRow]:
    """Every worker's subsidy decision after the 公示 of ``year``; raises SubsidyNotReady
    before it has closed (results are not final until then). ``basic_may_renew``: the county's
    reading of 六(一) (domain.renewal.RenewalSettings)."""
    found = await cycle_by_year(session, year)
    if found is None:
        raise SubsidyNotReady(UNKNOWN_CYCLE, year)
    if found.state != "closed":
        raise SubsidyNotReady(NOT_CLOSED, year)
    return await subsidy_rows(session, found, basic_may_renew=basic_may_renew)
