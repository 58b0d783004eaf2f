"""Spreadsheets sent in chat (results, rosters, units, procedure), imported in the background and
answered through the outbox.

The chat step only queues the file (``storage.upload_jobs``); this sweep downloads it, runs the
same import service as ``gongshi import``, and tells the sender what happened: the
counts, or every bad cell. A long list of problems also comes as a spreadsheet, since a
message holds 4,096 characters and a county's file can have hundreds of bad rows.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import TypedDict

import xlsxwriter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import Clock
from domain.renewal import RenewalSettings
from messages.i18n import N_, Translator
from messages.style import file_name
from messages.wording import back_to_menu
from notices.scheduler import Sweep
from services.files import TELEGRAM_DOWNLOAD_MB, FileFetcher, FileFetchError, FileTooLarge
from services.import_report import ImportReport, report_lines
from services.imports import import_results, import_roster, import_units
from services.procedure_sheet import import_procedure
from services.publication import PublicationRules
from storage.db import transaction
from storage.import_child import DEFAULT_MEMORY_MB
from storage.importer import SheetError
from storage.outbox import Attachment, enqueue
from storage.sheet_reader import ReadLimits
from storage.upload_jobs import (
    MAX_ATTEMPTS,
    ClaimedJob,
    claim_import,
    finish_import,
    retry_import_later,
)

log = logging.getLogger(__name__)

MB = 2**20
TEXT_BUDGET = 3500
JOBS_PER_SWEEP = 5
RETRY_AFTER = timedelta(seconds=20)
# After each chunk of a roster or results file, the import waits as long as the chunk took, so
# that people's updates come first while the bot imports in the background (on PostgreSQL only:
# on SQLite the import holds the one write lock, and waiting would hold everybody up longer).
# A city's 100,000 rows while 10,000 people used the bot on two cores (bench/under_load.py
# --postgres, alternating runs): p99 744 and 777 ms for the people, the import 51 and 48 s;
# without the rests p99 1,319 and 2,025 ms, the import 31 and 30 s.
BACKGROUND_REST = 1.0

IMPORT_DONE = N_("The results file “{file}” for the {year} assessment was checked.")
IMPORT_REFUSED = N_("The results file “{file}” for the {year} assessment was NOT imported.")
UNITS_DONE = N_("The units sheet “{file}” was checked.")
UNITS_REFUSED = N_("The units sheet “{file}” was NOT imported.")
ROSTER_DONE = N_("The roster “{file}” was checked.")
ROSTER_REFUSED = N_("The roster “{file}” was NOT imported.")
PROCEDURE_DONE = N_("The procedure sheet “{file}” for the {year} assessment was checked.")
PROCEDURE_REFUSED = N_("The procedure sheet “{file}” for the {year} assessment was NOT recorded.")
MORE_PROBLEMS = N_("… and {n} more problems: every one is in the attached spreadsheet.")
FIX_AND_RESEND = N_("Correct the file and send it again; nothing of it was saved.")
DOWNLOAD_FAILED = N_(
    "The file “{file}” could not be downloaded from Telegram. Nothing was imported; "
    "please send it again."
)
TOO_LARGE = N_("The file “{file}” is larger than {mb} MB. Nothing was imported.")
GAVE_UP = N_(
    "The file “{file}” could not be imported after {attempts} attempts. Nothing was imported; "
    "please check the file, or send it to the bureau."
)
PROBLEMS_FILE = N_("problems")
COLUMN_ROW = N_("Row")
COLUMN_COLUMN = N_("Column")
COLUMN_NAME = N_("Name")
COLUMN_REASON = N_("Problem")


@dataclass(frozen=True)
class UploadSettings:
    secret_key: str
    import_max_mb: int
    limits: ReadLimits = field(default_factory=ReadLimits)
    import_max_memory_mb: int = DEFAULT_MEMORY_MB
    # The 公示's rules, for results that come in while it runs (services.late_notice).
    notice: PublicationRules | None = None
    renewal: RenewalSettings = field(default_factory=RenewalSettings)


async def import_uploads(
    *,
    sessions: async_sessionmaker[AsyncSession],
    files: FileFetcher,
    clock: Clock,
    settings: UploadSettings,
    limit: int = JOBS_PER_SWEEP,
) -> int:
    """Import the waiting files, oldest first; returns how many jobs were taken."""
    taken = 0
    while taken < limit:
        job = await claim_import(sessions=sessions, now=clock.now())
        if job is None:
            break
        taken += 1
        await _import_one(job, sessions=sessions, files=files, clock=clock, settings=settings)
    return taken


async def _import_one(
    job: ClaimedJob,
    *,
    sessions: async_sessionmaker[AsyncSession],
    files: FileFetcher,
    clock: Clock,
    settings: UploadSettings,
) -> None:
    t = Translator(job.language)
    if job.attempts > MAX_ATTEMPTS:
        # Counted when the job was claimed, before anything was read: a file that ended the
        # process mid-import comes back here, and is not read yet again.
        log.warning("import job %s: gave up after %s attempts", job.id, MAX_ATTEMPTS)
        lines = [t(GAVE_UP, file=job.file_name, attempts=MAX_ATTEMPTS)]
        await _finish(sessions, job, clock, "failed", lines)
        return
    try:
        await _fetch_and_import(job, sessions=sessions, files=files, clock=clock, settings=settings)
    except Exception:
        # Whatever went wrong, the job is tried again later and, past the last attempt, given
        # up with one line to the sender: never pending for ever, never retried in a loop.
        log.exception("import job %s: attempt %s failed", job.id, job.attempts)
        await _retry_or_give_up(job, sessions=sessions, clock=clock, t=t)


async def _retry_or_give_up(
    job: ClaimedJob,
    *,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    t: Translator,
    final: str = GAVE_UP,
) -> None:
    if job.attempts < MAX_ATTEMPTS:
        retry_at = clock.now() + RETRY_AFTER * job.attempts
        async with transaction(sessions) as session:
            await retry_import_later(session=session, job_id=job.id, at=retry_at)
        return
    lines = [t(final, file=job.file_name, attempts=MAX_ATTEMPTS)]
    await _finish(sessions, job, clock, "failed", lines)


class _Read(TypedDict):
    """The arguments every kind of sheet is imported with."""

    sessions: async_sessionmaker[AsyncSession]
    path: bytes
    filename: str
    imported_by: str
    max_mb: int
    now: datetime
    limits: ReadLimits
    memory_mb: int


async def _fetch_and_import(
    job: ClaimedJob,
    *,
    sessions: async_sessionmaker[AsyncSession],
    files: FileFetcher,
    clock: Clock,
    settings: UploadSettings,
) -> None:
    t = Translator(job.language)
    max_mb = min(settings.import_max_mb, TELEGRAM_DOWNLOAD_MB)
    try:
        data = await files.fetch(job.file_id, max_bytes=max_mb * MB)
    except FileTooLarge:
        await _finish(
            sessions, job, clock, "refused", [t(TOO_LARGE, file=job.file_name, mb=max_mb)]
        )
        return
    except FileFetchError as error:
        log.warning("import job %s: download failed (%s)", job.id, error)
        await _retry_or_give_up(job, sessions=sessions, clock=clock, t=t, final=DOWNLOAD_FAILED)
        return
    # What every kind of sheet is read with: the same bounds as at the command line.
    read: _Read = {
        "sessions": sessions,
        "path": data,
        "filename": job.file_name,
        "imported_by": f"chat:{job.user_id}",
        "max_mb": max_mb,
        "now": clock.now(),
        "limits": settings.limits,
        "memory_mb": settings.import_max_memory_mb,
    }
    try:
        if job.kind == "units":
            report = await import_units(**read)
        elif job.kind == "roster":
            report = await import_roster(
                **read, secret_key=settings.secret_key, today=clock.today(), rest=BACKGROUND_REST
            )
        elif job.kind == "procedure":
            report = await import_procedure(
                **read,
                cycle_year=job.cycle_year,
                only_unit=job.only_unit,
                today=clock.today(),
            )
        else:
            report = await import_results(
                **read,
                secret_key=settings.secret_key,
                cycle_year=job.cycle_year,
                today=clock.today(),
                only_unit=job.only_unit,
                notice=settings.notice,
                renewal=settings.renewal,
                rest=BACKGROUND_REST,
            )
    except SheetError as error:
        lines = [_head(job, t, done=False), t(error.reason, **error.params)]
        await _finish(sessions, job, clock, "refused", lines)
        return
    await _answer_report(sessions, job, clock, report, t)


async def _answer_report(
    sessions: async_sessionmaker[AsyncSession],
    job: ClaimedJob,
    clock: Clock,
    report: ImportReport,
    t: Translator,
) -> None:
    lines = report_lines(report, t)
    if report.ok:
        head = _head(job, t, done=True)
        await _finish(sessions, job, clock, "imported", [head, *lines], batch_id=report.batch_id)
        return
    head = _head(job, t, done=False)
    issues, rest = lines[: len(report.issues)], lines[len(report.issues) :]
    shown = _fitting(issues, budget=TEXT_BUDGET - len(head) - sum(len(line) for line in rest))
    body = [head, *shown]
    sheet = None
    if len(shown) < len(issues):
        body.append(t(MORE_PROBLEMS, n=len(issues) - len(shown)))
        name = file_name(t, PROBLEMS_FILE, "xlsx", PurePath(job.file_name).stem)
        sheet = Attachment(name, _problems_sheet(report, t))
    await _finish(sessions, job, clock, "refused", [*body, *rest, t(FIX_AND_RESEND)], sheet)


def _head(job: ClaimedJob, t: Translator, *, done: bool) -> str:
    """The first line of the answer: which file, and whether it was imported."""
    if job.kind == "units":
        return t(UNITS_DONE if done else UNITS_REFUSED, file=job.file_name)
    if job.kind == "roster":
        return t(ROSTER_DONE if done else ROSTER_REFUSED, file=job.file_name)
    if job.kind == "procedure":
        head = PROCEDURE_DONE if done else PROCEDURE_REFUSED
        return t(head, file=job.file_name, year=job.cycle_year)
    return t(IMPORT_DONE if done else IMPORT_REFUSED, file=job.file_name, year=job.cycle_year)


def _fitting(lines: list[str], *, budget: int) -> list[str]:
    shown: list[str] = []
    for line in lines:
        budget -= len(line) + 1
        if budget < 0:
            break
        shown.append(line)
    return shown


def _problems_sheet(report: ImportReport, t: Translator) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(t(PROBLEMS_FILE))
    bold = book.add_format({"bold": True})
    for column, title in enumerate((COLUMN_ROW, COLUMN_COLUMN, COLUMN_NAME, COLUMN_REASON)):
        sheet.write_string(0, column, t(title), bold)
    for index, issue in enumerate(report.issues, start=1):
        sheet.write_number(index, 0, issue.row)
        sheet.write_string(index, 1, issue.column)
        sheet.write_string(index, 2, issue.masked_name)
        sheet.write_string(index, 3, t(issue.reason, **issue.params))
    sheet.set_column(3, 3, 80)
    book.close()
    return buffer.getvalue()


async def _finish(
    sessions: async_sessionmaker[AsyncSession],
    job: ClaimedJob,
    clock: Clock,
    outcome: str,
    lines: list[str],
    sheet: Attachment | None = None,
    *,
    batch_id: int | None = None,
) -> None:
    """The job is done and its answer queued, in one transaction: answered exactly once."""
    async with transaction(sessions) as session:
        await finish_import(
            session=session, job_id=job.id, outcome=outcome, batch_id=batch_id, now=clock.now()
        )
        await enqueue(
            session,
            chat_id=job.chat_id,
            kind="notice",
            text="\n".join(lines),
            # The upload's flow ends here: the way back goes with the outcome.
            buttons=[[back_to_menu(Translator(job.language))]],
            dedup_key=f"import-job:{job.id}",
        )
        if sheet is not None:
            await enqueue(
                session,
                chat_id=job.chat_id,
                kind="notice",
                text=sheet.filename,
                method="sendDocument",
                file=sheet,
                dedup_key=f"import-job:{job.id}:problems",
            )


UPLOAD_SWEEP_SECONDS = 3.0


def upload_sweep(
    *,
    sessions: async_sessionmaker[AsyncSession],
    files: FileFetcher,
    clock: Clock,
    settings: UploadSettings,
) -> Sweep:
    """Often enough that the sender sees the answer in seconds; a sweep with nothing to do is
    one indexed read."""

    async def run() -> object:
        return await import_uploads(sessions=sessions, files=files, clock=clock, settings=settings)

    return Sweep("result_uploads", run, UPLOAD_SWEEP_SECONDS, misfire_grace_seconds=30)
