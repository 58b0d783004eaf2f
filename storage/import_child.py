"""Reading and checking a file in a process of its own, with a ceiling on its memory and time.

The limits of storage.sheet_reader stop every bomb known; this stops the ones not yet known. The
process that reads a file may use at most a set amount of memory (RLIMIT_AS) and of CPU time
(RLIMIT_CPU): should a file get past every check, that process fails, is refused in one line,
and the bot, which only waits for the answer, goes on serving everybody else. What comes back is
plain data: the checked rows and the problems; the database is written by the caller.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import resource
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from domain.procedure_rows import ProcedureRow, ProcedureRowChecker
from domain.sheet import ImportKind, RowIssue, SheetRow
from domain.sheet_rows import RowChecker
from domain.unit_rows import UnitRow, UnitRowChecker
from messages import N_
from storage.sheet_reader import ReadLimits, SheetError, find_header, parse_table

log = logging.getLogger(__name__)


REASON_READER_STOPPED = N_(
    "Reading the file was stopped: it needed more than {memory} MB of memory or {seconds} s of "
    "work, the most an import may use (setting {setting}). Nothing was imported."
)
SETTING_MEMORY = "GONGSHI_IMPORT_MAX_MEMORY_MB"

# The reading process itself, with Python and the modules it needs loaded, takes about 60 MB of
# address space; the rest is for the file. A 100,000-row file needs about 250 MB.
DEFAULT_MEMORY_MB = 1024
DEFAULT_CPU_SECONDS = 300


@dataclass(frozen=True)
class CheckRequest:
    """Everything the reading process needs: the file and what the rows are checked against."""

    data: bytes
    filename: str
    kind: ImportKind
    known_units: tuple[str, ...]
    today: date | None = None
    only_unit: str | None = None
    basic_may_renew: bool = True
    limits: ReadLimits = field(default_factory=ReadLimits)


@dataclass
class Checked:
    """A file read and every row checked: the clean rows in order, or the problems."""

    ignored_columns: tuple[str, ...]
    rows: int  # rows that were not blank
    data_rows: int  # rows below the header, blank ones included
    clean: list[SheetRow]
    issues: list[RowIssue]


def check_file(request: CheckRequest) -> Checked:
    """Read and check a file; raises SheetError when the file as a whole is refused."""
    rows = parse_table(request.data, request.filename, request.limits)
    header = find_header(rows, request.kind)
    checker = RowChecker(
        header,
        kind=request.kind,
        known_units=request.known_units,
        today=request.today,
        only_unit=request.only_unit,
        basic_may_renew=request.basic_may_renew,
    )
    clean: list[SheetRow] = []
    for index in range(header.row_index + 1, len(rows)):
        checked = checker.check(index + 1, rows[index])
        if checked is not None:
            clean.append(checked)
        rows[index] = []  # the text is no longer needed: keeps the peak memory down
    return Checked(
        ignored_columns=header.ignored,
        rows=checker.rows,
        data_rows=len(rows) - header.row_index - 1,
        clean=clean,
        issues=checker.issues,
    )


@dataclass
class CheckedUnits:
    """A units sheet read and every row checked."""

    ignored_columns: tuple[str, ...]
    rows: int
    clean: list[UnitRow]
    issues: list[RowIssue]


def check_units_file(request: CheckRequest) -> CheckedUnits:
    """Read and check a units sheet; raises SheetError when the file as a whole is refused."""
    rows = parse_table(request.data, request.filename, request.limits)
    header = find_header(rows, "units")
    checker = UnitRowChecker(header)
    clean = [
        checked
        for index in range(header.row_index + 1, len(rows))
        if (checked := checker.check(index + 1, rows[index])) is not None
    ]
    return CheckedUnits(header.ignored, checker.rows, clean, checker.issues)


@dataclass
class CheckedProcedure:
    """A procedure sheet read and every row checked."""

    ignored_columns: tuple[str, ...]
    rows: int
    clean: list[ProcedureRow]
    issues: list[RowIssue]


def check_procedure_file(request: CheckRequest) -> CheckedProcedure:
    """Read and check a procedure sheet; raises SheetError when the file as a whole is refused."""
    rows = parse_table(request.data, request.filename, request.limits)
    header = find_header(rows, "procedure")
    checker = ProcedureRowChecker(
        header, known_units=request.known_units, only_unit=request.only_unit
    )
    clean = [
        checked
        for index in range(header.row_index + 1, len(rows))
        if (checked := checker.check(index + 1, rows[index])) is not None
    ]
    return CheckedProcedure(header.ignored, checker.rows, clean, checker.issues)


_CHECKS: dict[str, Callable[[CheckRequest], Checked | CheckedUnits | CheckedProcedure]] = {
    "units": check_units_file,
    "procedure": check_procedure_file,
}


def _bound(memory_mb: int, cpu_seconds: int) -> None:
    """Run first in the reading process: the ceilings it cannot lift again."""
    memory = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))


def _stopped(memory_mb: int, cpu_seconds: int) -> SheetError:
    return SheetError(
        REASON_READER_STOPPED,
        memory=str(memory_mb),
        seconds=str(cpu_seconds),
        setting=SETTING_MEMORY,
    )


_ROOT = Path(__file__).resolve().parents[1]


T = TypeVar("T", "Checked", "CheckedUnits", "CheckedProcedure")


async def check_in_child(
    request: CheckRequest,
    *,
    expect: type[T],
    memory_mb: int = DEFAULT_MEMORY_MB,
    cpu_seconds: int = DEFAULT_CPU_SECONDS,
) -> T:
    """A sheet checked by ``_run_child``: a roster or results file (``Checked``), a units sheet
    (``CheckedUnits``) or a procedure sheet (``CheckedProcedure``), under the same ceilings."""
    outcome = await _run_child(request, memory_mb=memory_mb, cpu_seconds=cpu_seconds)
    assert isinstance(outcome, expect)
    return outcome


async def _run_child(
    request: CheckRequest, *, memory_mb: int, cpu_seconds: int
) -> Checked | CheckedUnits | CheckedProcedure:
    """check_file in a fresh Python process under the two ceilings; the caller's event loop only
    waits for its answer. A process that ran out of memory or time, or died any other way, is a
    SheetError.

    A fresh interpreter (``python -m``) rather than a multiprocessing child: nothing of the
    caller is imported again or inherited there, whatever program the caller is.
    """
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(_ROOT), *sys.path[1:]])}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        __name__,
        str(memory_mb),
        str(cpu_seconds),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=environment,
    )
    try:
        answer, errors = await process.communicate(pickle.dumps(request, pickle.HIGHEST_PROTOCOL))
    finally:
        if process.returncode is None:  # cancelled while it ran
            process.kill()
            await process.wait()
    if process.returncode != 0 or not answer:
        tail = errors.decode(errors="replace").strip().splitlines()[-1:] if errors else []
        log.warning("the reading process ended with %s %s", process.returncode, tail)
        raise _stopped(memory_mb, cpu_seconds)
    outcome = pickle.loads(answer)  # our own process, our own classes
    if isinstance(outcome, SheetError):
        raise outcome
    assert isinstance(outcome, Checked | CheckedUnits | CheckedProcedure)
    return outcome


def _main(memory_mb: int, cpu_seconds: int) -> None:
    """The reading process: a request on stdin, a Checked or a SheetError on stdout."""
    request = pickle.loads(sys.stdin.buffer.read())  # sent by our own parent
    _bound(memory_mb, cpu_seconds)
    outcome: Checked | CheckedUnits | CheckedProcedure | SheetError
    try:
        outcome = _CHECKS.get(request.kind, check_file)(request)
    except SheetError as error:
        outcome = error
    except MemoryError:
        # Python was refused memory and said so: the process is sound enough to answer.
        outcome = _stopped(memory_mb, cpu_seconds)
    sys.stdout.buffer.write(pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    # Through the module's own name, so that what goes back pickles as storage.import_child's
    # classes, not as those of __main__.
    from storage.import_child import _main as main

    main(int(sys.argv[1]), int(sys.argv[2]))
