"""Reading and checking a file in a process of its own, with a ceiling on its memory and time.

The limits of storage.sheet_reader stop every bomb known; this stops the ones not yet known. The
process that reads a file may use at most a set amount of memory (RLIMIT_AS) and of CPU time
(RLIMIT_CPU): should a file get past every check, that process fails, is refused in one line,
and the bot, which only waits for the answer, goes on serving everybody else. What comes back is
plain data: the checked rows and the problems; the database is written by the caller.

A roster or results file comes back as it is checked (checking_in_child): first the header's
findings, then the clean rows in batches while no row has a problem, then the count and the
problems. The caller writes each batch as it arrives, in one transaction it commits only when
the end says no row had a problem, so checking and writing overlap and all or nothing holds.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import resource
import struct
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO, TypeVar, cast

from domain.sheet import HEADER_SCAN_ROWS, ImportKind, RowIssue, SheetRow
from domain.sheet_rows import RowChecker
from messages import N_
from storage.import_child_sheets import (
    CheckedProcedure,
    CheckedUnits,
    check_procedure_rows,
    check_units_rows,
)
from storage.sheet_reader import (
    ReadLimits,
    SheetError,
    find_header,
    parse_table,
    parse_table_pieces,
)

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

# How much lower the reading process's CPU priority is than the bot's (nice; 19 the lowest). A
# city-sized import while 10,000 people used the bot on two cores, on PostgreSQL (bench/
# under_load.py --postgres): the updates that came during the import were answered within 998 ms
# at the 99th percentile with the reader at the bot's priority, within 167 ms at 10 lower; the
# import took 22.7 s and 21.0 s. On SQLite the import's write lock, not the CPU, keeps others
# waiting, and there it made no difference.
READER_NICENESS = 10
MAX_NICENESS = 19


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


@dataclass(frozen=True)
class CheckedHead:
    """The first answer about a roster or results file: its header is found."""

    ignored_columns: tuple[str, ...]
    data_rows: int  # rows below the header, blank ones included


@dataclass(frozen=True)
class CheckedTail:
    """The last answer: every row is checked."""

    rows: int  # rows that were not blank
    issues: list[RowIssue]


# Clean rows per batch sent: as many as the writer takes in one go (storage.importer.CHUNK).
STREAM_BATCH = 5000
# Batches that have arrived while the writer was busy are handed to it together, up to this
# many rows: on SQLite, where it holds the one write lock from its first write to its commit,
# each write costs round trips to the database's thread, each waiting its turn in a busy
# event loop, whatever the number of rows (see storage.importer).
JOINED_MOST = 4 * STREAM_BATCH

Frame = CheckedHead | list[tuple[object, ...]] | CheckedTail


def check_frames(request: CheckRequest) -> Iterator[Frame]:
    """Read and check a roster or results file, as frames: the head, the clean rows in batches
    of plain tuples (they cross the pipe several times faster than SheetRow) only while no row
    has a problem, then the tail. Raises SheetError when the file as a whole is refused.

    A large workbook is read a piece at a time (storage.sheet_reader.parse_table_pieces): the
    first batches go out while the rest of the file is still being read."""
    table = parse_table_pieces(request.data, request.filename, request.limits)
    pieces = table.pieces
    rows = next(pieces)
    while len(rows) <= HEADER_SCAN_ROWS and (more := next(pieces, None)) is not None:
        rows += more
    header = find_header(rows, request.kind)
    checker = RowChecker(
        header,
        kind=request.kind,
        known_units=request.known_units,
        today=request.today,
        only_unit=request.only_unit,
        basic_may_renew=request.basic_may_renew,
    )
    yield CheckedHead(header.ignored, max(table.rows, len(rows)) - header.row_index - 1)
    batch: list[tuple[object, ...]] = []
    number = header.row_index + 2  # the first row below the header, counted from 1
    del rows[: header.row_index + 1]
    piece: list[list[str]] | None = rows
    while piece is not None:
        for index, cells in enumerate(piece):
            checked = checker.check(number, cells)
            number += 1
            piece[index] = []  # the text is no longer needed: keeps the peak memory down
            if checked is not None and not checker.issues:
                batch.append(tuple(checked))
                if len(batch) == STREAM_BATCH:
                    yield batch
                    batch = []
        piece = next(pieces, None)
    if batch and not checker.issues:
        yield batch
    yield CheckedTail(checker.rows, checker.issues)


def check_file(request: CheckRequest) -> Checked:
    """Read and check a file whole; raises SheetError when the file as a whole is refused."""
    return _assembled(check_frames(request))


def _assembled(frames: Iterator[Frame]) -> Checked:
    head = next(frames)
    assert isinstance(head, CheckedHead)
    clean: list[SheetRow] = []
    for frame in frames:
        if isinstance(frame, CheckedTail):
            return Checked(head.ignored_columns, frame.rows, head.data_rows, clean, frame.issues)
        assert isinstance(frame, list)
        clean += map(SheetRow._make, frame)
    raise AssertionError("no tail")


def _frames_of(request: CheckRequest) -> Iterator[object]:
    """What the reading process sends: a roster or results file as it is checked, any other
    sheet as one answer."""
    if request.kind in ("units", "procedure"):
        rows = parse_table(request.data, request.filename, request.limits)
        if request.kind == "units":
            yield check_units_rows(rows)
        else:
            yield check_procedure_rows(rows, request.known_units, request.only_unit)
    else:
        yield from check_frames(request)


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
_LENGTH = struct.Struct("!Q")  # each frame on the pipe: its length, then the pickle
# What may wait in the pipe's buffer on this side: the reading process runs ahead of the writer
# by this much at most (asyncio stops reading at twice the limit), so its memory stays bounded.
_PIPE_LIMIT = 8 * 2**20


T = TypeVar("T", "Checked", "CheckedUnits", "CheckedProcedure")


async def check_in_child(
    request: CheckRequest,
    *,
    expect: type[T],
    memory_mb: int = DEFAULT_MEMORY_MB,
    cpu_seconds: int = DEFAULT_CPU_SECONDS,
) -> T:
    """A sheet checked whole in a reading process: a roster or results file (``Checked``), a
    units sheet (``CheckedUnits``) or a procedure sheet (``CheckedProcedure``)."""
    async with checking_in_child(request, memory_mb=memory_mb, cpu_seconds=cpu_seconds) as child:
        frames = [frame async for frame in child.frames()]
    outcome = _assembled(iter(cast("list[Frame]", frames))) if expect is Checked else frames[0]
    assert isinstance(outcome, expect)
    return outcome


class ChildChecks:
    """The frames of a reading process as they arrive; see checking_in_child."""

    def __init__(self, process: asyncio.subprocess.Process, stopped: SheetError) -> None:
        self.process = process
        self.stopped = stopped
        self.head: CheckedHead | None = None
        self.tail: CheckedTail | None = None
        self.done = False
        self.failed: SheetError | None = None  # the answer once the process stopped or refused
        self._ahead: asyncio.Future[object] | None = None  # the next frame, being read

    async def next_frame(self) -> object | None:
        """The next frame, None after the last; a SheetError sent, or a process that died, is
        raised."""
        if self.failed is not None:
            raise self.failed
        if self.done:
            return None
        ahead, self._ahead = self._ahead, None
        frame = await (ahead if ahead is not None else self._read())
        if isinstance(frame, SheetError):
            self.failed = frame
            raise frame
        if isinstance(frame, CheckedHead):
            self.head = frame
        elif not isinstance(frame, list):  # the tail, or the one answer about another sheet
            self.tail = frame if isinstance(frame, CheckedTail) else None
            self.done = True
        return frame

    async def _read(self) -> object:
        """The next frame off the pipe; the stopped error when the process ended first."""
        stdout = self.process.stdout
        assert stdout is not None
        try:
            length = _LENGTH.unpack(await stdout.readexactly(_LENGTH.size))[0]
            return pickle.loads(await stdout.readexactly(length))  # our own process
        except asyncio.IncompleteReadError:
            await self.process.wait()
            log.warning("the reading process ended with %s", self.process.returncode)
            return self.stopped

    async def _arrived(self) -> list[tuple[object, ...]] | None:
        """The next batch if it has already arrived whole, else None; the next frame is read on
        meanwhile, for next_frame (one reader of the pipe at a time, never cancelled midway)."""
        if self.done or self.failed is not None:
            return None
        if self._ahead is None:
            self._ahead = asyncio.ensure_future(self._read())
        await asyncio.sleep(0)  # a frame already in the pipe's buffer is read in this turn
        ahead = self._ahead
        if not ahead.done() or not isinstance(frame := ahead.result(), list):
            return None
        self._ahead = None
        return frame

    async def frames(self) -> AsyncIterator[object]:
        while (frame := await self.next_frame()) is not None:
            yield frame

    async def start(self) -> CheckedHead:
        """The head of a roster or results file (the file is read and its header found)."""
        while self.head is None:
            if await self.next_frame() is None:
                raise AssertionError("no head")
        return self.head

    async def batches(self, most: int = JOINED_MOST) -> AsyncIterator[list[SheetRow]]:
        """The clean rows, batch by batch, those that have already arrived when one is taken
        joined to it until they hold ``most`` rows; at the end RowsRefused when any row had a
        problem."""
        async for frame in self.frames():
            if isinstance(frame, list):
                while len(frame) < most and (more := await self._arrived()) is not None:
                    frame += more
                yield list(map(SheetRow._make, frame))
        assert self.tail is not None
        if self.tail.issues:
            raise RowsRefused(self.tail)

    async def let_go(self) -> None:
        """Once the process has ended: a frame still being read will not be wanted."""
        if self._ahead is not None and not self._ahead.done():
            self._ahead.cancel()
            with suppress(asyncio.CancelledError):
                await self._ahead

    async def finish(self) -> CheckedTail:
        """The tail, once every remaining frame is read (and let go)."""
        while await self.next_frame() is not None:
            pass
        assert self.tail is not None
        return self.tail


class RowsRefused(Exception):
    """The file's rows end with problems: what was written of it must not be committed."""

    def __init__(self, tail: CheckedTail) -> None:
        super().__init__(f"{len(tail.issues)} problems")
        self.tail = tail


