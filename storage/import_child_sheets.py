"""Units and procedure sheets, read and checked whole in the reading process (storage.import_child),
each sent back as one answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from domain.procedure_rows import ProcedureRow, ProcedureRowChecker
from domain.sheet import HeaderMatch, ImportKind, RowIssue
from domain.unit_rows import UnitRow, UnitRowChecker
from storage.sheet_reader import ReadLimits, find_header, parse_table


class SheetRequest(Protocol):
    """What these checks read of storage.import_child.CheckRequest."""

    @property
    def data(self) -> bytes: ...
    @property
    def filename(self) -> str: ...
    @property
    def limits(self) -> ReadLimits: ...
    @property
    def known_units(self) -> tuple[str, ...]: ...
    @property
    def only_unit(self) -> str | None: ...


C = TypeVar("C", UnitRowChecker, ProcedureRowChecker)


@dataclass
class CheckedUnits:
    """A units sheet read and every row checked."""

    ignored_columns: tuple[str, ...]
    rows: int
    clean: list[UnitRow]
    issues: list[RowIssue]


def check_units_file(request: SheetRequest) -> CheckedUnits:
    """Read and check a units sheet; raises SheetError when the file as a whole is refused."""
    header, checker, clean = _checked(request, "units", UnitRowChecker)
    return CheckedUnits(header.ignored, checker.rows, clean, checker.issues)


@dataclass
class CheckedProcedure:
    """A procedure sheet read and every row checked."""

    ignored_columns: tuple[str, ...]
    rows: int
    clean: list[ProcedureRow]
    issues: list[RowIssue]


def check_procedure_file(request: SheetRequest) -> CheckedProcedure:
    """Read and check a procedure sheet; raises SheetError when the file as a whole is refused."""
    header, checker, clean = _checked(
        request,
        "procedure",
        lambda header: ProcedureRowChecker(
            header, known_units=request.known_units, only_unit=request.only_unit
        ),
    )
    return CheckedProcedure(header.ignored, checker.rows, clean, checker.issues)


def _checked(
    request: SheetRequest, kind: ImportKind, checker_of: Callable[[HeaderMatch], C]
) -> tuple[HeaderMatch, C, list[Any]]:
    """The sheet read whole, its header found, and every row below it checked: the header, the
    checker (its rows and issues) and the clean rows."""
    rows = parse_table(request.data, request.filename, request.limits)
    header = find_header(rows, kind)
    checker = checker_of(header)
    clean = [
        checked
        for index in range(header.row_index + 1, len(rows))
        if (checked := checker.check(index + 1, rows[index])) is not None
    ]
    return header, checker, clean
