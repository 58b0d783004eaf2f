"""Throughput and reply latency at 500 concurrent users: a bare echo bot next to our bot, on
aiogram and on python-telegram-bot, in one run.

    .venv/bin/python bench/throughput.py [--users 500] [--per-user 10] [--only aiogram|ptb]
                                         [--repeat 3]

The sandbox runs in a child process with its rate limits off, and with a closed loop of users
inside it (bench/closed_loop.py): each of the users sends a text, and the next as soon as the
sandbox has taken the bot's reply, until each has sent ``--per-user``. So at most one update
per user is outstanding, and there are as many in flight as users. For each bot, in one run:
  throughput  replies per second, from the first text to the last reply;
  latency     per reply, from the moment the sandbox accepted the update to the moment it
              took the reply (sendMessage): p50 and p99.
The bots, built before the clock starts:
  echo     a bare echo: the framework's own dispatcher and polling, one handler, no storage
  ours     our runtime and Dispatcher through a three-step conversation, its state committed
           to a fresh SQLite database (at the newest schema) before each reply is sent
  runtime  (diagnostic) our runtime with a stand-in that answers at once without a database,
           to tell the runtime's cost from the Dispatcher's.
Each bot is measured --repeat times, the three taking turns (echo, ours, runtime, echo, ...),
and each bot's best run (the most replies/s) is reported: a machine that grows busier for a
few seconds then slows one run of one bot, not the whole comparison.
Goal: ours/echo >= 1.0 in throughput on each framework. The latencies are reported beside
their peer's; in a closed loop the mean latency is users / throughput, so the ratio decides
the mean, and p99 tells how evenly the users are served.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from bot.sandbox.client import SandboxClient

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent

GOAL_RATIO = 1.0
LABELS = {
    "echo": "bare echo",
    "ours": "ours: 3-step conversation, SQLite",
    "runtime": "ours without the Dispatcher (diagnostic)",
}
LOOP_TIMEOUT = 600


# -- the four bots ------------------------------------------------------------------------
class BenchBot:
    """``prepare`` (not timed) builds everything; ``start`` (timed) begins to poll."""

    async def prepare(self, token: str, api_base: str) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class AiogramEcho(BenchBot):
    async def prepare(self, token: str, api_base: str) -> None:
        from aiogram import Bot, Dispatcher, Router
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer
        from aiogram.types import Message

        self.bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))
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


# -- the sandbox and the measurement --------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def start_sandbox_process() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "closed_loop.py"), "--port", str(port)],
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


@dataclass(frozen=True)
class Run:
    replies: int
    seconds: float
    latencies: list[float]
    cpu: float  # seconds of CPU the bot's process spent from its start to the last reply

    @property
    def rate(self) -> float:
        return self.replies / self.seconds

    def percentile(self, p: float) -> float:
        """The nearest-rank percentile, in seconds."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def make_bot(runtime: str, kind: str) -> BenchBot:
    if kind == "echo":
        return AiogramEcho() if runtime == "aiogram" else PtbEcho()
    sys.path.insert(0, str(HERE))
    from ours_bot import Ours

    return Ours(runtime, storage=kind == "ours")  # type: ignore[arg-type,return-value]


async def run_bot(runtime: str, kind: str, url: str, token: str, per_user: int) -> Run:
    """In the child process: build the bot, start it and the loop, wait for the last reply."""
    bot = make_bot(runtime, kind)
    await bot.prepare(token, url)
    async with httpx.AsyncClient(base_url=url, timeout=LOOP_TIMEOUT + 30) as http:
        users = [int(p["id"]) for p in (await http.get("/_control/personas")).json()]
        began = time.process_time()
        await bot.start()
        try:
            started = await http.post("/_bench/loop", json={"users": users, "per_user": per_user})
            started.raise_for_status()
            answer = await http.get("/_bench/loop", params={"timeout": LOOP_TIMEOUT})
            answer.raise_for_status()
            result = answer.json()
            cpu = time.process_time() - began
        finally:
            await bot.stop()
    if not result["done"]:
        raise RuntimeError(f"{len(result['latencies'])} replies in {LOOP_TIMEOUT} s, not all")
    return Run(len(result["latencies"]), result["seconds"], result["latencies"], cpu)


