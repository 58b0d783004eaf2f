"""Scale-out: two `gongshi run` processes in webhook mode behind Debian's nginx, on one
PostgreSQL. The sandbox pushes the updates to nginx, which spreads them over both; citizens
file complaints all along, and halfway one process is killed with SIGKILL. Each complaint is
stored once, none acknowledged is lost, each outbox row is sent, and exactly one process leads
the scheduler, before the kill and after it. A row is sent once, unless the killed process had
it in hand: sent, perhaps, but not yet recorded, its outcome is unknowable and it is sent again
once its lease runs out (Telegram has no way to ask whether a message went out); such a row is
sent at most twice."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest
from nginx import Nginx, find_nginx
from ports import free_port
from sqlalchemy import func, select, text
from testsupport import make_settings

from bot.runtime_context import open_storage
from bot.sandbox.citizens import Citizen, add_county, tickets_shown
from storage.migrate import upgrade
from storage.models import Complaint, Outbox, RoleBinding, TelegramUser

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SECRET = "scale-out-secret_0123456789"
HOOK = "/telegram/hook"
PHASE = 6.0  # seconds of filing before the kill, and again after it
CITIZENS = 8


@pytest.fixture
def nginx_binary() -> str:
    found = find_nginx()
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("nginx is not installed (.ci/run installs Debian's package)")
        pytest.skip("nginx is not installed: apt-get install nginx")
    return found


class Bot:
    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, public_url: str) -> None:
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli_run",
                "--webhook",
                public_url,
                "--listen",
                f"127.0.0.1:{self.port}",
                env=self.env,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
            )

    async def ready(self, timeout: float = 60.0) -> None:
        for _ in range(int(timeout / 0.1)):
            if self.log.exists() and "@gongshi_bot" in self.log.read_text():
                return
            assert self.process is not None and self.process.returncode is None, (
                self.log.read_text()
            )
            await asyncio.sleep(0.1)
        raise TimeoutError(self.log.read_text())

    async def end(self, signum: int) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signum)
            await asyncio.wait_for(self.process.wait(), 30)


async def leaders(storage) -> int:
    """Processes holding the scheduler's advisory lock."""
    async with storage.engine.connect() as connection:
        found = await connection.execute(
            text("SELECT count(DISTINCT pid) FROM pg_locks WHERE locktype = 'advisory' AND granted")
        )
        return int(found.scalar_one())


async def in_hand(storage, chat_id: int) -> set[str]:
    """The texts of the rows to ``chat_id`` claimed by a sender and not yet recorded: right
    after the kill, those of the killed process are among them."""
    async with storage.sessions() as session:
        found = await session.execute(
            select(Outbox.payload).where(Outbox.chat_id == chat_id, Outbox.state == "sending")
        )
        return {payload["text"] for payload in found.scalars()}


async def outbox_settled(storage, timeout: float = 60.0) -> dict[str, int]:
    for _ in range(int(timeout / 0.5)):
        async with storage.sessions() as session:
            states = dict(
                (
                    await session.execute(select(Outbox.state, func.count()).group_by(Outbox.state))
                ).all()
            )
        if not states.keys() & {"pending", "sending"}:
            return states
        await asyncio.sleep(0.5)
    raise TimeoutError(f"outbox not delivered: {states}")


