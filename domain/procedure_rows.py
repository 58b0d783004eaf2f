"""Checking a procedure sheet (单位, 环节, 日期, 姓名, 身份, 说明): one person a row.

个人述职 and 谈话考核 rows name the unit's workers; 民主测评 rows name each participant with
their kind (分管领导, 相关科室负责人, 服务对象, 其他); 集体研究 rows name the meeting's attendees.
Matching names to workers, and the checks of a whole step, need the database and are done by
the use case (services.procedure_sheet).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import NamedTuple

from domain.procedure import (
    EVALUATION,
    EVALUATION_KINDS,
    INTERVIEW,
    LEADER,
    MEETING,
    OTHER,
    PERSON_LIMIT,
    REASON_LIMIT,
    REPORT,
    SECTION_HEAD,
    SERVED,
)
from domain.sheet import (
    HELD_ON,
    NAME,
    REASON_REQUIRED,
    REASON_TOO_LONG,
    REASON_UNKNOWN_UNIT,
    REMARK,
    REQUIRED,
    ROLE,
    STEP,
    UNIT,
    HeaderMatch,
    RowIssue,
    header_key,
    plain_text_problem,
    shown,
    unit_key,
)
from messages import N_

REASON_UNKNOWN_STEP = N_("Unknown step “{text}”: write 个人述职, 谈话考核, 民主测评 or 集体研究.")
REASON_UNKNOWN_KIND = N_(
    "Unknown kind “{text}”: a 民主测评 participant is 分管领导, 相关科室负责人, 服务对象 or 其他."
)
REASON_BAD_DATE = N_("“{text}” is not a date: write it as 2026-12-05 or 2026年12月5日.")
REASON_OTHER_UNIT_ROW = N_("This row is for “{unit}”; you may record only your own unit, “{own}”.")

_STEPS: Mapping[str, str] = {
    header_key(alias): step
    for step, aliases in {
        REPORT: ("个人述职", "個人述職", "述职", "述職", "report", "personal report"),
        INTERVIEW: ("谈话考核", "談話考核", "谈话", "談話", "interview"),
        EVALUATION: ("民主测评", "民主測評", "测评", "測評", "evaluation"),
        MEETING: (
            "集体研究",
            "集體研究",
            "集体研究会议",
            "集體研究會議",
            "会议",
            "會議",
            "meeting",
        ),
    }.items()
    for alias in aliases
}
_KINDS: Mapping[str, str] = {
    header_key(alias): kind
    for kind, aliases in {
        LEADER: ("分管领导", "分管領導", "领导", "領導", "leader", "leader in charge"),
        SECTION_HEAD: (
            "相关科室负责人", "相關科室負責人", "科室负责人", "科室負責人", "section head",
        ),
        SERVED: ("服务对象", "服務對象", "served", "people served"),
        OTHER: ("其他", "其它", "其他相关人员", "其他相關人員", "other", "others"),
    }.items()
    for alias in aliases
}  # fmt: skip
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?")


class ProcedureRow(NamedTuple):
    row: int
    unit: str  # the registered name
    step: str
    held_on: date | None
    name: str
    kind: str  # a 民主测评 participant's kind; "" otherwise
    remark: str


def parse_day(text: str) -> date | None:
    """2026-12-05, 2026/12/5, 2026.12.5, 2026年12月5日 (and an XLSX date's ISO text); None
    when it is none of these or no real day."""
    match = _DATE.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def parse_step(text: str) -> str | None:
    return _STEPS.get(header_key(text))


def parse_kind(text: str) -> str | None:
    return _KINDS.get(header_key(text))


class ProcedureRowChecker:
    """Checks a procedure sheet row by row; every problem of a row is collected."""

    def __init__(
        self, header: HeaderMatch, *, known_units: Iterable[str], only_unit: str | None = None
    ) -> None:
        if header.missing:
            raise ValueError(f"the header lacks required columns {header.missing}")
        self.header = header
        self.issues: list[RowIssue] = []
        self.rows = 0
        self._units = {unit_key(name): name for name in known_units}
        self._only_unit = only_unit

    def check(self, row: int, cells: Sequence[str]) -> ProcedureRow | None:
        values = {
            column: cells[position].strip() if position < len(cells) else ""
            for column, position in self.header.columns.items()
        }
        if not any(values.values()):
            return None
        self.rows += 1
        found: list[tuple[str, str, dict[str, str]]] = []
        for column in REQUIRED["procedure"]:
            if not values[column]:
                found.append((column, REASON_REQUIRED, {"column": self.header.labels[column]}))
        unit = self._units.get(unit_key(values[UNIT])) if values[UNIT] else None
        if values[UNIT] and unit is None:
            found.append((UNIT, REASON_UNKNOWN_UNIT, {"unit": shown(values[UNIT])}))
        elif unit is not None and self._only_unit is not None and unit != self._only_unit:
            found.append((UNIT, REASON_OTHER_UNIT_ROW, {"unit": unit, "own": self._only_unit}))
        step = parse_step(values[STEP]) if values[STEP] else None
        if values[STEP] and step is None:
            found.append((STEP, REASON_UNKNOWN_STEP, {"text": shown(values[STEP])}))
        day_text = values.get(HELD_ON, "")
        held_on = parse_day(day_text) if day_text else None
        if day_text and held_on is None:
            found.append((HELD_ON, REASON_BAD_DATE, {"text": shown(day_text)}))
        name, remark = values[NAME], values.get(REMARK, "")
        for column, text, limit in ((NAME, name, PERSON_LIMIT), (REMARK, remark, REASON_LIMIT)):
            if len(text) > limit:
                found.append(
                    (column, REASON_TOO_LONG, {"limit": str(limit), "length": str(len(text))})
                )
        problem = plain_text_problem(name)
        if problem is not None:
            found.append((NAME, problem[0], problem[1]))
        kind = ""
        if step == EVALUATION:
            role = values.get(ROLE, "")
            kind = parse_kind(role) or "" if role else ""
            if kind not in EVALUATION_KINDS:
                found.append(
                    (ROLE if ROLE in values else STEP, REASON_UNKNOWN_KIND, {"text": shown(role)})
                )
        if found:
            found.sort(key=lambda issue: self.header.columns.get(issue[0], 0))
            self.issues.extend(
                RowIssue(row, self.header.labels.get(column, column), reason, params)
                for column, reason, params in found
            )
            return None
        assert unit is not None and step is not None
        return ProcedureRow(row, unit, step, held_on, name, kind, remark)