async def measure(
    client: SandboxClient, url: str, token: str, runtime: str, kind: str, per_user: int
) -> Run:
    """One bot in a process of its own, so no bot inherits another's imports, caches or heap."""
    await client.reset()
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        str(HERE / "throughput.py"),
        "--child",
        f"{runtime}:{kind}",
        "--url",
        url,
        "--token",
        token,
        "--per-user",
        str(per_user),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"{runtime} {kind}: exit status {child.returncode}")
    return Run(**json.loads(out.decode().strip().splitlines()[-1]))


def figure(name: str, value: float, unit: str, goal: str, met: bool | None) -> None:
    """One machine-readable line per figure, collected by bench/run_all.py; ``met`` None
    where the figure is reported beside its peer's without a goal of its own."""
    line = {"bench": "throughput", "figure": name, "value": round(value, 3), "unit": unit}
    print("BENCH " + json.dumps({**line, "goal": goal, "met": met}, ensure_ascii=False))


def report(runtime: str, runs: dict[str, Run]) -> None:
    ours, echo, alone = runs["ours"], runs["echo"], runs["runtime"]
    ratio = ours.rate / echo.rate
    verdict = "meets" if ratio >= GOAL_RATIO else "misses"
    print(
        f"  {runtime}: ours/echo {ratio:.2f} ({verdict} the goal {GOAL_RATIO:g}); "
        f"runtime alone/echo {alone.rate / echo.rate:.2f}; p99 ours/echo "
        f"{ours.percentile(99) / echo.percentile(99):.2f}"
    )
    figure(
        f"{runtime}: ours / bare echo, replies/s",
        ratio,
        "x",
        f">= {GOAL_RATIO:g}",
        ratio >= GOAL_RATIO,
    )
    for kind, run in (("ours", ours), ("bare echo", echo)):
        figure(f"{runtime}: {kind}, replies/s", round(run.rate), "/s", "—", None)
        for p in (50, 99):
            figure(
                f"{runtime}: {kind}, p{p} reply latency",
                round(run.percentile(p) * 1000),
                "ms",
                "—",
                None,
            )


async def main(users_count: int, per_user: int, only: str | None, repeat: int) -> None:
    sys.path.insert(0, str(ROOT))
    from bot.sandbox.client import SandboxClient

    process, url = await start_sandbox_process()
    try:
        async with SandboxClient(url) as client:
            await client.set_limits(rate_limits=False)
            token = f"{(await client.state())['bot']['id']}:bench"
            for n in range(users_count):
                await client.create_persona(f"用户{n}", language_code="zh-hans")
            print(
                f"throughput: {users_count} users in a closed loop, {per_user} texts each, "
                f"sandbox rate limits off, {os.cpu_count()} CPUs, best of {repeat} runs each"
            )
            runs: dict[str, dict[str, Run]] = {}
            for runtime in ("aiogram", "ptb"):
                if only is not None and runtime != only:
                    continue
                for _ in range(repeat):
                    for kind in ("echo", "ours", "runtime"):
                        run = await measure(client, url, token, runtime, kind, per_user)
                        best = runs.setdefault(runtime, {}).get(kind)
                        if best is None or run.rate > best.rate:
                            runs[runtime][kind] = run
                for kind in ("echo", "ours", "runtime"):
                    run = runs[runtime][kind]
                    print(
                        f"  {runtime:8} {LABELS[kind]:42} {run.rate:5.0f} replies/s "
                        f"({run.replies} in {run.seconds:5.2f} s), latency p50 "
                        f"{run.percentile(50) * 1000:5.0f} ms, p99 "
                        f"{run.percentile(99) * 1000:5.0f} ms; bot CPU "
                        f"{run.cpu / run.replies * 1000:.2f} ms/reply",
                        flush=True,
                    )
            for runtime, measured in runs.items():
                report(runtime, measured)
    finally:
        process.terminate()
        process.wait(10)


def child(bot: str, url: str, token: str, per_user: int) -> None:
    runtime, kind = bot.split(":")
    run = asyncio.run(run_bot(runtime, kind, url, token, per_user))
    print(json.dumps(run.__dict__))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--per-user", type=int, default=10)
    parser.add_argument("--only", choices=["aiogram", "ptb"], help="one framework only")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each bot, best kept")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # runtime:kind, run in a child
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url, args.token, args.per_user)
    else:
        asyncio.run(main(args.users, args.per_user, args.only, max(1, args.repeat)))
