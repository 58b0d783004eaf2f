"""Staff verification from a sheet: who came in person (city plan 五.4: workers come with ID card
and household register; whoever does not come is treated as a vacant post and removed).

The sheet needs two columns, the ID number and whether the person came. Every bad row is
reported, and, as with results, nothing is recorded unless every row is good: recording an
absence removes a worker, so a half-read file must not act.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from domain.idnumber import IdNumberError, normalize_id_number
from domain.sheet import RowIssue, header_key
from messages import N_

ID_COLUMN = "身份证号"

_ID_ALIASES = (
    "身份证号", "身份证号码", "身份证", "公民身份号码", "公民身份证号码", "身份证件号码",
    "身份證號", "身份證號碼", "身份證", "公民身份號碼",
    "id number", "idnumber", "id no", "id card", "id card number",
)  # fmt: skip
_PRESENT_ALIASES = (
    "是否到场", "到场", "到场情况", "是否到場", "到場", "到場情況", "核对结果", "核對結果",
    "present", "attended", "attendance",
)  # fmt: skip
_YES = frozenset({"是", "到", "到场", "已到", "到場", "√", "✓", "✔", "y", "yes", "1", "true"})
_NO = frozenset(
    {"否", "未到", "未到场", "未到場", "缺席", "不到", "×", "✗", "✘", "n", "no", "0", "false"}
)
HEADER_SCAN_ROWS = 10

REASON_NO_HEADER = N_(
    "No header row with the columns 身份证号 and 是否到场 in the first {scan} rows."
)
REASON_PRESENT_EMPTY = N_("Whether the person came is empty: write 是 or 否.")
REASON_PRESENT_UNKNOWN = N_('"{text}" is not 是 or 否.')
REASON_DUPLICATE = N_("This ID number is also on row {other}.")
REASON_NOT_ON_ROSTER = N_("Nobody with this ID number is on the roster.")
REASON_NO_DATA = N_("The sheet has a header row but no data rows below it.")


class AttendanceSheetError(ValueError):
    def __init__(self, reason: str, **params: str) -> None:
        self.reason = reason
        self.params = params
        super().__init__(reason.format(**params))


@dataclass(frozen=True)
class AttendanceRow:
    row: int  # as numbered in the sheet
    id_number: str
    present: bool


@dataclass
class AttendanceSheet:
    rows: list[AttendanceRow] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)
    id_header: str = ID_COLUMN


def parse_present(text: str) -> bool:
    value = unicodedata.normalize("NFKC", text).strip().casefold()
    if not value:
        raise AttendanceSheetError(REASON_PRESENT_EMPTY)
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise AttendanceSheetError(REASON_PRESENT_UNKNOWN, text=text.strip()[:20])


def _find_header(rows: Sequence[Sequence[str]]) -> tuple[int, int, int, list[str]]:
    ids = {header_key(a) for a in _ID_ALIASES}
    present = {header_key(a) for a in _PRESENT_ALIASES}
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        keys = [header_key(cell) for cell in cells]
        id_at = next((i for i, k in enumerate(keys) if k in ids), None)
        present_at = next((i for i, k in enumerate(keys) if k in present), None)
        if id_at is not None and present_at is not None:
            return index, id_at, present_at, list(cells)
    raise AttendanceSheetError(REASON_NO_HEADER, scan=str(HEADER_SCAN_ROWS))


def read_attendance(rows: Sequence[Sequence[str]], *, today: date) -> AttendanceSheet:
    """Check every row; the roster check (is this person ours?) is the caller's."""
    header_at, id_at, present_at, header = _find_header(rows)
    sheet = AttendanceSheet(id_header=header[id_at])
    seen: dict[str, int] = {}
    for index in range(header_at + 1, len(rows)):
        cells = rows[index]
        if not any(cell.strip() for cell in cells):
            continue
        row_number = index + 1
        raw_id = cells[id_at] if id_at < len(cells) else ""
        raw_present = cells[present_at] if present_at < len(cells) else ""
        try:
            number = normalize_id_number(raw_id, today=today)
        except IdNumberError as error:
            sheet.issues.append(RowIssue(row_number, header[id_at], error.reason, error.params))
            continue
        try:
            came = parse_present(raw_present)
        except AttendanceSheetError as error:
            sheet.issues.append(
                RowIssue(row_number, header[present_at], error.reason, error.params)
            )
            continue
        if number in seen:
            sheet.issues.append(
                RowIssue(
                    row_number,
                    header[id_at],
                    REASON_DUPLICATE,
                    {"other": str(seen[number])},
                )
            )
            continue
        seen[number] = row_number
        sheet.rows.append(AttendanceRow(row_number, number, came))
    if not sheet.rows and not sheet.issues:
        raise AttendanceSheetError(REASON_NO_DATA)
    return sheet
