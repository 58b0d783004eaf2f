"""Uploading a spreadsheet in chat: results, from a unit contact (their own unit's rows only)
or an administrator (any unit); a roster, from an administrator only. The file is queued and
imported in the background (``notices.uploads``) by the same service as ``gongshi import``,
and the answer follows through the outbox.

Steps: ``ask_for_results`` (menu button) → ``process_results_file``;
``ask_for_roster`` (menu button, administrators) → ``process_roster_file``.
"""

from __future__ import annotations

from pathlib import PurePath

from sqlmodel import col, select

from handlers.context import Context
from handlers.core import Router
from handlers.types import FileRef
from messages.callbacks_uploads import UploadResults, UploadRoster
from messages.i18n import N_
from messages.replies import Button
from messages.wording import STALE_BUTTON
from services.files import TELEGRAM_DOWNLOAD_MB
from storage.models import Cycle, Unit
from storage.upload_jobs import queue_import

AWAIT_RESULTS = "upload:await_results"
AWAIT_ROSTER = "upload:await_roster"
ROLES = ("unit", "admin")
ROSTER_ROLES = ("admin",)
SUFFIXES = (".xlsx", ".xlsm", ".csv")

UPLOAD_RESULTS = N_("Upload results (spreadsheet)")
ASK_FILE = N_(
    "Send the results spreadsheet for the {year} assessment as a document (XLSX or CSV).\n"
    "Columns: 单位, 姓名, 身份证号, 手机号, 岗位, 考核等次, 是否续签, 备注.\n"
    "{scope}\n"
    "Every row is checked; if any row is wrong nothing is imported and you get the list. "
    "/cancel stops."
)
UPLOAD_ROSTER = N_("Upload roster (spreadsheet)")
ASK_ROSTER = N_(
    "Send the roster as a document (XLSX or CSV).\n"
    "Columns: 单位, 姓名, 身份证号, 岗位; optional: 手机号, 招录方式, 人员类别, 是否符合条件.\n"
    "Each row adds or updates a worker and their post in a registered unit; workers missing from "
    "the file stay on the roster. Every row is checked; if any row is wrong nothing is imported "
    "and you get the list. /cancel stops."
)
SCOPE_UNIT = N_("Only rows of your unit, {unit}, are accepted.")
SCOPE_ALL = N_("Rows of any registered unit are accepted.")
NEED_DOCUMENT = N_("Please send the spreadsheet as a document (XLSX or CSV), or /cancel.")
WRONG_TYPE = N_("“{file}” is not an XLSX or CSV file. Please send the spreadsheet, or /cancel.")
TOO_LARGE = N_("The file is larger than {mb} MB; split it or send it by the bureau. Nothing saved.")
NO_UNIT = N_(
    "Your account is not linked to a unit; ask the employment bureau for a new invitation."
)
QUEUED = N_(
    "Received “{file}” (upload no. {job}). It is being checked now; the result follows in a moment."
)


def router() -> Router:
    r = Router()
    r.button(UploadResults.prefix, roles=ROLES)(ask_for_results)
    r.state(AWAIT_RESULTS, roles=ROLES)(process_results_file)
    r.button(UploadRoster.prefix, roles=ROSTER_ROLES)(ask_for_roster)
    r.state(AWAIT_ROSTER, roles=ROSTER_ROLES)(process_roster_file)
    r.menu_rows(upload_menu_rows, place=30)
    return r


def upload_menu_rows(ctx: Context) -> list[list[Button]]:
    rows: list[list[Button]] = []
    if ctx.roles.has(*ROLES):
        rows.append([Button(ctx.t(UPLOAD_RESULTS), UploadResults(action="results").pack())])
    if ctx.roles.has(*ROSTER_ROLES):
        rows.append([Button(ctx.t(UPLOAD_ROSTER), UploadRoster(action="roster").pack())])
    return rows