@asynccontextmanager
async def checking_in_child(
    request: CheckRequest,
    *,
    memory_mb: int = DEFAULT_MEMORY_MB,
    cpu_seconds: int = DEFAULT_CPU_SECONDS,
) -> AsyncIterator[ChildChecks]:
    """The file read and checked in a fresh Python process under the two ceilings, its answers
    read as they come; the caller's event loop only waits for them. A process that ran out of
    memory or time, or died any other way, is a SheetError. Leaving the block ends the process
    if it still runs (an answer not wanted any more, a cancelled import).

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
        limit=_PIPE_LIMIT,
    )
    _give_way(process.pid)
    checks: ChildChecks | None = None
    # Read all along, so that a process writing warnings never waits on a full pipe.
    errors = asyncio.ensure_future(_last_line(process.stderr))
    try:
        assert process.stdin is not None
        process.stdin.write(pickle.dumps(request, pickle.HIGHEST_PROTOCOL))
        with suppress(ConnectionError):  # a process that died at once is told below
            await process.stdin.drain()
            process.stdin.close()
        checks = ChildChecks(process, _stopped(memory_mb, cpu_seconds))
        yield checks
    finally:
        if process.returncode is None:
            with suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        if checks is not None:
            await checks.let_go()
        tail = await errors
        if process.returncode not in (0, None) and tail:
            log.warning("the reading process said %s", tail)


def _give_way(pid: int) -> None:
    """The reading process at a lower priority than the caller's (READER_NICENESS more), so
    that on cores it shares with the bot, and with PostgreSQL, people's updates are served
    first; on idle cores it reads as fast as ever. Should the system refuse, it reads at the
    caller's priority."""
    with suppress(OSError):
        own = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, pid, min(MAX_NICENESS, own + READER_NICENESS))


