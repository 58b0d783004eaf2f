"""`gongshi tasks create`, `gongshi verify import` and `gongshi notices run|deliver`: units'
deadlines, staff verification from a sheet, and the outbox and scheduler without the bot."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import typer

from bot.cli_logging import LogLevel, log_level_option, setup_logging
from bot.runtime_context import (
    CommandError,
    open_storage,
    require_newest_schema,
    run_async,
    settings_or_exit,
)
from bot.settings import Settings, require_real_secret_key
from domain.clock import SystemClock
from messages.i18n import N_, Translator
from messages.wording import NO_UNITS_YET

tasks_app = typer.Typer(
    help="单位任务与截止日期 / units' tasks and deadlines.", no_args_is_help=True
)
verify_app = typer.Typer(help="人员核对 / staff verification.", no_args_is_help=True)
notices_app = typer.Typer(help="消息发送与定时任务 / delivery and sweeps.", no_args_is_help=True)

NO_UNITS = NO_UNITS_YET
TASKS_CREATED = N_(
    "Cycle {year}: {units} units, {created} tasks created, {updated} updated, "
    "{unchanged} unchanged."
)
PLAN_LINE = N_("{due}: {title}")
NO_CYCLE = N_("There is no {year} assessment cycle.")
ROW_ISSUE = N_("Row {row}, column {column}: {reason}")
REFUSED = N_("{n} problems; nothing was recorded.")
VERIFIED = N_(
    "Recorded {present} present, {excused} excused and {absent} absent ({removed} removed from "
    "the roster, {unchanged} already recorded)."
)
DELIVERED = N_("Outbox delivered: {sent} sent, {retried} to retry, {failed} failed.")
NOTICES_RUNNING = N_("Delivering the outbox and running the sweeps. Ctrl-C stops.")


@tasks_app.command("create")
def create_tasks(
    cycle: int = typer.Option(..., "--cycle", min=2000, max=2100, help="考核年度 / year"),
    config: Path | None = typer.Option(
        None, "--config", help="本年度的截止日期文件 / this cycle's deadlines file (TOML)"
    ),
) -> None:
    """为各单位生成本年度任务（可重复运行）/ Create every unit's tasks for a cycle."""
    from domain.deadlines import DeadlineConfigError
    from domain.workdays import CalendarFileError, UnknownYearError
    from messages.tasks import day_text, task_title
    from notices.service import deadline_config, work_calendar
    from services.tasks import plan_cycle_tasks
    from storage.db import transaction
    from storage.unit_tasks import cycle_by_year

    settings = settings_or_exit()
    t = Translator(settings.language)

    async def go() -> list[str]:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            try:
                calendar = work_calendar(settings)
                deadlines = deadline_config(getattr(settings, "deadlines_file", None), config)
                async with transaction(storage.sessions) as session:
                    row = await cycle_by_year(session, cycle, create=True)
                    assert row is not None
                    plan, counts = await plan_cycle_tasks(
                        session=session,
                        cycle=row,
                        config=deadlines,
                        calendar=calendar,
                        source=str(config or "deadlines.toml"),
                        deadlines_file=str(config) if config else None,
                    )
                    units = counts.units
                    if not units:
                        raise CommandError(t(NO_UNITS))
            except (UnknownYearError, CalendarFileError, DeadlineConfigError) as error:
                # A parameter may itself be a message ("a whole number, 0 or more").
                params = {key: t(value) for key, value in error.params.items()}
                raise CommandError(t(error.reason, **params)) from None
            except OSError as error:
                raise CommandError(str(error)) from None
        lines = [
            t(
                TASKS_CREATED,
                year=cycle,
                units=units,
                created=counts.created,
                updated=counts.updated,
                unchanged=counts.unchanged,
            )
        ]
        lines += [
            t(PLAN_LINE, due=day_text(t, p.due_on), title=task_title(t, p.kind, p.title))
            for p in plan
        ]
        return lines

    for line in run_async(go()):
        typer.echo(line)