async def test_two_processes_behind_nginx_lose_and_double_nothing(
    nginx_binary, pg_url, sandbox, client, token, tmp_path, counts
):
    settings = make_settings(pg_url)
    await client.disable_rate_limits()
    bureau = await client.create_persona("局受理员")
    await client.update_persona(bureau, started=True)
    async with open_storage(settings) as storage:
        await upgrade(storage.engine)
        await add_county(storage)
        async with storage.sessions() as session, session.begin():
            session.add(TelegramUser(id=bureau["id"], language="zh"))
            session.add(RoleBinding(user_id=bureau["id"], role="bureau"))
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "GONGSHI_DATABASE_URL": pg_url,
            "GONGSHI_SECRET_KEY": settings.secret_key.get_secret_value(),
            "GONGSHI_BOT_TOKEN": token,
            "GONGSHI_API_BASE": sandbox.url,
            "GONGSHI_WEBHOOK_SECRET": SECRET,
            "GONGSHI_LEADER_RETRY_SECONDS": "1",
            # Every alert goes to one bureau chat: Telegram's 1 a second per chat would make
            # the test wait for the last of them.
            "GONGSHI_OUTBOX_PRIVATE_PER_SECOND": "50",
        }
        proxy = Nginx(nginx_binary, tmp_path, free_port())
        bots = [Bot(env, free_port(), tmp_path / f"bot{n}.log") for n in (1, 2)]
        proxy.start([bot.port for bot in bots], HOOK)
        public = f"http://127.0.0.1:{proxy.port}{HOOK}"
        citizens = [
            Citizen(client, int((await client.create_persona(f"市民{n}"))["id"]), patience=3.0)
            for n in range(CITIZENS)
        ]
        stop = asyncio.Event()
        filing: list[asyncio.Task[None]] = []
        try:
            for bot in bots:
                await bot.start(public)
            for bot in bots:
                await bot.ready()
            filing = [asyncio.create_task(c.run(stop)) for c in citizens]
            await asyncio.sleep(PHASE)
            leaders_before = await leaders(storage)
            await bots[0].end(signal.SIGKILL)
            in_hand_at_kill = await in_hand(storage, bureau["id"])
            acknowledged_at_kill = await acknowledged(client, citizens)
            await asyncio.sleep(PHASE)
            leaders_after = await leaders(storage)
            stop.set()
            await asyncio.gather(*filing)
            await asyncio.sleep(2.0)  # the answers to the last presses
            states = await outbox_settled(storage)
            await bots[1].end(signal.SIGTERM)
        finally:
            stop.set()
            for task in filing:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
            for bot in bots:
                with contextlib.suppress(Exception):
                    await bot.end(signal.SIGKILL)
            proxy.stop()
            async with httpx.AsyncClient() as http:
                await http.post(f"{sandbox.url}/bot{token}/deleteWebhook")

        shown = await acknowledged(client, citizens)
        async with storage.sessions() as session:
            stored = (
                await session.execute(select(Complaint.ticket_code, Complaint.description))
            ).all()
            to_bureau = (
                (
                    await session.execute(
                        select(Outbox.payload).where(Outbox.chat_id == bureau["id"])
                    )
                )
                .scalars()
                .all()
            )
    spread = proxy.upstreams()
    calls = await client.calls("sendMessage")
    alerts = Counter(
        c["params"]["text"]
        for c in calls
        if c["ok"] and int(c["params"]["chat_id"]) == bureau["id"]
    )
    codes = {code for code, _ in stored}
    twice = [d for d, n in Counter(d for _, d in stored).items() if n > 1]
    counts.update(
        updates_by_process="/".join(str(spread[f"127.0.0.1:{bot.port}"]) for bot in bots),
        complaints_acknowledged=len(shown),
        acknowledged_after_the_kill=len(shown) - len(acknowledged_at_kill),
        complaints_stored=len(stored),
        lost=len([c for c in shown if c not in codes]),
        stored_twice=len(twice),
        outbox_rows=sum(states.values()),
        alerts_sent=sum(alerts.values()),
        alerts_in_hand_at_the_kill=len(in_hand_at_kill),
        alerts_sent_twice=len([n for n in alerts.values() if n > 1]),
        leaders_before_kill=leaders_before,
        leaders_after_kill=leaders_after,
    )
    print(f"\nscale-out: {counts}")
    assert all(spread[f"127.0.0.1:{bot.port}"] > 0 for bot in bots), spread
    assert [c for c in shown if c not in codes] == []
    assert twice == []
    assert len(shown) > len(acknowledged_at_kill) > 0
    assert states == {"sent": sum(states.values())}
    assert sorted(alerts) == sorted(payload["text"] for payload in to_bureau)  # each row sent
    twice_sent = {alert for alert, n in alerts.items() if n > 1}
    assert twice_sent <= in_hand_at_kill and set(alerts.values()) <= {1, 2}, alerts
    assert leaders_before == 1 and leaders_after == 1


async def acknowledged(client, citizens) -> list[str]:
    shown: list[str] = []
    for citizen in citizens:
        shown += tickets_shown((await client.chat(citizen.user))["messages"])
    return shown