async def _last_line(stream: asyncio.StreamReader | None) -> str:
    """What the process wrote last on its error output (a traceback's last line), read to
    the end."""
    last = b""
    while stream is not None and (chunk := await stream.read(2**16)):
        last = (last + chunk)[-(2**16) :]
    lines = last.decode(errors="replace").strip().splitlines()
    return lines[-1][-500:] if lines else ""


def _main(memory_mb: int, cpu_seconds: int) -> None:
    """The reading process: a request on stdin; frames on stdout, each a CheckedHead, a batch,
    a CheckedTail, a CheckedUnits or CheckedProcedure, or a SheetError that ends them."""
    request = pickle.loads(sys.stdin.buffer.read())  # sent by our own parent
    _bound(memory_mb, cpu_seconds)
    out = sys.stdout.buffer
    try:
        for frame in _frames_of(request):
            _send(out, frame)
    except SheetError as error:
        _send(out, error)
    except MemoryError:
        # Python was refused memory and said so: the process is sound enough to answer.
        _send(out, _stopped(memory_mb, cpu_seconds))


def _send(out: BinaryIO, frame: object) -> None:
    data = pickle.dumps(frame, pickle.HIGHEST_PROTOCOL)
    out.write(_LENGTH.pack(len(data)))
    out.write(data)
    out.flush()


if __name__ == "__main__":
    # Through the module's own name, so that what goes back pickles as storage.import_child's
    # classes, not as those of __main__.
    from storage.import_child import _main as main

    main(int(sys.argv[1]), int(sys.argv[2]))
