"""`gongshi run`: the bot itself, on aiogram (default) or python-telegram-bot, by long
polling or behind a webhook."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Callable
from enum import StrEnum

import typer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli_logging import LogLevel, log_level_option, setup_logging
from bot.runtime_context import (
    CommandError,
    fail,
    open_storage,
    require_newest_schema,
    run_async,
    settings_or_exit,
)
from bot.runtimes import RuntimeName
from bot.runtimes.serving import StartupError, Webhook
from bot.settings import Settings, require_real_secret_key
from domain.clock import Clock
from domain.renewal import RenewalSettings
from handlers.core import Dispatcher
from messages.i18n import N_, Translator
from notices.scheduler import Sweep
from services.files import FileFetcher

NO_TOKEN = N_("No bot token: set GONGSHI_BOT_TOKEN.")
# Telegram's rule for a webhook's secret_token.
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Runtime(StrEnum):
    aiogram = "aiogram"
    ptb = "ptb"


DispatcherFactory = Callable[..., Dispatcher]


def run(
    runtime: Runtime = typer.Option(
        Runtime.aiogram, "--runtime", help="aiogram（默认）或 ptb / aiogram (default) or ptb"
    ),
    webhook: str | None = typer.Option(
        None,
        "--webhook",
        help="Webhook 的公网地址；不填则长轮询 / public webhook URL; long polling without it",
    ),
    listen: str = typer.Option(
        "127.0.0.1:8080", "--listen", help="Webhook 监听地址 / HOST:PORT the webhook listens on"
    ),
    api_base: str | None = typer.Option(
        None,
        "--api-base",
        help="Bot API 地址（默认 GONGSHI_API_BASE）/ Bot API base URL (default GONGSHI_API_BASE)",
    ),
    log_level: LogLevel = log_level_option(),
) -> None:
    """运行机器人 / Run the bot."""
    settings = settings_or_exit(**({"api_base": api_base} if api_base else {}))
    t = Translator(settings.language)
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        fail(bilingual(t, NO_TOKEN), 2)
    hook = webhook_config(settings, webhook, listen, t) if webhook else None
    require_real_secret_key(settings)
    setup_logging(log_level)
    run_async(serve_bot(settings, runtime=runtime.value, webhook=hook))


def bilingual(t: Translator, message: str) -> str:
    """Operators may not read Chinese: a Chinese line carries its English after a slash."""
    text = t(message)
    return text if text == message else f"{text} / {message}"


def webhook_config(settings: Settings, url: str, listen: str, t: Translator) -> Webhook:
    if not url.startswith(("https://", "http://")):
        fail(t("--webhook must be an http:// or https:// URL, not {value}", value=url), 2)
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        fail(t("--listen must be HOST:PORT, not {value}", value=listen), 2)
    if settings.webhook_secret is not None:
        secret = settings.webhook_secret.get_secret_value()
        if not _SECRET.fullmatch(secret):
            fail(t("GONGSHI_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and -."), 2)
    else:
        # setWebhook is called at every start, so a fresh secret per run is enough for one
        # process; several processes behind one webhook must share GONGSHI_WEBHOOK_SECRET.
        secret = secrets.token_urlsafe(32)
        typer.echo(t("No GONGSHI_WEBHOOK_SECRET: using a random secret for this run."))
    return Webhook(url=url, host=host.strip("[]"), port=int(port), secret=secret)


RUNNING = N_("Bot @{username} is running on {runtime}, {where}.")
RUNNING_STOP_HINT = N_("Bot @{username} is running on {runtime}, {where}. Ctrl-C stops it.")


async def serve_bot(
    settings: Settings,
    *,
    runtime: RuntimeName,
    webhook: Webhook | None = None,
    build: DispatcherFactory | None = None,
    stop: asyncio.Event | None = None,
    says_how_to_stop: bool = True,
) -> None:
    """Start the bot with the dispatcher ``build`` makes (by default every conversation),
    until ``stop`` is set (by default, until SIGINT or SIGTERM).

    Without ``says_how_to_stop`` the start-up line leaves Ctrl-C to the caller, which says it
    once for everything it runs (the demo)."""
    from bot.runtimes import make_transport
    from bot.runtimes.files import BotApiFileFetcher
    from bot.runtimes.serving import serve, stop_on_signals
    from domain.clock import SystemClock
    from notices.config import NoticeSettings
    from notices.pacing import ReplyMeter
    from notices.service import run_notices, work_calendar

    t = Translator(settings.language)
    assert settings.bot_token is not None
    async with open_storage(settings) as storage:
        await require_newest_schema(storage.engine, t)
        clock = SystemClock(settings.timezone)
        token = settings.bot_token.get_secret_value()
        sweeps: list[Sweep] = []
        if build is None:
            # Evidence files are downloaded over the same Bot API the updates come from.
            files = BotApiFileFetcher(settings.api_base, token)
            sweeps.append(_upload_sweep(settings, storage.sessions, files, clock))
            dispatcher = _default_build(
                settings=settings, sessions=storage.sessions, clock=clock, services={"files": files}
            )
        else:
            dispatcher = build(settings=settings, sessions=storage.sessions, clock=clock)
        transport = make_transport(runtime, token=token, api_base=settings.api_base)
        if stop is None:
            stop = asyncio.Event()
            stop_on_signals(stop)
        # The "/" menu and the description, beside the start rather than before it: an
        # unreachable API is reported by the start itself.
        profile = asyncio.create_task(set_bot_profile(settings, token))

        def ready(username: str | None) -> None:
            where = (
                t(
                    "webhook {url}, listening on {host}:{port}",
                    url=webhook.url,
                    host=webhook.host,
                    port=webhook.port,
                )
                if webhook
                else t("long polling {api}", api=settings.api_base)
            )
            running = RUNNING_STOP_HINT if says_how_to_stop else RUNNING
            typer.echo(
                t(
                    running,
                    username=username or "?",
                    runtime=runtime,
                    where=where,
                )
            )

        # The outbox and the sweeps run beside the updates, and stop with them; the replies
        # to the updates are counted for the outbox, which leaves room for them.
        replies = ReplyMeter()
        background = asyncio.create_task(
            run_notices(
                engine=storage.engine,
                sessions=storage.sessions,
                settings=NoticeSettings.from_settings(settings),
                clock=clock,
                calendar=work_calendar(settings),
                stop=stop,
                extra_sweeps=sweeps,
                replies=replies,
            )
        )
        try:
            await serve(
                transport,
                dispatcher,
                webhook=webhook,
                stop=stop,
                on_ready=ready,
                counted=replies.count,
            )
        except StartupError as exc:
            raise CommandError(
                t(
                    "Cannot start the bot at {api}: {problem}",
                    api=settings.api_base,
                    problem=str(exc),
                ),
                1,
            ) from None
        finally:
            stop.set()
            await background
            await asyncio.wait({profile}, timeout=PROFILE_SECONDS)
            profile.cancel()
    typer.echo(t("Bot stopped."))


PROFILE_SECONDS = 5.0


async def set_bot_profile(settings: Settings, token: str) -> None:
    """Everyone's "/" menu, the description and the short description, in each language,
    over the same HTTP client the outbox uses (so both runtimes set them alike)."""
    from notices.botapi import BotApi, set_profile
    from services.commands import profile_calls

    api = BotApi(settings.api_base, token, timeout=PROFILE_SECONDS)
    try:
        await set_profile(api, profile_calls(settings.language))
    finally:
        await api.aclose()


def _upload_sweep(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    files: FileFetcher,
    clock: Clock,
) -> Sweep:
    """Results spreadsheets sent in chat are imported beside the updates, not inside them."""
    from bot.cli_import import read_limits
    from bot.cli_publish import publication_rules
    from notices.service import work_calendar
    from notices.uploads import UploadSettings, upload_sweep

    chosen = UploadSettings(
        secret_key=settings.secret_key.get_secret_value(),
        import_max_mb=settings.import_max_mb,
        limits=read_limits(settings),
        import_max_memory_mb=settings.import_max_memory_mb,
        notice=publication_rules(settings, work_calendar(settings)),
        renewal=RenewalSettings.from_settings(settings),
    )
    return upload_sweep(sessions=sessions, files=files, clock=clock, settings=chosen)


def _default_build(
    *,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    services: dict[str, object] | None = None,
) -> Dispatcher:
    from bot.app import build_dispatcher

    return build_dispatcher(settings=settings, sessions=sessions, clock=clock, services=services)


if __name__ == "__main__":
    typer.run(run)
