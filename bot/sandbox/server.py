"""Assembling the sandbox: the aiohttp application, starting it in-process for tests, and the
command that runs it for people (`python -m bot.sandbox`)."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from . import waiting
from .api import setup as setup_api
from .control import setup as setup_control
from .limits import Limits
from .page import setup as setup_page
from .personas import load_personas
from .state import STATE_KEY, SandboxState
from .webhook import stop_delivery

# Large enough for Telegram's 50 MB upload limit plus the multipart envelope; the limit itself
# is checked per file so the answer is Telegram's 413, not aiohttp's.
MAX_REQUEST_BYTES = 64 * 1024 * 1024


def build_app(state: SandboxState | None = None, limits: Limits | None = None) -> web.Application:
    if state is None:
        state = SandboxState(limits=limits)
    elif limits is not None:
        state.limits = limits
    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app[STATE_KEY] = state
    setup_api(app)
    setup_control(app)
    app.router.add_routes(waiting.routes)
    setup_page(app)

    async def stop_webhook(app: web.Application) -> None:
        await stop_delivery(app[STATE_KEY])

    app.on_cleanup.append(stop_webhook)
    return app


@dataclass
class RunningSandbox:
    url: str
    port: int
    state: SandboxState
    runner: web.AppRunner

    @property
    def api_base(self) -> str:
        """For python-telegram-bot: `base_url=api_base + "/bot"`; for aiogram the url itself."""
        return self.url

    async def stop(self) -> None:
        # Wake long polls so they answer before the server goes away.
        self.state.touch()
        await self.runner.cleanup()

    async def __aenter__(self) -> RunningSandbox:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


async def start_sandbox(
    host: str = "127.0.0.1",
    port: int = 0,
    limits: Limits | None = None,
    state: SandboxState | None = None,
) -> RunningSandbox:
    """Start on `host`:`port` (0: any free port) in the running event loop."""
    state = state or SandboxState(limits=limits)
    runner = web.AppRunner(
        build_app(state, limits if state is not None else None),
        access_log=None,
        # Long polls are ended by cleanup, not waited for.
        shutdown_timeout=0.5,
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = int(runner.addresses[0][1])
    return RunningSandbox(url=f"http://{host}:{bound}", port=bound, state=state, runner=runner)


def main(
    host: str = "127.0.0.1",
    port: int = 8081,
    token_check: bool = False,
    personas_file: Path | str | None = None,
    token: str | None = None,
) -> None:
    """Run until Ctrl-C. With `token_check`, only `token` (or one printed here) is accepted."""
    state = SandboxState()
    if token_check:
        state.token = token or f"{state.bot.id}:{secrets.token_urlsafe(24)}"
    load_personas(state, Path(personas_file) if personas_file else None)

    async def run() -> None:
        sandbox = await start_sandbox(host, port, state=state)
        shown_token = state.token or f"{state.bot.id}:ANY"
        print(f"公示通 沙盒已启动 / sandbox running: {sandbox.url}/", flush=True)
        print(f"  聊天页面 / chat page:  {sandbox.url}/", flush=True)
        print(f"  Bot API:              {sandbox.url}/bot{shown_token}/METHOD", flush=True)
        if state.token is None:
            print("  任意令牌均可 / any token is accepted", flush=True)
        print("  按 Ctrl-C 停止 / press Ctrl-C to stop", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await sandbox.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
