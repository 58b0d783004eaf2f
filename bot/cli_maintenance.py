"""`gongshi purge` (retention of personal data) and `gongshi backup` (a consistent copy of
a SQLite database while the bot runs). PostgreSQL is backed up with its own pg_dump; see
docs/operations.md."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import timedelta
from pathlib import Path

import typer
from sqlalchemy.engine import make_url

from bot.i18n import N_, Translator
from bot.runtime_context import (
    fail,
    open_storage,
    require_newest_schema,
    run_async,
    settings_or_exit,
)
from domain.clock import SystemClock
from storage.db import transaction
from storage.purge import Purged, purge_personal_data

PURGE_LINE = N_(
    "Complainant contacts: {contacts}; evidence records: {evidence} (files: {evidence_files}); "
    "conversation drafts: {conversations}; audit details: {audit_details}; ID and phone "
    "hashes of removed workers: {worker_hashes}."
)


def purge(
    older_than_days: int | None = typer.Option(
        None,
        "--older-than-days",
        min=30,
        help="保留天数（默认 GONGSHI_RETENTION_DAYS）/ retention in days (default the setting)",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="只统计不删除 / count, change nothing"),
) -> None:
    """删除超过保存期限的个人信息 / Remove personal data past its retention period."""
    settings = settings_or_exit()
    t = Translator(settings.language)
    days = older_than_days or settings.retention_days
    before = SystemClock(settings.timezone).now() - timedelta(days=days)

    async def go() -> Purged:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            async with transaction(storage.sessions) as session:
                return await purge_personal_data(session=session, before=before, dry_run=dry_run)

    purged = run_async(go())
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


def backup(
    output: Path = typer.Option(..., "--output", "-o", help="备份文件 / the backup file to write"),
) -> None:
    """SQLite 在线备份（机器人可继续运行）/ Online backup of a SQLite database."""
    settings = settings_or_exit()
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
