"""The bot as a real process: killed with SIGKILL in the middle of a conversation and started
again, it goes on where the chat was (the state lives in the database) and handles the update
it was killed in exactly once; and `gongshi run` refuses to start without a token or on a
database below the newest schema."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from runtime_router import SLOW_MARKER
from typer.testing import CliRunner

from bot.cli_run import run

ROOT = Path(__file__).resolve().parents[2]
ROUTER_SCRIPT = Path(__file__).with_name("runtime_router.py")


class BotProcess:
    def __init__(self, runtime: str, env: dict[str, str], log: Path) -> None:
        self.runtime, self.env, self.log = runtime, env, log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(ROUTER_SCRIPT),
                self.runtime,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def terminate(self) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), 20)


@pytest.fixture
def bot_env(storage, sandbox, token, tmp_path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "GONGSHI_DATABASE_URL": storage.settings.database_url,
        "GONGSHI_SECRET_KEY": storage.settings.secret_key.get_secret_value(),
        "GONGSHI_BOT_TOKEN": token,
        "GONGSHI_API_BASE": sandbox.url,
        SLOW_MARKER: str(tmp_path / "slow-started"),
    }


async def wait_for_file(path: Path, timeout: float = 20.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if path.exists():
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{path} did not appear")


@pytest.mark.slow
async def test_killed_mid_update_the_conversation_goes_on(runtime, bot_env, client, tmp_path):
    process = BotProcess(runtime, bot_env, tmp_path / "bot.log")
    await process.start()
    try:
        user = await client.create_persona("老李")
        await client.send_text(user, "/echo")
        await client.send_text(user, "a")
        await client.send_text(user, "b")
        await client.wait_for(user, 3, timeout=30)

        slow_update = await client.send_text(user, "slow")
        await wait_for_file(Path(bot_env[SLOW_MARKER]))
        await process.kill()  # in the middle of handling "slow": nothing committed yet
        assert Path(bot_env[SLOW_MARKER]).read_text() == str(slow_update)
        await client.send_text(user, "c")  # while the bot is down

        await process.start()
        replies = await client.wait_for(user, 5, timeout=30)
        await asyncio.sleep(0.5)  # room for a wrong extra reply to show up
        assert [m["text"] for m in await client.bot_messages(user)] == [
            "Say something",
            "echo 1: a",
            "echo 2: b",
            "echo 3: slow",
            "echo 4: c",
        ], replies
        assert await process.terminate() == 0, (tmp_path / "bot.log").read_text()
    finally:
        if process.process is not None and process.process.returncode is None:
            await process.kill()


def gongshi_app() -> typer.Typer:
    """`run` mounted the way bot/cli.py mounts it."""
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """gongshi"""

    app.command("run")(run)
    return app


def test_run_without_a_token_says_so_in_one_line(tmp_path):
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli_run"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "未设置机器人令牌：请设置 GONGSHI_BOT_TOKEN。 / No bot token: set GONGSHI_BOT_TOKEN."
    )


def test_run_refuses_a_database_below_the_newest_schema(monkeypatch, tmp_path):
    monkeypatch.setenv("GONGSHI_BOT_TOKEN", "1:never-used")
    monkeypatch.setenv("GONGSHI_API_BASE", "http://127.0.0.1:9")  # nothing is ever called
    monkeypatch.setenv("GONGSHI_SECRET_KEY", "k" * 32)
    monkeypatch.setenv("GONGSHI_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/empty.db")
    result = CliRunner().invoke(gongshi_app(), ["run"])
    assert result.exit_code == 2
    assert "gongshi db upgrade" in result.output


@pytest.mark.parametrize(
    ("args", "wrong"),
    [
        (["--webhook", "ftp://example.test/hook"], "--webhook"),
        (["--webhook", "https://example.test/hook", "--listen", "8080"], "--listen"),
    ],
)
def test_run_refuses_a_bad_webhook_setting(monkeypatch, args, wrong):
    monkeypatch.setenv("GONGSHI_BOT_TOKEN", "1:never-used")
    result = CliRunner().invoke(gongshi_app(), ["run", *args])
    assert result.exit_code == 2
    assert wrong in result.output
