"""A broadcast to 20,000 people through the outbox, and a case alert written while it runs.

    .venv/bin/python bench/broadcast.py [--recipients 20000] [--rate 300]

The sandbox runs in a child process with every recipient a persona who has opened the bot, its
overall limit raised to --rate messages a second and one a second per chat kept. The broadcast
rows are written to a fresh SQLite outbox in one transaction; one sender delivers them with its
own limit set to the same rate. Five seconds in, a case alert is written for an official.

Printed, from the sandbox's record of the calls it answered:
  achieved rate as a share of the limit (goal >= 0.95): messages accepted / the time from the
  first to the last, over the limit;
  429s received (goal 0), recipients who got nothing (lost, goal 0) or more than one copy
  (sent twice, goal 0), rows not "sent" at the end;
  the time from the alert's commit to the sandbox accepting it (goal < 2 s).
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
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from notices.botapi import BotApi  # noqa: E402
from notices.config import NoticeSettings  # noqa: E402
from notices.sender import OutboxSender  # noqa: E402
from storage.db import make_engine, make_sessionmaker, transaction  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Outbox  # noqa: E402
from storage.outbox import enqueue  # noqa: E402

FIRST_ID = 6_000_000_001
TOKEN = "7000000001:BENCH"
ALERT_AFTER = 5.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def start_sandbox(folder: Path, people: int) -> tuple[subprocess.Popen[bytes], str]:
    personas = folder / "personas.json"
    personas.write_text(
        json.dumps(
            [{"id": FIRST_ID + n, "first_name": f"居民{n}", "started": True} for n in range(people)]
        )
    )
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.sandbox", "--port", str(port), "--personas", str(personas)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as http:
        for _ in range(600):
            try:
                await http.get(f"{url}/_control/limits")
                return process, url
            except httpx.TransportError:
                await asyncio.sleep(0.05)
    process.kill()
    raise RuntimeError("the sandbox did not start")


async def run(recipients: int, rate: float) -> None:
    folder = Path(tempfile.mkdtemp(prefix="gongshi-broadcast-"))
    official = FIRST_ID + recipients
    process, url = await start_sandbox(folder, recipients + 1)
    engine = make_engine(f"sqlite+aiosqlite:///{folder}/bench.db")
    try:
        async with httpx.AsyncClient(base_url=url, timeout=120) as control:
            limits = {"global_per_second": rate, "private_per_second": 1.0}
            (await control.post("/_control/limits", json=limits)).raise_for_status()
            await upgrade(engine)
            sessions = make_sessionmaker(engine)
            async with transaction(sessions) as session:
                for n in range(recipients):
                    await enqueue(
                        session,
                        chat_id=FIRST_ID + n,
                        kind="broadcast",
                        text="2026年度考核结果公示已开始",
                    )
            settings = NoticeSettings(api_base=url, bot_token=TOKEN, outbox_rate=rate)
            api = BotApi(url, TOKEN, max_connections=settings.outbox_max_in_flight)
            sender = OutboxSender(sessions=sessions, api=api, settings=settings)
            stop = asyncio.Event()
            runner = asyncio.create_task(sender.run(stop))
            await asyncio.sleep(ALERT_AFTER)
            async with transaction(sessions) as session:
                await enqueue(
                    session, chat_id=official, kind="alert", text="新的严重投诉：K7M2QX9P"
                )
            alert_written = time.time()
            while True:
                await asyncio.sleep(1.0)
                async with sessions() as session:
                    left = await session.scalar(
                        select(func.count())
                        .select_from(Outbox)
                        .where(Outbox.state.in_(("pending", "sending")))
                    )
                if not left:
                    break
            stop.set()
            await runner
            await api.aclose()
            calls = (await control.get("/_control/calls", params={"method": "sendMessage"})).json()
            async with sessions() as session:
                not_sent = await session.scalar(
                    select(func.count()).select_from(Outbox).where(Outbox.state != "sent")
                )
    finally:
        await engine.dispose()
        process.terminate()
        process.wait(timeout=10)
    report(calls, recipients, rate, official, alert_written, int(not_sent or 0))


def report(
    calls: list[dict], recipients: int, rate: float, official: int, written: float, not_sent: int
) -> None:
    accepted = [c for c in calls if c["ok"]]
    copies = Counter(int(c["params"]["chat_id"]) for c in accepted)
    crowd = [FIRST_ID + n for n in range(recipients)]
    lost = sum(1 for chat in crowd if copies[chat] == 0)
    twice = sum(1 for chat in crowd if copies[chat] > 1)
    times = sorted(c["time"] for c in accepted)
    seconds = times[-1] - times[0]
    achieved = (len(accepted) - 1) / seconds if seconds > 0 else 0.0
    refused = sum(1 for c in calls if c["status"] == 429)
    alert = [c["time"] for c in accepted if int(c["params"]["chat_id"]) == official]
    delay = f"{alert[0] - written:.2f} s" if alert else "never delivered"
    print(f"broadcast: {recipients} recipients, limit {rate:g}/s overall, 1/s per chat")
    share = achieved / rate
    print(
        f"achieved rate: {achieved:.1f} msg/s over {seconds:.1f} s = {share:.3f} of the limit "
        "(goal >= 0.95)"
    )
    print(f"429 received: {refused} (goal 0)")
    print(f"lost: {lost} (goal 0); rows not sent: {not_sent}")
    print(f"sent twice: {twice} (goal 0)")
    print(f"case alert, written to delivered during the broadcast: {delay} (goal < 2 s)")
    figure("achieved rate / limit", share, "", ">= 0.95", share >= 0.95)
    figure("429 received", refused, "", "0", refused == 0)
    figure("recipients lost", lost, "", "0", lost == 0)
    figure("recipients sent twice", twice, "", "0", twice == 0)
    seconds_to_alert = alert[0] - written if alert else float("inf")
    figure("case alert, commit to delivery", seconds_to_alert, "s", "< 2", seconds_to_alert < 2)


def figure(
    name: str, value: float, unit: str, goal: str, met: bool, bench: str = "broadcast"
) -> None:
    """One machine-readable line per figure, collected by bench/run_all.py."""
    line = {"bench": bench, "figure": name, "value": round(value, 3), "unit": unit}
    print("BENCH " + json.dumps({**line, "goal": goal, "met": met}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=300.0)
    args = parser.parse_args()
    asyncio.run(run(args.recipients, args.rate))


if __name__ == "__main__":
    main()
