"""`gongshi publish open|close|status|notice`: the cycle's 公示 from the command line."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.runtime_context import (
    CommandError,
    open_storage,
    require_newest_schema,
    run_async,
    settings_or_exit,
)
from bot.settings import Settings
from domain.clock import SystemClock
from domain.workdays import WorkCalendar
from messages.i18n import N_, Translator

if TYPE_CHECKING:
    from services.publication import PublicationRules

publish_app = typer.Typer(help="公示 / the public notice of a cycle.", no_args_is_help=True)

OPENED = N_(
    "The 公示 of {year} is open from {opens} to {closes} ({days} working days); "
    "the hotline takes complaints for this cycle."
)
POSTED = N_(
    "{units} units' lists: {posts} channel posts queued; {workers} bound workers told their "
    "result is published; {subscribers} subscribers told."
)
NO_CHANNEL = N_(
    "No public channel is set (GONGSHI_PUBLIC_CHANNEL): the lists are published in the bot only."
)
CLOSED = N_(
    "The 公示 of {year} is closed: {final} results final, {held} held while a serious case "
    "is open; {withdrawn} channel posts withdrawn."
)
STATUS_LINE = N_("公示 of {year}: {state}")
STATUS_WINDOW = N_("Window: {opens} to {closes}")
STATUS_RESULTS = N_("Results: {results} ({final} final, {held} held)")
STATUS_POSTS = N_("Channel posts: {posts} ({posted} in the channel, {withdrawn} withdrawn)")
STATES = {
    "assessing": N_("not opened yet"),
    "open": N_("open to the public"),
    "closed": N_("ended, results final"),
}
NOTICES_WRITTEN = N_("{count} printable notices written to {folder}")

CYCLE = typer.Option(..., "--cycle", min=2000, max=2100, help="考核年度 / assessment year")


@publish_app.command("open")
def open_command(
    cycle: int = CYCLE,
    days: int | None = typer.Option(
        None, "--days", min=1, max=60, help="公示工作日数 / working days (default 5)"
    ),
    calendar_file: Path | None = typer.Option(
        None, "--calendar", help="节假日调休文件 / working-day calendar file (TOML)"
    ),
    override: str | None = typer.Option(
        None,
        "--override",
        help="单位未就绪仍开始公示的理由（记入审计日志）/ why to open although units are not ready",
    ),
) -> None:
    """开始公示：发布名单、通知订阅者、开通投诉 / Open the cycle's 公示."""
    from messages.tasks import day_text
    from services.publication import open_gongshi
    from services.publication_checks import IncompleteError, shortfall_lines
    from storage.db import transaction

    settings = settings_or_exit()
    t = Translator(settings.language)
    clock = SystemClock(settings.timezone)

    async def go() -> list[str]:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            calendar = _calendar(settings, calendar_file, t)
            async with _refusals(t), transaction(storage.sessions) as session:
                try:
                    opened = await open_gongshi(
                        session=session,
                        rules=publication_rules(settings, calendar),
                        clock=clock,
                        year=cycle,
                        actor="cli",
                        workdays=days,
                        override_reason=override,
                    )
                except IncompleteError as error:
                    lines = [t(error.reason, **error.params), *shortfall_lines(t, error.shortfalls)]
                    raise CommandError("\n".join(lines), 2) from None
        window = opened.window
        lines = [
            t(
                OPENED,
                year=cycle,
                opens=day_text(t, window.opens_on),
                closes=day_text(t, window.closes_on),
                days=window.workdays,
            ),
            t(
                POSTED,
                units=opened.units,
                posts=opened.posts,
                workers=opened.workers,
                subscribers=opened.subscribers,
            ),
        ]
        if settings.public_channel is None:
            lines.append(t(NO_CHANNEL))
        return lines

    for line in run_async(go()):
        typer.echo(line)


@publish_app.command("close")
def close_command(cycle: int = CYCLE) -> None:
    """结束公示：撤回名单，结果生效 / Close the 公示 now (it also closes by itself)."""
    from services.publication import close_gongshi
    from storage.db import transaction

    settings = settings_or_exit()
    t = Translator(settings.language)
    clock = SystemClock(settings.timezone)

    async def go() -> str:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            async with _refusals(t), transaction(storage.sessions) as session:
                closed = await close_gongshi(
                    session=session, year=cycle, now=clock.now(), actor="cli"
                )
        return t(
            CLOSED, year=cycle, final=closed.final, held=closed.held, withdrawn=closed.withdrawn
        )

    typer.echo(run_async(go()))


