"""Staff verification from a sheet: who came in person (city plan 五.4: workers come with ID card
and household register; whoever does not come is treated as a vacant post and removed).

The sheet needs two columns, the ID number and whether the person came (是 / 否 / 请假), and
may have a third, the reason for a leave (请假原因): an excused worker (请假) is recorded as the
chat records one, absent with the reason and not struck off, so a 请假 without a reason is a
row error, and so is a 否 with a reason (struck off, or excused? the sheet must say). Every bad
row is reported, and, as with results, nothing is recorded unless every row is good: recording
an absence removes a worker, so a half-read file must not act.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

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
_REASON_ALIASES = (
    "请假原因", "请假事由", "请假理由", "未到原因", "缺席原因", "原因", "事由",
    "請假原因", "請假事由", "請假理由",
    "reason", "excuse", "reason for leave",
)  # fmt: skip
_YES = frozenset({"是", "到", "到场", "已到", "到場", "√", "✓", "✔", "y", "yes", "1", "true"})
_NO = frozenset(
    {"否", "未到", "未到场", "未到場", "缺席", "不到", "×", "✗", "✘", "n", "no", "0", "false"}
)
_EXCUSED = frozenset(
    {"请假", "已请假", "事假", "病假", "准假", "請假", "已請假", "excused", "leave", "on leave"}
)
HEADER_SCAN_ROWS = 10
# An excuse's reason as the chat takes it: one line, at most this long.
EXCUSE_MAX = 200
Status = Literal["present", "absent", "excused"]

REASON_NO_HEADER = N_(
    "No header row with the columns 身份证号 and 是否到场 in the first {scan} rows."
)
REASON_PRESENT_EMPTY = N_("Whether the person came is empty: write 是, 否 or 请假.")
REASON_PRESENT_UNKNOWN = N_('"{text}" is not 是, 否 or 请假.')
REASON_EXCUSE_MISSING = N_(
    "请假 needs its reason in the column 请假原因: the group records an excuse only with one."
)
REASON_EXCUSE_TOO_LONG = N_("The reason is too long: at most {most} characters, this has {length}.")
REASON_EXCUSE_NOT_ABSENT = N_(
    "A reason is given but the person is marked 否, which strikes them off: write 请假 if the "
    "group accepted the reason, or clear the reason."
)
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
    status: Status
    excuse: str = ""  # the reason of a 请假, as the chat records it

    @property
    def present(self) -> bool:
        return self.status == "present"


@dataclass
class AttendanceSheet:
    rows: list[AttendanceRow] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)
    id_header: str = ID_COLUMN


def parse_status(text: str) -> Status:
    value = unicodedata.normalize("NFKC", text).strip().casefold()
    if not value:
        raise AttendanceSheetError(REASON_PRESENT_EMPTY)
    if value in _YES:
        return "present"
    if value in _NO:
        return "absent"
    if value in _EXCUSED:
        return "excused"
    raise AttendanceSheetError(REASON_PRESENT_UNKNOWN, text=text.strip()[:20])


def excuse_text(text: str) -> str:
    """The reason of a leave as it is recorded, from the chat or a sheet: one line, spaces
    collapsed; empty when there is none. Longer than EXCUSE_MAX is the caller's to refuse."""
    return " ".join(text.split())


def check_excuse(status: Status, reason: str) -> str:
    """The excuse to record for a row of ``status`` with ``reason`` (already excuse_text)."""
    if status == "excused":
        if not reason:
            raise AttendanceSheetError(REASON_EXCUSE_MISSING)
        if len(reason) > EXCUSE_MAX:
            raise AttendanceSheetError(
                REASON_EXCUSE_TOO_LONG, most=str(EXCUSE_MAX), length=str(len(reason))
            )
        return reason
    if status == "absent" and reason:
        raise AttendanceSheetError(REASON_EXCUSE_NOT_ABSENT)
    return ""  # a note beside someone who came is not an excuse


@dataclass(frozen=True)
class _Header:
    row: int
    id_at: int
    present_at: int
    reason_at: int | None
    cells: list[str]


def _find_header(rows: Sequence[Sequence[str]]) -> _Header:
    ids = {header_key(a) for a in _ID_ALIASES}
    present = {header_key(a) for a in _PRESENT_ALIASES}
    reasons = {header_key(a) for a in _REASON_ALIASES}
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        keys = [header_key(cell) for cell in cells]
        id_at = next((i for i, k in enumerate(keys) if k in ids), None)
        present_at = next((i for i, k in enumerate(keys) if k in present), None)
        reason_at = next((i for i, k in enumerate(keys) if k in reasons), None)
        if id_at is not None and present_at is not None:
            return _Header(index, id_at, present_at, reason_at, list(cells))
    raise AttendanceSheetError(REASON_NO_HEADER, scan=str(HEADER_SCAN_ROWS))


def read_attendance(rows: Sequence[Sequence[str]], *, today: date) -> AttendanceSheet:
    """Check every row; the roster check (is this person ours?) is the caller's."""
    found = _find_header(rows)
    id_at, present_at, header = found.id_at, found.present_at, found.cells
    # A reason's problem is reported under its own column, or under 是否到场 without one.
    reason_header = header[found.reason_at if found.reason_at is not None else present_at]
    sheet = AttendanceSheet(id_header=header[id_at])
    seen: dict[str, int] = {}
    for index in range(found.row + 1, len(rows)):
        cells = rows[index]
        if not any(cell.strip() for cell in cells):
            continue
        row_number = index + 1
        raw_id = cells[id_at] if id_at < len(cells) else ""
        raw_present = cells[present_at] if present_at < len(cells) else ""
        at = found.reason_at
        reason = excuse_text(cells[at]) if at is not None and at < len(cells) else ""
        try:
            number = normalize_id_number(raw_id, today=today)
        except IdNumberError as error:
            sheet.issues.append(RowIssue(row_number, header[id_at], error.reason, error.params))
            continue
        try:
            status = parse_status(raw_present)
        except AttendanceSheetError as error:
            sheet.issues.append(
                RowIssue(row_number, header[present_at], error.reason, error.params)
            )
            continue
        try:
            excuse = check_excuse(status, reason)
        except AttendanceSheetError as error:
            sheet.issues.append(RowIssue(row_number, reason_header, error.reason, error.params))
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
        sheet.rows.append(AttendanceRow(row_number, number, status, excuse))
    if not sheet.rows and not sheet.issues:
        raise AttendanceSheetError(REASON_NO_DATA)
    return sheet
