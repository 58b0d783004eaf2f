"""Checking a sheet's rows below its header (domain.sheet finds the header): every problem of
every row, each with the row number and the column header the person sees in their file.

Problems never quote an ID number or a phone: they end up in chats and logs.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Protocol

from domain.grades import (
    Grade,
    GradeError,
    RenewalError,
    check_consistency,
    parse_grade,
    parse_renewal,
)
from domain.idnumber import IdNumberError, normalize_id_number
from domain.masking import PhoneError, mask_name, normalize_phone
from domain.procedure import (
    BASIS_LIMIT,
    FAIL_GROUND,
    REASON_GROUND_NOT_FAIL,
    BasisError,
    parse_fail_grounds,
)
from domain.recruitment import COLUMNS as RECRUITMENT_COLUMNS
from domain.recruitment import Recruitment, check_recruitment
from domain.sheet import (
    _LETTER,
    _PLAIN_MOBILE,
    _POST_OK,
    _SCIENTIFIC,
    BASIS_COLUMNS,
    FORMULA_STARTS,
    GRADE,
    ID_NUMBER,
    MAX_LENGTH,
    NAME,
    PHONE,
    POST,
    REASON_DUPLICATE,
    REASON_FORMULA_START,
    REASON_OTHER_UNIT,
    REASON_PHONE_AS_NUMBER,
    REASON_REQUIRED,
    REASON_TOO_LONG,
    REASON_UNKNOWN_UNIT,
    REMARK,
    RENEW,
    REQUIRED,
    UNIT,
    HeaderMatch,
    ImportKind,
    RowIssue,
    SheetRow,
    _visible,
    plain_text_problem,
    shown,
    unit_key,
    without_float_tail,
)

_NAME_LIMIT = MAX_LENGTH[NAME]
_POST_LIMIT = MAX_LENGTH[POST]
_REMARK_LIMIT = MAX_LENGTH[REMARK]

# A file says 合格 and 是 thousands of times: each spelling is parsed once (errors are not cached).
_parse_grade = functools.lru_cache(maxsize=256)(parse_grade)
_parse_renewal = functools.lru_cache(maxsize=256)(parse_renewal)
# A county has a few dozen post titles, said thousands of times: each is checked once (past
# this many titles, a new one is checked at every row).
_GOOD_POSTS = 1024
# A roster says 公开招聘 and 大龄失业人员 thousands of times too.
_check_recruitment = functools.lru_cache(maxsize=1024)(check_recruitment)


class RowChecker:
    """Checks rows one at a time, remembering what it needs across rows (duplicate people).

    Every problem of a row is collected, not only the first, so a unit fixes its file once.
    """

    def __init__(
        self,
        header: HeaderMatch,
        *,
        kind: ImportKind,
        known_units: Iterable[str],
        today: date | None = None,
        only_unit: str | None = None,
        basic_may_renew: bool = True,
    ) -> None:
        """``only_unit``: the one registered unit whose rows are accepted (a unit contact's
        upload); rows of any other unit are reported, not skipped. ``basic_may_renew``: the
        county's reading of 六(一) (domain.renewal), which decides whether 基本合格 with 是 is a
        contradiction."""
        if header.missing:
            raise ValueError(f"the header lacks required columns {header.missing}")
        self.header = header
        self.kind = kind
        self.today = today
        self.issues: list[RowIssue] = []
        self.rows = 0  # rows checked that were not blank
        self._units = {unit_key(name): name for name in known_units}
        self._only_unit = only_unit
        self._basic_may_renew = basic_may_renew
        self._unit_of_text: dict[str, str | None] = {}
        self._first_row_of: dict[str, int] = {}
        self._positions = tuple(header.columns.items())
        self._required = tuple(column for column in REQUIRED[kind] if column in header.columns)
        self._limits = tuple(
            (column, limit) for column, limit in MAX_LENGTH.items() if column in header.columns
        )
        # For the shortcut in check(): where each column is (-1 when the file lacks it), and
        # the grade and renewal spellings already seen together and found consistent.
        columns = header.columns
        self._at = tuple(
            columns.get(column, -1)
            for column in (UNIT, NAME, ID_NUMBER, PHONE, POST, GRADE, RENEW, REMARK)
        )
        self._width = max(columns.values()) + 1
        self._results = kind == "results"
        self._basis_at = tuple(columns.get(column, -1) for column in BASIS_COLUMNS)
        self._with_basis = self._results and any(at >= 0 for at in self._basis_at)
        self._recruitment_at = tuple(columns.get(column, -1) for column in RECRUITMENT_COLUMNS)
        self._with_recruitment = kind == "roster" and any(at >= 0 for at in self._recruitment_at)
        self._verdicts: dict[tuple[str, str], tuple[Grade, bool]] = {}
        self._good_posts: set[str] = set()  # titles found good, each checked once

    def check(self, row: int, cells: Sequence[str]) -> SheetRow | None:
        """The clean row, or None when it is blank or has problems (added to ``issues``)."""
        # The shortcut for a row that is wholly good, as nearly all are: the same checks as
        # _check_fully, in fewer steps, and the moment anything is off the row is checked
        # again the full way, which finds and words every problem. The one thing it records,
        # the first row of each ID number, is recorded the same way by _check_fully.
        if len(cells) < self._width:
            return self._check_fully(row, cells)
        at_unit, at_name, at_id, at_phone, at_post, at_grade, at_renew, at_remark = self._at
        name = cells[at_name].strip()
        post = cells[at_post].strip()
        id_text = cells[at_id].strip()
        if not (name and post and id_text) or len(name) > _NAME_LIMIT or len(post) > _POST_LIMIT:
            return self._check_fully(row, cells)
        if name[0] in FORMULA_STARTS or _LETTER.search(name) is None:
            return self._check_fully(row, cells)
        if post not in self._good_posts:
            if (
                post[0] in FORMULA_STARTS
                or not _POST_OK.fullmatch(post)
                or _LETTER.search(post) is None
            ):
                return self._check_fully(row, cells)
            if len(self._good_posts) < _GOOD_POSTS:
                self._good_posts.add(post)
        remark = cells[at_remark].strip() if at_remark >= 0 else ""
        if len(remark) > _REMARK_LIMIT:
            return self._check_fully(row, cells)
        # Spellings of units and grades are learnt from rows checked the full way.
        unit = self._unit_of_text.get(cells[at_unit].strip())
        if unit is None or (self._only_unit is not None and unit != self._only_unit):
            return self._check_fully(row, cells)
        grade: Grade | None = None
        renew: bool | None = None
        if self._results:
            verdict = self._verdicts.get((cells[at_grade].strip(), cells[at_renew].strip()))
            if verdict is None:
                return self._check_fully(row, cells)
            grade, renew = verdict
        basis: tuple[str, ...] | None = None
        if self._with_basis:
            basis = self._basis_fast(cells, grade)
            if basis is None:
                return self._check_fully(row, cells)
        recruitment: Recruitment | None = None
        if self._with_recruitment:
            recruitment, problems = _check_recruitment(
                *(cells[at] if at >= 0 else "" for at in self._recruitment_at)
            )
            if problems:
                return self._check_fully(row, cells)
        phone: str | None = None
        if at_phone >= 0:
            phone = cells[at_phone].strip() or None
            if phone is not None and not _PLAIN_MOBILE.fullmatch(phone):
                return self._check_fully(row, cells)
        try:
            id_number = normalize_id_number(id_text, today=self.today)
        except IdNumberError:
            return self._check_fully(row, cells)
        if self._first_row_of.setdefault(id_number, row) != row:
            return self._check_fully(row, cells)
        self.rows += 1
        return SheetRow(
            row, unit, name, id_number, phone, post, grade, renew, remark, basis, recruitment
        )

    def _basis_fast(self, cells: Sequence[str], grade: Grade | None) -> tuple[str, ...] | None:
        """The basis columns of a row with nothing wrong in them; None sends the row the full
        way, which words the problem."""
        texts = [cells[at].strip() if at >= 0 else "" for at in self._basis_at]
        for text in texts:
            if text and (len(text) > BASIS_LIMIT or text[0] in FORMULA_STARTS):
                return None
        if texts[-1]:
            if grade is not Grade.FAIL:
                return None
            try:
                texts[-1] = parse_fail_grounds(texts[-1])
            except BasisError:
                return None
        return tuple(texts)

    def _basis(
        self, values: Mapping[str, str], grade: Grade | None, report: _Report
    ) -> tuple[str, ...] | None:
        """三: the six parts as written, and the 不合格 ground as the plan names it."""
        if not self._with_basis:
            return None
        texts = [values.get(column, "") for column in BASIS_COLUMNS]
        for column, text in zip(BASIS_COLUMNS, texts, strict=True):
            if text and text[0] in FORMULA_STARTS:
                report(column, REASON_FORMULA_START, char=_visible(text[0]))
        if texts[-1]:
            try:
                texts[-1] = parse_fail_grounds(texts[-1])
            except BasisError as error:
                report(FAIL_GROUND, error.reason, **error.params)
            else:
                if grade is not None and grade is not Grade.FAIL:
                    report(FAIL_GROUND, REASON_GROUND_NOT_FAIL, grade=grade.value)
        return tuple(texts)

    def _check_fully(self, row: int, cells: Sequence[str]) -> SheetRow | None:
        width = len(cells)
        values = {
            column: cells[position].strip() if position < width else ""
            for column, position in self._positions
        }
        if not any(values.values()):
            return None
        self.rows += 1
        found: list[tuple[str, str, dict[str, str]]] = []

        def report(column: str, reason: str, /, **params: str) -> None:
            found.append((column, reason, params))

        for column in self._required:
            if not values[column]:
                report(column, REASON_REQUIRED, column=self.header.labels[column])
        for column, limit in self._limits:
            if len(values[column]) > limit:
                report(column, REASON_TOO_LONG, limit=str(limit), length=str(len(values[column])))
        for column in (NAME, POST):
            problem = plain_text_problem(values[column], post=column == POST)
            if problem is not None:
                report(column, problem[0], **problem[1])
        unit = self._unit(values[UNIT], report)
        id_number = self._id_number(row, values[ID_NUMBER], report)
        phone = self._phone(values.get(PHONE, ""), report)
        grade, renew = self._grade_and_renewal(values, report)
        basis = self._basis(values, grade, report)
        recruitment = self._recruitment(values, report)
        if found:
            self._add_issues(row, values[NAME], found)
            return None
        assert unit is not None and id_number is not None
        return SheetRow(
            row=row,
            unit=unit,
            name=values[NAME],
            id_number=id_number,
            phone=phone,
            post=values[POST],
            grade=grade,
            renew=renew,
            remark=values.get(REMARK, ""),
            basis=basis,
            recruitment=recruitment,
        )

    def _recruitment(self, values: Mapping[str, str], report: _Report) -> Recruitment | None:
        """人员招录: the method, the category of 就业困难人员 and the eligibility, if the
        roster has any of those columns."""
        if not self._with_recruitment:
            return None
        found, problems = _check_recruitment(
            *(values.get(column, "") for column in RECRUITMENT_COLUMNS)
        )
        for column, reason, params in problems:
            report(column, reason, **params)
        return found

    def _add_issues(
        self, row: int, name: str, found: list[tuple[str, str, dict[str, str]]]
    ) -> None:
        masked = mask_name(name) if name else ""
        # Left to right, as the person reads the row; a stable sort keeps each cell's order.
        found.sort(key=lambda issue: self.header.columns[issue[0]])
        self.issues.extend(
            RowIssue(row, self.header.labels[column], reason, params, masked)
            for column, reason, params in found
        )

    def _unit(self, text: str, report: _Report) -> str | None:
        if not text:
            return None
        # Thousands of rows name the same few units: look each spelling up once.
        if text not in self._unit_of_text:
            self._unit_of_text[text] = self._units.get(unit_key(text))
        unit = self._unit_of_text[text]
        if unit is None:
            report(UNIT, REASON_UNKNOWN_UNIT, unit=shown(text))
        elif self._only_unit is not None and unit != self._only_unit:
            report(UNIT, REASON_OTHER_UNIT, unit=unit, own=self._only_unit)
            return None
        return unit

    def _id_number(self, row: int, text: str, report: _Report) -> str | None:
        if not text:
            return None
        try:
            id_number = normalize_id_number(without_float_tail(text), today=self.today)
        except IdNumberError as error:
            report(ID_NUMBER, error.reason, **error.params)
            return None
        first_row = self._first_row_of.setdefault(id_number, row)
        if first_row != row:
            report(ID_NUMBER, REASON_DUPLICATE, first_row=str(first_row))
        return id_number

    def _phone(self, text: str, report: _Report) -> str | None:
        if not text:
            return None
        if _SCIENTIFIC.fullmatch(text):
            report(PHONE, REASON_PHONE_AS_NUMBER)
            return None
        if _PLAIN_MOBILE.fullmatch(text):
            return (
                text  # what normalize_phone returns for it, without its character-by-character pass
            )
        try:
            return normalize_phone(without_float_tail(text))
        except PhoneError as error:
            report(PHONE, error.reason, **error.params)
            return None

    def _grade_and_renewal(
        self, values: Mapping[str, str], report: _Report
    ) -> tuple[Grade | None, bool | None]:
        if self.kind != "results":
            return None, None
        grade: Grade | None = None
        renew: bool | None = None
        if values[GRADE]:
            try:
                grade = _parse_grade(values[GRADE])
            except GradeError as error:
                report(GRADE, error.reason, text=shown(error.text))
        if values[RENEW]:
            try:
                renew = _parse_renewal(values[RENEW])
            except RenewalError as error:
                report(RENEW, error.reason, text=shown(error.text))
        if grade is not None and renew is not None:
            conflict = check_consistency(grade, renew, basic_may_renew=self._basic_may_renew)
            if conflict is not None:
                report(RENEW, conflict)
            else:
                self._verdicts[values[GRADE], values[RENEW]] = (grade, renew)
        return grade, renew


class _Report(Protocol):
    """The ``report`` callback a row check passes to its parts."""

    def __call__(self, column: str, reason: str, /, **params: str) -> None: ...


def validate_rows(
    rows: Sequence[Sequence[str]],
    header: HeaderMatch,
    *,
    kind: ImportKind,
    known_units: Iterable[str],
    today: date | None = None,
) -> tuple[list[SheetRow], list[RowIssue]]:
    """Every row below the header, checked: the clean rows and every problem found."""
    checker = RowChecker(header, kind=kind, known_units=known_units, today=today)
    clean = []
    for index in range(header.row_index + 1, len(rows)):
        checked = checker.check(index + 1, rows[index])
        if checked is not None:
            clean.append(checked)
    return clean, checker.issues