@publish_app.command("status")
def status_command(cycle: int = CYCLE) -> None:
    """公示状态 / The 公示's window, results and channel posts."""
    from messages.tasks import day_text
    from storage.publication import gongshi_status

    settings = settings_or_exit()
    t = Translator(settings.language)

    async def go() -> list[str]:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            async with _refusals(t), storage.sessions() as session:
                status = await gongshi_status(session=session, year=cycle)
        lines = [t(STATUS_LINE, year=cycle, state=t(STATES.get(status.state, status.state)))]
        if status.opens_on is not None and status.closes_on is not None:
            lines.append(
                t(
                    STATUS_WINDOW,
                    opens=day_text(t, status.opens_on),
                    closes=day_text(t, status.closes_on),
                )
            )
        lines.append(
            t(STATUS_RESULTS, results=status.results, final=status.final, held=status.held)
        )
        lines.append(
            t(
                STATUS_POSTS,
                posts=status.posts,
                posted=status.posted,
                withdrawn=status.withdrawn,
            )
        )
        return lines

    for line in run_async(go()):
        typer.echo(line)


@publish_app.command("notice")
def notice_command(
    cycle: int = CYCLE,
    unit: str | None = typer.Option(None, "--unit", help="只生成这个单位 / only this unit"),
    output: Path = typer.Option(..., "--output", help="保存到的文件夹 / folder to write to"),
) -> None:
    """生成各单位张榜公示 PDF / Write each unit's printable notice (PDF)."""
    from documents.notice import notice_filename, notice_pdf
    from documents.pdf import FontNotFoundError, check_font
    from services.hotline_contact import HotlineContact
    from services.publication_texts import unit_notices
    from storage.public_rows import notice_lists

    settings = settings_or_exit()
    t = Translator(settings.language)
    today = SystemClock(settings.timezone).today()

    async def go() -> str:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            async with _refusals(t), storage.sessions() as session:
                lists = await notice_lists(session=session, year=cycle, unit_name=unit)
        try:
            check_font(settings.pdf_font, language=settings.language)
            output.mkdir(parents=True, exist_ok=True)
            notices = unit_notices(
                lists,
                language=settings.language,
                issued_on=today,
                hotline=HotlineContact.from_settings(settings),
            )
            with typer.progressbar(notices, label="PDF", file=sys.stderr) as progress:
                for notice in progress:
                    data = notice_pdf(
                        notice,
                        bot_username=settings.bot_username,
                        language=settings.language,
                        font_file=settings.pdf_font,
                    )
                    (output / notice_filename(notice)).write_bytes(data)
        except FontNotFoundError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"{output}: {error.strerror or error}", 2) from None
        return t(NOTICES_WRITTEN, count=len(notices), folder=str(output))

    typer.echo(run_async(go()))


def publication_rules(settings: Settings, calendar: WorkCalendar) -> PublicationRules:
    """What opening a 公示 reads from the settings."""
    from services.hotline_contact import HotlineContact
    from services.publication import PublicationRules

    return PublicationRules(
        calendar=calendar,
        min_workdays=settings.gongshi_min_workdays,
        channel_id=int(settings.public_channel) if settings.public_channel else None,
        bot_username=settings.bot_username,
        language=settings.language,
        hotline=HotlineContact.from_settings(settings),
    )


def _calendar(settings: Settings, path: Path | None, t: Translator) -> WorkCalendar:
    from domain.workdays import CalendarFileError, load_overrides
    from notices.service import work_calendar

    try:
        return WorkCalendar(load_overrides(path)) if path else work_calendar(settings)
    except CalendarFileError as error:
        raise CommandError(t(error.reason, **error.params), 2) from None


@asynccontextmanager
async def _refusals(t: Translator) -> AsyncIterator[None]:
    """A refused step, or a year the calendar does not know, as one line (exit code 2)."""
    from domain.workdays import UnknownYearError
    from storage.publication import PublicationError

    try:
        yield
    except (PublicationError, UnknownYearError) as error:
        raise CommandError(t(error.reason, **error.params), 2) from None
