"""`gongshi purge` (retention of personal data), `gongshi backup` (a consistent copy of
a SQLite database while the bot runs) and `gongshi rekey` (hashes moved to a new secret key).
PostgreSQL is backed up with its own pg_dump; see docs/operations.md."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import typer
from sqlalchemy.engine import make_url

from bot.runtime_context import (
    fail,
    open_storage,
    require_newest_schema,
    run_async,
    settings_or_exit,
)
from bot.settings import require_real_secret_key
from domain.clock import SystemClock
from messages.i18n import N_, Translator
from services.import_report import MSG_ISSUE
from storage.db import transaction
from storage.importer import SheetError
from storage.models import utcnow
from storage.purge import Purged, Retired, purge_personal_data, retire_delivered
from storage.rekey import Leftover, Rekeyed, SheetPeople, read_people, rekey_workers

PURGE_LINE = N_(
    "Complainant contacts: {contacts}; evidence records: {evidence} (files: {evidence_files}); "
    "conversation drafts: {conversations}; audit details: {audit_details}; ID and phone "
    "hashes of removed workers: {worker_hashes}; written reasons of non-renewals: "
    "{renewal_reasons}."
)
RETIRED_LINE = N_(
    "Messages delivered more than {days} days ago: {outbox}; chats of finished cases: "
    "{chats}; complainant hashes of finished cases: {hashes}."
)


def purge(
    older_than_days: int | None = typer.Option(
        None,
        "--older-than-days",
        min=30,
        help="保留天数（默认 GONGSHI_RETENTION_DAYS）/ retention in days (default the setting)",
    ),
    outbox_days: int | None = typer.Option(
        None,
        "--outbox-older-than-days",
        min=1,
        help="已发送消息保留天数（默认 GONGSHI_OUTBOX_RETENTION_DAYS）/ "
        "days delivered messages are kept (default the setting)",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="只统计不删除 / count, change nothing"),
) -> None:
    """删除超过保存期限的个人信息 / Remove personal data past its retention period."""
    settings = settings_or_exit()
    t = Translator(settings.language)
    days = older_than_days or settings.retention_days
    sent_days = outbox_days or settings.outbox_retention_days
    now = SystemClock(settings.timezone).now()
    before = now - timedelta(days=days)

    async def go() -> tuple[Purged, Retired]:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            async with transaction(storage.sessions) as session:
                purged = await purge_personal_data(session=session, before=before, dry_run=dry_run)
                retired = await retire_delivered(
                    session=session, now=now, outbox_days=sent_days, dry_run=dry_run
                )
                return purged, retired

    purged, retired = run_async(go())
    if not dry_run:
        for path in purged.files:
            with contextlib.suppress(FileNotFoundError):
                Path(path).unlink()
    heading = (
        N_("Would remove, older than {days} days:")
        if dry_run
        else N_("Removed, older than {days} days:")
    )
    typer.echo(t(heading, days=days))
    typer.echo(t(PURGE_LINE, **purged.counts()))
    typer.echo(t(RETIRED_LINE, days=sent_days, **retired.counts()))


def backup(
    output: Path = typer.Option(..., "--output", "-o", help="备份文件 / the backup file to write"),
) -> None:
    """SQLite 在线备份（机器人可继续运行）/ Online backup of a SQLite database."""
    settings = settings_or_exit()
    require_real_secret_key(settings)
    t = Translator(settings.language)
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        fail(t(N_("For PostgreSQL use pg_dump (see docs/operations.md).")), 2)
    source = Path(url.database or "")
    if not source.is_file():
        fail(t(N_("No database at {path}."), path=source), 2)
    if output.exists():
        fail(t(N_("{path} exists already: choose another file."), path=output), 2)

    async def check() -> None:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)

    run_async(check())
    try:
        pages = copy_sqlite(source, output)
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(FileNotFoundError):
            output.unlink()
        fail(t(N_("Backup failed: {problem}"), problem=str(exc)), 1)
    typer.echo(
        t(
            N_("Backup written to {path} ({pages} pages, {mb:.1f} MB), integrity checked."),
            path=output,
            pages=pages,
            mb=output.stat().st_size / 2**20,
        )
    )


def copy_sqlite(source: Path, output: Path) -> int:
    """SQLite's online backup API: a consistent copy while others write, then the copy's own
    integrity check. Returns the pages copied."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with (
        contextlib.closing(sqlite3.connect(source, timeout=30)) as live,
        contextlib.closing(sqlite3.connect(output)) as copy,
    ):
        live.backup(copy, pages=1024)
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
    if verdict != "ok":
        raise sqlite3.DatabaseError(f"integrity_check: {verdict}")
    return pages


# A setting (environment or .env), never a command-line option: the process list would show it
# to everyone on the machine.
OLD_KEY_VARIABLE = "GONGSHI_OLD_SECRET_KEY"

REKEY_COUNTS = N_(
    "Rows read: {rows}; workers re-keyed: {rekeyed}; already re-keyed: {already}; "
    "rows matching no worker: {unmatched}; phones re-keyed: {phones}."
)