async def ask_for_results(ctx: Context) -> None:
    if UploadResults.parse(ctx.incoming.button) is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    year = await _assessment_year(ctx)
    try:
        unit_id, unit_name = await _own_unit(ctx)
    except NoUnit:
        ctx.say(ctx.t(NO_UNIT))
        return
    scope = ctx.t(SCOPE_UNIT, unit=unit_name) if unit_id is not None else ctx.t(SCOPE_ALL)
    ctx.goto(AWAIT_RESULTS, year=year)
    ctx.say(ctx.t(ASK_FILE, year=year, scope=scope))


async def ask_for_roster(ctx: Context) -> None:
    if UploadRoster.parse(ctx.incoming.button) is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    ctx.goto(AWAIT_ROSTER)
    ctx.say(ctx.t(ASK_ROSTER))


def sheet_document(ctx: Context) -> FileRef | None:
    """The spreadsheet the user sent, if it is one within the size limit; otherwise say why not.

    Only what Telegram tells about the file is checked here; its content is bounded when the
    import reads it."""
    file = ctx.incoming.file
    if file is None or file.kind != "document":
        ctx.say(ctx.t(NEED_DOCUMENT))
        return None
    name = file.file_name or ""
    if PurePath(name).suffix.lower() not in SUFFIXES:
        ctx.say(ctx.t(WRONG_TYPE, file=name or file.kind))
        return None
    limit = min(ctx.deps.import_max_mb, TELEGRAM_DOWNLOAD_MB)
    if file.size is not None and file.size > limit * 2**20:
        ctx.say(ctx.t(TOO_LARGE, mb=limit))
        return None
    return file


async def process_results_file(ctx: Context) -> None:
    file = sheet_document(ctx)
    if file is None:
        return
    year = ctx.data.get("year")
    if not isinstance(year, int):
        year = await _assessment_year(ctx)
    try:
        unit_id, _ = await _own_unit(ctx)
    except NoUnit:
        ctx.reset()
        ctx.say(ctx.t(NO_UNIT))
        return
    await queue_sheet(ctx, file, kind="results", cycle_year=year, only_unit_id=unit_id)


async def process_roster_file(ctx: Context) -> None:
    file = sheet_document(ctx)
    if file is None:
        return
    # A roster belongs to no assessment year; the job records the year it came in.
    year = ctx.clock.today().year
    await queue_sheet(ctx, file, kind="roster", cycle_year=year, only_unit_id=None)


async def queue_sheet(
    ctx: Context, file: FileRef, *, kind: str, cycle_year: int, only_unit_id: int | None
) -> None:
    """Queue the sheet for the background import and tell the sender it is on its way."""
    name = file.file_name or ""
    job = await queue_import(
        session=ctx.session,
        kind=kind,
        cycle_year=cycle_year,
        only_unit_id=only_unit_id,
        chat_id=ctx.incoming.chat_id,
        user_id=ctx.user_id,
        language=ctx.language,
        file_id=file.file_id,
        file_name=name,
        now=ctx.clock.now(),
    )
    ctx.reset()
    ctx.say(ctx.t(QUEUED, file=name, job=job.id))


class NoUnit(Exception):
    """A unit contact whose binding names no unit: they may upload nothing."""


async def _own_unit(ctx: Context) -> tuple[int | None, str]:
    """An administrator uploads for every unit (None); a unit contact for their own only."""
    if ctx.roles.has("admin"):
        return None, ""
    binding = ctx.roles.binding("unit")
    if binding is None or binding.unit_id is None:
        raise NoUnit
    unit = await ctx.session.get(Unit, binding.unit_id)
    return binding.unit_id, unit.name if unit else "?"


async def _assessment_year(ctx: Context) -> int:
    """The newest cycle still being assessed; else this calendar year (assessed in December)."""
    found = await ctx.session.execute(
        select(col(Cycle.year))
        .where(col(Cycle.state) == "assessing")
        .order_by(col(Cycle.year).desc())
        .limit(1)
    )
    year = found.scalar_one_or_none()
    return year if year is not None else ctx.clock.today().year
