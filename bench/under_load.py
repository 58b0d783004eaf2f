"""The first day of a 公示 under load: every citizen's reply time while the channel posts the
lists and an administrator imports the largest allowed results file.

    .venv/bin/python bench/under_load.py [--citizens 10000] [--seconds 120] [--county-rows 520]
                                         [--import-rows 100000] [--postgres | --database-url URL]

One bot process (`gongshi run`, long polling, SQLite by default) talks over HTTP to the sandbox
in a process of its own (rate limits off: Telegram does not hold a bot's replies to a person to
its broadcast limit, and our own pacer keeps the channel's). Set up first, not timed: the
county (26 units, --county-rows results for 2026, the next assessment, 2027, open for uploads)
and an administrator.

Then, timed: the 公示 of 2026 is opened from the command line (`gongshi publish open`), and the
bot's outbox posts its pages to the channel at Telegram's 20 a minute; --citizens citizens
arrive evenly over --seconds and each plays the first day as the load test scripts it
(bot.sandbox.citizens.first_day_part: all open the bot, one in twenty files a complaint, one in
ten asks about a ticket code), waiting for each answer and thinking 0.5–2 s before the next
step; ten seconds in, the administrator uploads in chat a results file of --import-rows rows
for 2027 (100,000: a city's sheet, the largest legitimate file; it goes to the next assessment
so that its rows do not join the open 公示's channel posts).

Printed: each citizen update's reply time, from the sandbox accepting the update to the sandbox
receiving the bot's first answer to it (a message, an edit, else the button's answer), as p50,
p99 (goal < 1 s) and max; updates unanswered; citizens stuck; the channel's posting time, from
the open command to the last page; the import's time, from the file accepted to the answer in
the administrator's chat. To tell the causes apart: the p99 of the updates accepted while the
import ran against the others', and on SQLite the longest wait of a writer for the database's
one write lock (a probe that takes it and lets go every 100 ms). --import-rows 0 leaves the
import out. --postgres starts a throwaway PostgreSQL server as the tests do.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests")]

from broadcast import FIRST_ID, TOKEN, figure, start_sandbox  # noqa: E402
from import_results import SECRET, create_database, unit_names, write_xlsx  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bot.sandbox.citizens import FILE, FirstDayCitizen, first_day_part  # noqa: E402
from bot.sandbox.client import SandboxClient, SandboxError  # noqa: E402
from bot.sandbox.state import DEFAULT_CHANNEL_ID  # noqa: E402

BENCH = "under_load"
GOAL_P99 = 1.0
IMPORT_AFTER = 10.0
CONTENT = {"sendMessage", "editMessageText", "sendDocument", "sendPhoto"}
KEY = SECRET + "-under-load"


class CrowdClient(SandboxClient):
    """The sandbox's client over aiohttp: httpx spends more time on a request than the bot
    spends on an update, and on two shared cores a crowd of 10,000 would measure the crowd."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))

    async def aclose(self) -> None:
        await self._session.close()
        await super().aclose()

    async def _call(self, verb: str, path: str, *, timeout: float | None = None, **kw: Any) -> Any:
        if verb != "GET" and "json" not in kw:
            kw["json"] = {}
        limit = aiohttp.ClientTimeout(total=(timeout or 120) + 10)
        url = f"{self.base_url}/_control/{path}"
        async with self._session.request(verb, url, timeout=limit, **kw) as response:
            body = await response.json(content_type=None)
            if response.status >= 400:
                raise SandboxError(response.status, str(body.get("error", body)))
            return body


# -- set-up ---------------------------------------------------------------------------------
async def prepare(url: str, folder: Path, county_rows: int, admin: int) -> None:
    """Units, the county's results for 2026, the next assessment open, an administrator."""
    from services.imports import import_results
    from storage.db import make_engine, make_sessionmaker, transaction
    from storage.models import Cycle, RoleBinding, TelegramUser

    await create_database(url)
    county = folder / "county.xlsx"
    write_xlsx(county, county_rows)
    engine = make_engine(url)
    try:
        sessions = make_sessionmaker(engine)
        report = await import_results(
            sessions=sessions, secret_key=KEY, path=county, cycle_year=2026, imported_by="bench"
        )
        assert report.ok, report.issues[:3]
        async with transaction(sessions) as session:
            session.add(Cycle(year=2027, state="assessing", settings={}))
            session.add(TelegramUser(id=admin, language="zh"))
            session.add(RoleBinding(user_id=admin, role="admin"))
    finally:
        await engine.dispose()


