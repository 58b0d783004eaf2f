"""Checking a units sheet's rows (单位, 岗位指标, 联系电话, 主管部门) below its header.

Each bad cell is reported with the row number and the header as the person wrote it; a unit
named twice in one file is reported on its second row, since which quota is meant is unclear.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

from domain.sheet import (
    DEPARTMENT,
    PHONE,
    QUOTA,
    REASON_REQUIRED,
    REASON_TOO_LONG,
    REQUIRED,
    UNIT,
    HeaderMatch,
    RowIssue,
    plain_text_problem,
    shown,
    unit_key,
    without_float_tail,
)
from messages import N_

# Column sizes of the unit table.
UNIT_NAME_LIMIT = 120
DEPARTMENT_LIMIT = 120
PHONE_LIMIT = 32
# A county's largest employer has a few hundred posts; a five-digit quota is a typing slip.
MAX_QUOTA = 9999

REASON_QUOTA = N_(
    "The post quota must be a whole number from 1 to {max}; this cell holds “{text}”."
)
REASON_CONTACT_PHONE = N_(
    "A contact phone may hold only digits, spaces and the marks - ( ) and must begin with a "
    "digit; this cell holds “{text}”."
)
REASON_DUPLICATE_UNIT = N_("The same unit is already on row {first_row}.")

_PHONE_OK = re.compile(r"[0-9][0-9 ()\-]{4,31}", re.ASCII)


class UnitRow(NamedTuple):
    """A units sheet row that passed every check; ``name`` as written, spaces trimmed."""

    row: int
    name: str
    quota: int
    phone: str | None
    department: str | None


def parse_quota(text: str) -> int | None:
    """A post quota as typed (full-width digits, "5.0" from a spreadsheet), or None."""
    folded = without_float_tail(unicodedata.normalize("NFKC", text).strip())
    if not folded.isascii() or not folded.isdigit():
        return None
    quota = int(folded)
    return quota if 1 <= quota <= MAX_QUOTA else None


class UnitRowChecker:
    """Checks a units sheet row by row; every problem of a row is collected."""

    def __init__(self, header: HeaderMatch) -> None:
        if header.missing:
            raise ValueError(f"the header lacks required columns {header.missing}")
        self.header = header
        self.issues: list[RowIssue] = []
        self.rows = 0
        self._first_row_of: dict[str, int] = {}

    def check(self, row: int, cells: Sequence[str]) -> UnitRow | None:
        """The clean row, or None when it is blank or has problems (added to ``issues``)."""
        values = {
            column: cells[position].strip() if position < len(cells) else ""
            for column, position in self.header.columns.items()
        }
        if not any(values.values()):
            return None
        self.rows += 1
        found: list[tuple[str, str, dict[str, str]]] = []
        for column in REQUIRED["units"]:
            if not values[column]:
                found.append((column, REASON_REQUIRED, {"column": self.header.labels[column]}))
        name = values[UNIT]
        department = values.get(DEPARTMENT, "")
        for column, text, limit in (
            (UNIT, name, UNIT_NAME_LIMIT),
            (DEPARTMENT, department, DEPARTMENT_LIMIT),
        ):
            if len(text) > limit:
                found.append(
                    (column, REASON_TOO_LONG, {"limit": str(limit), "length": str(len(text))})
                )
            problem = plain_text_problem(text)
            if problem is not None:
                found.append((column, problem[0], problem[1]))
        quota = parse_quota(values[QUOTA]) if values[QUOTA] else None
        if values[QUOTA] and quota is None:
            found.append(
                (QUOTA, REASON_QUOTA, {"max": str(MAX_QUOTA), "text": shown(values[QUOTA])})
            )
        phone = unicodedata.normalize("NFKC", values.get(PHONE, "")).strip()
        if phone and not _PHONE_OK.fullmatch(phone):
            found.append((PHONE, REASON_CONTACT_PHONE, {"text": shown(phone)}))
        if name:
            first_row = self._first_row_of.setdefault(unit_key(name), row)
            if first_row != row:
                found.append((UNIT, REASON_DUPLICATE_UNIT, {"first_row": str(first_row)}))
        if found:
            found.sort(key=lambda issue: self.header.columns[issue[0]])
            self.issues.extend(
                RowIssue(row, self.header.labels[column], reason, params)
                for column, reason, params in found
            )
            return None
        assert quota is not None
        return UnitRow(row, name, quota, phone or None, department or None)