def rekey(
    files: list[Path] = typer.Argument(
        ...,
        metavar="FILE",
        help="各单位最新的名册或考核结果表（XLSX/CSV）/ each unit's latest roster or results",
        show_default=False,
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="只统计不写入 / count, change nothing"),
) -> None:
    """更换密钥后按单位表格重算身份证号和手机号哈希（旧密钥放在 GONGSHI_OLD_SECRET_KEY）/
    Move ID and phone hashes to a new GONGSHI_SECRET_KEY, using the units' sheets."""
    settings = settings_or_exit()
    # Only the new key: moving off the built-in one is what rekey is for.
    require_real_secret_key(settings)
    t = Translator(settings.language)
    new_key = settings.secret_key.get_secret_value()
    old_key = settings.old_secret_key.get_secret_value() if settings.old_secret_key else ""
    if not old_key:
        fail(
            t(
                N_("Set {variable} to the secret key the hashes were made with."),
                variable=OLD_KEY_VARIABLE,
            ),
            2,
        )
    if old_key == new_key:
        fail(
            t(
                N_("{variable} equals GONGSHI_SECRET_KEY: set the new key as GONGSHI_SECRET_KEY."),
                variable=OLD_KEY_VARIABLE,
            ),
            2,
        )
    sheets = _read_sheets(files, t, max_mb=settings.import_max_mb)

    async def go() -> Rekeyed:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            async with transaction(storage.sessions) as session:
                return await rekey_workers(
                    session=session,
                    sheets=sheets,
                    old_key=old_key,
                    new_key=new_key,
                    now=utcnow(),
                    dry_run=dry_run,
                )

    outcome = run_async(go())
    for line in _rekey_lines(outcome, t, dry_run=dry_run):
        typer.echo(line)
    if outcome.leftovers:
        raise typer.Exit(1)


def _read_sheets(files: Sequence[Path], t: Translator, *, max_mb: int) -> list[SheetPeople]:
    """Every file read before the database is touched; a file that cannot be read stops all."""
    for path in files:
        if not path.is_file():
            fail(t(N_("No such file: {file}"), file=path), 2)
    sheets = []
    for path in files:
        try:
            sheet = read_people(path=path, max_mb=max_mb)
        except SheetError as error:
            fail(t(N_("{file}: {problem}"), file=path, problem=t(error.reason, **error.params)), 2)
        for issue in sheet.issues:
            reason = t(issue.reason, **issue.params)
            line = t(MSG_ISSUE, row=issue.row, column=issue.column, reason=reason)
            typer.echo(t(N_("{file}: {problem}"), file=path, problem=line))
        sheets.append(sheet)
    return sheets


def _rekey_lines(outcome: Rekeyed, t: Translator, *, dry_run: bool) -> list[str]:
    lines = [t(N_("Dry run: nothing was written."))] if dry_run else []
    lines.append(
        t(
            REKEY_COUNTS,
            rows=outcome.rows,
            rekeyed=outcome.rekeyed,
            already=outcome.already,
            unmatched=outcome.unmatched_rows,
            phones=outcome.phones_rekeyed,
        )
    )
    if outcome.phones_differing:
        lines.append(
            t(
                N_(
                    "{n} workers have a phone on record other than their sheet's: left as it "
                    "is; it matches again once their unit's roster is imported."
                ),
                n=outcome.phones_differing,
            )
        )
    if outcome.under_both_keys:
        lines.append(
            t(
                N_(
                    "{n} people were imported under the new key before re-keying and have a "
                    "second worker under the old key: those old workers are listed below."
                ),
                n=outcome.under_both_keys,
            )
        )
    if outcome.unmatched_rows and not (outcome.rekeyed or outcome.already):
        lines.append(
            t(
                N_("No row matched a worker: were the rosters imported under {variable}?"),
                variable=OLD_KEY_VARIABLE,
            )
        )
    if not outcome.leftovers:
        done = (
            N_("Every worker would be under the new key.")
            if dry_run
            else N_("Every worker is under the new key: remove {variable} now.")
        )
        lines.append(t(done, variable=OLD_KEY_VARIABLE))
        return lines
    lines.append(
        t(
            N_(
                "Workers in none of these sheets, still under the old key: {n}. "
                "Give their units' sheets as well:"
            ),
            n=len(outcome.leftovers),
        )
    )
    lines.extend(_leftover_lines(outcome.leftovers, t))
    return lines


def _leftover_lines(leftovers: Sequence[Leftover], t: Translator) -> list[str]:
    """One line per unit; leftovers come sorted by unit."""
    by_unit: dict[str, list[str]] = {}
    for leftover in leftovers:
        name = (
            t(N_("{name} (removed)"), name=leftover.masked_name)
            if leftover.removed
            else leftover.masked_name
        )
        by_unit.setdefault(leftover.unit, []).append(name)
    return [
        "  " + t(N_("{unit} ({n}): {names}"), unit=unit, n=len(names), names="、".join(names))
        for unit, names in by_unit.items()
    ]