def bot_env(url: str, api_base: str, folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        "GONGSHI_DATABASE_URL": url,
        "GONGSHI_SECRET_KEY": KEY,
        "GONGSHI_BOT_TOKEN": TOKEN,
        "GONGSHI_API_BASE": api_base,
        "GONGSHI_PUBLIC_CHANNEL": str(DEFAULT_CHANNEL_ID),
        "GONGSHI_EVIDENCE_DIR": str(folder / "evidence"),
        "GONGSHI_IMPORT_MAX_MB": "20",
    }


async def start_bot(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli_run", env=env, stdout=out, stderr=out, cwd=ROOT
        )
    for _ in range(600):
        if "@gongshi_bot" in log.read_text(errors="replace"):
            return process
        if process.returncode is not None:
            raise SystemExit(f"the bot did not start:\n{log.read_text()}")
        await asyncio.sleep(0.1)
    raise SystemExit(f"the bot did not start in a minute:\n{log.read_text()}")


# -- the timed part -------------------------------------------------------------------------
async def open_gongshi(env: dict[str, str]) -> float:
    """`gongshi publish open` for 2026, as an administrator at the command line; returns when
    it was started (the units' procedure records are missing: opened with a reason)."""
    started = time.time()
    process = await asyncio.create_subprocess_exec(
        *[sys.executable, "-c", "from bot.cli import main; main()", "publish", "open"],
        *["--cycle", "2026", "--override", "基准测试：程序记录未录入"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"publish open failed:\n{output.decode()}")
    return started


async def administrator(client: SandboxClient, admin: int, path: Path) -> dict[str, float]:
    """Upload the file in chat as an administrator does; the time until the answer."""
    await asyncio.sleep(IMPORT_AFTER)
    update = await client.send_command(admin, "/start")
    await client.changed_since(admin, int(client.injected[update]["version"]), timeout=60)
    await asyncio.sleep(0.3)
    update = await client.click(admin, "上传考核结果（表格）")
    await client.changed_since(admin, int(client.injected[update]["version"]), timeout=60)
    update = await client.send_file(admin, path.name, path.read_bytes())
    sent = client.injected[update]
    version, accepted = int(sent["version"]), float(sent["accepted"])
    while True:
        view = await client.changed_since(admin, version, timeout=600)
        version = int(view["version"])
        if any(m["from_bot"] and done(m["text"]) for m in view["messages"]):
            break
    calls = await client.calls("sendMessage")
    answer = next(
        c for c in calls if c["ok"] and c["time"] >= accepted and done(c["params"].get("text"))
    )
    return {
        "accepted": accepted,
        "seconds": answer["time"] - accepted,
        "imported": float("已核对" in answer["params"]["text"]),
    }


async def nothing() -> dict[str, float]:
    """No import this time (--import-rows 0): what the others' replies take without it."""
    return {"accepted": 0.0, "seconds": 0.0, "imported": 1.0}


def done(text: str | None) -> bool:
    """The import's answer: checked (and imported), or not imported."""
    return "考核结果表" in (text or "") and ("已核对" in (text or "") or "未导入" in (text or ""))


async def citizens_arrive(
    clients: list[SandboxClient], count: int, seconds: float, units: list[str]
) -> list[FirstDayCitizen]:
    rng = random.Random(2026)
    people = [
        FirstDayCitizen(clients[n % len(clients)], FIRST_ID + n, n, units, rng=rng)
        for n in range(count)
    ]

    async def arrive(citizen: FirstDayCitizen) -> None:
        await asyncio.sleep(citizen.n * seconds / count)
        await citizen.run()

    await asyncio.gather(*(arrive(citizen) for citizen in people))
    return people


def lock_waits(path: str, stop: threading.Event, waits: list[tuple[float, float]]) -> None:
    """On SQLite, every 100 ms: how long a writer waits for the database's one write lock
    (BEGIN IMMEDIATE, then ROLLBACK: nothing written), with the time it asked."""
    connection = sqlite3.connect(path, timeout=120, isolation_level=None)
    try:
        while not stop.wait(0.1):
            asked = time.time()
            connection.execute("BEGIN IMMEDIATE")
            waits.append((asked, time.time() - asked))
            connection.execute("ROLLBACK")
    finally:
        connection.close()


async def progress(clients: list[SandboxClient], since: float) -> None:
    """Every ten seconds: updates handed in so far, and those the bot has not fetched yet."""
    while True:
        await asyncio.sleep(10)
        handed = sum(len(client.injected) for client in clients)
        waiting = len(await clients[0].pending_updates())
        print(
            f"  {time.time() - since:4.0f} s: {handed:,} updates, {waiting} not yet fetched",
            flush=True,
        )


async def channel_posted(client: SandboxClient, url: str, deadline: float) -> list[float]:
    """Wait until every page queued at the open is in the channel; their times."""
    from storage.db import make_engine
    from storage.models import ChannelPost

    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            pages = int(await connection.scalar(select(func.count()).select_from(ChannelPost)))
    finally:
        await engine.dispose()
    while True:
        calls = await client.calls("sendMessage")
        posted = [
            c["time"] for c in calls if c["ok"] and int(c["params"]["chat_id"]) < 0
        ]  # channel ids are negative
        if len(posted) >= pages or time.time() > deadline:
            return sorted(posted)
        await asyncio.sleep(2)


# -- the figures ----------------------------------------------------------------------------
def reply_times(
    injected: dict[int, dict[str, Any]], calls: list[dict[str, Any]]
) -> tuple[list[tuple[float, float]], int]:
    """Each update's acceptance and reply time: the first message or edit to its chat after
    it was accepted and before the chat's next update, else the first answer to its button;
    and how many got neither."""
    query_chat = {
        i["callback_query_id"]: int(i["user"])
        for i in injected.values()
        if "callback_query_id" in i
    }
    answers: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for call in calls:
        params = call["params"]
        if not call["ok"]:
            continue
        if call["method"] in CONTENT:
            chat = int(params.get("chat_id", 0))
        elif call["method"] == "answerCallbackQuery":
            chat = query_chat.get(params.get("callback_query_id"), 0)
        else:
            continue
        answers[chat].append((float(call["time"]), call["method"] in CONTENT))
    by_user: dict[int, list[float]] = defaultdict(list)
    for update in injected.values():
        by_user[int(update["user"])].append(float(update["accepted"]))
    times: list[tuple[float, float]] = []
    unanswered = 0
    for user, accepted in by_user.items():
        accepted.sort()
        for at, until in zip(accepted, [*accepted[1:], float("inf")], strict=True):
            within = [(t, content) for t, content in answers[user] if at <= t < until]
            first = [t for t, content in within if content] or [t for t, _ in within]
            if first:
                times.append((at, min(first) - at))
            else:
                unanswered += 1
    return times, unanswered


def percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(len(values) * share))] if values else float("inf")


