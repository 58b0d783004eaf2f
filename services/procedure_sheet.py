"""Recording the procedure from a sheet (单位, 环节, 日期, 姓名, 身份, 说明; one person a row):
the chat upload and ``gongshi import procedure`` call ``import_procedure``.

The sheet is read under the bounds of every upload, in a process of its own
(storage.import_child); then its rows are grouped per unit and step, names of 个人述职 and
谈话考核 matched to the unit's on-duty workers, and each step checked as the chat flow checks
it (services.procedure.record_step). All or nothing: any bad row or step, and nothing is
recorded. The minutes of 集体研究 are a file, sent in chat or given to the command line.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.procedure import (
    ATTENDEE,
    EVALUATION,
    INTERVIEW,
    REASON_SAME_NAME,
    REPORT,
    ProcedureError,
)
from domain.procedure_rows import ProcedureRow
from domain.sheet import COLUMN_LABELS, NAME, STEP, RowIssue, unit_key
from messages.i18n import N_
from services.import_report import ImportReport
from services.procedure import StepInput, record_step
from storage.db import transaction
from storage.import_child import DEFAULT_MEMORY_MB, CheckRequest, check_in_child
from storage.import_child_sheets import CheckedProcedure
from storage.importer import REASON_NO_DATA_ROWS, load_units
from storage.models import utcnow
from storage.procedure import on_duty_workers
from storage.sheet_reader import DEFAULT_MAX_MB, ReadLimits, SheetError, Source, load_file

REASON_NO_SUCH_WORKER = N_("{unit} has no on-duty worker named “{name}”.")


async def import_procedure(
    *,
    sessions: async_sessionmaker[AsyncSession],
    path: Source,
    cycle_year: int,
    imported_by: str = "cli",
    filename: str | None = None,
    only_unit: str | None = None,
    max_mb: int = DEFAULT_MAX_MB,
    limits: ReadLimits | None = None,
    memory_mb: int = DEFAULT_MEMORY_MB,
    today: date | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Record every step the sheet holds, for ``cycle_year``; ``only_unit`` (a unit contact's
    upload) refuses rows of any other unit."""
    if filename is None and isinstance(path, bytes):
        raise ValueError("bytes need a filename")
    name = filename or Path(cast("str | os.PathLike[str]", path)).name
    data = load_file(path, name, max_mb=max_mb)
    async with sessions() as session:
        units = await load_units(session)
    request = CheckRequest(
        data=data,
        filename=name,
        kind="procedure",
        known_units=tuple(units),
        only_unit=only_unit,
        limits=limits or ReadLimits(),
    )
    del data
    checked = await check_in_child(request, expect=CheckedProcedure, memory_mb=memory_mb)
    report = ImportReport(
        kind="procedure", ok=False, ignored_columns=list(checked.ignored_columns), rows=checked.rows
    )
    if checked.issues:
        report.issues = checked.issues
        return report
    if not checked.clean:
        raise SheetError(REASON_NO_DATA_ROWS)
    stamp = now if now is not None else utcnow()
    day = today if today is not None else stamp.date()
    try:
        async with transaction(sessions) as session:
            entries, issues = await _entries(session, checked.clean, units)
            for (unit, _step), (first_row, entry) in entries.items():
                try:
                    await record_step(
                        session=session,
                        year=cycle_year,
                        unit_id=units[unit],
                        entry=entry,
                        actor=imported_by,
                        today=day,
                        now=stamp,
                    )
                except ProcedureError as error:
                    issues.append(
                        RowIssue(first_row, COLUMN_LABELS[STEP], error.reason, error.params)
                    )
            if issues:
                raise _Refused(issues)
    except _Refused as refused:
        # Nothing of the sheet is kept: the transaction was rolled back.
        report.issues = sorted(refused.issues, key=lambda issue: issue.row)
        return report
    report.ok = True
    report.created = len(entries)
    return report


class _Refused(Exception):
    def __init__(self, issues: list[RowIssue]) -> None:
        super().__init__(f"{len(issues)} problems")
        self.issues = issues


async def _entries(
    session: AsyncSession, rows: list[ProcedureRow], units: dict[str, int]
) -> tuple[dict[tuple[str, str], tuple[int, StepInput]], list[RowIssue]]:
    """The sheet's rows as one record per unit and step, keyed by (unit, step) with the row the
    step starts on; names of workers matched to the unit's on-duty workers."""
    grouped: dict[tuple[str, str], list[ProcedureRow]] = defaultdict(list)
    for row in rows:
        grouped[row.unit, row.step].append(row)
    on_duty = await on_duty_workers(session, unit_ids=sorted({units[u] for u, _ in grouped}))
    issues: list[RowIssue] = []
    entries: dict[tuple[str, str], tuple[int, StepInput]] = {}
    for (unit, step), group in grouped.items():
        dates = [row.held_on for row in group if row.held_on is not None]
        reason = next((row.remark for row in group if row.remark), "")
        workers: list[int] = []
        people: dict[str, list[str]] = {}
        if step in (REPORT, INTERVIEW):
            ids_of: dict[str, list[int]] = defaultdict(list)
            for worker_id, worker_name in on_duty.get(units[unit], []):
                ids_of[unit_key(worker_name)].append(worker_id)
            for row in group:
                found = ids_of.get(unit_key(row.name), [])
                if len(found) == 1:
                    workers.append(found[0])
                    continue
                why = REASON_SAME_NAME if found else REASON_NO_SUCH_WORKER
                issues.append(
                    RowIssue(row.row, COLUMN_LABELS[NAME], why, {"unit": unit, "name": row.name})
                )
        else:
            for row in group:
                people.setdefault(row.kind if step == EVALUATION else ATTENDEE, []).append(row.name)
        entry = StepInput(
            step=step,
            held_on=max(dates) if dates else None,
            workers=tuple(workers),
            people=people,
            reason=reason,
        )
        entries[unit, step] = (group[0].row, entry)
    return entries, issues
