"""Updates per second: a bare echo bot next to our bot, on aiogram and on python-telegram-bot.

    .venv/bin/python bench/throughput.py [--users 500] [--per-user 10]

The sandbox runs in a child process with its rate limits off. For each of four bots, in one
run: the updates (round-robin over the users, each user's in order) are injected through the
sandbox's control API first, then the bot starts, and the clock runs until the sandbox has
received the last of the replies (one sendMessage per update).
  echo  a bare echo: the framework's own dispatcher and polling, one handler, no storage
  ours  our runtime and Dispatcher through a three-step conversation, its state committed to
        a fresh SQLite database (at the newest schema) at every step
and, to tell the runtime's cost from the Dispatcher's, our runtime with a stand-in that
answers at once without a database. Goal: ours/echo >= 0.6 on each framework.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.runtimes import RuntimeName, make_transport  # noqa: E402
from bot.runtimes.serving import serve  # noqa: E402
from bot.sandbox.client import SandboxClient  # noqa: E402
from bot.settings import Settings, load_settings  # noqa: E402
from domain.clock import SystemClock  # noqa: E402
from handlers.context import Context  # noqa: E402
from handlers.core import Dispatcher, Router  # noqa: E402
from handlers.types import Incoming, Outcome, Reply  # noqa: E402
from storage.db import make_engine, make_sessionmaker  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

GOAL_RATIO = 0.6
LABELS = {
    "echo": "bare echo",
    "ours": "ours: 3-step conversation, SQLite",
    "runtime": "ours without the Dispatcher (diagnostic)",
}
INJECT_CONCURRENCY = 64


def figure(name: str, value: float, goal: float) -> None:
    """One machine-readable line per figure, collected by bench/run_all.py."""
    line = {"bench": "throughput", "figure": name, "value": round(value, 3), "unit": "x"}
    print("BENCH " + json.dumps({**line, "goal": f">= {goal:g}", "met": value >= goal}))


# -- the four bots ------------------------------------------------------------------------
class BenchBot:
    """``prepare`` (not timed) builds everything; ``start`` (timed) begins to poll."""

    async def prepare(self, token: str, api_base: str) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class AiogramEcho(BenchBot):
    async def prepare(self, token: str, api_base: str) -> None:
        from aiogram import Dispatcher, Router
        from aiogram.types import Message

        from bot.runtimes.aiogram_runtime import make_bot

        self.bot = make_bot(token, api_base)
        router = Router()  # built here: an aiogram router belongs to one dispatcher only

        @router.message()
        async def echo(message: Message) -> None:
            await message.answer(message.text or "")

        self.dispatcher = Dispatcher()
        self.dispatcher.include_router(router)

    async def start(self) -> None:
        self.task = asyncio.create_task(
            self.dispatcher.start_polling(self.bot, handle_signals=False, polling_timeout=10)
        )

    async def stop(self) -> None:
        await self.dispatcher.stop_polling()
        await self.task


class PtbEcho(BenchBot):
    async def prepare(self, token: str, api_base: str) -> None:
        from telegram import Update
        from telegram.ext import Application, ContextTypes, TypeHandler

        async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
            if update.effective_message is not None:
                await update.effective_message.reply_text(update.effective_message.text or "")

        self.application = (
            Application.builder()
            .token(token)
            .base_url(f"{api_base}/bot")
            .base_file_url(f"{api_base}/file/bot")
            .build()
        )
        self.application.add_handler(TypeHandler(Update, echo))

    async def start(self) -> None:
        await self.application.initialize()
        await self.application.start()
        assert self.application.updater is not None
        await self.application.updater.start_polling(poll_interval=0.0, timeout=10)

    async def stop(self) -> None:
        assert self.application.updater is not None
        await self.application.updater.stop()
        await self.application.stop()
        await self.application.shutdown()


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


class Ours(BenchBot):
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


# -- the sandbox and the measurement --------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def start_sandbox_process() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.sandbox", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as http:
        for _ in range(200):
            try:
                await http.get(f"{url}/_control/state")
                return process, url
            except httpx.TransportError:
                await asyncio.sleep(0.05)
    process.kill()
    raise RuntimeError("the sandbox did not start")


async def inject(client: SandboxClient, users: list[int], per_user: int) -> float:
    """Round by round, so each user's messages arrive in order; returns the seconds taken."""
    started = time.perf_counter()
    gate = asyncio.Semaphore(INJECT_CONCURRENCY)

    async def one(user: int, n: int) -> None:
        async with gate:
            await client.send_text(user, f"m{n}")

    for n in range(per_user):
        await asyncio.gather(*(one(user, n) for user in users))
    return time.perf_counter() - started