async def run(options: argparse.Namespace, url: str, folder: Path) -> None:
    admin = FIRST_ID + options.citizens
    units = unit_names()
    began = time.perf_counter()
    await prepare(url, folder, options.county_rows, admin)
    largest = folder / "结果-2027.xlsx"
    if options.import_rows:
        write_xlsx(largest, options.import_rows)
    sandbox, api_base = await start_sandbox(folder, options.citizens + 1)
    env = bot_env(url, api_base, folder)
    bot: asyncio.subprocess.Process | None = None
    probe_stop, waits = threading.Event(), list[tuple[float, float]]()
    clients: list[SandboxClient] = [CrowdClient(api_base)]
    try:
        control = clients[0]
        await control.set_limits(rate_limits=False)
        await control.update_persona(admin, role="admin", first_name="县就业局管理员")
        bot = await start_bot(env, folder / "bot.log")
        print(
            f"under load: {options.citizens:,} citizens over {options.seconds:g} s, county of "
            f"{options.county_rows} results, import of {options.import_rows:,} rows, "
            f"{'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}, {os.cpu_count()} "
            f"CPUs; set up in {time.perf_counter() - began:.0f} s",
            flush=True,
        )
        opened = await open_gongshi(env)
        admin_client = SandboxClient(api_base, timeout=120)
        importing = asyncio.create_task(
            administrator(admin_client, admin, largest) if options.import_rows else nothing()
        )
        watching = asyncio.create_task(progress(clients, opened))
        if url.startswith("sqlite"):
            path = url.split(":///", 1)[1]
            threading.Thread(target=lock_waits, args=(path, probe_stop, waits)).start()
        people = await citizens_arrive(clients, options.citizens, options.seconds, units)
        watching.cancel()
        crowd_done = time.time()
        imported = await importing
        probe_stop.set()
        posted = await channel_posted(control, url, deadline=time.time() + options.channel_wait)
        calls = await control.calls()
        await admin_client.aclose()
    finally:
        probe_stop.set()
        if bot is not None and bot.returncode is None:
            bot.terminate()
            await asyncio.wait_for(bot.wait(), 30)
        for client in clients:
            await client.aclose()
        sandbox.terminate()
        sandbox.wait(timeout=10)
    injected = {k: v for client in clients for k, v in client.injected.items()}
    replies, unanswered = reply_times(injected, calls)
    report(options, people, replies, unanswered, opened, crowd_done, posted, imported)
    if waits:
        lock_report(waits, imported)


