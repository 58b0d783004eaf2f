"""Importing rosters and results: the one use case the chat upload and the command line call.

A file is loaded (within its size limit), read and checked in a process of its own with a
ceiling on its memory (storage.import_child), and only when every row is good written in one
transaction (storage.importer): all or nothing, and importing the same file again changes
nothing. A file refused as a whole raises SheetError with one line's reason.

The import opens its own transactions rather than joining the caller's: the reading process may
take seconds, and no transaction is held open while it runs.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from datetime import date, datetime
from pathlib import Path
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.renewal import RenewalSettings
from domain.sheet import ImportKind, SheetRow
from domain.workdays import WorkCalendar
from services.import_report import ImportReport
from services.late_notice import Late, publish_late_results
from services.procedure import procedure_gaps, tell_units_of_gaps
from services.publication import PublicationRules
from services.units import register_units_from_rows
from storage.db import transaction
from storage.import_child import (
    DEFAULT_MEMORY_MB,
    CheckRequest,
    RowsRefused,
    check_in_child,
    checking_in_child,
)
from storage.import_child_sheets import CheckedUnits
from storage.importer import (
    REASON_NO_DATA_ROWS,
    BatchInfo,
    load_units,
    write_rows,
)
from storage.models import utcnow
from storage.procedure import cycle_for_year
from storage.sheet_reader import DEFAULT_MAX_MB, ReadLimits, SheetError, Source, load_file

Progress = Callable[[int, int], None]
DEFAULT_MIN_WORKDAYS = 5  # the 公示's least length when the caller names no rules (SPEC 1)


async def import_results(
    *,
    sessions: async_sessionmaker[AsyncSession],
    secret_key: str,
    path: Source,
    cycle_year: int,
    imported_by: str = "cli",
    progress: Progress | None = None,
    filename: str | None = None,
    max_mb: int = DEFAULT_MAX_MB,
    today: date | None = None,
    now: datetime | None = None,
    only_unit: str | None = None,
    limits: ReadLimits | None = None,
    memory_mb: int = DEFAULT_MEMORY_MB,
    notice: PublicationRules | None = None,
    renewal: RenewalSettings | None = None,
    rest: float = 0.0,
) -> ImportReport:
    """Import a results file for the assessment of ``cycle_year``.

    Units must exist already. The cycle is created if missing; a closed cycle is refused. Each
    row creates or updates the worker, the post they hold and their result in the cycle.
    ``today`` (from the injected clock) lets ID numbers with a future birth date be refused.
    ``only_unit`` (a unit contact's upload) refuses rows of any other unit. While the cycle's
    公示 runs, added and changed results get their own notice period under ``notice``'s rules
    (the calendar, the least number of working days, the channel they are posted to).
    ``renewal``: the
    county's reading of 六(一), which decides whether 基本合格 may say 是. ``rest``: how long the
    writer waits after each chunk, as a share of the chunk's time (storage.importer.write_rows).
    """
    return await _import(
        kind="results",
        sessions=sessions,
        secret_key=secret_key,
        path=path,
        cycle_year=cycle_year,
        imported_by=imported_by,
        progress=progress,
        filename=filename,
        max_mb=max_mb,
        today=today,
        now=now,
        only_unit=only_unit,
        limits=limits,
        memory_mb=memory_mb,
        notice=notice,
        basic_may_renew=(renewal or RenewalSettings()).basic_may_renew,
        rest=rest,
    )


async def import_roster(
    *,
    sessions: async_sessionmaker[AsyncSession],
    secret_key: str,
    path: Source,
    imported_by: str = "cli",
    progress: Progress | None = None,
    filename: str | None = None,
    max_mb: int = DEFAULT_MAX_MB,
    today: date | None = None,
    now: datetime | None = None,
    limits: ReadLimits | None = None,
    memory_mb: int = DEFAULT_MEMORY_MB,
    rest: float = 0.0,
) -> ImportReport:
    """Import a roster: each row creates or updates a worker and the post they hold.

    Workers of a unit who are missing from the file are NOT removed: a roster file may cover part
    of a unit, and removing a worker is a decision with consequences (subsidies, quota) that
    nobody should take by leaving out a row.
    """
    return await _import(
        kind="roster",
        sessions=sessions,
        secret_key=secret_key,
        path=path,
        cycle_year=None,
        imported_by=imported_by,
        progress=progress,
        filename=filename,
        max_mb=max_mb,
        today=today,
        now=now,
        limits=limits,
        memory_mb=memory_mb,
        rest=rest,
    )


async def import_units(
    *,
    sessions: async_sessionmaker[AsyncSession],
    path: Source,
    imported_by: str = "cli",
    filename: str | None = None,
    max_mb: int = DEFAULT_MAX_MB,
    now: datetime | None = None,
    limits: ReadLimits | None = None,
    memory_mb: int = DEFAULT_MEMORY_MB,
) -> ImportReport:
    """Import a units sheet (单位, 岗位指标, optional 联系电话 and 主管部门): new units are
    registered, registered ones take the sheet's quota; all or nothing, and the same sheet
    imported again changes nothing. Read under the same bounds as the other imports."""
    if filename is None and isinstance(path, bytes):
        raise ValueError("bytes need a filename")
    name = filename or Path(cast("str | os.PathLike[str]", path)).name
    data = load_file(path, name, max_mb=max_mb)
    request = CheckRequest(
        data=data, filename=name, kind="units", known_units=(), limits=limits or ReadLimits()
    )
    del data
    checked = await check_in_child(request, expect=CheckedUnits, memory_mb=memory_mb)
    report = ImportReport(
        kind="units", ok=False, ignored_columns=list(checked.ignored_columns), rows=checked.rows
    )
    if checked.issues:
        report.issues = checked.issues
        return report
    if not checked.clean:
        raise SheetError(REASON_NO_DATA_ROWS)
    async with transaction(sessions) as session:
        outcome = await register_units_from_rows(
            session=session, rows=checked.clean, actor=imported_by, now=now or utcnow()
        )
    report.ok = True
    report.created, report.updated, report.unchanged = (
        outcome.created,
        outcome.updated,
        outcome.unchanged,
    )
    report.over_quota = outcome.over_quota
    return report


async def _import(
    *,
    kind: ImportKind,
    sessions: async_sessionmaker[AsyncSession],
    secret_key: str,
    path: Source,
    cycle_year: int | None,
    imported_by: str,
    progress: Progress | None,
    filename: str | None,
    max_mb: int,
    today: date | None,
    now: datetime | None,
    only_unit: str | None = None,
    limits: ReadLimits | None = None,
    memory_mb: int = DEFAULT_MEMORY_MB,
    notice: PublicationRules | None = None,
    basic_may_renew: bool = True,
    rest: float = 0.0,
) -> ImportReport:
    if filename is None and isinstance(path, bytes):
        raise ValueError("bytes need a filename")
    name = filename or Path(cast("str | os.PathLike[str]", path)).name
    data = load_file(path, name, max_mb=max_mb)
    batch = BatchInfo(kind, name[-255:], hashlib.sha256(data).hexdigest(), imported_by)
    async with sessions() as session:
        units = await load_units(session)
    # Read and checked in a process of its own: a hostile file ends that process, not this one,
    # and the event loop goes on serving others meanwhile. The rows are written as they are
    # checked, in one transaction committed only if no row has a problem.
    request = CheckRequest(
        data=data,
        filename=name,
        kind=kind,
        known_units=tuple(units),
        today=today,
        only_unit=only_unit,
        basic_may_renew=basic_may_renew,
        limits=limits or ReadLimits(),
    )
    del data
    stamp = now or utcnow()
    late: list[Late] = []

    async def after(
        session: AsyncSession, cycle_id: int | None, touched: list[int], batch_id: int | None
    ) -> None:
        rules = notice or PublicationRules(WorkCalendar(), DEFAULT_MIN_WORKDAYS, None, "", "zh")
        found = await publish_late_results(
            session=session,
            cycle_id=cycle_id,
            worker_ids=touched,
            batch_id=batch_id,
            today=today or stamp.date(),
            calendar=rules.calendar,
            min_workdays=rules.min_workdays,
            channel_id=rules.channel_id,
            bot_username=rules.bot_username,
            language=rules.language,
        )
        if found is not None:
            late.append(found)

    names: set[str] = set()
    async with checking_in_child(request, memory_mb=memory_mb) as child:
        del request
        head = await child.start()
        report = ImportReport(
            kind=kind, ok=False, ignored_columns=list(head.ignored_columns), rows=0
        )
        tick = _Ticker(progress, 2 * head.data_rows)

        async def checked() -> AsyncIterator[list[SheetRow]]:
            async for rows in child.batches():
                tick.advance(len(rows))
                names.update(row.unit for row in rows)
                yield rows

        try:
            outcome = await write_rows(
                sessions,
                checked(),
                secret_key=secret_key,
                units=units,
                batch=batch,
                now=stamp,
                cycle_year=cycle_year,
                advance=tick.advance,
                after=after if cycle_year is not None else None,
                expected_rows=head.data_rows,
                rest=rest,
            )
        except RowsRefused as refused:
            report.rows, report.issues = refused.tail.rows, refused.tail.issues
            return report
        except SheetError:
            # The rows' problems come first, as when the file was checked whole beforehand
            # (unless the reading process itself was stopped: then that is the answer).
            with suppress(SheetError):
                tail = await child.finish()
                if tail.issues:
                    report.rows, report.issues = tail.rows, tail.issues
                    return report
            raise
        report.rows = (await child.finish()).rows
    if late:
        report.late_rows, report.late_until = late[0].rows, late[0].closes_on
    tick.finish()
    report.ok = True
    report.created, report.updated, report.unchanged = (
        outcome.created,
        outcome.updated,
        outcome.unchanged,
    )
    report.batch_id = outcome.batch_id
    report.already_imported = outcome.batch_id is None
    if cycle_year is not None:
        await _warn_procedure(
            sessions, report, cycle_year, {units[n]: n for n in names}, tell=only_unit is None
        )
    return report


async def _warn_procedure(
    sessions: async_sessionmaker[AsyncSession],
    report: ImportReport,
    year: int,
    units: dict[int, str],
    *,
    tell: bool,
) -> None:
    """The units of the file whose procedure record (五(一)–(四)) lacks steps, for the sender;
    with ``tell`` (an administrator's import that changed something), for those units'
    contacts too."""
    async with transaction(sessions) as session:
        cycle = await cycle_for_year(session, year)
        gaps = await procedure_gaps(
            session=session, cycle_id=cycle.id if cycle else None, unit_ids=sorted(units)
        )
        if tell and gaps and report.batch_id is not None:
            await tell_units_of_gaps(
                session=session, year=year, gaps=gaps, names=units, batch_id=report.batch_id
            )
    report.procedure_gaps = {units[unit_id]: found for unit_id, found in gaps.items()}


class _Ticker:
    """Progress in rows: every row is counted once when checked and once when written."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)

    def finish(self) -> None:
        self.advance(self.total - self.done)