async def replies_done(client: SandboxClient, expected: int) -> float:
    """Wait until the sandbox has accepted `expected` sendMessage calls; return the wall time
    at which the last of them finished."""
    seen, counted, last_end = 0, 0, 0.0
    while counted < expected:
        await asyncio.sleep(0.2)
        calls = await client.calls("sendMessage", since=seen)
        for call in calls:
            seen = max(seen, int(call["seq"]))
            if call["ok"]:
                counted += 1
                last_end = max(last_end, call["time"] + call["duration"])
    return last_end


async def measure(
    client: SandboxClient, token: str, url: str, bot: BenchBot, users: list[int], per_user: int
) -> tuple[float, float]:
    await client.reset()
    injected = await inject(client, users, per_user)
    await bot.prepare(token, url)
    began = time.time()
    await bot.start()
    try:
        finished = await asyncio.wait_for(replies_done(client, len(users) * per_user), 600)
    finally:
        await bot.stop()
    return finished - began, injected


async def main(users_count: int, per_user: int) -> None:
    process, url = await start_sandbox_process()
    try:
        async with SandboxClient(url, timeout=120) as client:
            await client.set_limits(rate_limits=False)
            token = f"{(await client.state())['bot']['id']}:bench"
            personas = [
                await client.create_persona(f"用户{n}", language_code="zh-hans")
                for n in range(users_count)
            ]
            users = [int(p["id"]) for p in personas]
            total = users_count * per_user
            print(
                f"throughput: {total} updates from {users_count} users, sandbox rate limits off, "
                f"{os.cpu_count()} CPUs"
            )
            rates: dict[tuple[str, str], float] = {}
            bots: list[tuple[str, str, BenchBot]] = [
                ("aiogram", "echo", AiogramEcho()),
                ("aiogram", "ours", Ours("aiogram")),
                ("aiogram", "runtime", Ours("aiogram", storage=False)),
                ("ptb", "echo", PtbEcho()),
                ("ptb", "ours", Ours("ptb")),
                ("ptb", "runtime", Ours("ptb", storage=False)),
            ]
            for runtime, kind, bot in bots:
                seconds, injected = await measure(client, token, url, bot, users, per_user)
                rates[runtime, kind] = total / seconds
                print(
                    f"  {runtime:8} {LABELS[kind]:44} {rates[runtime, kind]:6.0f} updates/s "
                    f"({seconds:.2f} s; injected in {injected:.2f} s)"
                )
            for runtime in ("aiogram", "ptb"):
                ratio = rates[runtime, "ours"] / rates[runtime, "echo"]
                alone = rates[runtime, "runtime"] / rates[runtime, "echo"]
                verdict = "meets" if ratio >= GOAL_RATIO else "misses"
                print(
                    f"  {runtime}: ours/echo {ratio:.2f} ({verdict} the goal {GOAL_RATIO}); "
                    f"runtime alone/echo {alone:.2f}"
                )
                figure(f"{runtime}: ours / bare echo, updates/s", ratio, GOAL_RATIO)
    finally:
        process.terminate()
        process.wait(10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--per-user", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.users, args.per_user))
