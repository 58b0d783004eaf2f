"""Units and procedure sheets, checked whole in the reading process (storage.import_child) once it
has read them, each sent back as one answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from domain.procedure_rows import ProcedureRow, ProcedureRowChecker
from domain.sheet import HeaderMatch, ImportKind, RowIssue
from domain.unit_rows import UnitRow, UnitRowChecker
from storage.sheet_reader import find_header

C = TypeVar("C", UnitRowChecker, ProcedureRowChecker)


@dataclass
class CheckedUnits:
    """A units sheet read and every row checked."""

    ignored_columns: tuple[str, ...]
    rows: int
    clean: list[UnitRow]
    issues: list[RowIssue]


def check_units_rows(rows: list[list[str]]) -> CheckedUnits:
    """Check a units sheet's rows; raises SheetError when it has no header."""
    header, checker, clean = _checked(rows, "units", UnitRowChecker)
    return CheckedUnits(header.ignored, checker.rows, clean, checker.issues)


@dataclass
class CheckedProcedure:
    """A procedure sheet read and every row checked."""

    ignored_columns: tuple[str, ...]
    rows: int
    clean: list[ProcedureRow]
    issues: list[RowIssue]


def check_procedure_rows(
    rows: list[list[str]], known_units: tuple[str, ...], only_unit: str | None
) -> CheckedProcedure:
    """Check a procedure sheet's rows; raises SheetError when it has no header."""
    header, checker, clean = _checked(
        rows,
        "procedure",
        lambda header: ProcedureRowChecker(header, known_units=known_units, only_unit=only_unit),
    )
    return CheckedProcedure(header.ignored, checker.rows, clean, checker.issues)


def _checked(
    rows: list[list[str]], kind: ImportKind, checker_of: Callable[[HeaderMatch], C]
) -> tuple[HeaderMatch, C, list[Any]]:
    """The header found and every row below it checked: the header, the checker (its rows and
    issues) and the clean rows."""
    header = find_header(rows, kind)
    checker = checker_of(header)
    clean = [
        checked
        for index in range(header.row_index + 1, len(rows))
        if (checked := checker.check(index + 1, rows[index])) is not None
    ]
    return header, checker, clean
