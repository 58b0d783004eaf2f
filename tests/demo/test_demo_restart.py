"""`gongshi demo` stopped and started again on the same data still answers: its sandbox
numbers updates on from the ids the bot has on record instead of starting at 1 again."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from test_demo_command import CITIZEN, read_until

from bot.sandbox.client import SandboxClient


async def start_and_ask(cwd) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from bot.cli import main; main()", "demo", "--port", "0",
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        url = (await read_until(process.stdout, r"(http://127\.0\.0\.1:\d+)/")).group(1)
        await read_until(process.stdout, r"@gongshi_bot")
        async with SandboxClient(url) as client:
            update_id = await client.send_command(CITIZEN, "/start")
            [menu] = await client.wait_for(CITIZEN, 1, timeout=20)
            return update_id, menu["text"]
    finally:
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), 60) == 0


async def test_a_restarted_demo_answers(tmp_path):
    first_id, first = await start_and_ask(tmp_path)
    second_id, second = await start_and_ask(tmp_path)
    assert "公示通" in first and second == first
    assert second_id > first_id