@verify_app.command("import")
def import_verification(
    file: Path = typer.Argument(
        ..., help="XLSX 或 CSV：身份证号、是否到场（是/否/请假）、请假原因 / ID, present, reason"
    ),
    cycle: int = typer.Option(..., "--cycle", min=2000, max=2100, help="考核年度 / year"),
) -> None:
    """从表格导入人员核对结果；未到场者按空岗除名 / Record attendance from a sheet."""
    from domain.attendance import AttendanceSheetError
    from services.attendance import import_attendance
    from storage.importer import SheetError
    from storage.unit_tasks import cycle_by_year

    settings = settings_or_exit()
    t = Translator(settings.language)
    clock = SystemClock(settings.timezone)

    async def go() -> list[str]:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            async with storage.sessions() as session:
                row = await cycle_by_year(session, cycle)
            if row is None or row.id is None:
                raise CommandError(t(NO_CYCLE, year=cycle))
            try:
                report = await import_attendance(
                    sessions=storage.sessions,
                    secret_key=settings.secret_key.get_secret_value(),
                    path=file,
                    cycle_id=row.id,
                    now=clock.now(),
                    today=clock.today(),
                )
            except (SheetError, AttendanceSheetError) as error:
                raise CommandError(t(error.reason, **error.params)) from None
        lines = [
            t(ROW_ISSUE, row=i.row, column=i.column, reason=t(i.reason, **i.params))
            for i in report.issues
        ]
        if not report.ok:
            lines.append(t(REFUSED, n=len(report.issues)))
            raise CommandError("\n".join(lines))
        lines.append(
            t(
                VERIFIED,
                present=report.present,
                absent=report.absent,
                excused=report.excused,
                removed=report.removed,
                unchanged=report.unchanged,
            )
        )
        return lines

    for line in run_async(go()):
        typer.echo(line)


@notices_app.command("run")
def run_notices_command(log_level: LogLevel = log_level_option()) -> None:
    """发送消息并运行定时任务（不含对话）/ Deliver the outbox and run the sweeps."""
    from notices.config import NoticeSettings
    from notices.service import run_notices, work_calendar

    settings = settings_or_exit()
    require_real_secret_key(settings)
    t = Translator(settings.language)
    setup_logging(log_level)

    async def go() -> None:
        from bot.runtimes.serving import stop_on_signals

        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            stop = asyncio.Event()
            stop_on_signals(stop)
            typer.echo(t(NOTICES_RUNNING))
            await run_notices(
                engine=storage.engine,
                sessions=storage.sessions,
                settings=NoticeSettings.from_settings(settings),
                clock=SystemClock(settings.timezone),
                calendar=work_calendar(settings),
                stop=stop,
            )

    run_async(go())


@notices_app.command("deliver")
def deliver_once(
    timeout: float = typer.Option(60.0, "--timeout", help="最长秒数 / at most this many seconds"),
) -> None:
    """把当前到期的消息发送完后退出 / Deliver what is due now, then exit."""
    settings = settings_or_exit()
    stats = run_async(_deliver(settings, timeout))
    typer.echo(Translator(settings.language)(DELIVERED, **stats))


async def _deliver(settings: Settings, timeout: float) -> dict[str, int]:
    from notices.botapi import BotApi
    from notices.config import NoticeSettings
    from notices.sender import OutboxSender

    config = NoticeSettings.from_settings(settings)
    async with open_storage(settings) as storage:
        await require_newest_schema(storage.engine, Translator(settings.language))
        api = BotApi(config.api_base, config.bot_token, timeout=config.outbox_timeout_seconds)
        try:
            sender = OutboxSender(sessions=storage.sessions, api=api, settings=config)
            # What is left when time is up stays pending for the next run.
            with contextlib.suppress(TimeoutError):
                await sender.drain(timeout=timeout)
            stats = sender.stats
            return {"sent": stats.sent, "retried": stats.retried, "failed": stats.failed}
        finally:
            await api.aclose()