def lock_report(waits: list[tuple[float, float]], imported: dict[str, float]) -> None:
    start, end = imported["accepted"], imported["accepted"] + imported["seconds"]
    during = [seconds for at, seconds in waits if start <= at < end] or [0.0]
    others = [seconds for at, seconds in waits if not start <= at < end] or [0.0]
    print(
        f"SQLite write lock, a writer's longest wait: {max(during):.2f} s while the import ran, "
        f"{max(others):.2f} s otherwise"
    )


def report(
    options: argparse.Namespace,
    people: list[FirstDayCitizen],
    replies: list[tuple[float, float]],
    unanswered: int,
    opened: float,
    crowd_done: float,
    posted: list[float],
    imported: dict[str, float],
) -> None:
    times = sorted(seconds for _, seconds in replies)
    p50, p99, worst = percentile(times, 0.5), percentile(times, 0.99), max(times, default=0.0)
    stuck = [c for c in people if c.stuck]
    filers = sum(1 for c in people if first_day_part(c.n) == FILE)
    tickets = sum(1 for c in people if c.ticket)
    updates = len(times) + unanswered
    print(
        f"citizens: {updates:,} updates in {crowd_done - opened:.0f} s "
        f"({updates / options.seconds:.0f}/s offered while arriving); complaints acknowledged "
        f"{tickets}/{filers}; stuck {len(stuck)}; unanswered updates {unanswered}"
    )
    for citizen in stuck[:5]:
        print(f"  stuck: citizen {citizen.n}: {citizen.stuck}")
    print(
        f"reply time: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms (goal < "
        f"{GOAL_P99 * 1000:.0f} ms), max {worst * 1000:.0f} ms"
    )
    start, end = imported["accepted"], imported["accepted"] + imported["seconds"]
    during = sorted(seconds for at, seconds in replies if start <= at < end)
    others = sorted(seconds for at, seconds in replies if not start <= at < end)
    if during:
        print(
            f"  updates accepted while the import ran: {len(during):,}, p99 "
            f"{percentile(during, 0.99) * 1000:.0f} ms; the others: p99 "
            f"{percentile(others, 0.99) * 1000:.0f} ms"
        )
    channel = posted[-1] - opened if posted else float("inf")
    print(f"channel: {len(posted)} pages posted, the last {channel:.0f} s after the open command")
    print(
        f"import: {options.import_rows:,} rows, {imported['seconds']:.1f} s from the file "
        f"accepted to the answer ({'imported' if imported['imported'] else 'REFUSED'})"
    )
    figure("citizens' reply time p99", p99, "s", f"< {GOAL_P99:g}", p99 < GOAL_P99, BENCH)
    figure("citizens' reply time p50", p50, "s", "—", True, BENCH)
    figure("citizens' reply time max", worst, "s", "—", True, BENCH)
    figure("citizens stuck or updates unanswered", len(stuck) + unanswered, "", "0",
           not stuck and unanswered == 0, BENCH)  # fmt: skip
    figure("channel pages, open to last posted", channel, "s", "—", True, BENCH)
    figure(f"import of {options.import_rows:,} rows meanwhile", imported["seconds"], "s", "—",
           bool(imported["imported"]), BENCH)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--citizens", type=int, default=10_000, help="people on the first day")
    parser.add_argument("--seconds", type=float, default=120.0, help="arrivals spread over")
    parser.add_argument("--county-rows", type=int, default=520, help="results in the 公示")
    parser.add_argument("--import-rows", type=int, default=100_000, help="0: no import")
    parser.add_argument("--channel-wait", type=float, default=120.0, help="after the crowd")
    parser.add_argument("--database-url", help="an empty PostgreSQL database")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL")
    parser.add_argument("--keep", type=Path, help="keep the files, database and bot log here")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gongshi-load-") as scratch:
        folder = options.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        if options.database_url:
            asyncio.run(run(options, options.database_url, folder))
        elif options.postgres:
            from pgserver import start_pg

            server = start_pg()
            try:
                asyncio.run(run(options, server.create_database("load"), folder))
            finally:
                server.stop()
        else:
            asyncio.run(run(options, f"sqlite+aiosqlite:///{folder / 'load.db'}", folder))


if __name__ == "__main__":
    main()
