"""Our bot as bench/throughput.py runs it: our runtime and Dispatcher through a three-step
conversation on a fresh SQLite database, or (diagnostic) our runtime with a stand-in that
answers at once without a database. Imported only by the process that runs one of these, so
the bare echo bots run without any of our modules loaded."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.runtimes import RuntimeName, make_transport  # noqa: E402
from bot.runtimes.serving import serve  # noqa: E402
from bot.settings import Settings, load_settings  # noqa: E402
from domain.clock import SystemClock  # noqa: E402
from handlers.context import Context  # noqa: E402
from handlers.core import Dispatcher, Router  # noqa: E402
from handlers.types import Incoming, Outcome, Reply  # noqa: E402
from storage.db import make_engine, make_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402


def three_steps() -> Router:
    """Each text moves the chat one step on; the third says what the first two were."""
    router = Router()

    @router.state("")
    async def ask_second(ctx: Context) -> None:
        ctx.goto("second", first=ctx.incoming.text)
        ctx.say("1/3: noted. And then?")

    @router.state("second")
    async def ask_third(ctx: Context) -> None:
        ctx.goto("third", second=ctx.incoming.text)
        ctx.say("2/3: noted. Last one?")

    @router.state("third")
    async def finish(ctx: Context) -> None:
        ctx.say(f"3/3: done ({ctx.data['first']}, {ctx.data['second']}, {ctx.incoming.text})")
        ctx.reset()

    return router


class NoStorage:
    """A stand-in for the Dispatcher that answers at once: what our runtime costs alone."""

    def __init__(self, settings: Settings, sessions: object) -> None:
        self.settings = settings
        # The runtime keeps replies that Telegram puts off in the outbox: it needs the sessions.
        self.sessions = sessions

    async def handle(self, incoming: Incoming) -> Outcome:
        return Outcome(chat_id=incoming.chat_id, replies=[Reply(f"1/3: {incoming.text}")])

    async def handle_many(self, incomings: list[Incoming]) -> list[Outcome]:
        return [await self.handle(incoming) for incoming in incomings]


class Ours:
    def __init__(self, runtime: RuntimeName, *, storage: bool = True) -> None:
        self.runtime = runtime
        self.with_storage = storage

    async def prepare(self, token: str, api_base: str) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="gongshi-bench-")
        settings = load_settings(
            database_url=f"sqlite+aiosqlite:///{self.folder.name}/bench.db",
            secret_key="bench-secret-key-0123456789-long-enough",
        )
        self.storage = make_engine(settings.database_url)
        await upgrade(self.storage)
        self.dispatcher = Dispatcher(
            sessions=make_sessionmaker(self.storage),
            settings=settings,
            clock=SystemClock(),
            router=three_steps(),
        )
        if not self.with_storage:
            self.dispatcher = NoStorage(settings, self.dispatcher.sessions)  # type: ignore[assignment]
        self.transport = make_transport(self.runtime, token=token, api_base=api_base)
        self.stopping = asyncio.Event()

    async def start(self) -> None:
        self.task = asyncio.create_task(serve(self.transport, self.dispatcher, stop=self.stopping))

    async def stop(self) -> None:
        self.stopping.set()
        await self.task
        await self.storage.dispose()
        self.folder.cleanup()
