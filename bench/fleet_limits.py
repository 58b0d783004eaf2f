"""Two sender processes on one PostgreSQL database against one rate limit: Telegram's limits
held by the fleet, not per process.

    .venv/bin/python bench/fleet_limits.py [--recipients 900] [--rate 30] [--processes 2]
                                           [--replies 10] [--database-url postgresql+asyncpg://...]
                                           [--per-process]

Without --database-url a throwaway PostgreSQL server is started (Debian's binaries, as the
tests do). The sandbox runs in a child process with every recipient a persona who has opened
the bot, its rate enforcement on: --rate messages a second in all (Telegram's 30 by default),
one a second per chat, a 429 for anything faster. The broadcast rows are written to the outbox
in one transaction; --processes child processes then deliver them, each an ordinary sender
with GONGSHI_OUTBOX_RATE=--rate (the fleet's limit, not a share). Five seconds in, a case
alert is written for an official. Meanwhile the processes answer people as the bot does,
outside the outbox: from the second second, for ten seconds, --replies replies a second in
all (their share from each process, to 40 people in turn), each counted by its process's
ReplyMeter so that the outbox leaves room for it (0: no replies).

Printed, from the sandbox's record of the calls it answered: the combined rate, replies
included, as a share of the limit (goal >= 0.95, and no 429), the messages each process sent,
the replies, and the time from the alert's commit to its delivery (goal < 2 s). --per-process
turns the shared budget off (GONGSHI_OUTBOX_FLEET_LIMITS=false), to see what each process
pacing alone does.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests")]

from broadcast import FIRST_ID, TOKEN, figure, start_sandbox  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from notices.botapi import BotApi, Verdict  # noqa: E402
from notices.config import NoticeSettings  # noqa: E402
from notices.pacing import ReplyMeter  # noqa: E402
from notices.sender import OutboxSender  # noqa: E402
from storage.db import make_engine, make_sessionmaker, transaction  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Outbox  # noqa: E402
from storage.outbox import enqueue  # noqa: E402

ALERT_AFTER = 5.0
REPLY_AFTER = 2.0
REPLY_SECONDS = 10.0
ASKERS = 40
BENCH = "fleet_limits"


async def deliver(
    database_url: str, api_base: str, rate: float, shared: bool, replies: float, askers: list[int]
) -> None:
    """One sender process: deliver until nothing is left while answering ``askers`` at
    ``replies`` a second, then print what it sent."""
    engine = make_engine(database_url)
    settings = NoticeSettings(
        api_base=api_base, bot_token=TOKEN, outbox_rate=rate, outbox_fleet_limits=shared
    )
    api = BotApi(api_base, TOKEN, max_connections=settings.outbox_max_in_flight)
    meter = ReplyMeter()
    sender = OutboxSender(
        sessions=make_sessionmaker(engine), api=api, settings=settings, replies=meter
    )
    answering = asyncio.create_task(answer(api, meter, replies, askers))
    try:
        await sender.drain(timeout=3600)
        answered = await answering
    finally:
        answering.cancel()
        await api.aclose()
        await engine.dispose()
    print(f"{sender.stats.sent} {sender.stats.rate_limited} {answered}")


async def answer(api: BotApi, meter: ReplyMeter, per_second: float, askers: list[int]) -> int:
    """Replies as the bot sends them, outside the outbox and counted: how many were taken."""
    if per_second <= 0 or not askers:
        return 0
    await asyncio.sleep(REPLY_AFTER)
    taken = 0
    for n in range(round(per_second * REPLY_SECONDS)):
        started = time.monotonic()
        text = "您的投诉已受理，编号见上。"
        result = await api.call("sendMessage", {"chat_id": askers[n % len(askers)], "text": text})
        if result.verdict is Verdict.SENT:
            meter.count(1)
            taken += 1
        await asyncio.sleep(max(0.0, 1 / per_second - (time.monotonic() - started)))
    return taken


def first_asker(recipients: int) -> int:
    """The first of the ASKERS, the people answered: after the recipients and the official."""
    return FIRST_ID + recipients + 1


def askers_of(recipients: int, processes: int, index: int) -> list[int]:
    """The people process ``index`` answers: every processes-th of the ASKERS."""
    first = first_asker(recipients)
    return [first + n for n in range(index, ASKERS, processes)]


async def run(
    database_url: str, recipients: int, rate: float, processes: int, shared: bool, replies: float
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="gongshi-fleet-"))
    official = FIRST_ID + recipients
    sandbox, url = await start_sandbox(folder, recipients + 1 + ASKERS)
    engine = make_engine(database_url)
    children: list[subprocess.Popen[str]] = []
    try:
        async with httpx.AsyncClient(base_url=url, timeout=120) as control:
            limits = {"reset": True, "global_per_second": rate, "private_per_second": 1.0}
            (await control.post("/_control/limits", json=limits)).raise_for_status()
            await upgrade(engine)
            sessions = make_sessionmaker(engine)
            async with transaction(sessions) as session:
                for n in range(recipients):
                    text = "2026年度考核结果公示已开始"
                    await enqueue(session, chat_id=FIRST_ID + n, kind="broadcast", text=text)
            command = [sys.executable, __file__, "--child", database_url, url, "--rate", str(rate)]
            command += ["--recipients", str(recipients), "--processes", str(processes)]
            command += ["--replies", str(replies)]
            command += [] if shared else ["--per-process"]
            children = [
                subprocess.Popen(
                    [*command, "--index", str(index)], cwd=ROOT, stdout=subprocess.PIPE, text=True
                )
                for index in range(processes)
            ]
            await asyncio.sleep(ALERT_AFTER)
            async with transaction(sessions) as session:
                await enqueue(session, chat_id=official, kind="alert", text="新的严重投诉")
            written = time.time()
            outputs = [await asyncio.to_thread(child.communicate) for child in children]
            calls = (await control.get("/_control/calls", params={"method": "sendMessage"})).json()
            async with sessions() as session:
                not_sent = await session.scalar(
                    select(func.count()).select_from(Outbox).where(Outbox.state != "sent")
                )
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
        await engine.dispose()
        sandbox.terminate()
        sandbox.wait(timeout=10)
    per_process = [int(out.split()[0]) if out.split() else 0 for out, _ in outputs]
    answered = sum(int(out.split()[2]) if len(out.split()) > 2 else 0 for out, _ in outputs)
    print("limits: " + ("shared through the database" if shared else "each process alone"))
    report(calls, recipients, rate, official, written, per_process, int(not_sent or 0), answered)


def report(
    calls: list[dict],
    recipients: int,
    rate: float,
    official: int,
    written: float,
    per_process: list[int],
    not_sent: int,
    answered: int,
) -> None:
    accepted = [c for c in calls if c["ok"]]
    times = sorted(c["time"] for c in accepted)
    seconds = times[-1] - times[0]
    achieved = (len(accepted) - 1) / seconds if seconds > 0 else 0.0
    refused = sum(1 for c in calls if c["status"] == 429)
    # The people answered get many replies each: only the outbox's messages may not repeat.
    outbox = [c for c in accepted if int(c["params"]["chat_id"]) < first_asker(recipients)]
    twice = sum(1 for n in Counter(int(c["params"]["chat_id"]) for c in outbox).values() if n > 1)
    alert = [c["time"] for c in accepted if int(c["params"]["chat_id"]) == official]
    delay = alert[0] - written if alert else float("inf")
    share = achieved / rate
    print(f"{len(per_process)} processes, {recipients} recipients, limit {rate:g}/s in all")
    print(f"sent by each process: {per_process}; replies beside them: {answered}")
    print(
        f"combined rate: {achieved:.2f} msg/s over {seconds:.1f} s = {share:.3f} of the limit "
        "(goal >= 0.95)"
    )
    print(f"429 received: {refused} (goal 0); sent twice: {twice}; rows not sent: {not_sent}")
    print(f"case alert, written to delivered during the broadcast: {delay:.2f} s (goal < 2 s)")
    figure("two processes: combined rate / limit", share, "", ">= 0.95", share >= 0.95, BENCH)
    figure("two processes: 429 received", refused, "", "0", refused == 0, BENCH)
    figure("two processes: case alert, commit to delivery", delay, "s", "< 2", delay < 2, BENCH)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=900)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--database-url")
    parser.add_argument("--replies", type=float, default=10.0, help="a second, in all; 0: none")
    parser.add_argument("--per-process", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("DATABASE_URL", "API_BASE"))
    parser.add_argument("--index", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        askers = askers_of(args.recipients, args.processes, args.index)
        share = args.replies / args.processes
        database, api = args.child
        asyncio.run(deliver(database, api, args.rate, not args.per_process, share, askers))
        return
    shared = not args.per_process
    figures = (args.recipients, args.rate, args.processes, shared, args.replies)
    if args.database_url:
        asyncio.run(run(args.database_url, *figures))
        return
    from pgserver import start_pg

    server = start_pg()
    try:
        url = server.create_database("fleet")
        asyncio.run(run(url, *figures))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
